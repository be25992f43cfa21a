/*
 * test_heartbeat: health.json round-trips through heartbeat_format and
 * heartbeat_parse, keeps its key order, and a reader takes what it does
 * not know (or an older writer left out) as unknown; bad input is 65.
 * "levels" (the last segment and the hour's history) and "clock" too.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "check.h"
#include "heartbeat.h"
#include "status.h"

int
main(void)
{
	struct heartbeat hb, got;
	struct status st;
	struct err e;
	char *text = NULL;
	const char *order;

	heartbeat_init(&hb);
	snprintf(hb.station, sizeof(hb.station), "st.1");
	hb.time_ns = 1795000000123000000LL;
	hb.interval_s = 900;
	hb.uptime_s = 42;
	snprintf(hb.recd, sizeof(hb.recd), "dead");
	hb.clock_synced = 0;
	hb.out_count = 3;
	hb.out_bytes = 5000000000ULL;
	hb.oldest_ns = 1794990000000000000LL;
	hb.corrupt_count = 2;
	hb.budget = 100;
	hb.month_bytes = 100;
	hb.est_error_ns = 2500000;
	hb.max_error_ns = 16000000000LL;
	hb.unsynced_ns = 1794999000000000000LL;
	hb.wait_since_ns = 1794999900000000000LL;
	hb.wait_until_ns = 1795000500000000000LL;
	{
		struct level_stat l[2] = { { -3.5, -18.25, 0.001, 0.125, 7, 0 },
		    { -INFINITY, -INFINITY, 0, 0, 0, 1 } };
		int k;

		for (k = 0; k < 3; k++)
			status_levels_add(&hb.levels, hb.time_ns -
			    (int64_t)(180 - 60 * k) * 1000000000, 30, l, 2);
	}
	status_init(&st);
	snprintf(st.child[STATUS_UPLOAD].state, 16, "held");
	snprintf(st.child[STATUS_UPLOAD].note, 160, "exit 77");
	heartbeat_alarms(&hb, &st);
	CHECK(hb.nalarms == 4);
	CHECK_STR(hb.alarms[0], "recd is not running (it did not stop cleanly)");
	CHECK_STR(hb.alarms[1], "rec-upload held: exit 77");
	CHECK_STR(hb.alarms[2], "2 files in corrupt/");
	CHECK_STR(hb.alarms[3], "monthly budget 100% used");

	CHECK(heartbeat_format(&hb, &text) == 0);
	CHECK(text != NULL && text[strlen(text) - 1] == '\n');
	/* the documented order (rec-spool(5)) */
	order = "\"version\"";
	CHECK(strstr(text, order) != NULL);
	CHECK(strstr(text, "\"station\"") < strstr(text, "\"time\""));
	CHECK(strstr(text, "\"interval\"") < strstr(text, "\"recording\""));
	CHECK(strstr(text, "\"alarms\"") < strstr(text, "\"free_bytes\""));
	CHECK(strstr(text, "\"pending\"") < strstr(text, "\"last_upload\""));
	CHECK(heartbeat_parse(text, strlen(text), &got, &e) == 0);
	CHECK_STR(got.station, "st.1");
	CHECK(got.time_ns == hb.time_ns);
	CHECK(got.interval_s == 900 && got.uptime_s == 42);
	CHECK_STR(got.recd, "dead");
	CHECK(got.clock_synced == 0);
	CHECK(got.est_error_ns == 2500000 && got.max_error_ns == 16000000000LL);
	CHECK(got.unsynced_ns == hb.unsynced_ns);
	CHECK(got.wait_since_ns == hb.wait_since_ns &&
	    got.wait_until_ns == hb.wait_until_ns);
	CHECK(strstr(text, "\"levels\": {") != NULL);
	CHECK(strstr(text, "\"est_error_us\": 2500,") != NULL);
	CHECK(got.levels.channels == 2 && got.levels.npoints == 3);
	CHECK(got.levels.bucket_s == 60);
	CHECK(got.levels.last_ns == hb.levels.last_ns);
	CHECK(got.levels.last[0].peak == -3.5 && got.levels.last[0].rms ==
	    -18.25 && got.levels.last[0].clipped == 7 &&
	    got.levels.last[0].hum == 0.125 && got.levels.last[0].dc == 0.001);
	CHECK(isinf(got.levels.last[1].rms) && got.levels.last[1].flat == 1);
	CHECK(got.levels.point[2].time_ns == hb.levels.point[2].time_ns);
	CHECK(got.levels.point[1].peak[0] == -3.5 &&
	    got.levels.point[1].rms[0] == -18.25 &&
	    isinf(got.levels.point[1].rms[1]));
	CHECK(got.out_count == 3 && got.out_bytes == 5000000000ULL);
	CHECK(got.oldest_ns == hb.oldest_ns);
	CHECK(got.nalarms == 4);
	CHECK_STR(got.alarms[1], "rec-upload held: exit 77");
	free(text);

	/* a minimal object from another version of the writer */
	{
		const char *min = "{\"version\":1,\"station\":\"x\","
		    "\"future\":{\"a\":1}}";
		CHECK(heartbeat_parse(min, strlen(min), &got, &e) == 0);
		CHECK_STR(got.station, "x");
		CHECK(got.time_ns == 0 && got.interval_s == 0);
		CHECK(got.uptime_s == -1 && got.clock_synced == -1);
		CHECK(got.est_error_ns == -1 && got.unsynced_ns == 0);
		CHECK(got.levels.channels == 0 && got.levels.npoints == 0);
		CHECK(got.nalarms == 0);
	}
	/* not ours */
	CHECK(heartbeat_parse("{}", 2, &got, &e) < 0 && e.ex == EX_DATAERR);
	CHECK(heartbeat_parse("[1", 2, &got, &e) < 0 && e.ex == EX_DATAERR);
	{
		const char *bad = "{\"version\":1,\"station\":\"x\","
		    "\"time\":\"yesterday\"}";
		CHECK(heartbeat_parse(bad, strlen(bad), &got, &e) < 0 &&
		    e.ex == EX_DATAERR);
	}
	{	/* levels that are not levels */
		const char *bad = "{\"version\":1,\"station\":\"x\","
		    "\"levels\":{\"bucket\":60,\"channels\":1,\"last\":{},"
		    "\"points\":[]}}";
		CHECK(heartbeat_parse(bad, strlen(bad), &got, &e) < 0 &&
		    e.ex == EX_DATAERR);
		bad = "{\"version\":1,\"station\":\"x\",\"levels\":5}";
		CHECK(heartbeat_parse(bad, strlen(bad), &got, &e) < 0 &&
		    e.ex == EX_DATAERR);
		bad = "{\"version\":1,\"station\":\"x\",\"clock\":"
		    "{\"waiting_since\":\"now\"}}";
		CHECK(heartbeat_parse(bad, strlen(bad), &got, &e) < 0 &&
		    e.ex == EX_DATAERR);
	}
	{	/* the largest: 8 channels, 60 points, every alarm: a reader
		 * takes it (HEARTBEAT_MAX_BYTES) */
		struct level_stat l[STATUS_LEVEL_CHANNELS];
		int k;

		heartbeat_init(&hb);
		snprintf(hb.station, sizeof(hb.station), "station-name-x");
		for (k = 0; k < STATUS_LEVEL_CHANNELS; k++) {
			l[k].peak = -123.4567;
			l[k].rms = -123.4567;
			l[k].dc = -0.123456;
			l[k].hum = 0.123456;
			l[k].clipped = 1234567;
			l[k].flat = 0;
		}
		for (k = 0; k < 90; k++)
			status_levels_add(&hb.levels, 1795000000123000000LL +
			    (int64_t)k * 60000000000LL, 59.5, l,
			    STATUS_LEVEL_CHANNELS + 4);
		CHECK(hb.levels.npoints == STATUS_LEVEL_POINTS &&
		    hb.levels.channels == STATUS_LEVEL_CHANNELS);
		for (k = 0; k < HEARTBEAT_MAX_ALARMS; k++)
			heartbeat_alarm(&hb, "%0*d", (int)sizeof(hb.alarms[0]) -
			    1, k);
		CHECK(heartbeat_format(&hb, &text) == 0);
		CHECK(text != NULL && strlen(text) < HEARTBEAT_MAX_BYTES / 4 * 3);
		CHECK(text != NULL && heartbeat_parse(text, strlen(text), &got,
		    &e) == 0 && got.levels.npoints == STATUS_LEVEL_POINTS);
		free(text);
	}
	/* the budget alarm from 90% on */
	heartbeat_init(&hb);
	hb.budget = 1000;
	hb.month_bytes = 899;
	heartbeat_alarms(&hb, NULL);
	CHECK(hb.nalarms == 0);
	hb.month_bytes = 900;
	heartbeat_alarms(&hb, NULL);
	CHECK(hb.nalarms == 1);
	CHECK_STR(hb.alarms[0], "monthly budget 90% used");
	/* more alarms than fit are dropped, never overflow */
	heartbeat_init(&hb);
	for (int i = 0; i < HEARTBEAT_MAX_ALARMS + 3; i++)
		heartbeat_alarm(&hb, "alarm %d", i);
	CHECK(hb.nalarms == HEARTBEAT_MAX_ALARMS);
	return check_done();
}
