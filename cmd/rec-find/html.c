/*
 * html.c: rec-find --html, a self-contained coverage page (inline CSS,
 * no scripts, nothing fetched from elsewhere, readable on a phone): one
 * section per day and station with a 24-hour bar of recorded, gap and
 * lost time, and each archive with the rec-get command that fetches it
 * (and a presigned download link with --presign).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "find.h"

static const char style[] =
    "body{font-family:system-ui,sans-serif;margin:0 auto;padding:0 .8em;"
    "max-width:60em;color:#222;background:#fff}\n"
    "h1{font-size:1.3em}h2{font-size:1.1em;margin:1.2em 0 .3em}\n"
    ".legend span.k{display:inline-block;width:1em;height:1em;"
    "vertical-align:middle;margin:0 .2em 0 .8em;border:1px solid #888}\n"
    ".bar{position:relative;height:1.6em;background:#eee;"
    "border:1px solid #888}\n"
    ".bar span{position:absolute;top:0;bottom:0}\n"
    ".rec{background:#2e8b57}.gap{background:#f0c36d}"
    ".lost{background:#d0312d}.out{background:repeating-linear-gradient("
    "45deg,#ddd,#ddd 4px,#f6f6f6 4px,#f6f6f6 8px)}\n"
    ".bar span.lost{top:20%;bottom:20%}\n"
    ".ticks{display:flex;justify-content:space-between;font-size:.75em;"
    "color:#666}\n"
    "ul.arcs{padding-left:1.2em}ul.arcs li{margin:.4em 0}\n"
    "code{font-size:.85em;word-break:break-all}\n"
    "code.cmd{display:block;background:#f4f4f4;padding:.2em .4em;"
    "user-select:all}\n"
    "p.sum{margin:.2em 0}\n";

/* s with & < > " escaped. */
static void
esc(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out);
		}
	}
}

/* A piece of the bar for [a, b) of the day at d0, clipped. */
static void
piece(FILE *out, const char *cls, int64_t a, int64_t b, int64_t d0,
    const char *title)
{
	double l, w;

	if (a < d0)
		a = d0;
	if (b > d0 + DAY_NS)
		b = d0 + DAY_NS;
	if (b <= a)
		return;
	l = (double)(a - d0) * 100 / (double)DAY_NS;
	w = (double)(b - a) * 100 / (double)DAY_NS;
	if (w < 0.15)	/* still visible on a phone */
		w = 0.15;
	fprintf(out, "<span class=\"%s\" style=\"left:%.3f%%;width:%.3f%%\""
	    " title=\"", cls, l, w);
	esc(out, title);
	fputs("\"></span>", out);
}

static void
bar(const struct find *f, const struct day *d, FILE *out)
{
	static const char *const cls[] = { "rec", "gap", "lost" };
	static const char *const what[] = { "recorded", "gap", "lost" };
	char a[32], b[32], t[128];
	size_t i;

	fputs("<div class=\"bar\" role=\"img\" aria-label=\"recorded, gap "
	    "and lost time over 24 hours (UTC)\">", out);
	/* the parts of the day outside the range */
	piece(out, "out", d->day, d->a, d->day, "outside the range");
	piece(out, "out", d->b, d->day + DAY_NS, d->day, "outside the range");
	for (int k = 0; k < 3; k++)	/* recorded under gaps under lost */
		for (i = 0; i < f->nspans; i++) {
			const struct span *sp = &f->spans[i];
			if ((int)sp->kind != k || sp->b <= d->a ||
			    sp->a >= d->b ||
			    strcmp(view_station(f, sp), d->station) != 0)
				continue;
			snprintf(t, sizeof(t), "%s %s .. %s", what[k],
			    fmt_time(sp->a, a), fmt_time(sp->b, b));
			piece(out, cls[k], sp->a > d->a ? sp->a : d->a,
			    sp->b < d->b ? sp->b : d->b, d->day, t);
		}
	fputs("</div>\n<div class=\"ticks\"><span>00</span><span>06</span>"
	    "<span>12</span><span>18</span><span>24</span></div>\n", out);
}

static void
archives(const struct find *f, const struct day *d, FILE *out)
{
	char a[32], b[32], dur[40];
	size_t i;
	int any = 0;

	for (i = 0; i < f->cat.n; i++) {
		const struct arc *ar = &f->arcs[i];
		const struct catalog_entry *ce = ar->ce;
		char *cmd;
		if (strcmp(ce->an.station, d->station) != 0 ||
		    ce->end_ns <= d->a || ce->start_ns >= d->b)
			continue;
		if (!any)
			fputs("<ul class=\"arcs\">\n", out);
		any = 1;
		fputs("<li><code class=\"name\">", out);
		esc(out, ce->name);
		fprintf(out, "</code><br>%s .. %s, %" PRIu64 " bytes, %s%s%s%s",
		    fmt_time(ce->start_ns, a), fmt_time(ce->end_ns, b),
		    ce->size, ar->codec[0] ? ar->codec : "codec unknown",
		    ce->an.compress != ANAME_NONE ? ", " : "",
		    ce->an.compress != ANAME_NONE ?
		    aname_compress_name(ce->an.compress) : "",
		    ce->an.encrypted ? ", encrypted" : "");
		if (ar->have_manifest)
			fprintf(out, ", %zu segments, lost %s", ar->nsegs,
			    fmt_dur(ar->lost_ns, dur, sizeof(dur)));
		if (ar->error[0]) {
			fputs(", manifest unreadable: ", out);
			esc(out, ar->error);
		}
		if ((cmd = getcmd(f, ar)) != NULL) {
			fputs("<code class=\"cmd\">", out);
			esc(out, cmd);
			fputs("</code>", out);
			free(cmd);
		}
		if (ar->url) {
			fputs("<a class=\"dl\" href=\"", out);
			esc(out, ar->url);
			fputs("\">download</a>", out);
		}
		fputs("</li>\n", out);
	}
	if (any)
		fputs("</ul>\n", out);
	else
		fputs("<p class=\"none\">no archives</p>\n", out);
}

int
html_write(const struct find *f, FILE *out)
{
	char a[32], b[32], day[16], r[40], g[40], l[40];
	size_t i;

	fmt_time(f->from, a);
	fmt_time(f->to, b);
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n"
	    "<title>recordings %s .. %s</title>\n<style>\n%s</style>\n"
	    "</head>\n<body>\n<h1>Recordings %s .. %s</h1>\n", a, b, style,
	    a, b);
	if (f->bucket) {
		fputs("<p>bucket <code>", out);
		esc(out, f->bucket);
		fputs("</code>; times in UTC</p>\n", out);
	}
	fputs("<p class=\"legend\"><span class=\"k rec\"></span>recorded"
	    "<span class=\"k gap\"></span>gap between archives"
	    "<span class=\"k lost\"></span>lost inside an archive"
	    "<span class=\"k out\"></span>outside the range</p>\n", out);
	for (i = 0; i < f->ndays; i++) {
		const struct day *d = &f->days[i];

		fprintf(out, "<section class=\"day\" id=\"");
		esc(out, d->station);
		fprintf(out, "-%s\">\n<h2>", fmt_day(d->day, day));
		esc(out, d->station);
		fprintf(out, " &middot; %s</h2>\n<p class=\"sum\">recorded %s,"
		    " gaps %zu (%s)", day, fmt_dur(d->rec_ns, r, sizeof(r)),
		    d->ngaps, fmt_dur(d->gap_ns, g, sizeof(g)));
		if (f->gaps)
			fprintf(out, ", lost %zu (%s)", d->nlost,
			    fmt_dur(d->lost_ns, l, sizeof(l)));
		fputs("</p>\n", out);
		bar(f, d, out);
		archives(f, d, out);
		fputs("</section>\n", out);
	}
	fputs("</body>\n</html>\n", out);
	return ferror(out) ? -1 : 0;
}
