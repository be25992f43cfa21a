/*
 * heartbeat: health.json as JSON (jansson), built one member at a time
 * so that a new field is one line; read back leniently (unknown keys
 * ignored, missing ones unknown).
 */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "conf.h"
#include "heartbeat.h"
#include "jsonf.h"
#include "opt.h"
#include "status.h"

int
heartbeat_conf(const struct conf *c, uint64_t *interval_ms, int *history,
    struct err *e)
{
	static const struct opt iv = { .type = OPT_DURATION,
	    .section = "health", .key = "heartbeat" };
	static const struct opt hi = { .type = OPT_BOOL,
	    .section = "health", .key = "heartbeat-history" };

	int set;

	if ((set = opt_duration(c, &iv, HEARTBEAT_DEF_INTERVAL, interval_ms,
	    e)) < 0 || opt_bool(c, &hi, 0, history, e) < 0)
		return -1;
	if (*interval_ms > (uint64_t)30 * 86400000)
		return opt_bad(c, &iv, conf_get(c, "health", "heartbeat"),
		    "more than 30 days", e);
	return set;
}

void
heartbeat_init(struct heartbeat *hb)
{
	memset(hb, 0, sizeof(*hb));
	hb->uptime_s = -1;
	hb->clock_synced = -1;
	hb->est_error_ns = hb->max_error_ns = -1;
	snprintf(hb->recd, sizeof(hb->recd), "unknown");
}

void
heartbeat_alarm(struct heartbeat *hb, const char *fmt, ...)
{
	va_list ap;

	if (hb->nalarms >= HEARTBEAT_MAX_ALARMS)
		return;
	va_start(ap, fmt);
	vsnprintf(hb->alarms[hb->nalarms], sizeof(hb->alarms[0]), fmt, ap);
	va_end(ap);
	hb->nalarms++;
}

void
heartbeat_alarms(struct heartbeat *hb, const struct status *st)
{
	int i;

	if (strcmp(hb->recd, "dead") == 0)
		heartbeat_alarm(hb, "recd is not running (it did not stop "
		    "cleanly)");
	for (i = 0; st != NULL && i < STATUS_NCHILDREN; i++)
		if (strcmp(st->child[i].state, "held") == 0)
			heartbeat_alarm(hb, "%s held: %s",
			    status_child_name(i), st->child[i].note);
	for (size_t j = 0; st != NULL && j < st->nalarms; j++) {
		const struct status_alarm *al = &st->alarm[j];

		if (al->channel)
			heartbeat_alarm(hb, "%s on channel %u: %s", al->name,
			    al->channel, al->detail);
		else
			heartbeat_alarm(hb, "%s: %s", al->name, al->detail);
	}
	if (st != NULL && st->device_lost_ns != 0)
		heartbeat_alarm(hb, "audio device lost");
	if (hb->corrupt_count > 0)
		heartbeat_alarm(hb, "%llu files in corrupt/",
		    (unsigned long long)hb->corrupt_count);
	if (hb->lost_frames > 0)
		heartbeat_alarm(hb, "%llu frames lost",
		    (unsigned long long)hb->lost_frames);
	/* at 90%: a heartbeat that would pass the budget is not sent */
	if (hb->budget && hb->month_bytes >= hb->budget / 10 * 9)
		heartbeat_alarm(hb, "monthly budget %llu%% used",
		    (unsigned long long)(hb->month_bytes /
		    (hb->budget / 100 ? hb->budget / 100 : 1)));
}

static json_t *
juint(uint64_t v)
{
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

static json_t *
jstr(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

/* Set o[key] = v (v taken); a failure is remembered in *bad. */
static void
put(json_t *o, const char *key, json_t *v, int *bad)
{
	if (v == NULL || json_object_set_new(o, key, v) < 0)
		*bad = 1;
}

int
heartbeat_format(const struct heartbeat *hb, char **textp)
{
	json_t *root, *rec, *pend, *bud, *al, *clk, *loss;
	char *text = NULL;
	size_t i, len;
	int bad = 0;

	root = json_object();
	rec = json_object();
	clk = json_object();
	pend = json_object();
	bud = json_object();
	loss = json_object();
	al = json_array();
	if (!root || !rec || !clk || !pend || !bud || !loss || !al)
		bad = 1;
	for (i = 0; !bad && i < hb->nalarms; i++)
		if (json_array_append_new(al, json_string(hb->alarms[i])) < 0)
			bad = 1;
	/* the order here is the order in the file: one line per field */
	put(rec, "recd", json_string(hb->recd), &bad);
	put(rec, "capture", jstr(hb->capture), &bad);
	put(rec, "schedule", jstr(hb->schedule), &bad);
	put(clk, "time", jsonf_time(hb->time_ns), &bad);
	put(clk, "synchronized", hb->clock_synced < 0 ? json_null() :
	    json_boolean(hb->clock_synced), &bad);
	put(clk, "est_error_us", hb->est_error_ns < 0 ? json_null() :
	    json_integer(hb->est_error_ns / 1000), &bad);
	put(clk, "max_error_us", hb->max_error_ns < 0 ? json_null() :
	    json_integer(hb->max_error_ns / 1000), &bad);
	put(clk, "unsynced_since", jsonf_time(hb->unsynced_ns), &bad);
	put(clk, "waiting_since", jsonf_time(hb->wait_since_ns), &bad);
	put(clk, "waiting_until", jsonf_time(hb->wait_until_ns), &bad);
	put(pend, "segments", juint(hb->seg_count), &bad);
	put(pend, "segment_bytes", juint(hb->seg_bytes), &bad);
	put(pend, "archives", juint(hb->out_count), &bad);
	put(pend, "archive_bytes", juint(hb->out_bytes), &bad);
	put(pend, "corrupt", juint(hb->corrupt_count), &bad);
	put(pend, "oldest", jsonf_time(hb->oldest_ns), &bad);
	put(bud, "month_bytes", juint(hb->month_bytes), &bad);
	put(bud, "monthly_budget", hb->budget ? juint(hb->budget) :
	    json_null(), &bad);
	put(loss, "overruns", juint(hb->overruns), &bad);
	put(loss, "lost_frames", juint(hb->lost_frames), &bad);

	put(root, "version", json_integer(HEARTBEAT_VERSION), &bad);
	put(root, "station", json_string(hb->station), &bad);
	put(root, "software", jstr(hb->version), &bad);
	put(root, "time", jsonf_time(hb->time_ns), &bad);
	put(root, "interval", juint(hb->interval_s), &bad);
	put(root, "uptime", hb->uptime_s < 0 ? json_null() :
	    json_integer(hb->uptime_s), &bad);
	put(root, "recording", rec, &bad);
	put(root, "clock", clk, &bad);
	put(root, "levels", status_levels_json(&hb->levels), &bad);
	put(root, "alarms", al, &bad);
	put(root, "free_bytes", juint(hb->free_bytes), &bad);
	put(root, "pending", pend, &bad);
	put(root, "last_upload", jsonf_time(hb->last_upload_ns), &bad);
	put(root, "budget", bud, &bad);
	put(root, "loss", loss, &bad);
	if (!bad)
		text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
		    JSON_REAL_PRECISION(10));
	json_decref(root);
	if (text == NULL) {
		errno = ENOMEM;
		return -1;
	}
	len = strlen(text);
	if ((*textp = realloc(text, len + 2)) == NULL) {
		free(text);
		errno = ENOMEM;
		return -1;
	}
	(*textp)[len] = '\n';
	(*textp)[len + 1] = '\0';
	return 0;
}

int
heartbeat_parse(const char *text, size_t len, struct heartbeat *hb,
    struct err *e)
{
	json_t *root, *rec, *clk, *pend, *bud, *loss, *al, *v;
	size_t i;
	int bad = 0;

	heartbeat_init(hb);
	root = jsonf_load(text, len, HEARTBEAT_VERSION, "health object", e);
	if (root == NULL)
		return -1;
	if (!json_is_string(json_object_get(root, "station"))) {
		err_set(e, EX_DATAERR, "not a version %d health object",
		    HEARTBEAT_VERSION);
		json_decref(root);
		return -1;
	}
	rec = json_object_get(root, "recording");
	clk = json_object_get(root, "clock");
	pend = json_object_get(root, "pending");
	bud = json_object_get(root, "budget");
	loss = json_object_get(root, "loss");
	jsonf_get_str(root, "station", hb->station, sizeof(hb->station));
	jsonf_get_str(root, "software", hb->version, sizeof(hb->version));
	bad |= jsonf_get_time(root, "time", &hb->time_ns);
	hb->interval_s = jsonf_get_uint(root, "interval");
	v = json_object_get(root, "uptime");
	hb->uptime_s = json_is_integer(v) ? json_integer_value(v) : -1;
	jsonf_get_str(rec, "recd", hb->recd, sizeof(hb->recd));
	jsonf_get_str(rec, "capture", hb->capture, sizeof(hb->capture));
	jsonf_get_str(rec, "schedule", hb->schedule, sizeof(hb->schedule));
	v = json_object_get(clk, "synchronized");
	hb->clock_synced = json_is_boolean(v) ? json_is_true(v) : -1;
	v = json_object_get(clk, "est_error_us");
	hb->est_error_ns = json_is_integer(v) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) < INT64_MAX / 1000 ?
	    json_integer_value(v) * 1000 : -1;
	v = json_object_get(clk, "max_error_us");
	hb->max_error_ns = json_is_integer(v) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) < INT64_MAX / 1000 ?
	    json_integer_value(v) * 1000 : -1;
	bad |= jsonf_get_time(clk, "unsynced_since", &hb->unsynced_ns);
	bad |= jsonf_get_time(clk, "waiting_since", &hb->wait_since_ns);
	bad |= jsonf_get_time(clk, "waiting_until", &hb->wait_until_ns);
	al = json_object_get(root, "alarms");
	for (i = 0; json_is_array(al) && i < json_array_size(al); i++)
		if (json_is_string(json_array_get(al, i)))
			heartbeat_alarm(hb, "%s",
			    json_string_value(json_array_get(al, i)));
	hb->free_bytes = jsonf_get_uint(root, "free_bytes");
	hb->seg_count = jsonf_get_uint(pend, "segments");
	hb->seg_bytes = jsonf_get_uint(pend, "segment_bytes");
	hb->out_count = jsonf_get_uint(pend, "archives");
	hb->out_bytes = jsonf_get_uint(pend, "archive_bytes");
	hb->corrupt_count = jsonf_get_uint(pend, "corrupt");
	bad |= jsonf_get_time(pend, "oldest", &hb->oldest_ns);
	bad |= jsonf_get_time(root, "last_upload", &hb->last_upload_ns);
	hb->month_bytes = jsonf_get_uint(bud, "month_bytes");
	hb->budget = jsonf_get_uint(bud, "monthly_budget");
	hb->overruns = jsonf_get_uint(loss, "overruns");
	hb->lost_frames = jsonf_get_uint(loss, "lost_frames");
	if (!bad && status_levels_parse(json_object_get(root, "levels"),
	    &hb->levels, e) < 0) {
		json_decref(root);
		return -1;
	}
	json_decref(root);
	if (bad) {
		err_set(e, EX_DATAERR, "a time in it is not ISO 8601 UTC");
		return -1;
	}
	return 0;
}
