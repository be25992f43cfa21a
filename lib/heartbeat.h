/*
 * heartbeat: the station's health.json, the small object rec-upload
 * --heartbeat PUTs as {prefix}{station}/health.json every [health]
 * heartbeat, and rec-status --bucket reads back for every station.  One
 * owner of the format: the writer and the reader both go through here.
 *
 * The JSON (rec-spool(5), HEALTH OBJECT, has the field list) has a fixed
 * key order; times are ISO 8601 UTC strings or null, as in DIR/status.
 * A reader ignores keys it does not know and takes a missing one as
 * unknown, so adding a field is one line in heartbeat_format and, when
 * rec-status shows it, one in heartbeat_parse.
 */
#ifndef REC_HEARTBEAT_H
#define REC_HEARTBEAT_H

#include <stddef.h>
#include <stdint.h>

#include "aname.h"
#include "err.h"
#include "status.h"

#define HEARTBEAT_VERSION	1
#define HEARTBEAT_OBJECT	"health.json"
#define HEARTBEAT_MAX_ALARMS	16
#define HEARTBEAT_MAX_BYTES	(64 * 1024)	/* a reader's limit */

struct heartbeat {
	char station[ANAME_STATION_MAX + 1];
	char version[32];	/* of the tools: REC_VERSION */
	int64_t time_ns;	/* when it was made, by the station's clock */
	uint64_t interval_s;	/* [health] heartbeat: stale after twice */
	int64_t uptime_s;	/* recd's, -1 when it does not run */
	char recd[16];		/* "running", "draining", "stopping",
				   "stopped", "dead", "unknown" */
	char capture[16];	/* rec-capture's state in DIR/status */
	char schedule[16];	/* "continuous", "session" or "" unknown */
	int clock_synced;	/* 1 synchronised (adjtimex), 0 not, -1 ? */
	int64_t est_error_ns, max_error_ns;	/* the kernel's, -1 ? */
	int64_t unsynced_ns;	/* not synced since (recd's status), 0 */
	int64_t wait_since_ns, wait_until_ns;	/* recording waits for
				   sync (DIR/status), 0 */
	uint64_t free_bytes;
	uint64_t seg_count, seg_bytes, out_count, out_bytes, corrupt_count;
	int64_t oldest_ns;	/* the start of the oldest pending, 0 none */
	int64_t last_upload_ns;	/* 0 never */
	uint64_t month_bytes;	/* sent this UTC month (the ledger) */
	uint64_t budget;	/* [upload] monthly-budget, 0 none */
	uint64_t overruns, lost_frames;
	struct status_levels levels;	/* DIR/status "levels": the last
				   segment's and the last hour's */
	char alarms[HEARTBEAT_MAX_ALARMS][96];
	size_t nalarms;
};

/* [health] heartbeat when rec.conf does not say: 15 minutes. */
#define HEARTBEAT_DEF_INTERVAL	"15m"

struct conf;

/*
 * The [health] settings of c (NULL: defaults): heartbeat, the interval
 * in ms (0 = off; at most 30 days), and heartbeat-history (yes: a copy
 * under health/YYYY/MM/DD/ too).  1 when rec.conf sets heartbeat, 0
 * when *interval_ms is the default, or -1 with e (78, FILE:LINE).
 */
int heartbeat_conf(const struct conf *c, uint64_t *interval_ms, int *history,
    struct err *e);

/* An empty heartbeat: unknown everywhere (-1, "", 0). */
void heartbeat_init(struct heartbeat *hb);

/* Add an alarm (a short text); beyond HEARTBEAT_MAX_ALARMS, dropped. */
void heartbeat_alarm(struct heartbeat *hb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Add the alarms a station can tell from hb (recd, corrupt_count,
 * lost_frames, budget filled) and from DIR/status st (NULL: none): recd
 * gone without stopping, a child held, files in corrupt/, lost audio,
 * 90% of the budget used.  One line each: [health] thresholds add theirs
 * here.
 */
void heartbeat_alarms(struct heartbeat *hb, const struct status *st);

/*
 * hb as JSON (malloc'd, NUL-terminated, ends with a newline) into
 * *textp; 0, or -1 with errno ENOMEM.
 */
int heartbeat_format(const struct heartbeat *hb, char **textp);

/*
 * Parse JSON text (len bytes) into hb: 0, or -1 with e (EX_DATAERR):
 * not JSON, not an object of a known version, no station, or a time
 * that is not ISO 8601 UTC.
 */
int heartbeat_parse(const char *text, size_t len, struct heartbeat *hb,
    struct err *e);

#endif
