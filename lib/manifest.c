/*
 * manifest: write and read manifest.json with jansson (see manifest.h).
 * Reading is strict: a manifest that does not prove every field it needs
 * is refused, since --verify trusts nothing else in the archive.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "manifest.h"
#include "utc.h"

int
manifest_gaps_parse(const char *s, struct manifest_gap **g, size_t *n)
{
	struct manifest_gap *a = NULL;
	size_t cnt = 0;
	const char *p = s;

	*g = NULL;
	*n = 0;
	while (*p == ' ')
		p++;
	if (*p == '\0')
		return 0;
	for (;;) {
		char *end;
		unsigned long long off, len;
		struct manifest_gap *na;

		if (*p < '0' || *p > '9')
			goto bad;
		errno = 0;
		off = strtoull(p, &end, 10);
		if (errno != 0 || *end != '+' || end[1] < '0' || end[1] > '9')
			goto bad;
		len = strtoull(end + 1, &end, 10);
		if (errno != 0)
			goto bad;
		na = realloc(a, (cnt + 1) * sizeof *a);
		if (na == NULL) {
			free(a);
			return -1;
		}
		a = na;
		a[cnt].off = off;
		a[cnt].len = len;
		cnt++;
		while (*end == ' ')
			end++;
		if (*end == '\0')
			break;
		if (*end != ',')
			goto bad;
		p = end + 1;
		while (*p == ' ')
			p++;
	}
	*g = a;
	*n = cnt;
	return 0;
bad:
	free(a);
	errno = EINVAL;
	return -1;
}

static json_t *
iso(const struct timespec *ts)
{
	char buf[40];

	return json_string(utc_iso(ts, buf, sizeof buf));
}

/* A level in dBFS: null for -inf. */
static json_t *
db(double v)
{
	return isinf(v) ? json_null() : json_real(v);
}

/* "levels": one object per channel. */
static json_t *
levels_json(const struct manifest_seg *s)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < s->nlevels; i++) {
		const struct level_stat *l = &s->levels[i];

		json_array_append_new(a, json_pack("{s:o,s:o,s:f,s:I,s:b,s:f}",
		    "peak", db(l->peak), "rms", db(l->rms), "dc", l->dc,
		    "clipped", (json_int_t)l->clipped, "flat", l->flat,
		    "hum", l->hum));
	}
	return a;
}

/*
 * "clock": synced, est_error and max_error (seconds), ppm when measured,
 * steps ([offset, ns] pairs) when there were any, in that order.
 */
static json_t *
clock_json(const struct manifest_clock *c)
{
	json_t *o = json_object(), *steps;

	json_object_set_new(o, "synced", json_boolean(c->synced));
	json_object_set_new(o, "est_error", json_real((double)c->est_ns / 1e9));
	json_object_set_new(o, "max_error", json_real((double)c->max_ns / 1e9));
	if (c->have_ppm)
		json_object_set_new(o, "ppm", json_real(c->ppm));
	if (c->nsteps > 0) {
		steps = json_array();
		for (size_t i = 0; i < c->nsteps; i++)
			json_array_append_new(steps, json_pack("[II]",
			    (json_int_t)c->steps[i].off,
			    (json_int_t)c->steps[i].ns));
		json_object_set_new(o, "steps", steps);
	}
	return o;
}

static json_t *
seg_json(const struct manifest_seg *s, const char *codec)
{
	json_t *o = json_object(), *gaps = json_array();
	int wav;

	/* a member in another codec than the archive's says so */
	if (s->codec[0] != '\0' && strcmp(s->codec, codec) != 0)
		codec = s->codec;
	wav = strcmp(codec, "wav") == 0;

	for (size_t i = 0; i < s->ngaps; i++)
		json_array_append_new(gaps, json_pack("[II]",
		    (json_int_t)s->gaps[i].off, (json_int_t)s->gaps[i].len));
	json_object_set_new(o, "name", json_string(s->name));
	json_object_set_new(o, "member", json_string(s->member));
	if (codec == s->codec)
		json_object_set_new(o, "codec", json_string(codec));
	json_object_set_new(o, "start", iso(&s->start));
	json_object_set_new(o, "frames", json_integer((json_int_t)s->frames));
	json_object_set_new(o, "rate", json_integer(s->spec.rate));
	json_object_set_new(o, "channels", json_integer(s->spec.channels));
	json_object_set_new(o, "format",
	    json_string(pcm_format_name(s->spec.format)));
	json_object_set_new(o, "gaps", gaps);
	json_object_set_new(o, "lost_frames",
	    json_integer((json_int_t)s->lost_frames));
	json_object_set_new(o, "recovered", json_boolean(s->recovered));
	json_object_set_new(o, "run", json_string(s->run));
	json_object_set_new(o, "first_frame",
	    json_integer((json_int_t)s->first_frame));
	json_object_set_new(o, "size", json_integer((json_int_t)s->size));
	json_object_set_new(o, "offset",
	    json_integer((json_int_t)s->offset));
	json_object_set_new(o, "sha256", json_string(s->sha256));
	if (s->pcm_sha256[0] != '\0')
		json_object_set_new(o, "pcm_sha256",
		    json_string(s->pcm_sha256));
	if (wav) {
		json_object_set_new(o, "pcm_offset",
		    json_integer((json_int_t)s->pcm_off));
		json_object_set_new(o, "pcm_bytes",
		    json_integer((json_int_t)s->pcm_len));
	}
	if (s->loc_position[0] != '\0')
		json_object_set_new(o, "loc_position",
		    json_string(s->loc_position));
	if (s->loc_elevation[0] != '\0')
		json_object_set_new(o, "loc_elevation",
		    json_string(s->loc_elevation));
	if (s->nlevels > 0)
		json_object_set_new(o, "levels", levels_json(s));
	if (s->clock.have)
		json_object_set_new(o, "clock", clock_json(&s->clock));
	return o;
}

int
manifest_dump(const struct manifest *m, char **out, size_t *len,
    struct err *e)
{
	json_t *root = json_object(), *segs = json_array();
	char *s;

	json_object_set_new(root, "format", json_string(MANIFEST_FORMAT));
	json_object_set_new(root, "station", json_string(m->station));
	json_object_set_new(root, "tool", json_string(m->tool));
	json_object_set_new(root, "codec", json_string(m->codec));
	json_object_set_new(root, "start", iso(&m->start));
	json_object_set_new(root, "end", iso(&m->end));
	for (size_t i = 0; i < m->nsegs; i++)
		json_array_append_new(segs, seg_json(&m->segs[i], m->codec));
	json_object_set_new(root, "segments", segs);
	s = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(9));
	json_decref(root);
	if (s == NULL) {
		err_set(e, EX_SOFTWARE, "cannot write the manifest");
		return -1;
	}
	*len = strlen(s);
	/* json_dumps output plus a final newline */
	{
		char *t = realloc(s, *len + 2);
		if (t == NULL) {
			free(s);
			err_set(e, EX_OSERR, "out of memory");
			return -1;
		}
		s = t;
		s[(*len)++] = '\n';
		s[*len] = '\0';
	}
	*out = s;
	return 0;
}

static int
get_str(json_t *o, const char *key, char *buf, size_t len)
{
	json_t *v = json_object_get(o, key);
	const char *s;

	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	if (strlen(s) >= len)
		return -1;
	strcpy(buf, s);
	return 0;
}

static int
get_u64(json_t *o, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int
get_time(json_t *o, const char *key, struct timespec *ts)
{
	char buf[64];

	if (get_str(o, key, buf, sizeof buf) == -1 ||
	    utc_parse_iso(buf, ts) == -1)
		return -1;
	return 0;
}

static int
is_hex64(const char *s)
{
	if (strlen(s) != 64)
		return 0;
	return strspn(s, "0123456789abcdef") == 64;
}

/* A level in dBFS (null: -inf) into *v; 0 or -1. */
static int
get_db(json_t *o, const char *key, double *v)
{
	json_t *j = json_object_get(o, key);

	if (json_is_null(j))
		*v = -INFINITY;
	else if (json_is_number(j))
		*v = json_number_value(j);
	else
		return -1;
	return 0;
}

/* "levels" (optional): one object per channel. 0 or -1. */
static int
levels_load(json_t *a, struct manifest_seg *s)
{
	struct level_stat *l;
	json_t *o, *f;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) != s->spec.channels)
		return -1;
	if ((s->levels = calloc(s->spec.channels, sizeof *s->levels)) == NULL)
		return -1;
	s->nlevels = s->spec.channels;
	json_array_foreach(a, i, o) {
		l = &s->levels[i];
		f = json_object_get(o, "flat");
		if (!json_is_object(o) || get_db(o, "peak", &l->peak) == -1 ||
		    get_db(o, "rms", &l->rms) == -1 ||
		    !json_is_number(json_object_get(o, "dc")) ||
		    !json_is_number(json_object_get(o, "hum")) ||
		    get_u64(o, "clipped", &l->clipped) == -1 ||
		    !json_is_boolean(f))
			return -1;
		l->dc = json_number_value(json_object_get(o, "dc"));
		l->hum = json_number_value(json_object_get(o, "hum"));
		l->flat = json_is_true(f);
	}
	return 0;
}

/* Seconds (a number, 0 .. 9e9) of key into *ns, to the nanosecond; 0
 * or -1. */
static int
get_seconds(json_t *o, const char *key, int64_t *ns)
{
	json_t *v = json_object_get(o, key);
	double d;

	if (!json_is_number(v))
		return -1;
	d = json_number_value(v);
	if (!(d >= 0 && d <= 9e9))
		return -1;
	*ns = llround(d * 1e9);
	return 0;
}

/* "clock" (optional) of a segment of frames frames; 0 or -1 with *what. */
static int
clock_load(json_t *o, struct manifest_clock *c, uint64_t frames,
    const char **what)
{
	json_t *v, *st;
	size_t i;

	*what = "clock";
	if (!json_is_object(o))
		return -1;
	*what = "clock.synced";
	v = json_object_get(o, "synced");
	if (!json_is_boolean(v))
		return -1;
	c->synced = json_is_true(v);
	*what = "clock.est_error";
	if (get_seconds(o, "est_error", &c->est_ns) == -1)
		return -1;
	*what = "clock.max_error";
	if (get_seconds(o, "max_error", &c->max_ns) == -1)
		return -1;
	*what = "clock.ppm";
	if ((v = json_object_get(o, "ppm")) != NULL) {
		if (!json_is_number(v))
			return -1;
		c->ppm = json_number_value(v);
		c->have_ppm = 1;
	}
	/* absent when there was no step: an empty list is no manifest
	 * rec-archive writes */
	*what = "clock.steps";
	if ((v = json_object_get(o, "steps")) != NULL) {
		if (!json_is_array(v) || json_array_size(v) == 0)
			return -1;
		c->steps = calloc(json_array_size(v), sizeof *c->steps);
		if (c->steps == NULL)
			return -1;
		json_array_foreach(v, i, st) {
			json_t *a = json_array_get(st, 0),
			    *b = json_array_get(st, 1);

			if (!json_is_array(st) || json_array_size(st) != 2 ||
			    !json_is_integer(a) || !json_is_integer(b) ||
			    json_integer_value(a) < 0 ||
			    (uint64_t)json_integer_value(a) > frames)
				return -1;
			c->steps[i].off = (uint64_t)json_integer_value(a);
			c->steps[i].ns = (int64_t)json_integer_value(b);
			c->nsteps++;
		}
	}
	c->have = 1;
	return 0;
}

static int
seg_load(json_t *o, struct manifest_seg *s, const char *codec,
    const char **what)
{
	char fmt[16];
	uint64_t v;
	json_t *gaps;
	size_t i;
	json_t *g;
	int wav;

	*what = "name";
	if (!json_is_object(o) || get_str(o, "name", s->name,
	    sizeof s->name) == -1)
		return -1;
	*what = "member";
	if (get_str(o, "member", s->member, sizeof s->member) == -1 ||
	    strchr(s->member, '/') != NULL || s->member[0] == '.')
		return -1;
	*what = "codec";
	snprintf(s->codec, sizeof s->codec, "%s", codec);
	if (json_object_get(o, "codec") != NULL && (get_str(o, "codec",
	    s->codec, sizeof s->codec) == -1 ||
	    (strcmp(s->codec, "wav") != 0 && strcmp(s->codec, "flac") != 0)))
		return -1;
	wav = strcmp(s->codec, "wav") == 0;
	*what = "start";
	if (get_time(o, "start", &s->start) == -1)
		return -1;
	*what = "frames";
	if (get_u64(o, "frames", &s->frames) == -1)
		return -1;
	*what = "rate";
	if (get_u64(o, "rate", &v) == -1 || v < 1 || v > 768000)
		return -1;
	s->spec.rate = (unsigned)v;
	*what = "channels";
	if (get_u64(o, "channels", &v) == -1 || v < 1 || v > 32)
		return -1;
	s->spec.channels = (unsigned)v;
	*what = "format";
	if (get_str(o, "format", fmt, sizeof fmt) == -1 ||
	    pcm_format_parse(fmt, &s->spec.format) == -1)
		return -1;
	*what = "gaps";
	gaps = json_object_get(o, "gaps");
	if (!json_is_array(gaps))
		return -1;
	if (json_array_size(gaps) > 0) {
		s->gaps = calloc(json_array_size(gaps), sizeof *s->gaps);
		if (s->gaps == NULL)
			return -1;
	}
	json_array_foreach(gaps, i, g) {
		json_t *a = json_array_get(g, 0), *b = json_array_get(g, 1);
		if (!json_is_integer(a) || !json_is_integer(b) ||
		    json_integer_value(a) < 0 || json_integer_value(b) < 0)
			return -1;
		s->gaps[i].off = (uint64_t)json_integer_value(a);
		s->gaps[i].len = (uint64_t)json_integer_value(b);
		s->ngaps++;
	}
	*what = "lost_frames";
	if (get_u64(o, "lost_frames", &s->lost_frames) == -1)
		return -1;
	*what = "recovered";
	if (!json_is_boolean(json_object_get(o, "recovered")))
		return -1;
	s->recovered = json_is_true(json_object_get(o, "recovered"));
	*what = "run";
	if (get_str(o, "run", s->run, sizeof s->run) == -1)
		return -1;
	*what = "first_frame";
	if (get_u64(o, "first_frame", &s->first_frame) == -1)
		return -1;
	*what = "size";
	if (get_u64(o, "size", &s->size) == -1)
		return -1;
	*what = "offset";
	if (get_u64(o, "offset", &s->offset) == -1 || s->offset == 0 ||
	    s->offset % 512 != 0)
		return -1;
	*what = "sha256";
	if (get_str(o, "sha256", s->sha256, sizeof s->sha256) == -1 ||
	    !is_hex64(s->sha256))
		return -1;
	/* FLAC: required; WAV: none (sha256 covers the PCM range) */
	*what = "pcm_sha256";
	s->pcm_sha256[0] = '\0';
	if (wav ? json_object_get(o, "pcm_sha256") != NULL :
	    get_str(o, "pcm_sha256", s->pcm_sha256,
	    sizeof s->pcm_sha256) == -1 || !is_hex64(s->pcm_sha256))
		return -1;
	if (wav) {
		*what = "pcm_offset";
		if (get_u64(o, "pcm_offset", &s->pcm_off) == -1 ||
		    get_u64(o, "pcm_bytes", &s->pcm_len) == -1 ||
		    s->pcm_off + s->pcm_len > s->size ||
		    s->pcm_len != s->frames * pcm_frame_bytes(&s->spec))
			return -1;
	}
	*what = "loc_position";
	if (json_object_get(o, "loc_position") != NULL && get_str(o,
	    "loc_position", s->loc_position, sizeof s->loc_position) == -1)
		return -1;
	*what = "loc_elevation";
	if (json_object_get(o, "loc_elevation") != NULL && get_str(o,
	    "loc_elevation", s->loc_elevation, sizeof s->loc_elevation) == -1)
		return -1;
	*what = "levels";
	if (json_object_get(o, "levels") != NULL &&
	    levels_load(json_object_get(o, "levels"), s) == -1)
		return -1;
	if (json_object_get(o, "clock") != NULL &&
	    clock_load(json_object_get(o, "clock"), &s->clock, s->frames,
	    what) == -1)
		return -1;
	return 0;
}

/*
 * 1 when segment i repeats an earlier one's name or member, or its member
 * is named like the manifest: an archive holds each segment once, and
 * extracting it must not overwrite one member with another.
 */
static int
seg_repeats(const struct manifest *m, size_t i, const char **what)
{
	const struct manifest_seg *s = &m->segs[i];

	*what = "member";
	if (strcmp(s->member, MANIFEST_NAME) == 0)
		return 1;
	for (size_t j = 0; j < i; j++) {
		if (strcmp(m->segs[j].member, s->member) == 0)
			return 1;
		if (strcmp(m->segs[j].name, s->name) == 0) {
			*what = "name";
			return 1;
		}
	}
	return 0;
}

int
manifest_load(const char *text, size_t len, struct manifest *m,
    struct err *e)
{
	json_error_t je;
	json_t *root, *segs, *o;
	const char *what = "format";
	char fmt[32];
	size_t i;

	memset(m, 0, sizeof *m);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		err_set(e, EX_DATAERR, "bad manifest: line %d: %s", je.line,
		    je.text);
		return -1;
	}
	if (!json_is_object(root) || get_str(root, "format", fmt,
	    sizeof fmt) == -1 || strcmp(fmt, MANIFEST_FORMAT) != 0)
		goto bad;
	what = "station";
	if (get_str(root, "station", m->station, sizeof m->station) == -1)
		goto bad;
	what = "tool";
	if (get_str(root, "tool", m->tool, sizeof m->tool) == -1)
		goto bad;
	what = "codec";
	if (get_str(root, "codec", m->codec, sizeof m->codec) == -1 ||
	    (strcmp(m->codec, "wav") != 0 && strcmp(m->codec, "flac") != 0))
		goto bad;
	what = "start";
	if (get_time(root, "start", &m->start) == -1)
		goto bad;
	what = "end";
	if (get_time(root, "end", &m->end) == -1)
		goto bad;
	what = "segments";
	segs = json_object_get(root, "segments");
	if (!json_is_array(segs))
		goto bad;
	if (json_array_size(segs) > 0) {
		m->segs = calloc(json_array_size(segs), sizeof *m->segs);
		if (m->segs == NULL)
			goto bad;
	}
	json_array_foreach(segs, i, o) {
		m->nsegs++;
		int rep = 0;
		if (seg_load(o, &m->segs[i], m->codec, &what) == -1 ||
		    (rep = seg_repeats(m, i, &what))) {
			err_set(e, EX_DATAERR, "bad manifest: segment %zu: %s "
			    "'%s'", i + 1, rep ? "repeated" : "bad or missing",
			    what);
			json_decref(root);
			manifest_free(m);
			return -1;
		}
	}
	json_decref(root);
	return 0;
bad:
	err_set(e, EX_DATAERR, "bad manifest: bad or missing '%s'", what);
	json_decref(root);
	manifest_free(m);
	return -1;
}

void
manifest_free(struct manifest *m)
{
	for (size_t i = 0; i < m->nsegs; i++) {
		free(m->segs[i].gaps);
		free(m->segs[i].levels);
		free(m->segs[i].clock.steps);
	}
	free(m->segs);
	memset(m, 0, sizeof *m);
}
