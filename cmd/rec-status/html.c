/*
 * rec-status --html FILE: one static, self-contained page (inline CSS,
 * no scripts, nothing fetched), narrow enough for a phone: the station
 * from DIR/status, or with --bucket the fleet from the heartbeats.
 * Written to FILE.tmp then renamed, so a web server never serves half.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "rstatus.h"
#include "strbuf.h"
#include "utc.h"

static const char css[] =
    "body{font-family:system-ui,sans-serif;margin:0;padding:0.5em;"
    "background:#f4f4f4;color:#222;max-width:40em}"
    "h1{font-size:1.3em;margin:0.3em 0}"
    ".card{background:#fff;border-radius:6px;padding:0.6em;margin:0.5em 0;"
    "border-left:6px solid #2e7d32}"
    ".card.alarm{border-color:#e65100}.card.stale{border-color:#b71c1c}"
    ".badge{display:inline-block;padding:0 0.4em;border-radius:4px;"
    "color:#fff;background:#2e7d32;font-weight:bold}"
    ".badge.alarm{background:#e65100}.badge.stale{background:#b71c1c}"
    ".alarms{color:#b71c1c;font-weight:bold;margin:0.3em 0;padding-left:1.2em}"
    "table{border-collapse:collapse;width:100%}"
    "td{padding:0.15em 0.3em;vertical-align:top;border-top:1px solid #eee}"
    "td:first-child{color:#666;white-space:nowrap;width:7em}"
    ".nolevels{color:#666;font-style:italic}"
    ".legend{margin:0.2em 0;padding-left:1.2em;font-size:0.9em}"
    "svg{width:100%;height:auto;background:#fafafa}";

/* Append s with &, <, >, " escaped. */
static void
esc(struct strbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': strbuf_str(b, "&amp;"); break;
		case '<': strbuf_str(b, "&lt;"); break;
		case '>': strbuf_str(b, "&gt;"); break;
		case '"': strbuf_str(b, "&quot;"); break;
		default: strbuf_add(b, s, 1); break;
		}
	}
}

static void
head(struct strbuf *b, const char *title, int64_t now_ns)
{
	char t[40];

	strbuf_str(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\"><title>");
	esc(b, title);
	strbuf_fmt(b, "</title><style>%s</style></head><body>\n<h1>", css);
	esc(b, title);
	/* 2026-11-29T20:13:21.009036Z -> 2026-11-29 20:13:21 UTC */
	utc_iso_ns(now_ns, t, sizeof(t));
	strbuf_fmt(b, "</h1>\n<p>as of %.10s %.8s UTC</p>\n", t, t + 11);
}

/* One table row: a label and escaped text. */
static void
row(struct strbuf *b, const char *label, const char *text)
{
	strbuf_fmt(b, "<tr><td>%s</td><td>", label);
	esc(b, text);
	strbuf_str(b, "</td></tr>\n");
}

static void
alarms(struct strbuf *b, const struct heartbeat *hb)
{
	size_t i;

	if (hb->nalarms == 0)
		return;
	strbuf_str(b, "<ul class=\"alarms\">");
	for (i = 0; i < hb->nalarms; i++) {
		strbuf_str(b, "<li>");
		esc(b, hb->alarms[i]);
		strbuf_str(b, "</li>");
	}
	strbuf_str(b, "</ul>\n");
}

/* A level for the legend: "-20.1 dBFS", "none" for -inf. */
static const char *
dbfs(double v, char *buf, size_t len)
{
	if (isnan(v) || isinf(v))
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "%.1f dBFS", v);
	return buf;
}

/* The y of a level: 0 dBFS at the top, -90 (and none) at the bottom. */
static double
ylevel(double v)
{
	if (isnan(v) || v < -90)
		v = -90;
	return v > 0 ? 0 : -v;
}

/*
 * The per-channel levels of the last hour as a small inline SVG (no
 * script): the hour that ends with the newest bucket, 0 dBFS at the
 * top, -90 at the bottom, per channel its RMS solid and its peak
 * dashed; under it a legend, one line per channel with its number of
 * points and its last values (a phone's reader and the tests read
 * these). No levels: "no level data".
 */
static void
levels_chart(struct strbuf *b, const struct status_levels *lv)
{
	static const char *const colour[] = { "#1565c0", "#c62828",
	    "#2e7d32", "#6a1b9a" };
	int64_t bl, end, t0;
	char t[40], p1[24], r1[24];
	size_t c, i;
	int k;

	if (lv == NULL || lv->channels == 0 || lv->npoints == 0) {
		strbuf_str(b, "<p class=\"nolevels\">levels of the last hour: "
		    "no level data</p>\n");
		return;
	}
	bl = (int64_t)lv->bucket_s * 1000000000;
	end = lv->point[lv->npoints - 1].time_ns + bl;
	t0 = end - bl * STATUS_LEVEL_POINTS;
	utc_iso_ns(end, t, sizeof(t));
	strbuf_fmt(b, "<p class=\"nolevels\">levels of the hour to %.5s UTC "
	    "(0 dBFS at the top, -90 at the bottom; RMS solid, peak dashed)"
	    "</p>\n", t + 11);
	strbuf_str(b, "<svg viewBox=\"0 0 300 90\" role=\"img\" "
	    "aria-label=\"levels of the last hour\">"
	    "<title>levels of the last hour</title>"
	    "<path stroke=\"#ddd\" stroke-width=\"0.5\" "
	    "d=\"M0 30H300M0 60H300\"/>");	/* -30 and -60 dBFS */
	for (c = 0; c < lv->channels; c++) {
		strbuf_fmt(b, "<g><title>channel %zu</title>", c + 1);
		for (k = 0; k < 2; k++) {
			strbuf_fmt(b, "<polyline fill=\"none\" stroke=\"%s\" "
			    "stroke-width=\"%s\"%s points=\"", colour[c % 4],
			    k ? "0.8" : "1.5", k ? " stroke-dasharray=\"3 2\""
			    : "");
			for (i = 0; i < lv->npoints; i++) {
				const struct status_level_point *p =
				    &lv->point[i];
				strbuf_fmt(b, "%.1f,%.1f ", 300.0 *
				    (double)(p->time_ns + bl / 2 - t0) /
				    (double)(end - t0), ylevel(k ?
				    p->peak[c] : p->rms[c]));
			}
			strbuf_str(b, "\"/>");
		}
		/* the newest point, visible even when it is the only one */
		strbuf_fmt(b, "<circle r=\"1.5\" fill=\"%s\" cx=\"%.1f\" "
		    "cy=\"%.1f\"/></g>", colour[c % 4], 300.0 * (double)(end -
		    bl / 2 - t0) / (double)(end - t0),
		    ylevel(lv->point[lv->npoints - 1].rms[c]));
	}
	strbuf_str(b, "</svg>\n<ul class=\"legend\">");
	for (c = 0; c < lv->channels; c++) {
		const struct status_level_point *p =
		    &lv->point[lv->npoints - 1];
		strbuf_fmt(b, "<li style=\"color:%s\">channel %zu: %zu "
		    "points, last peak %s, RMS %s</li>", colour[c % 4], c + 1,
		    lv->npoints, dbfs(p->peak[c], p1, sizeof(p1)),
		    dbfs(p->rms[c], r1, sizeof(r1)));
	}
	strbuf_str(b, "</ul>\n");
}

/* Finish b and write it to file (tmp + rename). */
static int
finish(struct strbuf *b, const char *file)
{
	char *text;
	int rc;

	strbuf_str(b, "</body></html>\n");
	if ((text = strbuf_done(b)) == NULL)
		return -1;
	rc = file_replace(AT_FDCWD, file, text, strlen(text), 0644);
	free(text);
	return rc;
}

int
html_station(const char *file, const char *station, const struct status *st,
    int alive, int64_t now_ns)
{
	struct strbuf b = { 0 };
	struct heartbeat hb;
	char title[128], a[64], x[160];
	const char *cls;
	int i;

	heartbeat_init(&hb);
	snprintf(hb.recd, sizeof(hb.recd), "%s", st->recd_state);
	hb.corrupt_count = st->corrupt_count;
	hb.lost_frames = st->lost_frames;
	heartbeat_alarms(&hb, st);
	cls = alive <= 0 ? "stale" : hb.nalarms ? "alarm" : "ok";
	snprintf(title, sizeof(title), "rec: %s", station);
	head(&b, title, now_ns);
	strbuf_fmt(&b, "<div class=\"card %s\"><span class=\"badge %s\">",
	    cls, cls);
	esc(&b, st->recd_state);
	strbuf_str(&b, "</span>\n");
	alarms(&b, &hb);
	strbuf_str(&b, "<table>\n");
	row(&b, "updated", when(st->updated_ns, now_ns, a, sizeof(a)));
	for (i = 0; i < STATUS_NCHILDREN; i++) {
		snprintf(x, sizeof(x), "%s%s%s", st->child[i].state,
		    st->child[i].note[0] ? ": " : "", st->child[i].note);
		row(&b, status_child_name(i), x);
	}
	snprintf(x, sizeof(x), "%llu segments (%s), %llu archives",
	    (unsigned long long)st->seg_count,
	    human_bytes(st->seg_bytes, a, sizeof(a)),
	    (unsigned long long)st->out_count);
	row(&b, "pending", x);
	snprintf(x, sizeof(x), "%llu overruns, %llu frames lost",
	    (unsigned long long)st->overruns,
	    (unsigned long long)st->lost_frames);
	row(&b, "loss", x);
	row(&b, "free", human_bytes(st->free_bytes, a, sizeof(a)));
	row(&b, "uploaded", when(st->last_upload_ns, now_ns, a, sizeof(a)));
	row(&b, "clock", clock_text(&st->clock, x, sizeof(x)));
	strbuf_str(&b, "</table>\n");
	levels_chart(&b, &st->levels);
	strbuf_str(&b, "</div>\n");
	return finish(&b, file);
}

int
html_fleet(const char *file, const char *where,
    const struct station_row *rows, size_t n, int64_t now_ns)
{
	struct strbuf b = { 0 };
	char a[64], c[32], x[200];
	const char *cls;
	size_t i;

	head(&b, "rec: stations", now_ns);
	strbuf_str(&b, "<p>");
	esc(&b, where);
	strbuf_str(&b, "</p>\n");
	for (i = 0; i < n; i++) {
		const struct station_row *r = &rows[i];
		const struct heartbeat *h = &r->hb;
		cls = r->stale ? "stale" : h->nalarms ? "alarm" : "ok";
		strbuf_fmt(&b, "<div class=\"card %s\"><h2>", cls);
		esc(&b, r->name);
		strbuf_fmt(&b, " <span class=\"badge %s\">%s</span></h2>\n",
		    cls, r->stale ? "stale" : "fresh");
		alarms(&b, h);
		strbuf_str(&b, "<table>\n");
		if (!r->readable)
			row(&b, "error", r->why);
		row(&b, "last seen", when(r->seen_ns, now_ns, a, sizeof(a)));
		row(&b, "state", h->recd);
		snprintf(x, sizeof(x), "%" PRIu64 " archives, %s",
		    h->out_count, human_bytes(h->out_bytes + h->seg_bytes,
		    c, sizeof(c)));
		row(&b, "backlog", x);
		row(&b, "free", human_bytes(h->free_bytes, a, sizeof(a)));
		row(&b, "uploaded", when(h->last_upload_ns, now_ns, a,
		    sizeof(a)));
		hb_clock_text(h, x, sizeof(x));
		if (r->clock_known && (r->clock_off_s >= CLOCK_OFF_S ||
		    r->clock_off_s <= -CLOCK_OFF_S))
			snprintf(x + strlen(x), sizeof(x) - strlen(x),
			    "; %+" PRId64 " s from the store's",
			    r->clock_off_s);
		row(&b, "clock", x);
		strbuf_str(&b, "</table>\n");
		levels_chart(&b, r->readable ? &h->levels : NULL);
		strbuf_str(&b, "</div>\n");
	}
	if (n == 0)
		strbuf_str(&b, "<p>no station has a heartbeat here</p>\n");
	return finish(&b, file);
}
