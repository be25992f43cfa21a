/*
 * test_when: the times users type (dates, minutes, seconds, fractions,
 * offsets, the name form, now-2h), the end of a range (WHEN_END), and
 * local times in zones with daylight saving: the spring gap refused, the
 * autumn repeat taken at its first occurrence, 23- and 25-hour days.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "when.h"

#define NS	1000000000LL

static int64_t
p(const char *s, const char *tz, int flags)
{
	int64_t ns = -42;

	if (when_parse(s, tz, 1795835700 * NS, flags, &ns) < 0)
		return -1;
	return ns;
}

static int
perr(const char *s, const char *tz)
{
	int64_t ns;

	errno = 0;
	return when_parse(s, tz, 0, 0, &ns) < 0 ? errno : 0;
}

int
main(void)
{
	const int64_t d28 = 1795824000 * NS;	/* 2026-11-28T00:00:00Z */

	/* UTC: what users type */
	CHECK(p("2026-11-28", NULL, 0) == d28);
	CHECK(p("2026-11-28", "", WHEN_END) == d28 + 86400 * NS);
	CHECK(p("2026-11-28T03:15", NULL, 0) == d28 + 11700 * NS);
	CHECK(p("2026-11-28T03:15", NULL, WHEN_END) == d28 + 11760 * NS);
	CHECK(p("2026-11-28 03:15:10", NULL, 0) == d28 + 11710 * NS);
	CHECK(p("2026-11-28T03:15:10", NULL, WHEN_END) == d28 + 11711 * NS);
	CHECK(p("2026-11-28T03:15:10.5Z", NULL, 0) == d28 + 11710 * NS +
	    500000000);
	CHECK(p("2026-11-28T03:15:10.5Z", NULL, WHEN_END) == d28 +
	    11710 * NS + 500000000);
	CHECK(p("2026-11-28T03:15:10.123456789", NULL, 0) == d28 +
	    11710 * NS + 123456789);
	CHECK(p("2026-11-28T03:15:10+01:00", NULL, 0) == d28 + 8110 * NS);
	CHECK(p("2026-11-28T03:15-0530", NULL, 0) == d28 + (11700 + 19800) *
	    NS);
	CHECK(p("2026-11-28T03:15:10.000Z", "Europe/Berlin", 0) == d28 +
	    11710 * NS);
	CHECK(p("20261128T031510.250Z", NULL, 0) == d28 + 11710 * NS +
	    250000000);
	CHECK(p("2028-02-29", NULL, 0) == 1835395200 * NS);
	CHECK(p("2261-12-31", NULL, 0) == 9214560000 * NS);
	/* now, with the injected clock (2026-11-28T03:15:00Z) */
	CHECK(p("now", NULL, 0) == d28 + 11700 * NS);
	CHECK(p("now-2h", NULL, 0) == d28 + 4500 * NS);
	CHECK(p("now-30m", "Europe/Berlin", 0) == d28 + 9900 * NS);
	CHECK(p("now-1h30m", NULL, 0) == d28 + 6300 * NS);
	CHECK(p("now+1d", NULL, WHEN_END) == d28 + (11700 + 86400) * NS);
	CHECK(p("now-90s", NULL, 0) == d28 + 11610 * NS);

	/* refused */
	CHECK(perr("2026-13-01", NULL) == EINVAL);
	CHECK(perr("2026-02-29", NULL) == EINVAL);
	CHECK(perr("2026-11-31", NULL) == EINVAL);
	CHECK(perr("2026-11-28T24:00", NULL) == EINVAL);
	CHECK(perr("2026-11-28T03:60", NULL) == EINVAL);
	CHECK(perr("2026-11-28T03:15:60", NULL) == EINVAL);
	CHECK(perr("2026-11-28T03", NULL) == EINVAL);
	CHECK(perr("2026-11-28T03:15:10.", NULL) == EINVAL);
	CHECK(perr("2026-11-28T03:15:10.1234567891", NULL) == EINVAL);
	CHECK(perr("2026-11-28Zx", NULL) == EINVAL);
	CHECK(perr("2026-11-28+01:00", NULL) == EINVAL);
	CHECK(perr("26-11-28", NULL) == EINVAL);
	CHECK(perr("", NULL) == EINVAL);
	CHECK(perr("yesterday", NULL) == EINVAL);
	CHECK(perr("now-", NULL) == EINVAL);
	CHECK(perr("now-2", NULL) == EINVAL);
	CHECK(perr("now-2x", NULL) == EINVAL);
	CHECK(perr("now2h", NULL) == EINVAL);
	CHECK(perr("now-99999999999h", NULL) == ERANGE);
	CHECK(perr("1899-12-31", NULL) == ERANGE);
	CHECK(perr("2262-01-01", NULL) == ERANGE);
	CHECK(perr("2026-11-28", "Mars/Olympus_Mons") == EINVAL);
	CHECK(perr("2026-11-28", "../../etc/passwd") == EINVAL);
	CHECK(when_tz_valid("Europe/Berlin") && when_tz_valid(NULL) &&
	    when_tz_valid("UTC") && !when_tz_valid("Nowhere/Not"));

	/* local times: Berlin is UTC+1 in winter, UTC+2 in summer */
	setenv("TZ", "America/New_York", 1);
	CHECK(p("2026-11-28T03:15", "Europe/Berlin", 0) == d28 + 8100 * NS);
	CHECK(p("2026-11-28T03:15:10.5", "Europe/Berlin", 0) == d28 +
	    8110 * NS + 500000000);
	CHECK(p("2026-07-01T12:00", "Europe/Berlin", 0) == 1782900000 * NS);
	/* the spring-forward night: 02:00..03:00 does not exist */
	CHECK(perr("2026-03-29T02:30", "Europe/Berlin") == EDOM);
	CHECK(perr("2026-03-08T02:30", "America/New_York") == EDOM);
	CHECK(p("2026-03-29T03:00", "Europe/Berlin", 0) ==
	    p("2026-03-29T01:00Z", NULL, 0));
	CHECK(p("2026-03-29T01:59:59", "Europe/Berlin", 0) ==
	    p("2026-03-29T00:59:59Z", NULL, 0));
	/* the fall-back night: 02:30 happens twice, the first is taken */
	CHECK(p("2026-10-25T02:30", "Europe/Berlin", 0) == 1792888200 * NS);
	CHECK(p("2026-10-25T03:30", "Europe/Berlin", 0) ==
	    p("2026-10-25T02:30Z", NULL, 0));
	/* a local day of 25 hours, and one of 23 */
	CHECK(p("2026-10-25", "Europe/Berlin", 0) == 1792879200 * NS);
	CHECK(p("2026-10-25", "Europe/Berlin", WHEN_END) ==
	    1792969200 * NS);
	CHECK(p("2026-03-29", "Europe/Berlin", WHEN_END) -
	    p("2026-03-29", "Europe/Berlin", 0) == 23 * 3600 * NS);
	/* the caller's TZ is put back */
	CHECK_STR(getenv("TZ"), "America/New_York");
	return check_done();
}
