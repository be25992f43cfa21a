/*
 * utc: format and parse UTC timestamps for names and metadata. The
 * calendar arithmetic is our own, in 64-bit integers (days from the civil
 * date and back, proleptic Gregorian), so that nothing depends on the
 * width of time_t or long: a device with a 32-bit time_t (Debian armhf)
 * keeps working past 2038 wherever times are int64_t nanoseconds.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "utc.h"

#define NS_PER_S	1000000000LL
/* The range of time_t, 32 or 64 bits. */
#define TIME_T_MAX	(sizeof(time_t) == 4 ? (int64_t)INT32_MAX : INT64_MAX)
#define TIME_T_MIN	(sizeof(time_t) == 4 ? (int64_t)INT32_MIN : INT64_MIN)

int64_t
utc_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The civil date of day z since 1970-01-01. */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

struct civil {
	int64_t year;
	int mon, day, hour, min, sec;
};

/* Broken-down UTC time of sec seconds since the epoch (any int64). */
static void
civil_from_secs(int64_t sec, struct civil *c)
{
	int64_t days = sec / 86400, rem = sec % 86400;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, &c->year, &c->mon, &c->day);
	c->hour = (int)(rem / 3600);
	c->min = (int)(rem / 60 % 60);
	c->sec = (int)(rem % 60);
}

/*
 * tv_sec and tv_nsec as int64 seconds and 0..999999999 nanoseconds
 * (a tv_nsec out of range is carried into the seconds, saturating).
 */
static void
split_ts(const struct timespec *ts, int64_t *sec, long *ns)
{
	int64_t carry = ts->tv_nsec / NS_PER_S;

	*ns = (long)(ts->tv_nsec % NS_PER_S);
	if (*ns < 0) {
		*ns += NS_PER_S;
		carry--;
	}
	if (__builtin_add_overflow((int64_t)ts->tv_sec, carry, sec)) {
		*sec = carry < 0 ? INT64_MIN : INT64_MAX;
		*ns = carry < 0 ? 0 : NS_PER_S - 1;
	}
}

char *
utc_name(const struct timespec *ts, char *buf, size_t len)
{
	struct civil c;
	int64_t sec;
	long ns;

	split_ts(ts, &sec, &ns);
	civil_from_secs(sec, &c);
	snprintf(buf, len, "%04lld%02d%02dT%02d%02d%02d.%03ldZ",
	    (long long)c.year, c.mon, c.day, c.hour, c.min, c.sec,
	    ns / 1000000);
	return buf;
}

/* ISO 8601 with microseconds of int64 seconds and nanoseconds. */
static char *
iso_format(int64_t sec, long ns, char *buf, size_t len)
{
	struct civil c;

	civil_from_secs(sec, &c);
	snprintf(buf, len, "%04lld-%02d-%02dT%02d:%02d:%02d.%06ldZ",
	    (long long)c.year, c.mon, c.day, c.hour, c.min, c.sec, ns / 1000);
	return buf;
}

char *
utc_iso(const struct timespec *ts, char *buf, size_t len)
{
	int64_t sec;
	long ns;

	split_ts(ts, &sec, &ns);
	return iso_format(sec, ns, buf, len);
}

char *
utc_iso_ns(int64_t ns, char *buf, size_t len)
{
	int64_t sec = ns / NS_PER_S, rem = ns % NS_PER_S;

	if (rem < 0) {
		rem += NS_PER_S;
		sec--;
	}
	return iso_format(sec, (long)rem, buf, len);
}

static int
digits(const char *s, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Seconds since the epoch of a parsed date and time; -1 (EINVAL) when
 * a field is out of range. Day 29..31 of a short month and second 60
 * roll over into the next, as timegm(3) does. */
static int
make_secs(const int f[6], int64_t *sec)
{
	if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 ||
	    f[4] > 59 || f[5] > 60) {
		errno = EINVAL;
		return -1;
	}
	*sec = utc_days_from_civil(f[0], f[1], f[2]) * 86400 + f[3] * 3600 +
	    f[4] * 60 + f[5];
	return 0;
}

/* A timespec of int64 seconds; -1 with EOVERFLOW past a 32-bit time_t. */
static int
make_ts(int64_t sec, long ns, struct timespec *ts)
{
	if (sec > TIME_T_MAX || sec < TIME_T_MIN) {
		errno = EOVERFLOW;
		return -1;
	}
	ts->tv_sec = (time_t)sec;
	ts->tv_nsec = ns;
	return 0;
}

/* Days in month m (1..12) of year y, proleptic Gregorian. */
static int
month_days(int y, int m)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 29;
	return d[m - 1];
}

int
utc_parse_name(const char *s, struct timespec *ts)
{
	int f[6], ms;
	int64_t sec;

	if (strlen(s) < UTC_NAME_LEN || digits(s, 4, &f[0]) ||
	    digits(s + 4, 2, &f[1]) || digits(s + 6, 2, &f[2]) ||
	    s[8] != 'T' || digits(s + 9, 2, &f[3]) ||
	    digits(s + 11, 2, &f[4]) || digits(s + 13, 2, &f[5]) ||
	    s[15] != '.' || digits(s + 16, 3, &ms) || s[19] != 'Z') {
		errno = EINVAL;
		return -1;
	}
	/* Names are ours, never rolled over: one time has one name, so a
	 * second 60 or a 31 November is no name of ours (fuzz_aname). */
	if (make_secs(f, &sec) < 0)
		return -1;
	if (f[5] > 59 || f[2] > month_days(f[0], f[1])) {
		errno = EINVAL;
		return -1;
	}
	return make_ts(sec, ms * 1000000L, ts);
}

/* The ISO form into int64 seconds and nanoseconds; 0 or -1 (EINVAL). */
static int
parse_iso(const char *s, int64_t *sec, long *ns)
{
	int f[6], n = 0;
	long scale = 100000000L;
	const char *p;

	if (strlen(s) < 19 || digits(s, 4, &f[0]) || s[4] != '-' ||
	    digits(s + 5, 2, &f[1]) || s[7] != '-' || digits(s + 8, 2, &f[2]) ||
	    (s[10] != 'T' && s[10] != ' ') || digits(s + 11, 2, &f[3]) ||
	    s[13] != ':' || digits(s + 14, 2, &f[4]) || s[16] != ':' ||
	    digits(s + 17, 2, &f[5])) {
		errno = EINVAL;
		return -1;
	}
	*ns = 0;
	p = s + 19;
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++, n++) {
			if (n < 9) {
				*ns += (*p - '0') * scale;
				scale /= 10;
			}
		}
		if (n == 0) {
			errno = EINVAL;
			return -1;
		}
	}
	if (!(strcmp(p, "Z") == 0 || strcmp(p, "+00:00") == 0 ||
	    strcmp(p, "") == 0)) {
		errno = EINVAL;
		return -1;
	}
	return make_secs(f, sec);
}

int
utc_parse_iso(const char *s, struct timespec *ts)
{
	int64_t sec;
	long ns;

	if (parse_iso(s, &sec, &ns) < 0)
		return -1;
	return make_ts(sec, ns, ts);
}

/* sec * 1e9 + ns; -1 (ERANGE) when it does not fit in an int64_t. */
static int
to_ns(int64_t sec, long ns, int64_t *out)
{
	int64_t v;

	/* Near INT64_MIN, sec * 1e9 alone would not fit while the sum
	 * does: borrow one second for a negative sec. */
	if (sec < 0 && ns > 0) {
		sec++;
		ns -= NS_PER_S;
	}
	if (__builtin_mul_overflow(sec, NS_PER_S, &v) ||
	    __builtin_add_overflow(v, (int64_t)ns, out)) {
		errno = ERANGE;
		return -1;
	}
	return 0;
}

int
utc_parse_iso_ns(const char *s, int64_t *ns)
{
	int64_t sec;
	long frac;

	if (parse_iso(s, &sec, &frac) < 0)
		return -1;
	return to_ns(sec, frac, ns);
}

int64_t
utc_ns(const struct timespec *ts)
{
	int64_t sec, v;
	long ns;

	split_ts(ts, &sec, &ns);
	if (to_ns(sec, ns, &v) < 0)
		return sec < 0 ? INT64_MIN : INT64_MAX;
	return v;
}

struct timespec
utc_from_ns(int64_t ns)
{
	struct timespec ts;
	int64_t sec = ns / NS_PER_S, rem = ns % NS_PER_S;

	if (rem < 0) {
		rem += NS_PER_S;
		sec--;
	}
	/* A 32-bit time_t holds 1901..2038 only: clamp, not wrap. */
	if (sec > TIME_T_MAX || sec < TIME_T_MIN) {
		ts.tv_sec = (time_t)(sec < 0 ? TIME_T_MIN : TIME_T_MAX);
		ts.tv_nsec = sec < 0 ? 0 : NS_PER_S - 1;
		return ts;
	}
	ts.tv_sec = (time_t)sec;
	ts.tv_nsec = (long)rem;
	return ts;
}

int64_t
utc_frames_ns(uint64_t frames, unsigned rate)
{
	uint64_t sec;

	if (rate == 0)
		return 0;
	sec = frames / rate;
	if (sec > (uint64_t)(INT64_MAX / NS_PER_S) - 1)
		return INT64_MAX;
	return (int64_t)sec * NS_PER_S +
	    (int64_t)((frames % rate) * (uint64_t)NS_PER_S / rate);
}
