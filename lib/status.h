/*
 * status: DIR/status, the JSON file in which recd says how the system is
 * doing (its children, the last archive+upload cycle, what is pending,
 * loss, free space). recd writes it with status_write (tmp + rename, so a
 * reader never sees half a file); rec-status and monitoring read it.
 *
 * Times are wall-clock UTC in nanoseconds since the epoch (0 = never),
 * int64_t so they hold 1677..2262 whatever the width of time_t; in the
 * file they are ISO 8601 strings (lib/utc.h) or null.
 *
 * "alarms": what recd finds wrong now (man/recd.8), each with the time
 * it was raised; an empty list when all is well (absent in older files:
 * read as none).
 *
 * "levels": the levels of the segments recd saw (cmd/recd/health.c):
 * the last one's per channel (struct level_stat), and the history of
 * the last hour in one-minute buckets by segment start time, each with
 * the largest peak and the power mean of the RMS (weighted by the
 * seconds of audio) of the segments that started in it. At most
 * STATUS_LEVEL_POINTS buckets and the first STATUS_LEVEL_CHANNELS
 * channels, so the memory and the file are bounded. status_levels_add
 * keeps it; the same object is the heartbeat's "levels" (lib/heartbeat).
 *
 * "clock": what the kernel says of the clock (lib/clock.h), when recd
 * first saw it not synced, and DIR/clock-wait while rec-capture holds
 * recording for sync.
 */
#ifndef REC_STATUS_H
#define REC_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "level.h"

#define STATUS_FILE	"status"
#define STATUS_VERSION	1

enum status_child_id { STATUS_CAPTURE, STATUS_ARCHIVE, STATUS_UPLOAD,
	STATUS_NCHILDREN };

struct status_child {
	char state[16];		/* "running", "idle", "waiting", "held",
				   "stopping", "done" */
	long pid;		/* 0 when not running */
	int64_t started_ns;	/* start of the running (or last) instance */
	uint64_t restarts;	/* capture: restarts; others: runs */
	int last_exit;		/* exit code, 128+N for signal N, -1 = none */
	int64_t last_exit_ns;
	char note[160];		/* why it waits or is held, "" */
};

struct status_cycle {
	uint64_t count;		/* cycles run since recd started */
	int64_t started_ns, ended_ns;	/* the last finished cycle */
	int archive_exit;	/* -1 = not run */
	int upload_exit;	/* -1 = not run */
	char result[16];	/* "ok", "pending", "error", "none" */
};

#define STATUS_MAX_ALARMS	64

struct status_alarm {
	char name[24];		/* "flat", "silence", "clipping", "hum",
				   "free-space", "pending-age", "upload-age" */
	unsigned channel;	/* 1-based for a channel's alarm, else 0 */
	int64_t raised_ns;
	char detail[160];	/* what was seen */
};

/* The level history: one bucket a minute for an hour. */
#define STATUS_LEVEL_BUCKET_S	60
#define STATUS_LEVEL_POINTS	60
#define STATUS_LEVEL_CHANNELS	8

struct status_level_point {
	int64_t time_ns;	/* the bucket's start (whole minutes UTC) */
	double seconds;		/* of audio in it: the weight of its RMS */
	double peak[STATUS_LEVEL_CHANNELS];	/* dBFS, the largest;
						   -INFINITY none */
	double rms[STATUS_LEVEL_CHANNELS];	/* dBFS, power mean */
};

struct status_levels {
	unsigned bucket_s;	/* STATUS_LEVEL_BUCKET_S; 0: no levels yet */
	unsigned channels;	/* of last and the points (<= _CHANNELS) */
	int64_t last_ns;	/* the start of the last segment, 0 none */
	double last_seconds;	/* its length */
	struct level_stat last[STATUS_LEVEL_CHANNELS];
	size_t npoints;		/* oldest first, times increasing */
	struct status_level_point point[STATUS_LEVEL_POINTS];
};

struct status_clock {
	int synced;		/* 1 synced, 0 not, -1 unknown */
	int64_t est_error_ns, max_error_ns;	/* the kernel's, -1 unknown */
	int64_t unsynced_ns;	/* not synced since (as recd first saw
				   it), 0 when synced or unknown */
	int64_t wait_since_ns, wait_until_ns;	/* DIR/clock-wait: recording
				   waits for sync since, until; 0 none */
};

struct status {
	int64_t updated_ns;
	long recd_pid;
	int64_t recd_started_ns;
	char recd_state[16];	/* "running", "draining", "stopping",
				   "stopped" */
	char spool[4096];
	char config[4096];	/* "" when no file */
	struct status_child child[STATUS_NCHILDREN];
	struct status_cycle cycle;
	uint64_t seg_count, seg_bytes;		/* seg/ */
	uint64_t out_count, out_bytes;		/* out/ */
	uint64_t corrupt_count;			/* corrupt/ */
	uint64_t segments_seen;		/* segments recd saw published */
	uint64_t overruns, lost_frames;	/* summed from their GUANO */
	int64_t device_lost_ns;		/* capture's device gone since, 0 */
	uint64_t free_bytes;
	int64_t last_upload_ns;		/* last upload run that sent data */
	int64_t window_start_ns, window_end_ns;	/* [schedule]: capture's
				   window, current or next; 0 = none */
	size_t nalarms;				/* raised, in raising order */
	struct status_alarm alarm[STATUS_MAX_ALARMS];
	struct status_clock clock;
	struct status_levels levels;
};

/* "rec-capture", "rec-archive", "rec-upload" */
const char *status_child_name(enum status_child_id id);

/* A status with every field empty (times 0, exits -1). */
void status_init(struct status *st);

/*
 * The status as JSON text (malloc'd, NUL-terminated, ends with a
 * newline) into *textp; 0, or -1 with errno ENOMEM.
 */
int status_format(const struct status *st, char **textp);

/* Write it to dirfd/STATUS_FILE (file_replace); 0, or -1 with errno. */
int status_write(int dirfd, const struct status *st);

/*
 * Read dirfd/STATUS_FILE into st. 0, or -1 with e filled: EX_NOINPUT
 * when there is none, EX_DATAERR when it is not a status file.
 */
int status_read(int dirfd, struct status *st, struct err *e);

/*
 * Parse JSON text (len bytes) into st; 0 or -1 with e (EX_DATAERR, also
 * for a time outside 1677..2262, which int64_t nanoseconds cannot hold).
 */
int status_parse(const char *text, size_t len, struct status *st,
    struct err *e);

/*
 * Add one segment's levels (l[0..nch-1], the first STATUS_LEVEL_CHANNELS
 * taken) to lv: it becomes the last segment, and goes into the bucket of
 * its start start_ns (seconds long). Buckets more than an hour older
 * than the newest are dropped; a segment more than an hour older than
 * the newest bucket (a clock set back), or one with another channel
 * count, starts the history again. A segment of no length is ignored.
 */
void status_levels_add(struct status_levels *lv, int64_t start_ns,
    double seconds, const struct level_stat *l, unsigned nch);

/*
 * The "levels" object (as in DIR/status and health.json): a new jansson
 * value (json_t *, the caller owns it), json null when lv has none; NULL
 * when out of memory.
 */
struct json_t;
struct json_t *status_levels_json(const struct status_levels *lv);

/*
 * Parse a "levels" object o (NULL or json null: none) into lv: 0, or -1
 * with e (EX_DATAERR) when it is not one (a count beyond the limits, an
 * array of the wrong length, a time that is not ISO 8601 UTC, times not
 * increasing).
 */
int status_levels_parse(struct json_t *o, struct status_levels *lv,
    struct err *e);

#endif
