/*
 * test_status: lib/status round trips (format, write, read back) and
 * rejects what is not a status file.
 */
#include <fcntl.h>
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
	fill(&a);
	CHECK(status_format(&a, &text) == 0);
	CHECK(text != NULL && text[strlen(text) - 1] == '\n');
	CHECK(strstr(text, "\"updated\": \"2026-11-28T03:15:00.123456Z\"") !=
	    NULL);
	CHECK(strstr(text, "\"lost_frames\": 960") != NULL);
	CHECK(status_parse(text, strlen(text), &b, &e) == 0);
	same(&a, &b);
	free(text);

	/* An empty status: nulls for times and exits. */
	status_init(&a);
	CHECK(status_format(&a, &text) == 0);
	CHECK(strstr(text, "\"last_upload\": null") != NULL);
	CHECK(strstr(text, "\"alarms\": []") != NULL);
	CHECK(strstr(text, "\"archive_exit\": null") != NULL);
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
