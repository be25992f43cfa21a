/*
 * when: the times people type on a command line (rec-find, rec-get), to
 * nanoseconds since the epoch (UTC, int64_t: lib/utc.h's form).
 *
 *   2026-11-28                    the midnight that starts the day
 *   2026-11-28T03:15              (or a blank instead of T)
 *   2026-11-28T03:15:10
 *   2026-11-28T03:15:10.5         fractions to the nanosecond (9 digits)
 *   ...Z, ...+01:00, ...-0530     that offset from UTC
 *   20261128T031500.000Z          the name form of archives and segments
 *   now, now-2h, now-30m, now+1d, now-1h30m, now-90s
 *
 * Without an offset a time is local to tz, an IANA zone name
 * ("Europe/Berlin"; NULL or "" = UTC).  A local time that falls in a
 * daylight-saving gap (02:30 on the spring-forward night) does not
 * exist: refused.  One that happens twice (the fall-back night) is the
 * earlier of the two.  "now" is the caller's now_ns (cmd/ reads the
 * clock, or a test hook), so this is a pure function of its arguments
 * but for the zone database.
 *
 * WHEN_END (for an end of a range): a date alone means the midnight
 * AFTER that day (so "--to 2026-11-28" takes in all of the 28th); a
 * time given to the minute, the end of that minute; to the second, the
 * end of that second.  Fractions and "now" are taken as they are.
 *
 * Years 1900..2261 (int64_t nanoseconds end in 2262); local times in
 * a zone only where time_t reaches (a 32-bit time_t ends in 2038:
 * ERANGE).
 *
 * Zones: a tz is applied by setting TZ for the call (setenv, tzset) and
 * putting the old value back: not for threaded callers.
 */
#ifndef REC_WHEN_H
#define REC_WHEN_H

#include <stdint.h>

#define WHEN_END	1

/*
 * Parse s; 0 with *ns set, or -1 with errno EINVAL (not a time, a field
 * out of range, an unknown zone), EDOM (a local time that does not
 * exist in tz: a daylight-saving gap) or ERANGE (outside the years
 * above).
 */
int when_parse(const char *s, const char *tz, int64_t now_ns, int flags,
    int64_t *ns);

/* 1 when tz names a zone this system knows (or is NULL/""/"UTC"). */
int when_tz_valid(const char *tz);

#endif
