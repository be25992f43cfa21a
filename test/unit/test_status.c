/*
 * test_status: lib/status round trips (format, write, read back) and
 * rejects what is not a status file; the level history keeps an hour of
 * one-minute buckets (largest peak, power-mean RMS) in bounded memory.
 */
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "check.h"
#include "status.h"

static void
fill(struct status *st)
{
	status_init(st);
	st->updated_ns = 1795835700123456000LL;	/* 2026-11-28T03:15:00 */
	st->recd_pid = 4242;
	st->recd_started_ns = st->updated_ns - 3600LL * 1000000000;
	snprintf(st->recd_state, sizeof(st->recd_state), "running");
	snprintf(st->spool, sizeof(st->spool), "/var/spool/rec");
	snprintf(st->config, sizeof(st->config), "/etc/rec.conf");
	st->child[STATUS_CAPTURE].pid = 4243;
	st->child[STATUS_CAPTURE].started_ns = st->updated_ns -
	    60LL * 1000000000;
	st->child[STATUS_CAPTURE].restarts = 3;
	st->child[STATUS_CAPTURE].last_exit = 137;
	st->child[STATUS_CAPTURE].last_exit_ns = st->updated_ns - 61000000000LL;
	snprintf(st->child[STATUS_CAPTURE].state,
	    sizeof(st->child[STATUS_CAPTURE].state), "running");
	snprintf(st->child[STATUS_CAPTURE].note,
	    sizeof(st->child[STATUS_CAPTURE].note), "card 1");
	st->child[STATUS_ARCHIVE].pid = 4244;
	st->child[STATUS_ARCHIVE].started_ns = st->updated_ns -
	    7LL * 1000000000;
	st->child[STATUS_ARCHIVE].restarts = 12;
	st->child[STATUS_ARCHIVE].last_exit = 0;
	st->child[STATUS_ARCHIVE].last_exit_ns = st->updated_ns -
	    3000000000LL;
	snprintf(st->child[STATUS_ARCHIVE].state,
	    sizeof(st->child[STATUS_ARCHIVE].state), "running");
	st->child[STATUS_UPLOAD].restarts = 9;
	st->child[STATUS_UPLOAD].last_exit = 75;
	st->child[STATUS_UPLOAD].last_exit_ns = st->updated_ns -
	    2000000000LL;
	snprintf(st->child[STATUS_UPLOAD].state,
	    sizeof(st->child[STATUS_UPLOAD].state), "waiting");
	snprintf(st->child[STATUS_UPLOAD].note,
	    sizeof(st->child[STATUS_UPLOAD].note), "2 archives \"pending\"");
	st->cycle.count = 17;
	st->cycle.started_ns = st->updated_ns - 5000000000LL;
	st->cycle.ended_ns = st->updated_ns - 4000000000LL;
	st->cycle.archive_exit = 0;
	st->cycle.upload_exit = 75;
	snprintf(st->cycle.result, sizeof(st->cycle.result), "pending");
	st->seg_count = 4;
	st->seg_bytes = 23040000;
	st->out_count = 2;
	st->out_bytes = 11520000000ULL;	/* > 4 GiB */
	st->corrupt_count = 1;
	st->segments_seen = 1000;
	st->overruns = 2;
	st->lost_frames = 960;
	st->free_bytes = 12345678901ULL;
	st->last_upload_ns = st->updated_ns - 900LL * 1000000000;
	st->nalarms = 2;
	snprintf(st->alarm[0].name, sizeof(st->alarm[0].name), "flat");
	st->alarm[0].channel = 2;
	st->alarm[0].raised_ns = st->updated_ns - 60LL * 1000000000;
	snprintf(st->alarm[0].detail, sizeof(st->alarm[0].detail),
	    "every sample equal in x.wav");
	snprintf(st->alarm[1].name, sizeof(st->alarm[1].name), "free-space");
	st->alarm[1].raised_ns = st->updated_ns - 5000;
	st->clock.synced = 0;
	st->clock.est_error_ns = 1500000;
	st->clock.max_error_ns = 16000000000LL;
	st->clock.unsynced_ns = st->updated_ns - 7200LL * 1000000000;
	st->clock.wait_since_ns = st->updated_ns - 60LL * 1000000000;
	st->clock.wait_until_ns = st->updated_ns + 540LL * 1000000000;
	{
		struct level_stat l[2] = {
			{ -6.25, -20.5, 0.0012, 0.25, 3, 0 },
			{ -INFINITY, -INFINITY, 0, 0, 0, 1 },
		};
		int k;

		/* whole minutes + 0.123456 s: five buckets */
		for (k = 0; k < 5; k++)
			status_levels_add(&st->levels, st->updated_ns -
			    (int64_t)(300 - 60 * k) * 1000000000, 10, l, 2);
	}
}

/* Two levels equal, both none, or within the file's 1e-4. */
static int
near(double a, double b)
{
	return (isinf(a) && isinf(b) && a == b) || fabs(a - b) < 1e-4;
}

static void
same_levels(const struct status_levels *a, const struct status_levels *b)
{
	size_t i;
	unsigned c;

	CHECK(a->bucket_s == b->bucket_s);
	CHECK(a->channels == b->channels);
	CHECK(a->last_ns == b->last_ns);
	CHECK(near(a->last_seconds, b->last_seconds));
	for (c = 0; c < a->channels && c < b->channels; c++) {
		CHECK(near(a->last[c].peak, b->last[c].peak));
		CHECK(near(a->last[c].rms, b->last[c].rms));
		CHECK(near(a->last[c].dc, b->last[c].dc));
		CHECK(near(a->last[c].hum, b->last[c].hum));
		CHECK(a->last[c].clipped == b->last[c].clipped);
		CHECK(a->last[c].flat == b->last[c].flat);
	}
	CHECK(a->npoints == b->npoints);
	for (i = 0; i < a->npoints && i < b->npoints; i++) {
		CHECK(a->point[i].time_ns == b->point[i].time_ns);
		CHECK(near(a->point[i].seconds, b->point[i].seconds));
		for (c = 0; c < a->channels; c++) {
			CHECK(near(a->point[i].peak[c], b->point[i].peak[c]));
			CHECK(near(a->point[i].rms[c], b->point[i].rms[c]));
		}
	}
}

/*
 * Every field of struct status (lib/status.h), exactly: the times of
 * fill() are whole microseconds, the precision of the file.  A field
 * added to the struct belongs here too.
 */
static void
same(const struct status *a, const struct status *b)
{
	int i;

	CHECK(a->updated_ns == b->updated_ns);
	CHECK(a->recd_pid == b->recd_pid);
	CHECK(a->recd_started_ns == b->recd_started_ns);
	CHECK_STR(a->recd_state, b->recd_state);
	CHECK_STR(a->spool, b->spool);
	CHECK_STR(a->config, b->config);
	for (i = 0; i < STATUS_NCHILDREN; i++) {
		CHECK_STR(a->child[i].state, b->child[i].state);
		CHECK(a->child[i].pid == b->child[i].pid);
		CHECK(a->child[i].started_ns == b->child[i].started_ns);
		CHECK(a->child[i].restarts == b->child[i].restarts);
		CHECK(a->child[i].last_exit == b->child[i].last_exit);
		CHECK(a->child[i].last_exit_ns == b->child[i].last_exit_ns);
		CHECK_STR(a->child[i].note, b->child[i].note);
	}
	CHECK(a->cycle.count == b->cycle.count);
	CHECK(a->cycle.started_ns == b->cycle.started_ns);
	CHECK(a->cycle.ended_ns == b->cycle.ended_ns);
	CHECK(a->cycle.archive_exit == b->cycle.archive_exit);
	CHECK(a->cycle.upload_exit == b->cycle.upload_exit);
	CHECK_STR(a->cycle.result, b->cycle.result);
	CHECK(a->seg_count == b->seg_count);
	CHECK(a->seg_bytes == b->seg_bytes);
	CHECK(a->out_count == b->out_count);
	CHECK(a->out_bytes == b->out_bytes);
	CHECK(a->corrupt_count == b->corrupt_count);
	CHECK(a->segments_seen == b->segments_seen);
	CHECK(a->overruns == b->overruns);
	CHECK(a->lost_frames == b->lost_frames);
	CHECK(a->free_bytes == b->free_bytes);
	CHECK(a->last_upload_ns == b->last_upload_ns);
	CHECK(a->nalarms == b->nalarms);
	for (i = 0; i < (int)a->nalarms && i < (int)b->nalarms; i++) {
		CHECK_STR(a->alarm[i].name, b->alarm[i].name);
		CHECK(a->alarm[i].channel == b->alarm[i].channel);
		CHECK(a->alarm[i].raised_ns == b->alarm[i].raised_ns);
		CHECK_STR(a->alarm[i].detail, b->alarm[i].detail);
	}
	CHECK(a->clock.synced == b->clock.synced);
	CHECK(a->clock.est_error_ns == b->clock.est_error_ns);
	CHECK(a->clock.max_error_ns == b->clock.max_error_ns);
	CHECK(a->clock.unsynced_ns == b->clock.unsynced_ns);
	CHECK(a->clock.wait_since_ns == b->clock.wait_since_ns);
	CHECK(a->clock.wait_until_ns == b->clock.wait_until_ns);
	same_levels(&a->levels, &b->levels);
}

#define MIN	(60LL * 1000000000)

/* One channel at peak p, RMS r dBFS. */
static void
add1(struct status_levels *lv, int64_t t, double secs, double p, double r)
{
	struct level_stat l = { p, r, 0, 0, 0, 0 };

	status_levels_add(lv, t, secs, &l, 1);
}

/* The history: buckets, merging, an hour's bound, restarts. */
static void
test_levels(void)
{
	static struct status_levels lv;
	struct level_stat l2[2] = { { -1, -10, 0, 0, 0, 0 },
	    { -2, -20, 0, 0, 0, 0 } };
	int64_t t0 = 1795835700LL * 1000000000;	/* 2026-11-28T03:15:00Z */
	int k;

	memset(&lv, 0, sizeof(lv));
	/* two segments in one minute: the larger peak, the power mean
	 * weighted by their seconds: (3 x 0.1 + 1 x 0.001) / 4 */
	add1(&lv, t0 + 1000000000, 30, -12, -10);
	add1(&lv, t0 + 31 * 1000000000LL, 10, -3, -30);
	CHECK(lv.npoints == 1 && lv.channels == 1 && lv.bucket_s == 60);
	CHECK(lv.point[0].time_ns == t0);
	CHECK(lv.point[0].peak[0] == -3);
	CHECK(near(lv.point[0].rms[0], 10 * log10((3 * 0.1 + 0.001) / 4)));
	CHECK(lv.point[0].seconds == 40);
	CHECK(lv.last_ns == t0 + 31 * 1000000000LL && lv.last[0].rms == -30);
	/* silence (-inf) adds no power, only seconds */
	add1(&lv, t0 + 50 * 1000000000LL, 40, -INFINITY, -INFINITY);
	CHECK(near(lv.point[0].rms[0], 10 * log10((3 * 0.1 + 0.001) / 8)));
	CHECK(lv.point[0].peak[0] == -3);
	/* no length: ignored */
	add1(&lv, t0 + 2 * MIN, 0, -1, -1);
	CHECK(lv.npoints == 1);
	/* two hours of minutes: never more than 60, the newest hour kept */
	for (k = 1; k < 120; k++)
		add1(&lv, t0 + k * MIN, 60, -k / 10.0, -k / 5.0);
	CHECK(lv.npoints == STATUS_LEVEL_POINTS);
	CHECK(lv.point[0].time_ns == t0 + 60 * MIN);
	CHECK(lv.point[59].time_ns == t0 + 119 * MIN);
	/* a late segment inside the hour goes into its own bucket */
	add1(&lv, t0 + 100 * MIN + 1, 1, 0, 0);
	CHECK(lv.npoints == 60 && lv.point[40].peak[0] == 0);
	CHECK(lv.point[40].time_ns == t0 + 100 * MIN);
	/* a gap of ten minutes drops ten buckets (51 left with the new) */
	add1(&lv, t0 + 129 * MIN, 60, -1, -1);
	CHECK(lv.npoints == 51 && lv.point[0].time_ns == t0 + 70 * MIN);
	/* a clock set back more than an hour starts again */
	add1(&lv, t0 - 24 * 60 * MIN, 60, -1, -1);
	CHECK(lv.npoints == 1 && lv.point[0].time_ns == t0 - 24 * 60 * MIN);
	/* so does another channel count; more than 8 channels: the first 8 */
	status_levels_add(&lv, t0, 1, l2, 2);
	CHECK(lv.npoints == 1 && lv.channels == 2);
	CHECK(lv.point[0].peak[1] == -2 && lv.point[0].rms[1] == -20);
	{
		struct level_stat many[12];

		memset(many, 0, sizeof(many));
		status_levels_add(&lv, t0, 1, many, 12);
		CHECK(lv.channels == STATUS_LEVEL_CHANNELS);
	}
}

/* A "levels" member that is not one: 65. */
static void
test_bad_levels(void)
{
	static const char *const bad[] = {
		"[]",
		"{\"bucket\": 30, \"channels\": 1, \"last\": {\"start\": null,"
		    " \"seconds\": 1, \"channels\": [{\"peak\": 0, \"rms\": 0,"
		    " \"dc\": 0, \"clipped\": 0, \"flat\": false, \"hum\": 0}]},"
		    " \"points\": []}",
		"{\"bucket\": 60, \"channels\": 9, \"last\": {}, \"points\": []}",
		"{\"bucket\": 60, \"channels\": 1, \"last\": {\"start\": null,"
		    " \"seconds\": 1, \"channels\": []}, \"points\": []}",
		"{\"bucket\": 60, \"channels\": 1, \"last\": {\"start\": null,"
		    " \"seconds\": 1, \"channels\": [{\"peak\": \"loud\","
		    " \"rms\": 0, \"dc\": 0, \"clipped\": 0, \"flat\": false,"
		    " \"hum\": 0}]}, \"points\": []}",
		"{\"bucket\": 60, \"channels\": 1, \"last\": {\"start\": null,"
		    " \"seconds\": 1, \"channels\": [{\"peak\": 0, \"rms\": 0,"
		    " \"dc\": 0, \"clipped\": 0, \"flat\": false, \"hum\": 0}]},"
		    " \"points\": [{\"time\": \"2026-11-28T03:15:00Z\","
		    " \"seconds\": 1, \"peak\": [0, 0], \"rms\": [0]}]}",
		"{\"bucket\": 60, \"channels\": 1, \"last\": {\"start\": null,"
		    " \"seconds\": 1, \"channels\": [{\"peak\": 0, \"rms\": 0,"
		    " \"dc\": 0, \"clipped\": 0, \"flat\": false, \"hum\": 0}]},"
		    " \"points\": [{\"time\": \"2026-11-28T03:15:00Z\","
		    " \"seconds\": 1, \"peak\": [0], \"rms\": [0]},"
		    " {\"time\": \"2026-11-28T03:15:00Z\","
		    " \"seconds\": 1, \"peak\": [0], \"rms\": [0]}]}",
		"{\"bucket\": 60, \"channels\": 1, \"last\": {\"start\": null,"
		    " \"seconds\": 1, \"channels\": [{\"peak\": 0, \"rms\": 0,"
		    " \"dc\": 0, \"clipped\": 0, \"flat\": false, \"hum\": 0}]},"
		    " \"points\": [{\"time\": \"then\","
		    " \"seconds\": 1, \"peak\": [0], \"rms\": [0]}]}",
	};
	static struct status st;
	struct err e;
	char text[2048];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "{\"version\": 1, \"levels\": %s}",
		    bad[i]);
		e.ex = 0;
		CHECK(status_parse(text, strlen(text), &st, &e) == -1 &&
		    e.ex == EX_DATAERR);
		if (e.ex != EX_DATAERR)
			fprintf(stderr, "accepted: %s\n", bad[i]);
	}
	/* null, or absent: no levels */
	snprintf(text, sizeof(text), "{\"version\": 1, \"levels\": null}");
	CHECK(status_parse(text, strlen(text), &st, &e) == 0 &&
	    st.levels.channels == 0 && st.clock.synced == -1);
	/* a bad clock time */
	snprintf(text, sizeof(text), "{\"version\": 1, \"clock\": "
	    "{\"unsynced_since\": \"soon\"}}");
	CHECK(status_parse(text, strlen(text), &st, &e) == -1 &&
	    e.ex == EX_DATAERR);
}

/*
 * Far times: an uptime over the whole int64 range does not overflow, and
 * a time int64 nanoseconds cannot hold is refused, not wrapped.
 */
static void
test_far_times(void)
{
	struct status a, b;
	struct err e;
	char *text = NULL, *p;

	status_init(&a);
	a.updated_ns = INT64_MAX;		/* 2262-04-11T23:47:16Z */
	a.recd_started_ns = INT64_MIN + 1000;	/* 1677-09-21T00:12:43Z */
	a.child[STATUS_CAPTURE].pid = 1;
	a.child[STATUS_CAPTURE].started_ns = -2208988800LL * 1000000000;
	CHECK(status_format(&a, &text) == 0);
	CHECK(text != NULL && strstr(text, "\"updated\": "
	    "\"2262-04-11T23:47:16.854775Z\"") != NULL);
	CHECK(text != NULL && strstr(text, "\"uptime\": 18446744073") != NULL);
	CHECK(text != NULL && strstr(text, "\"started\": "
	    "\"1900-01-01T00:00:00.000000Z\"") != NULL);
	CHECK(text != NULL && strstr(text, "\"uptime\": 11432360836") != NULL);
	CHECK(text != NULL && status_parse(text, strlen(text), &b, &e) == 0);
	CHECK(b.updated_ns / 1000 == INT64_MAX / 1000);
	CHECK(b.child[STATUS_CAPTURE].started_ns ==
	    -2208988800LL * 1000000000);
	/* a year past 2262 in the file: refused, never wrapped */
	p = text != NULL ? strstr(text, "2262-04-11") : NULL;
	CHECK(p != NULL);
	if (p != NULL) {
		memcpy(p, "2263", 4);
		CHECK(status_parse(text, strlen(text), &b, &e) == -1 &&
		    e.ex == EX_DATAERR);
		memcpy(p, "9999", 4);
		CHECK(status_parse(text, strlen(text), &b, &e) == -1 &&
		    e.ex == EX_DATAERR);
	}
	free(text);
}

int
main(void)
{
	struct status a, b;
	struct err e;
	char dir[] = "/tmp/test_status.XXXXXX", *text = NULL;
	int dfd;

	test_far_times();
	test_levels();
	test_bad_levels();
	fill(&a);
	CHECK(status_format(&a, &text) == 0);
	CHECK(text != NULL && text[strlen(text) - 1] == '\n');
	CHECK(strstr(text, "\"updated\": \"2026-11-28T03:15:00.123456Z\"") !=
	    NULL);
	CHECK(strstr(text, "\"lost_frames\": 960") != NULL);
	CHECK(strstr(text, "\"est_error_us\": 1500,") != NULL);
	CHECK(strstr(text, "\"unsynced_since\": \"2026-11-28T01:15:00.123456Z\"")
	    != NULL);
	CHECK(strstr(text, "\"rms\": -20.5,") != NULL);
	CHECK(strstr(text, "\"time\": \"2026-11-28T03:10:00.000000Z\"") != NULL);
	CHECK(a.levels.npoints == 5 && a.levels.channels == 2);
	CHECK(status_parse(text, strlen(text), &b, &e) == 0);
	same(&a, &b);
	free(text);

	/* An empty status: nulls for times and exits. */
	status_init(&a);
	CHECK(status_format(&a, &text) == 0);
	CHECK(strstr(text, "\"last_upload\": null") != NULL);
	CHECK(strstr(text, "\"alarms\": []") != NULL);
	CHECK(strstr(text, "\"archive_exit\": null") != NULL);
	CHECK(strstr(text, "\"levels\": null") != NULL);
	CHECK(strstr(text, "\"synced\": null") != NULL);
	CHECK(status_parse(text, strlen(text), &b, &e) == 0);
	same(&a, &b);
	free(text);

	/* A [schedule]'s window, only when there is one. */
	fill(&a);
	CHECK(status_format(&a, &text) == 0);
	CHECK(strstr(text, "\"window\"") == NULL);
	free(text);
	a.window_start_ns = a.updated_ns + 60LL * 1000000000;
	a.window_end_ns = a.window_start_ns + 300LL * 1000000000;
	CHECK(status_format(&a, &text) == 0);
	CHECK(strstr(text, "\"start\": \"2026-11-28T03:16:00.123456Z\"") !=
	    NULL);
	CHECK(status_parse(text, strlen(text), &b, &e) == 0 &&
	    b.window_start_ns == a.window_start_ns &&
	    b.window_end_ns == a.window_end_ns);
	free(text);

	/* Written and read back through a directory. */
	CHECK(mkdtemp(dir) != NULL);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	CHECK(status_read(dfd, &b, &e) == -1 && e.ex == EX_NOINPUT);
	fill(&a);
	CHECK(status_write(dfd, &a) == 0);
	CHECK(status_read(dfd, &b, &e) == 0);
	same(&a, &b);
	CHECK(unlinkat(dfd, STATUS_FILE, 0) == 0);
	close(dfd);
	CHECK(rmdir(dir) == 0);

	/* Not a status file. */
	CHECK(status_parse("{", 1, &b, &e) == -1 && e.ex == EX_DATAERR);
	CHECK(status_parse("[]", 2, &b, &e) == -1 && e.ex == EX_DATAERR);
	CHECK(status_parse("{\"version\": 2}", 14, &b, &e) == -1 &&
	    e.ex == EX_DATAERR);
	CHECK(status_parse("{\"version\": 1, \"updated\": \"yesterday\"}", 38,
	    &b, &e) == -1 && e.ex == EX_DATAERR);
	return check_done();
}
