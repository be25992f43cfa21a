/*
 * schedule: the recording schedule of rec.conf's [schedule] section, as
 * windows of UTC time. No [schedule] key at all: no schedule (record
 * always); a section without `period` lines records the whole of each
 * chosen day.
 *
 *   timezone = Europe/Berlin          clock times and dates are local
 *                                     there (the tz database); default UTC
 *   period = 05:00-09:00              clock times HH:MM[:SS] (24:00 ends
 *   period = sunset-30m..sunrise+30m  a day), or sunrise, sunset, dawn,
 *   period = dawn..dusk               dusk, noon with an optional
 *                                     +/-duration (at most 12h); "..",
 *                                     or "-" between two clock times
 *   duty = 5m/15m                     within each period: ON of EVERY
 *   start-date = 2026-12-01           local dates, both included
 *   end-date = 2027-03-31
 *   every = 2d                        every Nth day from start-date
 *                                     (without one: from 1970-01-01)
 *
 * Sun points need the top-level latitude and longitude (degrees, north
 * and east positive) and take elevation (metres) for the horizon's dip;
 * see lib/sun.h for the altitudes and the polar rule.
 *
 * Days: a period belongs to the local date D its start is computed for.
 * Its end is on D too, unless it comes before the start in the day's
 * order: for two clock times, end <= start; for two sun points, by
 * dawn < sunrise < noon < sunset < dusk (then the offsets); mixed, by
 * the times of D. Such a period ends on D+1 ("22:00-02:00",
 * "sunset..sunrise"). A sun period whose end still falls before its start
 * (e.g. sunrise+10h..sunset on a short day) is empty that day. The sun's
 * events of D are those around the transit nearest to 12:00 mean solar
 * time on date D at the longitude. Date limits and `every` pick days D.
 *
 * Daylight saving time: a clock time that does not exist on D (the hour
 * skipped when clocks go forward) means the first existing time after it
 * (02:30 -> 03:00 in Europe/Berlin); a clock time that happens twice
 * (clocks go back) means its first occurrence. Periods keep their clock
 * times, so their length in UTC changes on those days.
 *
 * Duty: each period's window of day D is cut into ON-long windows
 * starting every EVERY from its start (the last one cut at the period's
 * end): 5m/15m on 05:00-09:00 gives 05:00-05:05, 05:15-05:20, ...
 * Windows that overlap or touch are merged.
 *
 * Time zones: computing local times sets TZ (and calls tzset) around the
 * calls to localtime_r and restores the caller's TZ after: not
 * thread-safe, and only for single-threaded tools (recd).
 */
#ifndef REC_SCHEDULE_H
#define REC_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "err.h"

/* A window of recording: seconds since the epoch (UTC), [start, end). */
struct schedule_window {
	int64_t start, end;
};

struct schedule;

/* The station's place: the top-level latitude and longitude (degrees,
 * north and east positive), elevation (metres above sea level, GUANO's
 * Loc Elevation) and height (metres above the surroundings, the dip of
 * the horizon for the sun; 0 when not given) of rec.conf. */
struct schedule_place {
	double lat, lon, elev, height;
	int has_elev;
};

/*
 * The place of c: 1 with *pl when latitude and longitude are given, 0
 * when neither is, -1 + e (EX_CONFIG, FILE:LINE) for a bad value or one
 * without the other. Used for the sun and for GUANO's Loc keys.
 */
int schedule_place(const struct conf *c, struct schedule_place *pl,
    struct err *e);

/*
 * Read [schedule] and the location keys of c. Returns 1 and *sp (free
 * with schedule_free) when there is a schedule, 0 and *sp NULL when c has
 * no [schedule] key, -1 with e (EX_CONFIG, "FILE:LINE: ...") for a bad
 * value or a schedule that cannot record: end-date before start-date, a
 * period that is empty every day, duty ON longer than EVERY, a sun point
 * without latitude and longitude, a date range without any window;
 * EX_OSERR when out of memory.
 */
int schedule_load(struct schedule **sp, const struct conf *c, struct err *e);
void schedule_free(struct schedule *s);

/*
 * A schedule of the period lines of section/key alone (e.g. [upload]
 * window), in [schedule]'s time zone: every day, no duty. 1 and *sp,
 * 0 and NULL when there is no such line, -1 + e as schedule_load.
 */
int schedule_load_key(struct schedule **sp, const struct conf *c,
    const char *section, const char *key, struct err *e);

/*
 * The windows overlapping [t0, t1), merged, in order, cut to [t0, t1):
 * *out (malloc'ed, free it; NULL when *n is 0). 0, or -1 with errno
 * ENOMEM.
 */
int schedule_windows(const struct schedule *s, int64_t t0, int64_t t1,
    struct schedule_window **out, size_t *n);

/*
 * The window that holds t, or else the next one (searching two years
 * ahead): 1 and *w (its true start, up to three days before t; its end
 * followed past any cut), 0 when there is none (past end-date), -1 with
 * errno ENOMEM.
 */
int schedule_next(const struct schedule *s, int64_t t,
    struct schedule_window *w);

/* strftime(fmt) of t in the schedule's time zone, into buf. */
size_t schedule_strftime(const struct schedule *s, char *buf, size_t len,
    const char *fmt, int64_t t) __attribute__((format(strftime, 4, 0)));

/* The local date (days since 1970-01-01) of t in the time zone. */
int64_t schedule_day(const struct schedule *s, int64_t t);

/* The UTC time of local midnight starting day (the DST rule above). */
int64_t schedule_midnight(const struct schedule *s, int64_t day);

/* The time zone's name ("UTC" by default). */
const char *schedule_tzname(const struct schedule *s);

/*
 * Parse a date "YYYY-MM-DD" (1970..9999) into days since 1970-01-01:
 * 0, or -1 with errno EINVAL.
 */
int schedule_parse_date(const char *str, int64_t *day);

#endif
