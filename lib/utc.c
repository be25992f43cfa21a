/*
 * utc: format and parse UTC timestamps for names and metadata.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "utc.h"

char *
utc_name(const struct timespec *ts, char *buf, size_t len)
{
	struct tm tm;
	time_t t = ts->tv_sec;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d%02d%02dT%02d%02d%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts->tv_nsec / 1000000);
	return buf;
}

char *
utc_iso(const struct timespec *ts, char *buf, size_t len)
{
	struct tm tm;
	time_t t = ts->tv_sec;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts->tv_nsec / 1000);
	return buf;
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

static int
make_ts(int y, int mo, int d, int h, int mi, int s, long ns,
    struct timespec *ts)
{
	struct tm tm;
	time_t t;

	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    s > 60) {
		errno = EINVAL;
		return -1;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	t = timegm(&tm);
	ts->tv_sec = t;
	ts->tv_nsec = ns;
	return 0;
}

int
utc_parse_name(const char *s, struct timespec *ts)
{
	int y, mo, d, h, mi, sec, ms;

	if (strlen(s) < UTC_NAME_LEN || digits(s, 4, &y) ||
	    digits(s + 4, 2, &mo) || digits(s + 6, 2, &d) || s[8] != 'T' ||
	    digits(s + 9, 2, &h) || digits(s + 11, 2, &mi) ||
	    digits(s + 13, 2, &sec) || s[15] != '.' ||
	    digits(s + 16, 3, &ms) || s[19] != 'Z') {
		errno = EINVAL;
		return -1;
	}
	return make_ts(y, mo, d, h, mi, sec, ms * 1000000L, ts);
}

int
utc_parse_iso(const char *s, struct timespec *ts)
{
	int y, mo, d, h, mi, sec, n = 0;
	long ns = 0, scale = 100000000L;
	const char *p;

	if (strlen(s) < 19 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != ' ') || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
	    digits(s + 17, 2, &sec)) {
		errno = EINVAL;
		return -1;
	}
	p = s + 19;
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++, n++) {
			if (n < 9) {
				ns += (*p - '0') * scale;
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
	return make_ts(y, mo, d, h, mi, sec, ns, ts);
}

int64_t
utc_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

struct timespec
utc_from_ns(int64_t ns)
{
	struct timespec ts;

	ts.tv_sec = ns / 1000000000LL;
	ts.tv_nsec = ns % 1000000000LL;
	if (ts.tv_nsec < 0) {
		ts.tv_nsec += 1000000000L;
		ts.tv_sec--;
	}
	return ts;
}
