/*
 * test_time2038: rec's own time arithmetic past 2038-01-19T03:14:07Z
 * (INT32_MAX seconds): names and ISO times of 2040 and 2100 format and
 * parse exactly, and durations across 2038 are exact nanoseconds.  Where
 * time_t itself is 32 bits (Debian 12 armhf, make check-cross) a time past
 * it cannot be held: then such a name must be refused, never read as a
 * time in 1901 or 1969, and everything up to the limit must be exact.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "utc.h"

#define NS	1000000000LL
#define T2038	2147483647LL	/* 2038-01-19T03:14:07Z */
#define T2040	2208988800LL	/* 2040-01-01T00:00:00Z */
#define T2100	4107587696LL	/* 2100-03-01T12:34:56Z */

static struct timespec
ts_of(long long sec, long nsec)
{
	struct timespec ts;

	ts.tv_sec = (time_t)sec;
	ts.tv_nsec = nsec;
	return ts;
}

/* name and ISO forms of sec.nsec, both ways */
static void
check_round(long long sec, long nsec, const char *name, const char *iso)
{
	struct timespec ts = ts_of(sec, nsec), back;
	char buf[64];

	CHECK_STR(utc_name(&ts, buf, sizeof(buf)), name);
	CHECK_STR(utc_iso(&ts, buf, sizeof(buf)), iso);
	memset(&back, 0, sizeof(back));
	CHECK(utc_parse_name(name, &back) == 0);
	CHECK((long long)back.tv_sec == sec &&
	    back.tv_nsec == nsec / 1000000 * 1000000);
	memset(&back, 0, sizeof(back));
	CHECK(utc_parse_iso(iso, &back) == 0);
	CHECK((long long)back.tv_sec == sec &&
	    back.tv_nsec == nsec / 1000 * 1000);
	CHECK(utc_ns(&ts) == (int64_t)sec * NS + nsec);
	back = utc_from_ns((int64_t)sec * NS + nsec);
	CHECK((long long)back.tv_sec == sec && back.tv_nsec == nsec);
}

/* With a 32-bit time_t: a time past 2038 is an error, not a wrong time. */
static void
check_refused(const char *name, const char *iso)
{
	struct timespec ts;

	errno = 0;
	ts = ts_of(0, 0);
	CHECK(utc_parse_name(name, &ts) == -1 && errno != 0);
	errno = 0;
	CHECK(utc_parse_iso(iso, &ts) == -1 && errno != 0);
}

int
main(void)
{
	struct timespec a, b;

	/* the last second a 32-bit time_t holds, to the nanosecond */
	check_round(T2038, 999999999L, "20380119T031407.999Z",
	    "2038-01-19T03:14:07.999999Z");
	CHECK(utc_ns(&(struct timespec){ (time_t)T2038, 999999999L }) ==
	    2147483647999999999LL);
	/* a duration that ends there is exact in nanoseconds */
	CHECK(utc_parse_name("20380119T031400.500Z", &a) == 0);
	CHECK(utc_parse_iso("2038-01-19T03:14:07.250000Z", &b) == 0);
	CHECK(utc_ns(&b) - utc_ns(&a) == 6750000000LL);
	CHECK(utc_parse_name("19700101T000000.000Z", &a) == 0);
	CHECK(utc_ns(&b) - utc_ns(&a) == T2038 * NS + 250000000LL);

	if (sizeof(time_t) < 8) {
		printf("# 32-bit time_t: times past 2038 must be refused\n");
		check_refused("20380119T031408.000Z",
		    "2038-01-19T03:14:08Z");
		check_refused("20400101T000000.000Z",
		    "2040-01-01T00:00:00.000000Z");
		check_refused("21000301T123456.789Z",
		    "2100-03-01T12:34:56.789012Z");
		return check_done();
	}

	check_round(T2038 + 1, 0, "20380119T031408.000Z",
	    "2038-01-19T03:14:08.000000Z");
	check_round(T2040, 0, "20400101T000000.000Z",
	    "2040-01-01T00:00:00.000000Z");
	check_round(T2100, 789012000L, "21000301T123456.789Z",
	    "2100-03-01T12:34:56.789012Z");
	/* past the unsigned 32-bit limit too (2106-02-07T06:28:16Z) */
	check_round(4294967296LL, 0, "21060207T062816.000Z",
	    "2106-02-07T06:28:16.000000Z");
	/* 2100 is not a leap year: no February 29th, March 1st follows */
	CHECK(utc_parse_name("21000228T235959.999Z", &a) == 0);
	CHECK(utc_parse_name("21000301T000000.000Z", &b) == 0);
	CHECK(utc_ns(&b) - utc_ns(&a) == 1000000LL);

	/* durations across 2038, both ways */
	CHECK(utc_parse_name("20380119T031407.000Z", &a) == 0);
	CHECK(utc_parse_name("20380119T031409.000Z", &b) == 0);
	CHECK(utc_ns(&b) - utc_ns(&a) == 2 * NS);
	CHECK(utc_parse_iso("2037-12-31T23:59:59Z", &a) == 0);
	CHECK(utc_parse_iso("2040-01-01T00:00:00Z", &b) == 0);
	CHECK(utc_ns(&b) - utc_ns(&a) == (T2040 - 2145916799LL) * NS);
	CHECK(utc_ns(&a) - utc_ns(&b) == -(T2040 - 2145916799LL) * NS);
	b = utc_from_ns(utc_ns(&a) + (T2100 - 2145916799LL) * NS);
	CHECK((long long)b.tv_sec == T2100 && b.tv_nsec == 0);
	return check_done();
}
