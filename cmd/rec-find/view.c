/*
 * view.c: each station's timeline over the range, cut into spans:
 * recorded (an archive), gap (nothing between two archives) and lost
 * (inside an archive, from its manifest), then summed per UTC day.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "find.h"
#include "utc.h"

char *
fmt_time(int64_t ns, char *buf)
{
	char iso[40];

	/* "2026-11-28T03:15:00.123456Z" -> milliseconds */
	utc_iso_ns(ns, iso, sizeof(iso));
	snprintf(buf, 32, "%.23sZ", iso);
	return buf;
}

char *
fmt_day(int64_t ns, char *buf)
{
	char iso[40];

	utc_iso_ns(ns, iso, sizeof(iso));
	snprintf(buf, 16, "%.10s", iso);
	return buf;
}

char *
fmt_dur(int64_t ns, char *buf, size_t len)
{
	int64_t ms = ns / 1000000, h = ms / 3600000, m = ms / 60000 % 60;
	double s = (double)(ms % 60000) / 1000;

	if (h > 0)
		snprintf(buf, len, "%lldh%02lldm%06.3fs", (long long)h,
		    (long long)m, s);
	else if (m > 0)
		snprintf(buf, len, "%lldm%06.3fs", (long long)m, s);
	else
		snprintf(buf, len, "%.3fs", s);
	return buf;
}

char *
getcmd(const struct find *f, const struct arc *a)
{
	char s[32], e[32], *out;
	size_t n;

	(void)f;
	fmt_time(a->ce->start_ns, s);
	fmt_time(a->ce->end_ns, e);
	n = strlen(a->ce->an.station) + 96;
	if ((out = malloc(n)) != NULL)
		snprintf(out, n, "rec-get --station %s --from %s --to %s",
		    a->ce->an.station, s, e);
	return out;
}

const char *
view_station(const struct find *f, const struct span *sp)
{
	return sp->arc >= 0 ? f->arcs[sp->arc].ce->an.station : "";
}

static int
push(struct find *f, size_t *cap, int64_t a, int64_t b, enum span_kind k,
    long arc, uint64_t frames)
{
	struct span *sp;

	if (b <= a)
		return 0;
	if (f->nspans == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct span *nv = realloc(f->spans, nc * sizeof(*nv));
		if (nv == NULL)
			return -1;
		f->spans = nv;
		*cap = nc;
	}
	sp = &f->spans[f->nspans++];
	sp->a = a;
	sp->b = b;
	sp->kind = k;
	sp->arc = arc;
	sp->frames = frames;
	return 0;
}

static const struct find *sort_f;

static int
cmp_span(const void *x, const void *y)
{
	const struct span *p = x, *q = y;
	int c = strcmp(view_station(sort_f, p), view_station(sort_f, q));

	if (c)
		return c;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return (int)p->kind - (int)q->kind;
}

/* The LOST spans of one archive's manifest. */
static int
lost_spans(struct find *f, size_t *cap, long i, const struct manifest *m)
{
	struct arc *a = &f->arcs[i];
	size_t s, g;

	for (s = 0; s < m->nsegs; s++) {
		const struct manifest_seg *sg = &m->segs[s];
		int64_t t0 = utc_ns(&sg->start), end;
		uint64_t before = 0;
		unsigned rate = sg->spec.rate;

		for (g = 0; g < sg->ngaps && rate > 0; g++) {
			int64_t at = t0 + utc_frames_ns(sg->gaps[g].off +
			    before, rate);
			int64_t len = utc_frames_ns(sg->gaps[g].len, rate);
			if (push(f, cap, at, at + len, SPAN_LOST, i,
			    sg->gaps[g].len) < 0)
				return -1;
			a->lost_ns += len;
			before += sg->gaps[g].len;
		}
		end = t0 + utc_frames_ns(sg->frames + before, rate);
		if (s + 1 < m->nsegs) {
			int64_t next = utc_ns(&m->segs[s + 1].start);
			if (next - end > GAP_MIN_NS) {
				if (push(f, cap, end, next, SPAN_LOST, i,
				    0) < 0)
					return -1;
				a->lost_ns += next - end;
			}
		}
	}
	return 0;
}

/* Spans of every station; manifests[i] may be NULL (not read). */
static int
spans_build(struct find *f, struct manifest *const *man)
{
	size_t cap = 0, i;
	int64_t reach = 0;
	const char *st = NULL;

	for (i = 0; i < f->cat.n; i++) {
		const struct catalog_entry *ce = &f->cat.v[i];
		if (st == NULL || strcmp(st, ce->an.station) != 0) {
			st = ce->an.station;
			reach = ce->end_ns;
		} else {
			if (ce->start_ns - reach > GAP_MIN_NS &&
			    push(f, &cap, reach, ce->start_ns, SPAN_GAP,
			    (long)i, 0) < 0)
				return -1;
			if (ce->end_ns > reach)
				reach = ce->end_ns;
		}
		if (push(f, &cap, ce->start_ns, ce->end_ns, SPAN_REC, (long)i,
		    0) < 0)
			return -1;
		if (man && man[i] && lost_spans(f, &cap, (long)i, man[i]) < 0)
			return -1;
	}
	sort_f = f;
	if (f->nspans)
		qsort(f->spans, f->nspans, sizeof(*f->spans), cmp_span);
	return 0;
}

static int64_t
clip(int64_t a, int64_t b, int64_t lo, int64_t hi)
{
	if (a < lo)
		a = lo;
	if (b > hi)
		b = hi;
	return b > a ? b - a : 0;
}

/* One station's days. */
static int
days_of(struct find *f, size_t *cap, const char *st)
{
	int64_t d, first = f->from / DAY_NS * DAY_NS, last =
	    (f->to - 1) / DAY_NS * DAY_NS;
	size_t i;

	for (d = first; d <= last; d += DAY_NS) {
		struct day *dy;
		int64_t lo = d > f->from ? d : f->from;
		int64_t hi = d + DAY_NS < f->to ? d + DAY_NS : f->to;
		int64_t ua = 0, ub = 0;	/* the union of REC so far */
		int have = 0;

		if (f->ndays == *cap) {
			size_t nc = *cap ? *cap * 2 : 16;
			struct day *nv = realloc(f->days, nc * sizeof(*nv));
			if (nv == NULL)
				return -1;
			f->days = nv;
			*cap = nc;
		}
		dy = &f->days[f->ndays++];
		memset(dy, 0, sizeof(*dy));
		dy->station = st;
		dy->day = d;
		dy->a = lo;
		dy->b = hi;
		for (i = 0; i < f->nspans; i++) {
			const struct span *sp = &f->spans[i];
			int64_t c;
			if (strcmp(view_station(f, sp), st) != 0)
				continue;
			c = clip(sp->a, sp->b, lo, hi);
			switch (sp->kind) {
			case SPAN_REC:
				/* spans are sorted by start: merge overlaps */
				if (have && sp->a <= ub) {
					if (sp->b > ub)
						ub = sp->b;
					break;
				}
				if (have)
					dy->rec_ns += clip(ua, ub, lo, hi);
				ua = sp->a;
				ub = sp->b;
				have = 1;
				break;
			case SPAN_GAP:
				dy->gap_ns += c;
				dy->ngaps += c > 0;
				break;
			case SPAN_LOST:
				dy->lost_ns += c;
				dy->nlost += c > 0;
				break;
			}
		}
		if (have)
			dy->rec_ns += clip(ua, ub, lo, hi);
		dy->rec_ns -= dy->lost_ns;
		if (dy->rec_ns < 0)
			dy->rec_ns = 0;
	}
	return 0;
}

int
view_build(struct find *f, struct manifest *const *man)
{
	size_t cap = 0, i;
	int rc = -1;

	if (spans_build(f, man) < 0)
		goto out;
	for (i = 0; i < f->cat.nstations; i++)
		if (days_of(f, &cap, f->cat.stations[i]) < 0)
			goto out;
	rc = 0;
out:
	return rc;
}

void
view_free(struct find *f)
{
	free(f->spans);
	free(f->days);
	f->spans = NULL;
	f->days = NULL;
	f->nspans = f->ndays = 0;
}
