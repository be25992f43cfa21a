/*
 * Unit tests: lib/utc (names and ISO times both ways, int64 nanoseconds,
 * far dates). test_time2038 adds the 2038 edge on a 32-bit time_t.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "utc.h"

static void
test_utc(void)
{
	struct timespec ts = { 1795835700, 123456789 }, back;
	char buf[64];

	utc_name(&ts, buf, sizeof(buf));
	CHECK_STR(buf, "20261128T031500.123Z");
	utc_iso(&ts, buf, sizeof(buf));
	CHECK_STR(buf, "2026-11-28T03:15:00.123456Z");
	CHECK(utc_parse_iso(buf, &back) == 0 && back.tv_sec == ts.tv_sec &&
	    back.tv_nsec == 123456000);
	CHECK(utc_parse_name("20261128T031500.123Z_x.wav", &back) == 0 &&
	    back.tv_sec == ts.tv_sec && back.tv_nsec == 123000000);
	CHECK(utc_parse_name("2026112XT031500.123Z", &back) < 0);
	CHECK(utc_parse_iso("2026-13-28T03:15:00Z", &back) < 0);
	CHECK(utc_ns(&ts) == 1795835700123456789LL);
	back = utc_from_ns(utc_ns(&ts));
	CHECK(back.tv_sec == ts.tv_sec && back.tv_nsec == ts.tv_nsec);
}

/*
 * Far dates: our own 64-bit calendar agrees with timegm(3) for
 * 1901..9999 (1901..2037 where time_t has 32 bits: a struct timespec holds
 * no more there; test_time2038 checks the refusal), int64 nanoseconds
 * saturate or are refused (ERANGE) outside 1677..2262 instead of
 * overflowing.
 */
static void
test_utc_range(void)
{
	struct timespec ts, back;
	struct tm tm;
	char in[64], buf[64];
	int64_t ns;
	int y, bad = 0, wide = sizeof(time_t) == 8;

	for (y = wide ? 1901 : 1902; y <= (wide ? 9999 : 2037);
	    y += (y < 1972 || y > 2259) ? 1 : 7) {
		snprintf(in, sizeof(in), "%04d-%02d-%02dT%02d:%02d:%02d.5Z", y,
		    y % 12 + 1, y % 28 + 1, y % 24, y % 60, (y * 7) % 60);
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900;
		tm.tm_mon = y % 12;
		tm.tm_mday = y % 28 + 1;
		tm.tm_hour = y % 24;
		tm.tm_min = y % 60;
		tm.tm_sec = (y * 7) % 60;
		if (utc_parse_iso(in, &ts) != 0 || ts.tv_sec != timegm(&tm) ||
		    ts.tv_nsec != 500000000) {
			bad++;
			continue;
		}
		utc_iso(&ts, buf, sizeof(buf));
		snprintf(in + 19, sizeof(in) - 19, ".500000Z");
		if (strcmp(buf, in) != 0)
			bad++;
		/* int64 ns: exact inside 1677..2262, saturated outside */
		ns = utc_ns(&ts);
		if (y < 2262 && (ns != ts.tv_sec * 1000000000LL + 500000000 ||
		    utc_parse_iso_ns(in, &ns) != 0 ||
		    strcmp(utc_iso_ns(ns, buf, sizeof(buf)), in) != 0))
			bad++;
		if (y > 2262 && (ns != INT64_MAX ||
		    utc_parse_iso_ns(in, &ns) != -1 || errno != ERANGE))
			bad++;
	}
	CHECK(bad == 0);
	/* the edges of int64 nanoseconds */
	CHECK(utc_parse_iso_ns("2262-04-11T23:47:16.854775807Z", &ns) == 0 &&
	    ns == INT64_MAX);
	CHECK(utc_parse_iso_ns("2262-04-11T23:47:16.854775808Z", &ns) < 0 &&
	    errno == ERANGE);
	CHECK(utc_parse_iso_ns("1677-09-21T00:12:43.145224192Z", &ns) == 0 &&
	    ns == INT64_MIN);
	CHECK(utc_parse_iso_ns("1677-09-21T00:12:43.145224191Z", &ns) < 0 &&
	    errno == ERANGE);
	if (wide) {
		CHECK(utc_parse_iso("9999-12-31T23:59:59.999999999Z", &ts) == 0);
		CHECK(utc_ns(&ts) == INT64_MAX);
		CHECK_STR(utc_name(&ts, buf, sizeof(buf)),
		    "99991231T235959.999Z");
		CHECK(utc_parse_iso("0001-01-01T00:00:00Z", &ts) == 0);
		CHECK(utc_ns(&ts) == INT64_MIN);
	}
	CHECK_STR(utc_iso_ns(INT64_MAX, buf, sizeof(buf)),
	    "2262-04-11T23:47:16.854775Z");
	CHECK_STR(utc_iso_ns(INT64_MIN, buf, sizeof(buf)),
	    "1677-09-21T00:12:43.145224Z");
	/* before 1970: negative, floored, not truncated toward zero */
	CHECK_STR(utc_iso_ns(-1, buf, sizeof(buf)),
	    "1969-12-31T23:59:59.999999Z");
	back = utc_from_ns(-1);
	CHECK(back.tv_sec == -1 && back.tv_nsec == 999999999);
	CHECK(utc_parse_name("19011213T204552.000Z", &ts) == 0 &&
	    ts.tv_sec == -2147483648LL && utc_ns(&ts) ==
	    -2147483648LL * 1000000000LL);
	CHECK(utc_parse_iso_ns("2038-01-19T03:14:08Z", &ns) == 0 &&
	    ns == 2147483648LL * 1000000000LL);
	/* Feb 29 rolls like timegm; no year 10000 in four digits */
	if (wide) {
		CHECK(utc_parse_iso("2100-02-29T00:00:00Z", &ts) == 0);
		CHECK_STR(utc_iso(&ts, buf, sizeof(buf)),
		    "2100-03-01T00:00:00.000000Z");
		CHECK(utc_parse_iso("2400-02-29T00:00:00Z", &ts) == 0);
		CHECK_STR(utc_iso(&ts, buf, sizeof(buf)),
		    "2400-02-29T00:00:00.000000Z");
	}
}

int
main(void)
{
	test_utc();
	test_utc_range();
	return check_done();
}
