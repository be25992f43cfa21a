/*
 * json.c: rec-find --json, one document: the range, and per station its
 * archives (with the manifest's codec, segments and losses under
 * --gaps) and its days (recorded, gap and lost seconds, and the spans).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "find.h"

static json_t *
jtime(int64_t ns)
{
	char b[32];

	return json_string(fmt_time(ns, b));
}

static json_t *
jsecs(int64_t ns)
{
	return json_real((double)ns / 1e9);
}

static json_t *
jarc(const struct find *f, const struct arc *a)
{
	const struct catalog_entry *ce = a->ce;
	json_t *o = json_object();
	char *cmd = getcmd(f, a);

	json_object_set_new(o, "name", json_string(ce->name));
	json_object_set_new(o, "key", json_string(ce->key));
	json_object_set_new(o, "start", jtime(ce->start_ns));
	json_object_set_new(o, "end", jtime(ce->end_ns));
	json_object_set_new(o, "bytes", json_integer((json_int_t)ce->size));
	json_object_set_new(o, "compress",
	    json_string(aname_compress_name(ce->an.compress)));
	json_object_set_new(o, "encrypted", json_boolean(ce->an.encrypted));
	json_object_set_new(o, "codec", a->codec[0] ? json_string(a->codec) :
	    json_null());
	json_object_set_new(o, "etag", json_string(ce->etag));
	if (a->have_manifest) {
		json_object_set_new(o, "segments",
		    json_integer((json_int_t)a->nsegs));
		json_object_set_new(o, "lost_frames",
		    json_integer((json_int_t)a->lost_frames));
		json_object_set_new(o, "lost_seconds", jsecs(a->lost_ns));
		json_object_set_new(o, "clock_unsynced",
		    json_integer((json_int_t)a->unsynced));
	}
	if (a->error[0])
		json_object_set_new(o, "manifest_error",
		    json_string(a->error));
	if (cmd)
		json_object_set_new(o, "rec_get", json_string(cmd));
	if (a->url)
		json_object_set_new(o, "url", json_string(a->url));
	free(cmd);
	return o;
}

static json_t *
jday(const struct find *f, const struct day *d)
{
	static const char *const kinds[] = { "recorded", "gap", "lost" };
	json_t *o = json_object(), *sp = json_array();
	char b[16];
	size_t i;

	json_object_set_new(o, "day", json_string(fmt_day(d->day, b)));
	json_object_set_new(o, "from", jtime(d->a));
	json_object_set_new(o, "to", jtime(d->b));
	json_object_set_new(o, "recorded_seconds", jsecs(d->rec_ns));
	json_object_set_new(o, "gap_seconds", jsecs(d->gap_ns));
	json_object_set_new(o, "gaps", json_integer((json_int_t)d->ngaps));
	if (f->gaps) {
		json_object_set_new(o, "lost_seconds", jsecs(d->lost_ns));
		json_object_set_new(o, "losses",
		    json_integer((json_int_t)d->nlost));
	}
	for (i = 0; i < f->nspans; i++) {
		const struct span *s = &f->spans[i];
		json_t *j;
		if (s->b <= d->a || s->a >= d->b ||
		    strcmp(view_station(f, s), d->station) != 0)
			continue;
		j = json_object();
		json_object_set_new(j, "kind", json_string(kinds[s->kind]));
		json_object_set_new(j, "start", jtime(s->a));
		json_object_set_new(j, "end", jtime(s->b));
		json_object_set_new(j, "seconds", jsecs(s->b - s->a));
		if (s->arc >= 0 && s->kind != SPAN_GAP)
			json_object_set_new(j, "archive",
			    json_string(f->arcs[s->arc].ce->name));
		if (s->kind == SPAN_LOST)
			json_object_set_new(j, "frames",
			    json_integer((json_int_t)s->frames));
		json_array_append_new(sp, j);
	}
	json_object_set_new(o, "spans", sp);
	return o;
}

int
json_write(const struct find *f, FILE *out)
{
	json_t *root = json_object(), *sts = json_array();
	size_t s, i;
	int rc;

	json_object_set_new(root, "from", jtime(f->from));
	json_object_set_new(root, "to", jtime(f->to));
	if (f->bucket)
		json_object_set_new(root, "bucket", json_string(f->bucket));
	for (s = 0; s < f->cat.nstations; s++) {
		const char *st = f->cat.stations[s];
		json_t *o = json_object(), *arcs = json_array(),
		    *days = json_array();
		for (i = 0; i < f->cat.n; i++)
			if (strcmp(f->arcs[i].ce->an.station, st) == 0)
				json_array_append_new(arcs, jarc(f,
				    &f->arcs[i]));
		for (i = 0; i < f->ndays; i++)
			if (strcmp(f->days[i].station, st) == 0)
				json_array_append_new(days, jday(f,
				    &f->days[i]));
		json_object_set_new(o, "station", json_string(st));
		json_object_set_new(o, "archives", arcs);
		json_object_set_new(o, "days", days);
		json_array_append_new(sts, o);
	}
	json_object_set_new(root, "stations", sts);
	rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (rc < 0) {
		errno = ENOMEM;
		return -1;
	}
	fputc('\n', out);
	return ferror(out) ? -1 : 0;
}
