/*
 * utc: the UTC time formats of rec's file names and metadata.
 *   name form:  20261128T031500.123Z       (segment and archive names)
 *   ISO form:   2026-11-28T03:15:00.123456Z (GUANO Timestamp, manifests)
 * Years 0000..9999 are parsed (proleptic Gregorian). All arithmetic is
 * done in 64-bit integers of our own (no gmtime/timegm), so it does not
 * depend on the width of time_t or long. Where time_t is 32 bits (e.g.
 * Debian 12 armhf) a struct timespec only holds 1901-12-13..2038-01-19:
 * keep times as int64_t nanoseconds (utc_ns, utc_iso_ns,
 * utc_parse_iso_ns), which hold 1677-09-21..2262-04-11 everywhere.
 */
#ifndef REC_UTC_H
#define REC_UTC_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define UTC_NAME_LEN	20	/* strlen("20261128T031500.123Z") */

/* Format ts (UTC, milliseconds truncated) into buf (>= 21 bytes). */
char *utc_name(const struct timespec *ts, char *buf, size_t len);
/* ISO 8601 with microseconds and 'Z' into buf (>= 28 bytes). */
char *utc_iso(const struct timespec *ts, char *buf, size_t len);
/* The ISO form of ns nanoseconds since the epoch (any int64_t). */
char *utc_iso_ns(int64_t ns, char *buf, size_t len);
/*
 * Parse the name form at the start of s (the rest is ignored);
 * 0, or -1 with errno EINVAL (malformed), EOVERFLOW (past a 32-bit
 * time_t).
 */
int utc_parse_name(const char *s, struct timespec *ts);
/*
 * Parse the ISO form (fraction optional, 'Z' or +00:00); 0, or -1 with
 * errno EINVAL or EOVERFLOW as utc_parse_name.
 */
int utc_parse_iso(const char *s, struct timespec *ts);
/*
 * Parse the ISO form into nanoseconds since the epoch, whatever the
 * width of time_t; 0, or -1 with errno EINVAL (malformed) or ERANGE
 * (before 1677-09-21T00:12:43.145224192Z or after
 * 2262-04-11T23:47:16.854775807Z).
 */
int utc_parse_iso_ns(const char *s, int64_t *ns);
/*
 * Nanoseconds since the epoch; saturates at INT64_MIN / INT64_MAX for a
 * time outside 1677..2262 instead of overflowing.
 */
int64_t utc_ns(const struct timespec *ts);
/* Days since 1970-01-01 of the proleptic Gregorian y-m-d (m 1..12; d
 * may run past the month's end or below 1, and counts on). */
int64_t utc_days_from_civil(int64_t y, int m, int d);
/* The timespec of ns; clamped to the range of a 32-bit time_t. */
struct timespec utc_from_ns(int64_t ns);
/*
 * Nanoseconds that frames frames last at rate Hz, rounded down, without
 * 64-bit overflow of frames * 1e9 (saturates at INT64_MAX); 0 for rate 0.
 */
int64_t utc_frames_ns(uint64_t frames, unsigned rate);

#endif
