/*
 * text.c: rec-find's plain output: per station its archives (start,
 * end, bytes, compression, encryption, codec, name), then per day the
 * recorded time, the gaps between archives and, with --gaps, the audio
 * lost inside them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "find.h"

static void
spans_of_day(const struct find *f, const struct day *d, FILE *out)
{
	char a[32], b[32], dur[40];
	size_t i;

	for (i = 0; i < f->nspans; i++) {
		const struct span *sp = &f->spans[i];
		if (sp->kind == SPAN_REC || sp->b <= d->a || sp->a >= d->b ||
		    strcmp(view_station(f, sp), d->station) != 0)
			continue;
		fmt_dur(sp->b - sp->a, dur, sizeof(dur));
		fmt_time(sp->a, a);
		fmt_time(sp->b, b);
		if (sp->kind == SPAN_GAP)
			fprintf(out, "    gap %s %s %s between archives\n", a, b,
			    dur);
		else if (sp->frames > 0)
			fprintf(out, "    lost %s %s %s %" PRIu64 " frames in "
			    "%s\n", a, b, dur, sp->frames,
			    f->arcs[sp->arc].ce->name);
		else
			fprintf(out, "    lost %s %s %s between segments in "
			    "%s\n", a, b, dur, f->arcs[sp->arc].ce->name);
	}
}

int
text_write(const struct find *f, FILE *out)
{
	char a[32], b[32], r[40], g[40], l[40], day[16];
	size_t s, i;

	fprintf(out, "range %s %s\n", fmt_time(f->from, a),
	    fmt_time(f->to, b));
	for (s = 0; s < f->cat.nstations; s++) {
		const char *st = f->cat.stations[s];

		fprintf(out, "station %s\n", st);
		for (i = 0; i < f->cat.n; i++) {
			const struct arc *ar = &f->arcs[i];
			const struct catalog_entry *ce = ar->ce;
			if (strcmp(ce->an.station, st) != 0)
				continue;
			fprintf(out, "  archive %s %s %" PRIu64 " %s %s %s %s\n",
			    fmt_time(ce->start_ns, a), fmt_time(ce->end_ns, b),
			    ce->size, ar->codec[0] ? ar->codec : "-",
			    aname_compress_name(ce->an.compress),
			    ce->an.encrypted ? "encrypted" : "plain",
			    ce->name);
			if (ar->error[0])
				fprintf(out, "    manifest unreadable: %s\n",
				    ar->error);
			else if (ar->have_manifest) {
				fprintf(out, "    segments %zu lost %" PRIu64
				    " frames", ar->nsegs, ar->lost_frames);
				if (ar->unsynced > 0)
					fprintf(out, " clock unsynced %zu",
					    ar->unsynced);
				fputc('\n', out);
			}
			if (ar->url)
				fprintf(out, "    url %s\n", ar->url);
		}
		for (i = 0; i < f->ndays; i++) {
			const struct day *d = &f->days[i];
			if (strcmp(d->station, st) != 0)
				continue;
			fprintf(out, "  day %s recorded %s gaps %zu %s",
			    fmt_day(d->day, day), fmt_dur(d->rec_ns, r,
			    sizeof(r)), d->ngaps, fmt_dur(d->gap_ns, g,
			    sizeof(g)));
			if (f->gaps)
				fprintf(out, " lost %zu %s", d->nlost,
				    fmt_dur(d->lost_ns, l, sizeof(l)));
			fputc('\n', out);
			spans_of_day(f, d, out);
		}
	}
	return ferror(out) ? -1 : 0;
}
