/*
 * catalog: list the date prefixes of a time range for each station and
 * keep the archives that overlap it; read an archive's manifest from
 * its first bytes (ranged GET, age, decompression, first tar member).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <archive.h>
#include <archive_entry.h>
#include <sodium.h>

#include "catalog.h"
#include "conf.h"
#include "strbuf.h"
#include "utc.h"

#define NS		1000000000LL
#define DAY_NS		(86400LL * NS)
#define FIRST_READ	(256u << 10)

/* The UTC midnight at or before t. */
static int64_t
day_floor(int64_t t)
{
	int64_t d = t / DAY_NS;

	if (t % DAY_NS < 0)
		d--;
	return d * DAY_NS;
}

char *
catalog_day_prefix(const char *tmpl, const char *prefix, const char *station,
    int64_t day_ns)
{
	struct strbuf b = { 0 };
	char iso[40];
	const char *t;

	if (tmpl == NULL)
		tmpl = CATALOG_DEF_TEMPLATE;
	utc_iso_ns(day_ns, iso, sizeof(iso));	/* "2026-11-28T00:..." */
	for (t = tmpl; *t;) {
		const char *end;
		size_t vl;

		if (*t != '{') {
			strbuf_add(&b, t++, 1);
			continue;
		}
		if ((end = strchr(t, '}')) == NULL)
			goto bad;
		vl = (size_t)(end - t - 1);
#define IS(s) (vl == sizeof(s) - 1 && strncmp(t + 1, s, vl) == 0)
		if (IS("prefix"))
			strbuf_str(&b, prefix ? prefix : "");
		else if (IS("station") && station != NULL)
			strbuf_str(&b, station);
		else if (IS("station") || IS("hh") || IS("name"))
			break;
		else if (IS("YYYY"))
			strbuf_add(&b, iso, 4);
		else if (IS("MM"))
			strbuf_add(&b, iso + 5, 2);
		else if (IS("DD"))
			strbuf_add(&b, iso + 8, 2);
		else
			goto bad;
#undef IS
		t = end + 1;
	}
	if (b.oom) {
		errno = ENOMEM;
		return NULL;
	}
	return strbuf_done(&b);
bad:
	free(b.p);
	errno = EINVAL;
	return NULL;
}

void
catalog_free(struct catalog *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].key);
	for (i = 0; i < c->nstations; i++)
		free(c->stations[i]);
	for (i = 0; i < c->nlisted; i++)
		free(c->listed[i]);
	free(c->v);
	free(c->stations);
	free(c->listed);
	memset(c, 0, sizeof(*c));
}

/* Append a copy of s to *v (*n entries); 0 or -1 (ENOMEM). */
static int
push_str(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (nv == NULL)
		return -1;
	*v = nv;
	if ((nv[*n] = strdup(s)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

static int
has_str(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct catalog_entry *x = a, *y = b;
	int c = strcmp(x->an.station, y->an.station);

	if (c)
		return c;
	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->key, y->key);
}

/*
 * How the template names stations: 'd' it has a date before {station}
 * (list each day up to it), 's' {station}/ with only literals and
 * {prefix} before it (find stations with a delimiter), 'n' no
 * {station} at all, 'x' anything else.
 */
static int
station_mode(const char *tmpl)
{
	const char *st = strstr(tmpl, "{station}"), *d;

	if (st == NULL)
		return 'n';
	for (d = tmpl; (d = strchr(d, '{')) != NULL && d < st; d++)
		if (strncmp(d, "{prefix}", 8) != 0)
			return 'd';
	return st[9] == '/' ? 's' : 'x';
}

/* List prefix (once per catalog) and keep the archives that match. */
static int
list_prefix(const struct catalog_query *q, struct catalog *c, size_t *cap,
    const char *pfx, const char *station, struct err *e)
{
	struct s3_listing l;
	size_t i;

	if (has_str(c->listed, c->nlisted, pfx))
		return 0;
	if (push_str(&c->listed, &c->nlisted, pfx) < 0)
		goto oom;
	if (s3_list(q->s3, pfx, NULL, &l, e) < 0)
		return -1;
	for (i = 0; i < l.nobj; i++) {
		const char *k = l.obj[i].key, *base = strrchr(k, '/');
		struct catalog_entry *en;
		struct aname an;
		int64_t s, t;

		base = base ? base + 1 : k;
		if (strlen(base) > ANAME_MAX || !aname_is_archive(base) ||
		    aname_parse(base, &an) < 0)
			continue;
		if (station && strcmp(an.station, station) != 0)
			continue;
		if (q->nstations > 0) {
			size_t j;
			for (j = 0; j < q->nstations; j++)
				if (strcmp(q->stations[j], an.station) == 0)
					break;
			if (j == q->nstations)
				continue;
		}
		s = utc_ns(&an.start);
		t = utc_ns(&an.end);
		if (t < s)	/* a clock set back: labels, not a span */
			t = s;
		if (!(s < q->to_ns && (t > q->from_ns || (t == s &&
		    s >= q->from_ns))))
			continue;
		if (c->n == *cap) {
			size_t nc = *cap ? *cap * 2 : 32;
			struct catalog_entry *nv = realloc(c->v,
			    nc * sizeof(*nv));
			if (nv == NULL)
				goto oom_l;
			c->v = nv;
			*cap = nc;
		}
		en = &c->v[c->n];
		memset(en, 0, sizeof(*en));
		if ((en->key = strdup(k)) == NULL)
			goto oom_l;
		c->n++;
		snprintf(en->name, sizeof(en->name), "%s", base);
		en->an = an;
		en->start_ns = s;
		en->end_ns = t;
		en->size = l.obj[i].size;
		memcpy(en->etag, l.obj[i].etag, sizeof(en->etag));
		en->mtime_ns = l.obj[i].mtime_ns;
		if (!has_str(c->stations, c->nstations, an.station) &&
		    push_str(&c->stations, &c->nstations, an.station) < 0)
			goto oom_l;
	}
	s3_listing_free(&l);
	return 0;
oom_l:
	s3_listing_free(&l);
oom:
	err_sys(e, EX_OSERR, "out of memory");
	return -1;
}

/* The stations under the literal start of the template ('s' mode). */
static int
find_stations(const struct catalog_query *q, const char *tmpl,
    struct catalog *c, struct err *e)
{
	struct s3_listing l;
	char *pfx;
	size_t i, pl;

	if ((pfx = catalog_day_prefix(tmpl, q->prefix, NULL, 0)) == NULL) {
		err_sys(e, errno == EINVAL ? EX_CONFIG : EX_OSERR, "cannot "
		    "expand the key template '%s'", tmpl);
		return -1;
	}
	if (push_str(&c->listed, &c->nlisted, pfx) < 0) {
		free(pfx);
		err_sys(e, EX_OSERR, "out of memory");
		return -1;
	}
	if (s3_list(q->s3, pfx, "/", &l, e) < 0) {
		free(pfx);
		return -1;
	}
	pl = strlen(pfx);
	for (i = 0; i < l.nprefixes; i++) {
		char *p = l.prefixes[i];
		size_t n = strlen(p);
		if (n <= pl + 1 || strncmp(p, pfx, pl) != 0 || p[n - 1] != '/')
			continue;
		p[n - 1] = '\0';
		/* other folders in the bucket are no stations */
		if (!conf_station_valid(p + pl) ||
		    has_str(c->stations, c->nstations, p + pl))
			continue;
		if (push_str(&c->stations, &c->nstations, p + pl) < 0) {
			s3_listing_free(&l);
			free(pfx);
			err_sys(e, EX_OSERR, "out of memory");
			return -1;
		}
	}
	s3_listing_free(&l);
	free(pfx);
	return 0;
}

int
catalog_find(const struct catalog_query *q, struct catalog *c,
    struct err *e)
{
	const char *tmpl = q->tmpl ? q->tmpl : CATALOG_DEF_TEMPLATE;
	int64_t d, first, last;
	size_t cap = 0, i, nst;
	int mode = station_mode(tmpl);

	memset(c, 0, sizeof(*c));
	if (q->from_ns >= q->to_ns) {
		err_set(e, EX_USAGE, "the range ends before it starts");
		return -1;
	}
	first = day_floor(q->from_ns) - DAY_NS;
	last = day_floor(q->to_ns - 1);
	if (q->nstations > 0) {
		for (i = 0; i < q->nstations; i++)
			if (!has_str(c->stations, c->nstations,
			    q->stations[i]) && push_str(&c->stations,
			    &c->nstations, q->stations[i]) < 0) {
				err_sys(e, EX_OSERR, "out of memory");
				goto fail;
			}
	} else if (mode == 's') {
		if (find_stations(q, tmpl, c, e) < 0)
			goto fail;
	} else if (mode == 'x') {
		err_set(e, EX_USAGE, "with key-template '%s' the stations "
		    "cannot be listed: name them with --station", tmpl);
		goto fail;
	}
	/* 'd' and 'n' without stations given: each day up to {station} */
	nst = (q->nstations > 0 || mode == 's') ? c->nstations : 1;
	for (i = 0; i < nst; i++) {
		const char *st = (q->nstations > 0 || mode == 's') ?
		    c->stations[i] : NULL;
		for (d = first; d <= last; d += DAY_NS) {
			char *pfx = catalog_day_prefix(tmpl, q->prefix, st, d);
			int rc;
			if (pfx == NULL) {
				err_sys(e, errno == EINVAL ? EX_CONFIG :
				    EX_OSERR, "cannot expand the key template "
				    "'%s'", tmpl);
				goto fail;
			}
			rc = list_prefix(q, c, &cap, pfx, st, e);
			free(pfx);
			if (rc < 0)
				goto fail;
		}
	}
	if (c->n > 0)
		qsort(c->v, c->n, sizeof(c->v[0]), cmp_entry);
	if (c->nstations > 0)
		qsort(c->stations, c->nstations, sizeof(c->stations[0]),
		    cmp_str);
	return 0;
fail:
	catalog_free(c);
	return -1;
}

/* ---- the manifest from the first bytes ---- */

struct memsrc {
	const unsigned char *p;
	size_t len, pos;
	int whole;		/* the whole object: its end is the end */
};

static ssize_t
mem_read(void *ctx, void *buf, size_t len)
{
	struct memsrc *m = ctx;

	if (m->pos == m->len) {
		if (m->whole)
			return 0;
		errno = EAGAIN;	/* more is in the store, not here */
		return -1;
	}
	if (len > m->len - m->pos)
		len = m->len - m->pos;
	memcpy(buf, m->p + m->pos, len);
	m->pos += len;
	return (ssize_t)len;
}

/*
 * The plaintext of the first len bytes of an age file: every STREAM
 * chunk known authentic (one whose successor has begun in them), into
 * a malloc'd *out of *outlen.  0, or -1 with e (EX_NOPERM: no identity
 * opens it; EX_DATAERR).  A read that reaches the end of what was
 * fetched only ends the plaintext.
 */
static int
age_prefix(const unsigned char *p, size_t len, int whole,
    const struct age_identity *ids, size_t nids, unsigned char **out,
    size_t *outlen, struct err *e)
{
	struct memsrc src = { p, len, 0, whole };
	struct age_dec *d = NULL;
	struct strbuf b = { 0 };
	unsigned char *chunk = NULL;
	struct err e2;
	ssize_t r;
	int rc = -1;

	*out = NULL;
	*outlen = 0;
	if (nids == 0) {
		err_set(e, EX_NOPERM, "encrypted: an identity is needed "
		    "(--identity)");
		return -1;
	}
	if ((d = age_dec_new(ids, nids, mem_read, &src, e)) == NULL) {
		if (!whole && src.pos == src.len)
			e->ex = EX_TEMPFAIL;	/* header longer: read more */
		return -1;
	}
	if ((chunk = malloc(AGE_CHUNK)) == NULL) {
		err_sys(e, EX_OSERR, "out of memory");
		goto out;
	}
	while ((r = age_dec_read(d, chunk, AGE_CHUNK, &e2)) > 0)
		strbuf_add(&b, chunk, (size_t)r);
	if (r < 0 && (whole || src.pos < src.len)) {
		*e = e2;	/* a real error, not the end of our bytes */
		goto out;
	}
	if (b.oom) {
		err_sys(e, EX_OSERR, "out of memory");
		goto out;
	}
	*out = (unsigned char *)b.p;
	*outlen = b.len;
	b.p = NULL;
	rc = 0;
out:
	if (chunk) {
		sodium_memzero(chunk, AGE_CHUNK);
		free(chunk);
	}
	free(b.p);
	age_dec_free(d);
	return rc;
}

/*
 * The first member of the (compressed) tar in p: 1 with *text and *tlen
 * (malloc'd) when it is complete, 0 when the bytes end before it does
 * (read more), -1 with e when it is no manifest.
 */
static int
first_member(const void *p, size_t len, int whole, const char *what,
    char **text, size_t *tlen, struct err *e)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	la_int64_t size;
	char *buf = NULL;
	size_t got = 0;
	int rc = -1, r;

	*text = NULL;
	if (a == NULL) {
		err_set(e, EX_OSERR, "out of memory");
		return -1;
	}
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_xz(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, p, len) != ARCHIVE_OK ||
	    (r = archive_read_next_header(a, &ae)) != ARCHIVE_OK) {
		if (!whole) {
			rc = 0;
			goto out;
		}
		err_set(e, EX_DATAERR, "%s: not a tar archive: %s", what,
		    archive_error_string(a) ? archive_error_string(a) : "?");
		goto out;
	}
	if (strcmp(archive_entry_pathname(ae), MANIFEST_NAME) != 0) {
		err_set(e, EX_DATAERR, "%s: the first member is '%s', not %s",
		    what, archive_entry_pathname(ae), MANIFEST_NAME);
		goto out;
	}
	size = archive_entry_size(ae);
	if (size < 0 || (uint64_t)size > MANIFEST_MAX) {
		err_set(e, EX_DATAERR, "%s: %s of %lld bytes", what,
		    MANIFEST_NAME, (long long)size);
		goto out;
	}
	if ((buf = malloc((size_t)size + 1)) == NULL) {
		err_set(e, EX_OSERR, "out of memory");
		goto out;
	}
	while (got < (size_t)size) {
		la_ssize_t n = archive_read_data(a, buf + got,
		    (size_t)size - got);
		if (n <= 0) {
			if (!whole) {
				rc = 0;
				goto out;
			}
			err_set(e, EX_DATAERR, "%s: %s cut short", what,
			    MANIFEST_NAME);
			goto out;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*text = buf;
	*tlen = got;
	buf = NULL;
	rc = 1;
out:
	free(buf);
	archive_read_free(a);
	return rc;
}

int
catalog_manifest(struct s3 *s3, const struct catalog_entry *ent,
    const struct age_identity *ids, size_t nids, struct manifest *m,
    uint64_t *fetched, struct err *e)
{
	uint64_t want = FIRST_READ, total = 0;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	for (;;) {
		char *buf = NULL, *text = NULL;
		unsigned char *plain = NULL;
		size_t n = 0, plen = 0, tlen = 0;
		int whole, r;

		if (s3_get(s3, ent->key, 0, want, (size_t)want, &buf, &n,
		    e) < 0)
			break;
		total += n;
		whole = n < want || (ent->size > 0 && n >= ent->size);
		if (ent->an.encrypted) {
			if (age_prefix((unsigned char *)buf, n, whole, ids,
			    nids, &plain, &plen, e) < 0) {
				free(buf);
				if (e->ex == EX_TEMPFAIL && !whole)
					goto more;
				break;
			}
			r = first_member(plain, plen, whole, ent->name, &text,
			    &tlen, e);
			sodium_memzero(plain, plen);
			free(plain);
		} else {
			r = first_member(buf, n, whole, ent->name, &text,
			    &tlen, e);
		}
		free(buf);
		if (r < 0)
			break;
		if (r > 0) {
			struct err e2;
			if (manifest_load(text, tlen, m, &e2) < 0)
				err_set(e, EX_DATAERR, "%s: %s", ent->name,
				    e2.msg);
			else
				rc = 0;
			free(text);
			break;
		}
		if (whole) {
			err_set(e, EX_DATAERR, "%s: no complete %s", ent->name,
			    MANIFEST_NAME);
			break;
		}
more:
		if (want >= (uint64_t)MANIFEST_MAX * 2) {
			err_set(e, EX_DATAERR, "%s: no %s in its first %llu "
			    "bytes", ent->name, MANIFEST_NAME,
			    (unsigned long long)want);
			break;
		}
		want *= 4;
	}
	if (fetched)
		*fetched = total;
	return rc;
}

/* ---- the nearest archives outside a range ---- */

struct walk {
	const struct catalog_query *q;
	const char *station;
	int dir;		/* -1: before from, +1: at or after to */
	char bound[3][5];	/* YYYY, MM, DD of the bound */
	int budget;		/* listings left */
	struct catalog_entry *best;
	int have;
};

static int
cmp_desc(const void *a, const void *b)
{
	return -strcmp(*(char *const *)a, *(char *const *)b);
}

/* The best archive among the keys of one day's prefix. */
static int
walk_day(struct walk *w, const char *base, struct err *e)
{
	struct s3_listing l;
	size_t i;

	if (w->budget-- <= 0)
		return 0;
	if (s3_list(w->q->s3, base, NULL, &l, e) < 0)
		return -1;
	for (i = 0; i < l.nobj; i++) {
		const char *k = l.obj[i].key, *b = strrchr(k, '/');
		struct aname an;
		int64_t s;
		char *dup;

		b = b ? b + 1 : k;
		if (strlen(b) > ANAME_MAX || !aname_is_archive(b) ||
		    aname_parse(b, &an) < 0 ||
		    strcmp(an.station, w->station) != 0)
			continue;
		s = utc_ns(&an.start);
		if (w->dir < 0 ? !(s < w->q->from_ns && (!w->have ||
		    s > w->best->start_ns)) : !(s >= w->q->to_ns &&
		    (!w->have || s < w->best->start_ns)))
			continue;
		if ((dup = strdup(k)) == NULL) {
			s3_listing_free(&l);
			err_sys(e, EX_OSERR, "out of memory");
			return -1;
		}
		free(w->best->key);
		memset(w->best, 0, sizeof(*w->best));
		w->best->key = dup;
		snprintf(w->best->name, sizeof(w->best->name), "%s", b);
		w->best->an = an;
		w->best->start_ns = s;
		w->best->end_ns = utc_ns(&an.end) > s ? utc_ns(&an.end) : s;
		w->best->size = l.obj[i].size;
		memcpy(w->best->etag, l.obj[i].etag, sizeof(w->best->etag));
		w->best->mtime_ns = l.obj[i].mtime_ns;
		w->have = 1;
	}
	s3_listing_free(&l);
	return w->have;
}

/*
 * Level 0..2 (years, months, days) under base, nearest first; tight:
 * the levels above equal the bound's.  1 found, 0 not, -1 error.
 */
static int
walk_level(struct walk *w, const char *base, int level, int tight,
    struct err *e)
{
	struct s3_listing l;
	size_t i, bl = strlen(base), want = level == 0 ? 4 : 2;
	char **c;
	size_t nc = 0;
	int rc = 0;

	if (level == 3)
		return walk_day(w, base, e);
	if (w->budget-- <= 0)
		return 0;
	if (s3_list(w->q->s3, base, "/", &l, e) < 0)
		return -1;
	/* the components, digits only, on the right side of the bound */
	if ((c = calloc(l.nprefixes + 1, sizeof(*c))) == NULL) {
		s3_listing_free(&l);
		err_sys(e, EX_OSERR, "out of memory");
		return -1;
	}
	for (i = 0; i < l.nprefixes; i++) {
		char *p = l.prefixes[i] + bl;
		int cmp;
		if (strlen(p) != want + 1 || p[want] != '/' ||
		    strspn(p, "0123456789") != want)
			continue;
		cmp = strncmp(p, w->bound[level], want);
		if (tight && (w->dir < 0 ? cmp > 0 : cmp < 0))
			continue;
		c[nc++] = l.prefixes[i];	/* owned by l */
	}
	qsort(c, nc, sizeof(*c), w->dir < 0 ? cmp_desc : cmp_str);
	for (i = 0; i < nc && rc == 0; i++)
		rc = walk_level(w, c[i], level + 1, tight &&
		    strncmp(c[i] + bl, w->bound[level], want) == 0, e);
	free(c);
	s3_listing_free(&l);
	return rc;
}

int
catalog_nearest(const struct catalog_query *q, const char *station,
    struct catalog_entry *before, int *have_before,
    struct catalog_entry *after, int *have_after, struct err *e)
{
	char *base = NULL, iso[40];
	int d, rc = -1;

	memset(before, 0, sizeof(*before));
	memset(after, 0, sizeof(*after));
	*have_before = *have_after = 0;
	if (q->tmpl && strcmp(q->tmpl, CATALOG_DEF_TEMPLATE) != 0)
		return 0;
	if ((base = catalog_day_prefix(NULL, q->prefix, station, 0)) == NULL) {
		err_sys(e, EX_OSERR, "out of memory");
		return -1;
	}
	/* the day prefix stops at {YYYY}: the station's own prefix */
	base[strlen(base) - strlen("1970/01/01/")] = '\0';
	for (d = -1; d <= 1; d += 2) {
		struct walk w = { q, station, d, { "", "", "" }, 16,
		    d < 0 ? before : after, 0 };
		utc_iso_ns(d < 0 ? q->from_ns : q->to_ns, iso, sizeof(iso));
		snprintf(w.bound[0], 5, "%.4s", iso);
		snprintf(w.bound[1], 5, "%.2s", iso + 5);
		snprintf(w.bound[2], 5, "%.2s", iso + 8);
		if (walk_level(&w, base, 0, 1, e) < 0)
			goto out;
		*(d < 0 ? have_before : have_after) = w.have;
	}
	rc = 0;
out:
	if (rc < 0) {
		free(before->key);
		free(after->key);
		memset(before, 0, sizeof(*before));
		memset(after, 0, sizeof(*after));
		*have_before = *have_after = 0;
	}
	free(base);
	return rc;
}
