/*
 * rec-status --bucket: the fleet from the store.  Lists {prefix} with
 * delimiter '/' to find the stations, reads each {prefix}{station}/
 * health.json (lib/heartbeat), and says per station when it was last
 * seen (the store's clock: LastModified), whether that is stale (more
 * than twice the station's own heartbeat interval ago), its state,
 * alarms, backlog and free space.
 */
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "log.h"
#include "rstatus.h"
#include "s3.h"
#include "store.h"
#include "utc.h"

#define DEF_INTERVAL_S	900	/* a heartbeat that does not say its own */

static void
s3_log(int level, const char *msg)
{
	(void)level;
	log_info("%s", msg);
}

/* The store as [upload] of rec.conf names it (as rec-upload reads it). */
static struct s3 *
open_store(const struct conf *c, const char **bucket, struct err *e)
{
	struct s3_conf sc;
	const char *v;

	memset(&sc, 0, sizeof(sc));
	sc.bucket = *bucket = conf_get(c, "upload", "bucket");
	if (sc.bucket == NULL || *sc.bucket == '\0') {
		err_set(e, EX_CONFIG, "no bucket: --bucket needs bucket in "
		    "[upload] of rec.conf");
		return NULL;
	}
	sc.endpoint = conf_get(c, "upload", "endpoint");
	sc.region = conf_get(c, "upload", "region");
	store_env(&sc);
	v = conf_get(c, "upload", "addressing");
	sc.addressing = v == NULL || strcmp(v, "auto") == 0 ? S3_ADDR_AUTO :
	    strcmp(v, "path") == 0 ? S3_ADDR_PATH : S3_ADDR_VIRTUAL;
	sc.ca_file = conf_get(c, "upload", "ca-file");
	sc.resolve = conf_get(c, "upload", "resolve");
	sc.max_tries = 3;	/* a look, not a transfer */
	sc.timeout = 10;
	sc.log = s3_log;
	return store_open(c, &sc, NULL, 0, e);
}

/* Read {p}health.json of one station into row. */
static void
read_station(struct s3 *s, const char *p, size_t plen, struct station_row *row,
    int64_t now_ns)
{
	struct s3_listing l;
	struct err e;
	char key[1100], *buf = NULL;
	size_t n, i;

	memset(row, 0, sizeof(*row));
	heartbeat_init(&row->hb);
	snprintf(row->name, sizeof(row->name), "%.*s",
	    (int)(strlen(p) - plen - 1), p + plen);
	row->interval_s = DEF_INTERVAL_S;
	snprintf(key, sizeof(key), "%s%s", p, HEARTBEAT_OBJECT);
	memset(&l, 0, sizeof(l));
	if (s3_list(s, key, NULL, &l, &e) == 0) {
		for (i = 0; i < l.nobj; i++)
			if (strcmp(l.obj[i].key, key) == 0)
				row->seen_ns = l.obj[i].mtime_ns;
		s3_listing_free(&l);
	}
	if (s3_get(s, key, 0, 0, HEARTBEAT_MAX_BYTES, &buf, &n, &e) < 0) {
		snprintf(row->why, sizeof(row->why), "%s", e.msg);
		row->stale = 1;
		return;
	}
	if (heartbeat_parse(buf, n, &row->hb, &e) < 0) {
		snprintf(row->why, sizeof(row->why), "%.800s: %.500s", key, e.msg);
		row->stale = 1;
		free(buf);
		return;
	}
	free(buf);
	row->readable = 1;
	if (row->seen_ns != 0 && row->hb.time_ns != 0) {
		row->clock_known = 1;
		row->clock_off_s = (row->hb.time_ns - row->seen_ns) /
		    1000000000;
	}
	if (row->seen_ns == 0)
		row->seen_ns = row->hb.time_ns;
	if (row->hb.interval_s > 0)
		row->interval_s = row->hb.interval_s;
	row->stale = row->seen_ns == 0 || now_ns - row->seen_ns >
	    (int64_t)row->interval_s * 2 * 1000000000;
}

static int
no_such_key(const struct s3 *s)
{
	const char *code;

	s3_last(s, NULL, &code);
	return code != NULL && strcmp(code, "NoSuchKey") == 0;
}

static json_t *
jtime(int64_t ns)
{
	char b[40];

	return ns ? json_string(utc_iso_ns(ns, b, sizeof(b))) : json_null();
}

/* "clock" of a station: its heartbeat's, as in DIR/status. */
static json_t *
clock_json(const struct heartbeat *h)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
	    "synced", h->clock_synced < 0 ? json_null() :
	    json_boolean(h->clock_synced),
	    "est_error_us", h->est_error_ns < 0 ? json_null() :
	    json_integer(h->est_error_ns / 1000),
	    "max_error_us", h->max_error_ns < 0 ? json_null() :
	    json_integer(h->max_error_ns / 1000),
	    "unsynced_since", jtime(h->unsynced_ns),
	    "waiting_since", jtime(h->wait_since_ns),
	    "waiting_until", jtime(h->wait_until_ns));
}

/* The rows as JSON: every station with its verdict and its own object. */
static int
print_json(const struct station_row *rows, size_t n, const char *where,
    int64_t now_ns)
{
	json_t *root, *arr, *al, *o;
	char *text;
	size_t i, j;

	arr = json_array();
	for (i = 0; i < n; i++) {
		const struct station_row *r = &rows[i];
		al = json_array();
		for (j = 0; j < r->hb.nalarms; j++)
			json_array_append_new(al, json_string(r->hb.alarms[j]));
		o = json_pack("{s:s, s:s, s:o, s:I, s:I, s:b, s:s, s:o,"
		    " s:I, s:I, s:o, s:I, s:o, s:s*}",
		    "station", r->name,
		    "verdict", !r->readable ? "unreadable" : r->stale ?
		    "stale" : r->hb.nalarms ? "alarm" : "ok",
		    "last_seen", jtime(r->seen_ns),
		    "age", (json_int_t)(r->seen_ns ? (now_ns - r->seen_ns) /
		    1000000000 : -1),
		    "interval", (json_int_t)r->interval_s,
		    "stale", r->stale,
		    "state", r->hb.recd,
		    "alarms", al,
		    "pending_archives", (json_int_t)r->hb.out_count,
		    "pending_bytes", (json_int_t)(r->hb.out_bytes +
		    r->hb.seg_bytes),
		    "oldest_pending", jtime(r->hb.oldest_ns),
		    "free_bytes", (json_int_t)r->hb.free_bytes,
		    "clock_offset", r->clock_known ?
		    json_integer(r->clock_off_s) : json_null(),
		    "error", r->readable ? NULL : r->why);
		if (o != NULL) {
			json_object_set_new(o, "clock", clock_json(&r->hb));
			json_object_set_new(o, "levels",
			    status_levels_json(&r->hb.levels));
		}
		json_array_append_new(arr, o);
	}
	root = json_pack("{s:s, s:o, s:o}", "store", where, "checked",
	    jtime(now_ns), "stations", arr);
	text = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(10)) : NULL;
	json_decref(root);
	if (text == NULL)
		return -1;
	puts(text);
	free(text);
	return 0;
}

/* One line per station. */
static void
print_human(const struct station_row *rows, size_t n, int64_t now_ns)
{
	char a[64], b[32], c[32], d[64], k[200];
	size_t i, j;

	for (i = 0; i < n; i++) {
		const struct station_row *r = &rows[i];
		const struct heartbeat *h = &r->hb;
		if (!r->readable) {
			printf("%-16s UNREADABLE  %s\n", r->name, r->why);
			continue;
		}
		printf("%-16s %-6s seen %s, %s, backlog %" PRIu64
		    " archives (%s), oldest %s, free %s, clock %s, alarms: ",
		    r->name, r->stale ? "STALE" : "fresh",
		    when(r->seen_ns, now_ns, a, sizeof(a)), h->recd,
		    h->out_count, human_bytes(h->out_bytes + h->seg_bytes, b,
		    sizeof(b)), h->oldest_ns ? human_secs((now_ns -
		    h->oldest_ns) / 1000000000, c, sizeof(c)) : "-",
		    human_bytes(h->free_bytes, d, sizeof(d)),
		    hb_clock_text(h, k, sizeof(k)));
		if (h->nalarms == 0)
			fputs("none", stdout);
		for (j = 0; j < h->nalarms; j++)
			printf("%s%s", j ? "; " : "", h->alarms[j]);
		if (r->clock_known && (r->clock_off_s >= CLOCK_OFF_S ||
		    r->clock_off_s <= -CLOCK_OFF_S))
			printf("; clock %+" PRId64 "s from the store's",
			    r->clock_off_s);
		putchar('\n');
	}
}

int
bucket_run(const struct conf *c, int json, const char *html, int64_t now_ns)
{
	struct station_row *rows = NULL;
	struct s3_listing l;
	struct s3 *s = NULL;
	struct err e;
	const char *bucket, *prefix;
	char where[1200];
	size_t i, n = 0, plen;
	int rc = 0;

	memset(&l, 0, sizeof(l));
	if ((prefix = conf_get(c, "upload", "prefix")) == NULL)
		prefix = "";
	plen = strlen(prefix);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		log_error("cannot initialise libcurl");
		return EX_OSERR;
	}
	if ((s = open_store(c, &bucket, &e)) == NULL) {
		log_error("%s", e.msg);
		rc = e.ex;
		goto out;
	}
	snprintf(where, sizeof(where), "s3://%s/%s", bucket, prefix);
	if (s3_list(s, prefix, "/", &l, &e) < 0) {
		log_error("cannot list %s: %s", where, e.msg);
		rc = e.ex == EX_NOPERM || e.ex == EX_CONFIG ? e.ex :
		    EX_UNAVAILABLE;
		goto out;
	}
	if (l.nprefixes && (rows = calloc(l.nprefixes, sizeof(*rows))) ==
	    NULL) {
		log_error("out of memory");
		rc = EX_OSERR;
		goto out;
	}
	for (i = 0; i < l.nprefixes; i++) {
		read_station(s, l.prefixes[i], plen, &rows[n], now_ns);
		/* a folder without health.json is no station of ours */
		if (!rows[n].readable && no_such_key(s))
			continue;
		if (rows[n].stale)
			rc = BUCKET_STALE;
		else if (rows[n].hb.nalarms && rc == 0)
			rc = BUCKET_ALARM;
		n++;
	}
	if (n == 0) {
		log_error("no station has a %s under %s", HEARTBEAT_OBJECT,
		    where);
		rc = EX_NOINPUT;
	}
	if (html != NULL) {	/* the page only */
		if (html_fleet(html, where, rows, n, now_ns) < 0) {
			log_error("cannot write %s: %s", html,
			    strerror(errno));
			rc = EX_CANTCREAT;
		}
		goto out;
	}
	if (json ? print_json(rows, n, where, now_ns) < 0 :
	    (print_human(rows, n, now_ns), 0)) {
		log_error("out of memory");
		rc = EX_OSERR;
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		log_error("cannot write to stdout: %s", strerror(errno));
		rc = EX_IOERR;
	}
out:
	free(rows);
	s3_listing_free(&l);
	s3_free(s);
	curl_global_cleanup();
	return rc;
}
