/*
 * rstatus.h: what the files of rec-status share: main.c (the station's
 * DIR/status), bucket.c (--bucket: every station's health.json in the
 * store) and html.c (--html: one self-contained page of either).
 */
#ifndef RSTATUS_H
#define RSTATUS_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "heartbeat.h"
#include "status.h"

/* Exit codes of --bucket besides sysexits (Nagios-like, see the man page). */
#define BUCKET_ALARM	1	/* a station reports an alarm */
#define BUCKET_STALE	2	/* a station's heartbeat is stale or unreadable */
/* A station clock this far from the store's is shown (the PUT takes
 * at most a minute). */
#define CLOCK_OFF_S	300

/* One station as --bucket sees it. */
struct station_row {
	char name[ANAME_STATION_MAX + 1];
	struct heartbeat hb;	/* empty when unreadable */
	int readable;		/* health.json was read and parsed */
	char why[1400];		/* when not readable */
	int64_t seen_ns;	/* the store's LastModified, else hb.time_ns */
	uint64_t interval_s;	/* its own, or the default */
	int stale;		/* seen more than 2 x interval before now */
	int clock_known;	/* the store gave a LastModified */
	int64_t clock_off_s;	/* the station's time - the store's */
};

/* main.c */
const char *human_bytes(uint64_t b, char *buf, size_t len);
const char *human_secs(int64_t s, char *buf, size_t len);
const char *when(int64_t ns, int64_t now, char *buf, size_t len);
/* "synced, est. error 1.5 ms", "not synced since T", "recording waits
 * for clock sync since T, records anyway at T" (ISO times), "unknown". */
const char *clock_text(const struct status_clock *c, char *buf, size_t len);
/* The same of a station's heartbeat. */
const char *hb_clock_text(const struct heartbeat *h, char *buf, size_t len);
/* Per channel "ch1 peak -6.0 RMS -20.1 dBFS" of the last segment, and
 * the points of the hour; "none" without levels. */
const char *levels_text(const struct status_levels *lv, char *buf,
    size_t len);

/* bucket.c: rec-status --bucket [--json] [--html FILE]; the exit code. */
int bucket_run(const struct conf *c, int json, const char *html,
    int64_t now_ns);

/*
 * html.c: write the page to file (tmp + rename): 0, or -1 with errno.
 * alive as rec-status's show(): 1 recd runs, 0 not, -1 unknown.
 */
int html_station(const char *file, const char *station,
    const struct status *st, int alive,
    int64_t now_ns);
int html_fleet(const char *file, const char *where,
    const struct station_row *rows, size_t n, int64_t now_ns);

#endif
