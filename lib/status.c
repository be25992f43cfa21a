/*
 * status: recd's status file as JSON (jansson), written with
 * file_replace so that readers see the old or the new file, never a mix.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "file.h"
#include "jsonf.h"
#include "status.h"

static const char *const child_names[STATUS_NCHILDREN] = {
	"rec-capture", "rec-archive", "rec-upload"
};

const char *
status_child_name(enum status_child_id id)
{
	return (unsigned)id < STATUS_NCHILDREN ? child_names[id] : "?";
}

void
status_init(struct status *st)
{
	int i;

	memset(st, 0, sizeof(*st));
	snprintf(st->recd_state, sizeof(st->recd_state), "stopped");
	for (i = 0; i < STATUS_NCHILDREN; i++) {
		st->child[i].last_exit = -1;
		snprintf(st->child[i].state, sizeof(st->child[i].state),
		    "idle");
	}
	st->cycle.archive_exit = st->cycle.upload_exit = -1;
	snprintf(st->cycle.result, sizeof(st->cycle.result), "none");
	st->clock.synced = -1;
	st->clock.est_error_ns = st->clock.max_error_ns = -1;
}

#define NS	1000000000LL

/* 10^(db/10): the power of an RMS in dBFS; 0 for none. */
static double
power(double db)
{
	return isnan(db) || isinf(db) ? 0 : pow(10, db / 10);
}

/* Merge a segment (seconds long, levels l) into point p. */
static void
merge(struct status_level_point *p, unsigned nch, double seconds,
    const struct level_stat *l)
{
	unsigned c;

	for (c = 0; c < nch; c++) {
		double pw = (power(p->rms[c]) * p->seconds +
		    power(l[c].rms) * seconds) / (p->seconds + seconds);

		if (!isnan(l[c].peak) && !(l[c].peak <= p->peak[c]))
			p->peak[c] = l[c].peak;
		p->rms[c] = pw > 0 ? 10 * log10(pw) : -INFINITY;
	}
	p->seconds += seconds;
}

void
status_levels_add(struct status_levels *lv, int64_t start_ns, double seconds,
    const struct level_stat *l, unsigned nch)
{
	int64_t blen = (int64_t)STATUS_LEVEL_BUCKET_S * NS, t, newest, hour;
	struct status_level_point *p;
	size_t i, drop;
	unsigned c;

	if (!(seconds > 0) || nch == 0)
		return;
	if (nch > STATUS_LEVEL_CHANNELS)
		nch = STATUS_LEVEL_CHANNELS;
	hour = blen * STATUS_LEVEL_POINTS;
	t = start_ns / blen * blen;
	if (t > start_ns)
		t -= blen;	/* before 1970: down, not toward zero */
	if (lv->bucket_s != STATUS_LEVEL_BUCKET_S || lv->channels != nch ||
	    (lv->npoints > 0 && t <= lv->point[lv->npoints - 1].time_ns -
	    hour))
		lv->npoints = 0;	/* new, other channels, clock back */
	lv->bucket_s = STATUS_LEVEL_BUCKET_S;
	lv->channels = nch;
	lv->last_ns = start_ns;
	lv->last_seconds = seconds;
	memset(lv->last, 0, sizeof(lv->last));
	memcpy(lv->last, l, nch * sizeof(*l));
	for (i = 0; i < lv->npoints && lv->point[i].time_ns < t; i++)
		;
	if (i == lv->npoints || lv->point[i].time_ns != t) {
		/* a new bucket at i: make room, then drop the old ones */
		if (lv->npoints == STATUS_LEVEL_POINTS) {
			if (i == 0)
				return;	/* older than all 60: cannot be */
			memmove(&lv->point[0], &lv->point[1],
			    (--i) * sizeof(lv->point[0]));
			lv->npoints--;
		} else {
			memmove(&lv->point[i + 1], &lv->point[i],
			    (lv->npoints - i) * sizeof(lv->point[0]));
		}
		lv->npoints++;
		p = &lv->point[i];
		memset(p, 0, sizeof(*p));
		p->time_ns = t;
		for (c = 0; c < STATUS_LEVEL_CHANNELS; c++)
			p->peak[c] = p->rms[c] = -INFINITY;
	}
	merge(&lv->point[i], nch, seconds, l);
	newest = lv->point[lv->npoints - 1].time_ns;
	for (drop = 0; drop < lv->npoints &&
	    lv->point[drop].time_ns <= newest - hour; drop++)
		;
	if (drop > 0) {
		memmove(&lv->point[0], &lv->point[drop],
		    (lv->npoints - drop) * sizeof(lv->point[0]));
		lv->npoints -= drop;
	}
}

/* A level in dBFS (or a fraction) as JSON, to 1e-4: null for none
 * (-inf, NaN). */
static json_t *
jlevel(double v)
{
	double r;

	if (isnan(v) || isinf(v))
		return json_null();
	r = round(v * 1e4) / 1e4;
	return json_real(isfinite(r) ? r : v);
}

static json_t *
level_array(const double *v, unsigned n)
{
	json_t *a = json_array();
	unsigned i;

	for (i = 0; a != NULL && i < n; i++)
		if (json_array_append_new(a, jlevel(v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

json_t *
status_levels_json(const struct status_levels *lv)
{
	json_t *o, *last, *pts, *p;
	double pk[STATUS_LEVEL_CHANNELS], rm[STATUS_LEVEL_CHANNELS];
	size_t i;
	unsigned c;

	if (lv->bucket_s == 0 || lv->channels == 0)
		return json_null();
	last = json_array();
	for (c = 0; last != NULL && c < lv->channels; c++) {
		const struct level_stat *l = &lv->last[c];

		p = json_pack("{s:o, s:o, s:o, s:I, s:b, s:o}",
		    "peak", jlevel(l->peak), "rms", jlevel(l->rms),
		    "dc", jlevel(l->dc), "clipped", (json_int_t)(l->clipped >
		    INT64_MAX ? INT64_MAX : l->clipped), "flat", l->flat != 0,
		    "hum", jlevel(l->hum));
		if (p == NULL || json_array_append_new(last, p) < 0) {
			json_decref(last);
			return NULL;
		}
	}
	pts = json_array();
	for (i = 0; pts != NULL && i < lv->npoints; i++) {
		const struct status_level_point *q = &lv->point[i];

		for (c = 0; c < lv->channels; c++) {
			pk[c] = q->peak[c];
			rm[c] = q->rms[c];
		}
		p = json_pack("{s:o, s:o, s:o, s:o}", "time",
		    jsonf_time(q->time_ns), "seconds", json_real(q->seconds),
		    "peak", level_array(pk, lv->channels),
		    "rms", level_array(rm, lv->channels));
		if (p == NULL || json_array_append_new(pts, p) < 0) {
			json_decref(pts);
			pts = NULL;
		}
	}
	o = json_pack("{s:I, s:I, s:{s:o, s:o, s:o}, s:o}",
	    "bucket", (json_int_t)lv->bucket_s,
	    "channels", (json_int_t)lv->channels,
	    "last", "start", jsonf_time(lv->last_ns),
	    "seconds", isfinite(lv->last_seconds) ? json_real(lv->last_seconds)
	    : json_null(), "channels", last,
	    "points", pts);
	return o;	/* json_pack took last and pts, even on failure */
}

/* A level: a number, or null for none; -1 when neither. */
static int
get_level(json_t *v, double *out)
{
	if (json_is_null(v)) {
		*out = -INFINITY;
		return 0;
	}
	if (!json_is_number(v))
		return -1;
	*out = json_number_value(v);
	return 0;
}

/* n levels from the array a into v; -1 when a is not n levels. */
static int
get_levels(json_t *a, double *v, unsigned n)
{
	unsigned i;

	if (!json_is_array(a) || json_array_size(a) != n)
		return -1;
	for (i = 0; i < n; i++)
		if (get_level(json_array_get(a, i), &v[i]) < 0)
			return -1;
	return 0;
}

int
status_levels_parse(json_t *o, struct status_levels *lv, struct err *e)
{
	json_t *last, *pts, *p, *ch, *v;
	size_t i;
	unsigned c;
	double d;
	const char *why = NULL;

	memset(lv, 0, sizeof(*lv));
	if (o == NULL || json_is_null(o))
		return 0;
	if (!json_is_object(o)) {
		why = "not an object";
		goto bad;
	}
	v = json_object_get(o, "bucket");
	if (!json_is_integer(v) || json_integer_value(v) !=
	    STATUS_LEVEL_BUCKET_S) {
		why = "bucket is not 60";
		goto bad;
	}
	lv->bucket_s = STATUS_LEVEL_BUCKET_S;
	v = json_object_get(o, "channels");
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > STATUS_LEVEL_CHANNELS) {
		why = "channels is not 1 to 8";
		goto bad;
	}
	lv->channels = (unsigned)json_integer_value(v);
	last = json_object_get(o, "last");
	if (!json_is_object(last) ||
	    jsonf_get_time(last, "start", &lv->last_ns) < 0 ||
	    get_level(json_object_get(last, "seconds"), &d) < 0) {
		why = "last is not a segment's start and seconds";
		goto bad;
	}
	lv->last_seconds = isinf(d) ? 0 : d;
	ch = json_object_get(last, "channels");
	if (!json_is_array(ch) || json_array_size(ch) != lv->channels) {
		why = "last has not one entry per channel";
		goto bad;
	}
	json_array_foreach(ch, i, p) {
		struct level_stat *l = &lv->last[i];

		if (!json_is_object(p) ||
		    get_level(json_object_get(p, "peak"), &l->peak) < 0 ||
		    get_level(json_object_get(p, "rms"), &l->rms) < 0 ||
		    get_level(json_object_get(p, "dc"), &l->dc) < 0 ||
		    get_level(json_object_get(p, "hum"), &l->hum) < 0 ||
		    !json_is_boolean(json_object_get(p, "flat"))) {
			why = "a channel of last is not peak, rms, dc, "
			    "clipped, flat and hum";
			goto bad;
		}
		l->clipped = jsonf_get_uint(p, "clipped");
		l->flat = json_is_true(json_object_get(p, "flat"));
	}
	pts = json_object_get(o, "points");
	if (!json_is_array(pts) || json_array_size(pts) >
	    STATUS_LEVEL_POINTS) {
		why = "points is not an array of at most 60";
		goto bad;
	}
	json_array_foreach(pts, i, p) {
		struct status_level_point *q = &lv->point[i];

		for (c = lv->channels; c < STATUS_LEVEL_CHANNELS; c++)
			q->peak[c] = q->rms[c] = -INFINITY;
		if (!json_is_object(p) ||
		    jsonf_get_time(p, "time", &q->time_ns) < 0 ||
		    q->time_ns == 0 ||
		    get_level(json_object_get(p, "seconds"), &q->seconds) < 0 ||
		    !(q->seconds > 0) ||
		    get_levels(json_object_get(p, "peak"), q->peak,
		    lv->channels) < 0 ||
		    get_levels(json_object_get(p, "rms"), q->rms,
		    lv->channels) < 0) {
			why = "a point is not a time, seconds and a peak and "
			    "an RMS per channel";
			goto bad;
		}
		if (i > 0 && q->time_ns <= lv->point[i - 1].time_ns) {
			why = "the times of points do not increase";
			goto bad;
		}
		lv->npoints = i + 1;
	}
	return 0;
bad:
	memset(lv, 0, sizeof(*lv));
	err_set(e, EX_DATAERR, "levels: %s", why);
	return -1;
}

static json_t *
jexit(int code)
{
	return code < 0 ? json_null() : json_integer(code);
}

/* Seconds from `from` to `to`, 0 when from is unset. */
static json_int_t
secs(int64_t from, int64_t to)
{
	/* to - from can exceed INT64_MAX; unsigned, it cannot wrap here */
	return from == 0 || to < from ? 0 :
	    (json_int_t)(((uint64_t)to - (uint64_t)from) / 1000000000u);
}

/* "alarms": one object each. */
static json_t *
alarms_json(const struct status *st)
{
	json_t *a = json_array(), *o;
	size_t i;

	for (i = 0; i < st->nalarms && i < STATUS_MAX_ALARMS; i++) {
		const struct status_alarm *al = &st->alarm[i];

		o = json_pack("{s:s, s:o, s:o, s:s}", "name", al->name,
		    "channel", al->channel ? json_integer(al->channel) :
		    json_null(), "raised", jsonf_time(al->raised_ns),
		    "detail", al->detail);
		if (o == NULL || json_array_append_new(a, o) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* An error in ns as integer microseconds, null when unknown. */
static json_t *
jus(int64_t ns)
{
	return ns < 0 ? json_null() : json_integer(ns / 1000);
}

/* "clock": the kernel's word and DIR/clock-wait. */
static json_t *
clock_json(const struct status_clock *c)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
	    "synced", c->synced < 0 ? json_null() : json_boolean(c->synced),
	    "est_error_us", jus(c->est_error_ns),
	    "max_error_us", jus(c->max_error_ns),
	    "unsynced_since", jsonf_time(c->unsynced_ns),
	    "waiting_since", jsonf_time(c->wait_since_ns),
	    "waiting_until", jsonf_time(c->wait_until_ns));
}

int
status_format(const struct status *st, char **textp)
{
	json_t *root = NULL, *kids, *o;
	char *text = NULL;
	size_t len;
	int i, rc = -1;

	kids = json_object();
	for (i = 0; i < STATUS_NCHILDREN; i++) {
		const struct status_child *c = &st->child[i];
		o = json_pack("{s:s, s:I, s:o, s:I, s:I, s:o, s:o, s:s}",
		    "state", c->state,
		    "pid", (json_int_t)c->pid,
		    "started", jsonf_time(c->pid ? c->started_ns : 0),
		    "uptime", c->pid ? secs(c->started_ns, st->updated_ns) :
		    (json_int_t)0,
		    i == STATUS_CAPTURE ? "restarts" : "runs",
		    (json_int_t)c->restarts,
		    "last_exit", jexit(c->last_exit),
		    "last_exit_at", jsonf_time(c->last_exit_ns),
		    "note", c->note);
		if (o == NULL || json_object_set_new(kids, child_names[i], o))
			goto out;
	}
	root = json_pack("{s:i, s:o, s:{s:I, s:o, s:I, s:s, s:s, s:s*}, s:o,"
	    " s:{s:I, s:o, s:o, s:o, s:o, s:s},"
	    " s:{s:I, s:I, s:I, s:I, s:I},"
	    " s:{s:I, s:I, s:I}, s:I, s:o, s:o}",
	    "version", STATUS_VERSION,
	    "updated", jsonf_time(st->updated_ns),
	    "recd",
	    "pid", (json_int_t)st->recd_pid,
	    "started", jsonf_time(st->recd_started_ns),
	    "uptime", secs(st->recd_started_ns, st->updated_ns),
	    "state", st->recd_state,
	    "spool", st->spool,
	    "config", st->config[0] ? st->config : NULL,
	    "children", kids,
	    "last_cycle",
	    "count", (json_int_t)st->cycle.count,
	    "started", jsonf_time(st->cycle.started_ns),
	    "ended", jsonf_time(st->cycle.ended_ns),
	    "archive_exit", jexit(st->cycle.archive_exit),
	    "upload_exit", jexit(st->cycle.upload_exit),
	    "result", st->cycle.result,
	    "pending",
	    "segments", (json_int_t)st->seg_count,
	    "segment_bytes", (json_int_t)st->seg_bytes,
	    "archives", (json_int_t)st->out_count,
	    "archive_bytes", (json_int_t)st->out_bytes,
	    "corrupt", (json_int_t)st->corrupt_count,
	    "capture",
	    "segments", (json_int_t)st->segments_seen,
	    "overruns", (json_int_t)st->overruns,
	    "lost_frames", (json_int_t)st->lost_frames,
	    "free_bytes", (json_int_t)st->free_bytes,
	    "last_upload", jsonf_time(st->last_upload_ns),
	    "alarms", alarms_json(st));
	kids = NULL;	/* json_pack took it, even on failure */
	if (root == NULL || json_object_set_new(json_object_get(root,
	    "capture"), "device_lost", jsonf_time(st->device_lost_ns)) < 0)
		goto out;
	if (json_object_set_new(root, "clock", clock_json(&st->clock)) < 0 ||
	    json_object_set_new(root, "levels",
	    status_levels_json(&st->levels)) < 0)
		goto out;
	if (st->window_end_ns != 0 && json_object_set_new(root, "window",
	    json_pack("{s:o, s:o}", "start", jsonf_time(st->window_start_ns),
	    "end", jsonf_time(st->window_end_ns))) < 0)
		goto out;
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(10));
	if (text == NULL)
		goto out;
	len = strlen(text);
	*textp = realloc(text, len + 2);
	if (*textp == NULL)
		goto out;
	text = NULL;
	(*textp)[len] = '\n';
	(*textp)[len + 1] = '\0';
	rc = 0;
out:
	free(text);
	json_decref(root);
	json_decref(kids);
	if (rc < 0)
		errno = ENOMEM;
	return rc;
}

int
status_write(int dirfd, const struct status *st)
{
	char *text;
	int rc;

	if (status_format(st, &text) < 0)
		return -1;
	rc = file_replace(dirfd, STATUS_FILE, text, strlen(text), 0644);
	free(text);
	return rc;
}

static int
get_exit(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_integer(v) ? (int)json_integer_value(v) : -1;
}

int
status_parse(const char *text, size_t len, struct status *st, struct err *e)
{
	json_t *root, *recd, *kids, *cyc, *pend, *cap, *o, *v;
	size_t idx;
	int i, bad = 0;

	status_init(st);
	root = jsonf_load(text, len, STATUS_VERSION, "status file", e);
	if (root == NULL)
		return -1;
	recd = json_object_get(root, "recd");
	kids = json_object_get(root, "children");
	cyc = json_object_get(root, "last_cycle");
	pend = json_object_get(root, "pending");
	cap = json_object_get(root, "capture");
	bad |= jsonf_get_time(root, "updated", &st->updated_ns);
	st->recd_pid = (long)jsonf_get_uint(recd, "pid");
	bad |= jsonf_get_time(recd, "started", &st->recd_started_ns);
	jsonf_get_str(recd, "state", st->recd_state, sizeof(st->recd_state));
	jsonf_get_str(recd, "spool", st->spool, sizeof(st->spool));
	jsonf_get_str(recd, "config", st->config, sizeof(st->config));
	for (i = 0; i < STATUS_NCHILDREN; i++) {
		struct status_child *c = &st->child[i];
		o = json_object_get(kids, child_names[i]);
		jsonf_get_str(o, "state", c->state, sizeof(c->state));
		c->pid = (long)jsonf_get_uint(o, "pid");
		bad |= jsonf_get_time(o, "started", &c->started_ns);
		c->restarts = jsonf_get_uint(o, i == STATUS_CAPTURE ? "restarts" :
		    "runs");
		c->last_exit = get_exit(o, "last_exit");
		bad |= jsonf_get_time(o, "last_exit_at", &c->last_exit_ns);
		jsonf_get_str(o, "note", c->note, sizeof(c->note));
	}
	st->cycle.count = jsonf_get_uint(cyc, "count");
	bad |= jsonf_get_time(cyc, "started", &st->cycle.started_ns);
	bad |= jsonf_get_time(cyc, "ended", &st->cycle.ended_ns);
	st->cycle.archive_exit = get_exit(cyc, "archive_exit");
	st->cycle.upload_exit = get_exit(cyc, "upload_exit");
	jsonf_get_str(cyc, "result", st->cycle.result, sizeof(st->cycle.result));
	st->seg_count = jsonf_get_uint(pend, "segments");
	st->seg_bytes = jsonf_get_uint(pend, "segment_bytes");
	st->out_count = jsonf_get_uint(pend, "archives");
	st->out_bytes = jsonf_get_uint(pend, "archive_bytes");
	st->corrupt_count = jsonf_get_uint(pend, "corrupt");
	st->segments_seen = jsonf_get_uint(cap, "segments");
	st->overruns = jsonf_get_uint(cap, "overruns");
	st->lost_frames = jsonf_get_uint(cap, "lost_frames");
	bad |= jsonf_get_time(cap, "device_lost", &st->device_lost_ns);
	st->free_bytes = jsonf_get_uint(root, "free_bytes");
	bad |= jsonf_get_time(root, "last_upload", &st->last_upload_ns);
	o = json_object_get(root, "window");
	bad |= jsonf_get_time(o, "start", &st->window_start_ns);
	bad |= jsonf_get_time(o, "end", &st->window_end_ns);
	json_array_foreach(json_object_get(root, "alarms"), idx, o) {
		struct status_alarm *al;

		if (st->nalarms == STATUS_MAX_ALARMS)
			break;
		al = &st->alarm[st->nalarms++];
		jsonf_get_str(o, "name", al->name, sizeof(al->name));
		al->channel = (unsigned)jsonf_get_uint(o, "channel");
		bad |= jsonf_get_time(o, "raised", &al->raised_ns);
		jsonf_get_str(o, "detail", al->detail, sizeof(al->detail));
	}
	o = json_object_get(root, "clock");
	v = json_object_get(o, "synced");
	st->clock.synced = json_is_boolean(v) ? json_is_true(v) : -1;
	v = json_object_get(o, "est_error_us");
	st->clock.est_error_ns = json_is_integer(v) &&
	    json_integer_value(v) >= 0 && json_integer_value(v) <
	    INT64_MAX / 1000 ? json_integer_value(v) * 1000 : -1;
	v = json_object_get(o, "max_error_us");
	st->clock.max_error_ns = json_is_integer(v) &&
	    json_integer_value(v) >= 0 && json_integer_value(v) <
	    INT64_MAX / 1000 ? json_integer_value(v) * 1000 : -1;
	bad |= jsonf_get_time(o, "unsynced_since", &st->clock.unsynced_ns);
	bad |= jsonf_get_time(o, "waiting_since", &st->clock.wait_since_ns);
	bad |= jsonf_get_time(o, "waiting_until", &st->clock.wait_until_ns);
	if (!bad && status_levels_parse(json_object_get(root, "levels"),
	    &st->levels, e) < 0) {
		json_decref(root);
		return -1;
	}
	json_decref(root);
	if (bad) {
		err_set(e, EX_DATAERR, "a time in it is not ISO 8601 UTC "
		    "between 1677 and 2262");
		return -1;
	}
	return 0;
}

int
status_read(int dirfd, struct status *st, struct err *e)
{
	char *text;
	size_t len;
	int rc;

	if (file_slurp(dirfd, STATUS_FILE, 1 << 20, &text, &len) < 0) {
		err_sys(e, errno == ENOENT ? EX_NOINPUT : EX_IOERR,
		    "cannot read %s", STATUS_FILE);
		return -1;
	}
	rc = status_parse(text, len, st, e);
	free(text);
	return rc;
}
