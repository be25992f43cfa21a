/*
 * plan: which archives of the store may hold --from .. --to (lib/catalog:
 * listings of the days they are keyed under, by [upload] key-template),
 * and which frames of which members
 * go out, with the gaps between them. Each frame's time comes from its
 * segment: the start (its frame 0), the frame count and the gaps lost
 * inside; frames of one run are placed by their timeline index (REC|First
 * Frame), so a gap between two segments of a run is exact in frames.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "catalog.h"
#include "get.h"
#include "log.h"
#include "utc.h"

#define NS	1000000000LL
#define MARGIN	NS		/* names are cut to the millisecond */

/* ns of n frames at rate, rounded down. */
static int64_t
ns_of(uint64_t n, unsigned rate)
{
	return (int64_t)(n / rate) * NS + (int64_t)((n % rate) * NS / rate);
}

/* The fewest frames n with ns_of(n) >= d (0 for d <= 0). */
static uint64_t
frames_from(int64_t d, unsigned rate)
{
	if (d <= 0)
		return 0;
	return (uint64_t)(d / NS) * rate +
	    ((uint64_t)(d % NS) * rate + NS - 1) / NS;
}

static int
by_start(const void *x, const void *y)
{
	const struct arc *a = x, *b = y;
	int64_t s = utc_ns(&a->an.start), t = utc_ns(&b->an.start);

	return s < t ? -1 : s > t ? 1 : strcmp(a->key, b->key);
}

/* The query of lib/catalog for our station and range (with a margin:
 * names are cut to the millisecond). */
static void
query(const struct get *g, const char **st, struct catalog_query *q)
{
	memset(q, 0, sizeof *q);
	q->s3 = g->s3;
	q->prefix = g->prefix;
	q->tmpl = g->tmpl;
	q->stations = st;
	q->nstations = 1;
	q->from_ns = g->from - MARGIN;
	q->to_ns = g->to + MARGIN;
}

int
plan_list(struct get *g)
{
	const char *st[1] = { g->station };
	struct catalog_query q;
	struct catalog c;
	struct err e;
	int ret = 0;

	query(g, st, &q);
	if (catalog_find(&q, &c, &e) == -1) {
		log_error("cannot list the archives of %s: %s", g->station,
		    e.msg);
		return fetch_ex(&e);
	}
	if (c.n > 0 && (g->arcs = calloc(c.n, sizeof *g->arcs)) == NULL)
		ret = EX_OSERR;
	for (size_t i = 0; i < c.n && ret == 0; i++) {
		struct arc *a = &g->arcs[g->narcs];

		a->wfd = -1;
		if ((a->key = strdup(c.v[i].key)) == NULL) {
			ret = EX_OSERR;
			break;
		}
		a->name = a->key + strlen(a->key) - strlen(c.v[i].name);
		a->an = c.v[i].an;
		a->size = c.v[i].size;
		g->narcs++;
	}
	catalog_free(&c);
	if (ret == EX_OSERR)
		log_error("out of memory");
	if (g->narcs > 1)
		qsort(g->arcs, g->narcs, sizeof *g->arcs, by_start);
	return ret;
}

void
plan_nearest(struct get *g)
{
	const char *st[1] = { g->station };
	struct catalog_entry b, a;
	struct catalog_query q;
	char f[40], t[40], x[40], y[40];
	int hb = 0, ha = 0;
	struct err e;

	utc_iso_ns(g->from, f, sizeof f);
	utc_iso_ns(g->to, t, sizeof t);
	log_error("nothing recorded by %s from %s to %s", g->station, f, t);
	query(g, st, &q);
	q.from_ns = g->from;
	q.to_ns = g->to;
	if (catalog_nearest(&q, g->station, &b, &hb, &a, &ha, &e) == -1) {
		log_error("cannot look for the nearest archives: %s", e.msg);
		return;
	}
	if (hb)
		log_error("nearest before: %s (%s to %s)", b.name,
		    utc_iso_ns(b.start_ns, x, sizeof x),
		    utc_iso_ns(b.end_ns, y, sizeof y));
	if (ha)
		log_error("nearest after: %s (%s to %s)", a.name,
		    utc_iso_ns(a.start_ns, x, sizeof x),
		    utc_iso_ns(a.end_ns, y, sizeof y));
	if (!hb && !ha)
		log_error("no archive of %s in the store", g->station);
	if (hb)
		free(b.key);
	if (ha)
		free(a.key);
}

/* One segment of a loaded archive, in time order. */
struct ref { size_t arc, seg; int64_t start; };

static int
by_time(const void *x, const void *y)
{
	const struct ref *a = x, *b = y;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->arc < b->arc ? -1 : a->arc > b->arc ? 1 :
	    (a->seg > b->seg) - (a->seg < b->seg);
}

/* Where the last piece ended. */
struct prev {
	int have;
	char run[40];
	unsigned rate;
	uint64_t tl_end;	/* timeline index after its last frame */
	int64_t t_end;		/* ns after its last frame */
};

static int
add_piece(struct get *g, size_t arc, size_t seg, uint64_t k0, uint64_t k1,
    uint64_t lc, struct prev *p)
{
	const struct manifest_seg *s = &g->arcs[arc].man.segs[seg];
	uint64_t l0 = s->ngaps && s->gaps[0].off == 0 ? s->gaps[0].len : 0;
	int64_t t0 = utc_ns(&s->start) + ns_of(k0 + lc - l0, s->spec.rate);
	uint64_t tl = s->first_frame + k0 + lc, gap = 0;
	struct piece *n;

	if (p->have) {
		if (s->run[0] != '\0' && strcmp(s->run, p->run) == 0 &&
		    s->spec.rate == p->rate)
			gap = tl > p->tl_end ? tl - p->tl_end : 0;
		else if (t0 > p->t_end)
			gap = (uint64_t)((t0 - p->t_end) / NS) * s->spec.rate +
			    ((uint64_t)((t0 - p->t_end) % NS) * s->spec.rate +
			    NS / 2) / NS;
	}
	n = realloc(g->pieces, (g->npieces + 1) * sizeof *n);
	if (n == NULL) {
		log_error("out of memory");
		return EX_OSERR;
	}
	g->pieces = n;
	n[g->npieces++] = (struct piece){ arc, seg, k0, k1, t0, gap,
	    p->t_end };
	p->have = 1;
	snprintf(p->run, sizeof p->run, "%s", s->run);
	p->rate = s->spec.rate;
	p->tl_end = tl + (k1 - k0);
	p->t_end = t0 + ns_of(k1 - k0, s->spec.rate);
	return 0;
}

/* The frames of one segment in [from, to), split at its gaps. */
static int
seg_pieces(struct get *g, size_t arc, size_t seg, struct prev *p)
{
	const struct manifest_seg *s = &g->arcs[arc].man.segs[seg];
	int64_t start = utc_ns(&s->start);
	unsigned rate = s->spec.rate;
	uint64_t nfrom = frames_from(g->from - start, rate);
	uint64_t nto = frames_from(g->to - start, rate);
	uint64_t l0 = 0, lc = 0, a = 0;
	size_t gi = 0;
	int ret;

	while (gi < s->ngaps && s->gaps[gi].off == 0)
		l0 += s->gaps[gi++].len;
	lc = l0;
	while (a < s->frames) {
		uint64_t b = s->frames, k0, k1, shift;

		if (gi < s->ngaps && s->gaps[gi].off < b)
			b = s->gaps[gi].off;
		/* frame k of [a, b) is at n = k + lc - l0 frames */
		shift = lc - l0;
		k0 = nfrom > shift ? nfrom - shift : 0;
		k1 = nto > shift ? nto - shift : 0;
		if (k0 < a)
			k0 = a;
		if (k1 > b)
			k1 = b;
		if (k0 < k1 && (ret = add_piece(g, arc, seg, k0, k1, lc, p)))
			return ret;
		a = b;
		while (gi < s->ngaps && s->gaps[gi].off == a)
			lc += s->gaps[gi++].len;
	}
	return 0;
}

int
plan_pieces(struct get *g)
{
	struct ref *refs = NULL;
	struct prev p = { 0 };
	size_t n = 0, cap = 0;
	int ret = 0;

	for (size_t i = 0; i < g->narcs; i++)
		for (size_t j = 0; j < g->arcs[i].man.nsegs; j++) {
			if (n == cap) {
				struct ref *r = realloc(refs, (cap = cap * 2 +
				    16) * sizeof *r);
				if (r == NULL) {
					free(refs);
					log_error("out of memory");
					return EX_OSERR;
				}
				refs = r;
			}
			refs[n++] = (struct ref){ i, j,
			    utc_ns(&g->arcs[i].man.segs[j].start) };
		}
	if (n > 1)
		qsort(refs, n, sizeof *refs, by_time);
	for (size_t i = 0; i < n && ret == 0; i++) {
		/* a segment in two archives (made again, or uploaded
		 * twice): once, from the first */
		int again = 0;
		for (size_t k = i; k > 0 && refs[k - 1].start ==
		    refs[i].start && !again; k--)
			again = strcmp(g->arcs[refs[k - 1].arc].man.segs[
			    refs[k - 1].seg].name, g->arcs[refs[i].arc].man.segs[
			    refs[i].seg].name) == 0;
		if (!again)
			ret = seg_pieces(g, refs[i].arc, refs[i].seg, &p);
	}
	free(refs);
	if (ret == 0 && g->npieces == 0) {
		plan_nearest(g);
		return EX_NOINPUT;
	}
	return ret;
}
