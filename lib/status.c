/*
 * status: recd's status file as JSON (jansson), written with
 * file_replace so that readers see the old or the new file, never a mix.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
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
	if (st->window_end_ns != 0 && json_object_set_new(root, "window",
	    json_pack("{s:o, s:o}", "start", jsonf_time(st->window_start_ns),
	    "end", jsonf_time(st->window_end_ns))) < 0)
		goto out;
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
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
	json_t *root, *recd, *kids, *cyc, *pend, *cap, *o;
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
