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
 */
#ifndef REC_STATUS_H
#define REC_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

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

#endif
