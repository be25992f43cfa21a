/*
 * Unit tests: lib/schedule with injected times (no clock is read): clock
 * and sun periods, days when clocks change in Europe/Berlin and
 * America/New_York, 29 February, the year's end, periods across
 * midnight, polar day and night, duty alignment, and the configs that
 * cannot record (78 with FILE:LINE).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "conf.h"
#include "schedule.h"
#include "sun.h"

static char dir[] = "/tmp/test_sched.XXXXXX";
static char path[600];

/* Load a schedule from text; returns schedule_load's result. */
static int
load(const char *text, struct schedule **sp, struct err *e)
{
	struct conf *c;
	FILE *fp = fopen(path, "w");
	int rc;

	fputs(text, fp);
	fclose(fp);
	*sp = NULL;
	if (conf_load(&c, path, e) < 0)
		return -2;
	rc = schedule_load(sp, c, e);
	conf_free(c);
	return rc;
}

/* "YYYY-MM-DD hh:mm:ss" UTC -> seconds. */
static int64_t
T(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	return (int64_t)timegm(&tm);
}

/* The windows in [a, b) as "MM-DDThh:mm:ss/MM-DDThh:mm:ss ..." (UTC). */
static const char *
wins(const struct schedule *s, const char *a, const char *b)
{
	static char out[4096];
	struct schedule_window *w;
	size_t n, i, o = 0;
	char x[32], y[32];
	time_t t;
	struct tm tm;

	out[0] = '\0';
	if (schedule_windows(s, T(a), T(b), &w, &n) < 0)
		return "(error)";
	for (i = 0; i < n; i++) {
		t = (time_t)w[i].start;
		strftime(x, sizeof(x), "%m-%dT%H:%M:%S", gmtime_r(&t, &tm));
		t = (time_t)w[i].end;
		strftime(y, sizeof(y), "%m-%dT%H:%M:%S", gmtime_r(&t, &tm));
		o += snprintf(out + o, sizeof(out) - o, "%s%s/%s",
		    i ? " " : "", x, y);
	}
	free(w);
	return out;
}

static void
test_clock(void)
{
	struct schedule *s;
	struct err e;

	/* no [schedule]: no schedule */
	CHECK(load("station = a\n", &s, &e) == 0 && s == NULL);
	CHECK(load("[schedule]\nperiod = 05:00-09:00\n", &s, &e) == 1);
	CHECK_STR(schedule_tzname(s), "UTC");
	CHECK_STR(wins(s, "2027-01-01 00:00:00", "2027-01-03 00:00:00"),
	    "01-01T05:00:00/01-01T09:00:00 01-02T05:00:00/01-02T09:00:00");
	/* cut to the range asked */
	CHECK_STR(wins(s, "2027-01-01 06:00:00", "2027-01-01 07:00:00"),
	    "01-01T06:00:00/01-01T07:00:00");
	schedule_free(s);

	/* Europe/Berlin, clocks forward on 2027-03-28 at 02:00 CET */
	CHECK(load("[schedule]\ntimezone = Europe/Berlin\n"
	    "period = 05:00-09:00\n", &s, &e) == 1);
	CHECK_STR(schedule_tzname(s), "Europe/Berlin");
	CHECK_STR(wins(s, "2027-03-27 00:00:00", "2027-03-29 00:00:00"),
	    "03-27T04:00:00/03-27T08:00:00 03-28T03:00:00/03-28T07:00:00");
	schedule_free(s);
	/* 02:30 does not exist that day: the period starts at 03:00 CEST */
	CHECK(load("[schedule]\ntimezone = Europe/Berlin\n"
	    "period = 02:30-04:00\n", &s, &e) == 1);
	CHECK_STR(wins(s, "2027-03-28 00:00:00", "2027-03-28 12:00:00"),
	    "03-28T01:00:00/03-28T02:00:00");
	schedule_free(s);
	/* clocks back on 2027-10-31: 02:30 is its first time (CEST) */
	CHECK(load("[schedule]\ntimezone = Europe/Berlin\n"
	    "period = 02:30-03:30\n", &s, &e) == 1);
	CHECK_STR(wins(s, "2027-10-30 12:00:00", "2027-10-31 12:00:00"),
	    "10-31T00:30:00/10-31T02:30:00");
	schedule_free(s);
	/* America/New_York: 22:00-02:00 into the night clocks go forward
	 * (2027-03-14 02:00 EST): 02:00 is 03:00 EDT */
	CHECK(load("[schedule]\ntimezone = America/New_York\n"
	    "period = 22:00-02:00\n", &s, &e) == 1);
	CHECK_STR(wins(s, "2027-03-13 12:00:00", "2027-03-14 12:00:00"),
	    "03-14T03:00:00/03-14T07:00:00");
	/* ... and back (2027-11-07 02:00 EDT): 02:00 once, as EST */
	CHECK_STR(wins(s, "2027-11-06 12:00:00", "2027-11-07 12:00:00"),
	    "11-07T02:00:00/11-07T07:00:00");
	schedule_free(s);
	/* 24:00 ends the day; whole days touch and merge */
	CHECK(load("[schedule]\nperiod = 00:00-24:00\n", &s, &e) == 1);
	CHECK_STR(wins(s, "2027-01-01 00:00:00", "2027-01-03 00:00:00"),
	    "01-01T00:00:00/01-03T00:00:00");
	schedule_free(s);
}

static void
test_days(void)
{
	struct schedule *s;
	struct schedule_window w;
	struct err e;
	int64_t d;

	CHECK(schedule_parse_date("2028-02-29", &d) == 0 && d == 21243);
	CHECK(schedule_parse_date("2027-02-29", &d) < 0);
	CHECK(schedule_parse_date("2100-02-29", &d) < 0);
	CHECK(schedule_parse_date("2000-02-29", &d) == 0);
	CHECK(schedule_parse_date("2027-1-01", &d) < 0);
	CHECK(schedule_parse_date("2027-13-01", &d) < 0);
	/* across midnight and the leap day, dates included */
	CHECK(load("[schedule]\nperiod = 23:00-01:00\n"
	    "start-date = 2028-02-28\nend-date = 2028-03-01\n", &s, &e) == 1);
	CHECK_STR(wins(s, "2028-02-27 00:00:00", "2028-03-04 00:00:00"),
	    "02-28T23:00:00/02-29T01:00:00 02-29T23:00:00/03-01T01:00:00 "
	    "03-01T23:00:00/03-02T01:00:00");
	schedule_free(s);
	/* the year's end, in Berlin: 23:30-00:30 CET */
	CHECK(load("[schedule]\ntimezone = Europe/Berlin\n"
	    "period = 23:30-00:30\nstart-date = 2026-12-31\n"
	    "end-date = 2026-12-31\n", &s, &e) == 1);
	CHECK_STR(wins(s, "2026-12-30 00:00:00", "2027-01-03 00:00:00"),
	    "12-31T22:30:00/12-31T23:30:00");
	CHECK(schedule_next(s, T("2026-12-31 23:00:00"), &w) == 1 &&
	    w.start == T("2026-12-31 22:30:00") &&
	    w.end == T("2026-12-31 23:30:00"));
	CHECK(schedule_next(s, T("2026-12-31 23:30:00"), &w) == 0);
	CHECK(schedule_next(s, T("2026-01-01 00:00:00"), &w) == 1 &&
	    w.start == T("2026-12-31 22:30:00"));
	schedule_free(s);
	/* every other day from start-date; no period: whole days */
	CHECK(load("[schedule]\nevery = 2d\nstart-date = 2027-01-02\n",
	    &s, &e) == 1);
	CHECK_STR(wins(s, "2027-01-01 00:00:00", "2027-01-07 00:00:00"),
	    "01-02T00:00:00/01-03T00:00:00 01-04T00:00:00/01-05T00:00:00 "
	    "01-06T00:00:00/01-07T00:00:00");
	schedule_free(s);
}

static void
test_duty(void)
{
	struct schedule *s;
	struct schedule_window w;
	struct err e;

	/* 5m/15m: windows on the quarter hours of the period's start */
	CHECK(load("[schedule]\ntimezone = Europe/Berlin\n"
	    "period = 05:00-06:00\nduty = 5m/15m\n", &s, &e) == 1);
	CHECK_STR(wins(s, "2027-06-01 00:00:00", "2027-06-02 00:00:00"),
	    "06-01T03:00:00/06-01T03:05:00 06-01T03:15:00/06-01T03:20:00 "
	    "06-01T03:30:00/06-01T03:35:00 06-01T03:45:00/06-01T03:50:00");
	/* next window: inside one its true start, between the next */
	CHECK(schedule_next(s, T("2027-06-01 03:16:00"), &w) == 1 &&
	    w.start == T("2027-06-01 03:15:00") &&
	    w.end == T("2027-06-01 03:20:00"));
	CHECK(schedule_next(s, T("2027-06-01 03:20:00"), &w) == 1 &&
	    w.start == T("2027-06-01 03:30:00"));
	CHECK(schedule_next(s, T("2027-06-01 04:00:00"), &w) == 1 &&
	    w.start == T("2027-06-02 03:00:00"));
	schedule_free(s);
	/* the last one is cut at the period's end */
	CHECK(load("[schedule]\nperiod = 05:07-05:40\nduty = 5m/15m\n",
	    &s, &e) == 1);
	CHECK_STR(wins(s, "2027-06-01 00:00:00", "2027-06-02 00:00:00"),
	    "06-01T05:07:00/06-01T05:12:00 06-01T05:22:00/06-01T05:27:00 "
	    "06-01T05:37:00/06-01T05:40:00");
	schedule_free(s);
	/* overlapping periods merge */
	CHECK(load("[schedule]\nperiod = 05:00-07:00\nperiod = 06:00-08:00\n"
	    "period = 08:00-08:30\n", &s, &e) == 1);
	CHECK_STR(wins(s, "2027-06-01 00:00:00", "2027-06-02 00:00:00"),
	    "06-01T05:00:00/06-01T08:30:00");
	schedule_free(s);
}

static void
test_sun(void)
{
	struct schedule *s;
	struct schedule_window *w;
	struct schedule_window one;
	struct sun_times a, b;
	struct err e;
	size_t n;
	int64_t day;

	/* Berlin, sunset-30m..sunrise+30m across midnight, exactly lib/sun */
	CHECK(load("latitude = 52.52\nlongitude = 13.405\n[schedule]\n"
	    "timezone = Europe/Berlin\nperiod = sunset-30m..sunrise+30m\n",
	    &s, &e) == 1);
	CHECK(schedule_parse_date("2026-12-02", &day) == 0);
	sun_day(day, 52.52, 13.405, 0, SUN_RISESET, &a);
	sun_day(day + 1, 52.52, 13.405, 0, SUN_RISESET, &b);
	CHECK(schedule_next(s, T("2026-12-02 12:00:00"), &one) == 1);
	CHECK(one.start == a.set - 1800 && one.end == b.rise + 1800);
	schedule_free(s);
	/* dawn..dusk and a mixed period */
	CHECK(load("latitude = 52.52\nlongitude = 13.405\n[schedule]\n"
	    "timezone = Europe/Berlin\nperiod = dawn..dusk\n", &s, &e) == 1);
	sun_day(day, 52.52, 13.405, 0, SUN_CIVIL, &a);
	CHECK(schedule_next(s, T("2026-12-02 00:00:00"), &one) == 1);
	CHECK(one.start == a.rise && one.end == a.set);
	schedule_free(s);
	CHECK(load("latitude = 52.52\nlongitude = 13.405\n[schedule]\n"
	    "timezone = Europe/Berlin\nperiod = 05:00..sunrise\n", &s,
	    &e) == 1);
	sun_day(day, 52.52, 13.405, 0, SUN_RISESET, &a);
	CHECK(schedule_next(s, T("2026-12-02 00:00:00"), &one) == 1);
	CHECK(one.start == T("2026-12-02 04:00:00") && one.end == a.rise);
	schedule_free(s);

	/* Tromso in polar night (2026-12-20..22): no sunrise..sunset ... */
	CHECK(load("latitude = 69.65\nlongitude = 18.96\n[schedule]\n"
	    "timezone = Europe/Oslo\nperiod = sunrise..sunset\n", &s,
	    &e) == 1);
	CHECK_STR(wins(s, "2026-12-20 00:00:00", "2026-12-23 00:00:00"), "");
	/* ... but the whole of polar day (2027-06-20..22) */
	CHECK_STR(wins(s, "2027-06-20 00:00:00", "2027-06-23 00:00:00"),
	    "06-20T00:00:00/06-23T00:00:00");
	schedule_free(s);
	/* sunset..sunrise the reverse; dawn..dusk still has a day */
	CHECK(load("latitude = 69.65\nlongitude = 18.96\n[schedule]\n"
	    "timezone = Europe/Oslo\nperiod = sunset..sunrise\n", &s,
	    &e) == 1);
	CHECK_STR(wins(s, "2026-12-20 00:00:00", "2026-12-23 00:00:00"),
	    "12-20T00:00:00/12-23T00:00:00");
	CHECK_STR(wins(s, "2027-06-20 00:00:00", "2027-06-23 00:00:00"), "");
	schedule_free(s);
	CHECK(load("latitude = 69.65\nlongitude = 18.96\n[schedule]\n"
	    "timezone = Europe/Oslo\nperiod = dawn..dusk\n", &s, &e) == 1);
	CHECK(schedule_windows(s, T("2026-12-20 00:00:00"),
	    T("2026-12-23 00:00:00"), &w, &n) == 0 && n == 3);
	CHECK(n == 3 && w[0].end - w[0].start > 3600 &&
	    w[0].end - w[0].start < 6 * 3600);
	free(w);
	schedule_free(s);
	/* a long polar day is one window, followed to its end */
	CHECK(load("latitude = 78.22\nlongitude = 15.65\n[schedule]\n"
	    "period = sunrise..sunset\n", &s, &e) == 1);
	CHECK(schedule_next(s, T("2027-06-01 00:00:00"), &one) == 1);
	CHECK(one.start <= T("2027-06-01 00:00:00") &&
	    one.end > T("2027-08-10 00:00:00") &&
	    one.end < T("2027-09-01 00:00:00"));
	schedule_free(s);
}

/* [upload] window: the period syntax, [schedule]'s time zone, no dates. */
static void
test_key(void)
{
	struct schedule *s;
	struct conf *c;
	struct err e;
	FILE *fp = fopen(path, "w");

	fputs("[schedule]\ntimezone = Europe/Berlin\nend-date = 2027-01-01\n"
	    "duty = 1m/1h\n[upload]\nwindow = 01:00-02:00\n"
	    "window = 23:00-00:30\n", fp);
	fclose(fp);
	CHECK(conf_load(&c, path, &e) == 0);
	CHECK(schedule_load_key(&s, c, "upload", "window", &e) == 1);
	CHECK_STR(wins(s, "2027-06-01 00:00:00", "2027-06-02 00:00:00"),
	    "06-01T21:00:00/06-01T22:30:00 06-01T23:00:00/06-02T00:00:00");
	schedule_free(s);
	CHECK(schedule_load_key(&s, c, "upload", "nothing", &e) == 0 &&
	    s == NULL);
	conf_free(c);
	fp = fopen(path, "w");
	fputs("[upload]\nwindow = 01:00-01:00\n", fp);
	fclose(fp);
	CHECK(conf_load(&c, path, &e) == 0);
	CHECK(schedule_load_key(&s, c, "upload", "window", &e) == -1 &&
	    e.ex == EX_CONFIG && strstr(e.msg, "rec.conf:2: window "
	    "'01:00-01:00' is empty every day") != NULL);
	conf_free(c);
}

/* A config that cannot record: 78, naming the line. */
static void
refused(const char *text, const char *where, const char *what)
{
	struct schedule *s;
	struct err e;
	int rc = load(text, &s, &e);

	CHECK(rc == -1 && e.ex == EX_CONFIG);
	if (rc == -1 && (strstr(e.msg, where) == NULL ||
	    strstr(e.msg, what) == NULL)) {
		fprintf(stderr, "unexpected: %s\n", e.msg);
		CHECK(0);
	}
	CHECK(s == NULL);
}

static void
test_refused(void)
{
	refused("[schedule]\nstart-date = 2027-03-01\nend-date = 2027-02-28\n",
	    "rec.conf:3:", "before start-date");
	refused("[schedule]\nperiod = 05:00-09:00\nperiod = 05:00-05:00\n",
	    "rec.conf:3:", "empty every day");
	refused("[schedule]\nperiod = 05:00-09:00\nperiod = 5-9\n",
	    "rec.conf:3:", "bad period '5-9'");
	refused("[schedule]\nperiod = sunrise+13h..sunset\n",
	    "rec.conf:2:", "bad period");
	refused("[schedule]\nduty = 20m/15m\n", "rec.conf:2:",
	    "ON is longer than EVERY");
	refused("[schedule]\nperiod = dawn..dusk\n", "rec.conf:2:",
	    "needs the top-level latitude and longitude");
	refused("latitude = 91\n[schedule]\nperiod = 05:00-06:00\n",
	    "rec.conf:1:", "bad latitude");
	refused("[schedule]\ntimezone = Mars/Olympus\n", "rec.conf:2:",
	    "bad timezone");
	refused("[schedule]\ntimezone = ../etc/passwd\n", "rec.conf:2:",
	    "bad timezone");
	refused("[schedule]\nevery = 0d\n", "rec.conf:2:", "bad every");
	refused("[schedule]\nstart-date = 2027-02-30\n", "rec.conf:2:",
	    "bad start-date");
	/* sunrise..sunset only in polar night: nothing to record */
	refused("latitude = 69.65\nlongitude = 18.96\n[schedule]\n"
	    "timezone = Europe/Oslo\nperiod = sunrise..sunset\n"
	    "start-date = 2026-12-10\nend-date = 2026-12-20\n",
	    "rec.conf:7:", "never records");
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(path, sizeof(path), "%s/rec.conf", dir);
	/* the caller's TZ is kept */
	setenv("TZ", "Asia/Tokyo", 1);
	test_clock();
	test_days();
	test_duty();
	test_sun();
	test_key();
	test_refused();
	CHECK_STR(getenv("TZ"), "Asia/Tokyo");
	unlink(path);
	rmdir(dir);
	return check_done();
}
