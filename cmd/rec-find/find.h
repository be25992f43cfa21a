/*
 * find.h: what rec-find knows after looking: the archives of the range
 * (lib/catalog), what their manifests said (--gaps), and the timeline
 * of each station cut into recorded, gap and lost spans and days.
 */
#ifndef REC_FIND_H
#define REC_FIND_H

#include <stdint.h>
#include <stdio.h>

#include "catalog.h"

#define NS		1000000000LL
#define DAY_NS		(86400LL * NS)
/* closer than this is no gap: names carry milliseconds, truncated */
#define GAP_MIN_NS	2000000LL

enum span_kind {
	SPAN_REC,	/* covered by an archive */
	SPAN_GAP,	/* between two archives: nothing uploaded */
	SPAN_LOST	/* inside an archive: audio lost (manifest gaps, or
			   time missing between two segments) */
};

struct span {
	int64_t a, b;		/* [a, b) UTC ns */
	enum span_kind kind;
	long arc;		/* the archive (index in find.arcs), -1: none */
	uint64_t frames;	/* SPAN_LOST from a manifest gap: its frames */
};

/* One archive and what its manifest said. */
struct arc {
	const struct catalog_entry *ce;
	int have_manifest;
	char codec[8];		/* "wav", "flac"; "" when not read */
	size_t nsegs;
	uint64_t lost_frames;	/* the manifest's sum */
	size_t unsynced;	/* segments whose "clock" was not synced */
	int64_t lost_ns;	/* the LOST spans inside it */
	char error[512];	/* why the manifest could not be read, or "" */
	char *url;		/* --presign: a download link, or NULL */
};

/* One station's day: [a, b) is the day within the range. */
struct day {
	const char *station;
	int64_t day;		/* its UTC midnight */
	int64_t a, b;
	int64_t rec_ns, gap_ns, lost_ns;
	size_t ngaps, nlost;
};

struct find {
	struct catalog cat;
	int64_t from, to;
	int gaps;		/* --gaps: manifests read */
	struct arc *arcs;	/* cat.n, in catalog order */
	struct span *spans;	/* by station, then time */
	size_t nspans;
	struct day *days;	/* by station, then day */
	size_t ndays;
	const char *bucket, *endpoint, *prefix;
};

/*
 * view.c: spans and days from the archives and, where man[i] is not
 * NULL (man itself may be), archive i's manifest.  0, or -1 (ENOMEM).
 */
int view_build(struct find *f, struct manifest *const *man);
void view_free(struct find *f);
/* The station of span sp. */
const char *view_station(const struct find *f, const struct span *sp);

/* Times: "2026-11-28T03:15:00.000Z" into buf[32]; "1h02m03.500s". */
char *fmt_time(int64_t ns, char *buf);
char *fmt_dur(int64_t ns, char *buf, size_t len);
char *fmt_day(int64_t ns, char *buf);	/* "2026-11-28" */

/* The rec-get command that fetches archive a into a malloc'd string. */
char *getcmd(const struct find *f, const struct arc *a);

/* Outputs: 0, or -1 (errno: the write failed). */
int text_write(const struct find *f, FILE *out);
int json_write(const struct find *f, FILE *out);
int html_write(const struct find *f, FILE *out);

#endif
