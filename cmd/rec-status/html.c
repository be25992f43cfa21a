/*
 * rec-status --html FILE: one static, self-contained page (inline CSS,
 * no scripts, nothing fetched), narrow enough for a phone: the station
 * from DIR/status, or with --bucket the fleet from the heartbeats.
 * Written to FILE.tmp then renamed, so a web server never serves half.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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

/*
 * The per-channel levels of the last hour as a small inline SVG: db[c *
 * npts + i] is channel c's level in dBFS (-90..0) at point i, oldest
 * first.  No points: "no level data".  The one place to extend when
 * DIR/status and health.json carry per-segment levels.
 */
static void
levels_chart(struct strbuf *b, const double *db, size_t nch, size_t npts)
{
	static const char *const colour[] = { "#1565c0", "#c62828",
	    "#2e7d32", "#6a1b9a" };
	size_t c, i;

	if (db == NULL || nch == 0 || npts == 0) {
		strbuf_str(b, "<p class=\"nolevels\">levels of the last hour: "
		    "no level data</p>\n");
		return;
	}
	strbuf_str(b, "<svg viewBox=\"0 0 300 90\" role=\"img\" "
	    "aria-label=\"levels of the last hour\">");
	for (c = 0; c < nch; c++) {
		strbuf_fmt(b, "<polyline fill=\"none\" stroke=\"%s\" "
		    "points=\"", colour[c % 4]);
		for (i = 0; i < npts; i++) {
			double v = db[c * npts + i];
			v = v < -90 ? -90 : v > 0 ? 0 : v;
			strbuf_fmt(b, "%.1f,%.1f ", npts > 1 ? 300.0 * i /
			    (npts - 1) : 0.0, -v);
		}
		strbuf_str(b, "\"/>");
	}
	strbuf_str(b, "</svg>\n");
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
	strbuf_str(&b, "</table>\n");
	levels_chart(&b, NULL, 0, 0);
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
		if (r->clock_known && (r->clock_off_s >= CLOCK_OFF_S ||
		    r->clock_off_s <= -CLOCK_OFF_S)) {
			snprintf(x, sizeof(x), "%+" PRId64 " s from the "
			    "store's", r->clock_off_s);
			row(&b, "clock", x);
		}
		strbuf_str(&b, "</table>\n");
		levels_chart(&b, NULL, 0, 0);
		strbuf_str(&b, "</div>\n");
	}
	if (n == 0)
		strbuf_str(&b, "<p>no station has a heartbeat here</p>\n");
	return finish(&b, file);
}
