/*
 * when: parse the times users type into UTC nanoseconds, local times
 * through the system's zone database (guess and check both offsets
 * around the time, so DST gaps and repeats are found, not guessed).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "utc.h"
#include "when.h"

#define NS	1000000000LL

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
mdays(int y, int m)
{
	static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return n[m - 1];
}

/* Read exactly n digits at *p into *v; advance.  0 or -1. */
static int
digits(const char **p, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		*v = *v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return 0;
}

/* "now", "now-2h", "now+1d12h": 0, 1 (not a "now"), or -1 (EINVAL). */
static int
relative(const char *s, int64_t now_ns, int64_t *ns)
{
	int64_t sum = 0;
	int sign;

	if (strncmp(s, "now", 3) != 0)
		return 1;
	s += 3;
	if (*s == '\0') {
		*ns = now_ns;
		return 0;
	}
	if (*s != '-' && *s != '+')
		goto bad;
	sign = *s++ == '-' ? -1 : 1;
	if (*s == '\0')
		goto bad;
	while (*s) {
		int64_t v = 0, unit;
		if (!isdigit((unsigned char)*s))
			goto bad;
		while (isdigit((unsigned char)*s)) {
			if (v > 1000000000)
				goto range;
			v = v * 10 + (*s++ - '0');
		}
		switch (*s++) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		case 'w': unit = 7 * 86400; break;
		default: goto bad;
		}
		sum += v * unit;
		if (sum > 300LL * 366 * 86400)
			goto range;
	}
	*ns = now_ns + sign * sum * NS;
	return 0;
bad:
	errno = EINVAL;
	return -1;
range:
	errno = ERANGE;
	return -1;
}

/*
 * The UTC time of local wall-clock time `naive` (seconds, as if it were
 * UTC) in the zone now in TZ: 0 with *t, or -1 (EDOM: a gap).
 */
static int
local_to_utc(int64_t naive, int64_t *t)
{
	long offs[2];
	int64_t best = 0;
	int nfound = 0, i, j;

	for (i = 0; i < 2; i++) {
		time_t probe = (time_t)(naive + (i ? 86400 : -86400));
		struct tm tm;
		if (localtime_r(&probe, &tm) == NULL)
			return -1;
		offs[i] = tm.tm_gmtoff;
	}
	for (i = 0; i < 2; i++) {
		time_t cand;
		struct tm tm;
		if (i == 1 && offs[1] == offs[0])
			break;
		cand = (time_t)(naive - offs[i]);
		if (localtime_r(&cand, &tm) == NULL)
			return -1;
		if (tm.tm_gmtoff != offs[i])
			continue;
		if (nfound == 0 || cand < best)
			best = cand;
		nfound++;
	}
	/* a zone that changed its offset more than once within two days
	 * around t: try the offset in force at the candidates */
	if (nfound == 0) {
		for (j = 0; j < 2 && nfound == 0; j++) {
			time_t cand = (time_t)(naive - offs[j]), c2;
			struct tm tm;
			if (localtime_r(&cand, &tm) == NULL)
				return -1;
			c2 = (time_t)(naive - tm.tm_gmtoff);
			if (localtime_r(&c2, &tm) != NULL &&
			    (int64_t)c2 + tm.tm_gmtoff == naive) {
				best = c2;
				nfound = 1;
			}
		}
	}
	if (nfound == 0) {
		errno = EDOM;
		return -1;
	}
	*t = best;
	return 0;
}

/* Run fn-like local_to_utc with TZ set to tz, restoring it after. */
static int
in_zone(const char *tz, int64_t naive, int64_t *t)
{
	char *old = getenv("TZ"), *save = old ? strdup(old) : NULL;
	int rc, err;

	if (old && save == NULL)
		return -1;
	/* the zone database is read through time_t: 32 bits end in 2038 */
	if ((int64_t)(time_t)(naive + 2 * 86400) != naive + 2 * 86400 ||
	    (int64_t)(time_t)(naive - 2 * 86400) != naive - 2 * 86400) {
		free(save);
		errno = ERANGE;
		return -1;
	}
	setenv("TZ", tz, 1);
	tzset();
	rc = local_to_utc(naive, t);
	err = errno;
	if (save) {
		setenv("TZ", save, 1);
		free(save);
	} else {
		unsetenv("TZ");
	}
	tzset();
	errno = err;
	return rc;
}

int
when_tz_valid(const char *tz)
{
	char path[512];

	if (tz == NULL || *tz == '\0' || strcmp(tz, "UTC") == 0)
		return 1;
	/* a name of the zone database; glibc takes anything else for UTC
	 * without a word */
	if (tz[0] == '/' || strstr(tz, "..") != NULL)
		return 0;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
	return access(path, R_OK) == 0;
}

int
when_parse(const char *s, const char *tz, int64_t now_ns, int flags,
    int64_t *ns)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, se = 0, r, prec = 0;
	int64_t frac = 0, days, secs, t, end = 0;
	int have_off = 0;
	long off = 0;

	if (s == NULL)
		goto bad;
	if ((r = relative(s, now_ns, ns)) <= 0)
		return r;
	/* the name form of archives and segments */
	if (strlen(s) == UTC_NAME_LEN && s[8] == 'T' && s[UTC_NAME_LEN - 1] ==
	    'Z') {
		struct timespec ts;
		if (utc_parse_name(s, &ts) < 0)
			goto bad;
		*ns = utc_ns(&ts);
		return 0;
	}
	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 ||
	    *p++ != '-' || digits(&p, 2, &d) < 0)
		goto bad;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) < 0 || *p++ != ':' ||
		    digits(&p, 2, &mi) < 0)
			goto bad;
		prec = 1;	/* minutes */
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &se) < 0)
				goto bad;
			prec = 2;	/* seconds */
			if (*p == '.' || *p == ',') {
				int n = 0;
				p++;
				if (!isdigit((unsigned char)*p))
					goto bad;
				for (; isdigit((unsigned char)*p); p++, n++) {
					if (n >= 9)
						goto bad;
					frac = frac * 10 + (*p - '0');
				}
				for (; n < 9; n++)
					frac *= 10;
				prec = 3;	/* as given */
			}
		}
	}
	if (*p == 'Z' || *p == 'z') {
		have_off = 1;
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
		if (prec == 0 || digits(&p, 2, &oh) < 0)
			goto bad;
		if (*p == ':')
			p++;
		if (*p && digits(&p, 2, &om) < 0)
			goto bad;
		if (oh > 23 || om > 59)
			goto bad;
		have_off = 1;
		off = sign * (oh * 3600L + om * 60L);
	}
	if (*p != '\0')
		goto bad;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays(y, mo) || h > 23 ||
	    mi > 59 || se > 59)
		goto bad;
	if (y < 1900 || y > 2261) {
		errno = ERANGE;
		return -1;
	}
	days = days_from_civil(y, mo, d);
	secs = days * 86400 + h * 3600 + mi * 60 + se;
	if (flags & WHEN_END) {
		static const int64_t step[] = { 86400, 60, 1, 0 };
		end = step[prec];
	}
	if (have_off || tz == NULL || *tz == '\0' || strcmp(tz, "UTC") == 0) {
		t = secs - off;
		if (end)
			t += end;
	} else {
		if (!when_tz_valid(tz))
			goto bad;
		/* the end of a local day is the next local midnight (23
		 * or 25 hours later on a DST night) */
		if (in_zone(tz, secs + end, &t) < 0)
			return -1;
	}
	*ns = t * NS + (prec == 3 ? frac : 0);
	return 0;
bad:
	errno = EINVAL;
	return -1;
}
