/*
 * recd: what its parts share, split as Postfix's master is. main.c owns
 * the flags, the lock, the signals and the loop; child.c the births and
 * deaths of the three children, one state each, and the one rule for an
 * exit; cycle.c when an archive+upload cycle may run and its steps;
 * watch.c what recd looks at and reports (spool counts, new segments,
 * the status file).
 */
#ifndef RECD_H
#define RECD_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "conf.h"
#include "log.h"
#include "schedule.h"
#include "segmeta.h"
#include "spool.h"
#include "status.h"

/* Minimum time between two starts of a child, and between two cycles. */
#define MIN_RESTART_MS	1000
/* A capture that ran this long before failing resets the backoff. */
#define STABLE_MS	60000
/* At most one status write per this many ms (each write fsyncs). */
#define STATUS_MIN_MS	1000
/*
 * Uploads held after rec-upload's 64/77/78 are tried again after this
 * long even without a reload: an exit code that was wrong once (a TLS
 * failure at boot taken for bad credentials) must not let out/ grow until
 * the disk is full. REC_TEST_HELD_RETRY (a duration) overrides it, for
 * tests only.
 */
#define HELD_RETRY_MS	3600000
/* child.backoff_min: the [recd] interval (it may change on a reload). */
#define BACKOFF_INTERVAL (-1)
/* A deadline that never comes: waiting for an event (a reload, an exit). */
#define NEVER		INT64_MAX

enum mode { MODE_RUN, MODE_DRAIN, MODE_STOP };
enum phase { PH_IDLE, PH_ARCHIVE, PH_UPLOAD };

/*
 * A child's state, named as in the status file. The deadline of a child
 * says when its state changes by itself:
 *   IDLE      not running, nothing pending             -
 *   RUNNING   running                                  -
 *   WAITING   failed, backing off                      run again
 *   HELD      exited 64/77/78, waits for a reload      retry (or NEVER)
 *   STOPPING  SIGTERM sent                             SIGKILL
 *   DONE      finished for good (session over, stop)   -
 */
enum state { ST_IDLE, ST_RUNNING, ST_WAITING, ST_HELD, ST_STOPPING,
	ST_DONE };

struct child {
	enum status_child_id id;
	char path[PATH_MAX];	/* what we exec */
	enum state state;
	pid_t pid;		/* 0 when not running */
	int64_t started;	/* monotonic ms of the last start */
	int64_t deadline;	/* monotonic ms, see enum state; else NEVER */
	int64_t backoff;	/* the delay after the last failure, 0 = none */
	int restart;		/* stopped to be run again at once (reload) */
	/* The policy, set once by child_init. */
	int64_t backoff_min;	/* first delay after a failure, 0 = no backoff
				   (the next cycle is the retry) */
	int from_start;		/* delay counted from the start, and a run of
				   STABLE_MS resets it (a service), else from
				   the exit (a job) */
	int quiet_tempfail;	/* its owner reports exit 75 itself */
};

/* [health]: the alarms' thresholds (health.c); durations in ms, 0 = off
 * for pending-age, upload-age and clock-unsynced. */
struct health_set {
	double silence_floor, clip_fraction, hum_share, free_pct;
	int64_t silence_for, pending_age, upload_age, clock_unsynced;
	uint64_t free_bytes;
	int free_is_pct;	/* free_pct of the filesystem, not free_bytes */
};

struct settings {
	int64_t interval, cycle_timeout, drain_deadline, stop_timeout,
	    backoff_max, held_retry;
	int64_t heartbeat;	/* [health] heartbeat, 0 = off (beat.c) */
	int use_syslog;
	enum log_level level;
	struct schedule *sched;	/* [schedule]; NULL: record always */
	struct schedule *upload_win;	/* [upload] window; NULL: always */
	int upload_while_rec;	/* [upload] while-recording */
	struct health_set health;
};

struct cycle {
	enum phase phase;
	int want;		/* a trigger or the timer asked for one */
	int final;		/* the drain cycle is running or done */
	int final_done;
	int err;		/* rec-archive failed in this cycle */
	int64_t next;		/* no cycle before (monotonic ms) */
	int64_t started_rt;
	int64_t stop_deadline;	/* when stopping: the cycle's last ms */
	uint64_t out_after_upload;	/* out/ count after the last upload */
	uint64_t out_before_upload;
};

struct recd {
	const char *conf_flag, *spool_flag;
	struct conf *conf;
	char confpath[PATH_MAX];	/* "" = no file */
	struct timespec conf_mtime;
	char spooldir[PATH_MAX];
	struct spool sp;
	int lockfd, fifofd;
	struct settings set;
	enum mode mode;
	struct child kid[STATUS_NCHILDREN];	/* by enum status_child_id */
	struct cycle cy;
	int64_t tick_next;
	int64_t status_last;
	int status_dirty;
	char **seg_known;	/* seg/ at the last look (sorted), malloc'd */
	size_t nseg_known;
	struct status st;
	struct schedule_window win;	/* capture's window (schedule) */
	int64_t win_done;	/* the end of the last window recorded */
};

extern struct recd R;

#define CAPTURE	(&R.kid[STATUS_CAPTURE])
#define ARCHIVE	(&R.kid[STATUS_ARCHIVE])
#define UPLOAD	(&R.kid[STATUS_UPLOAD])

/* child.c: births and deaths. */
int64_t mono_ms(void);
int64_t real_ns(void);
const char *exit_desc(int wst, char *buf, size_t len);
void child_init(struct child *c, enum status_child_id id, const char *tool);
void child_set_state(struct child *c, enum state s, int64_t deadline);
int child_spawn(struct child *c, const char *const *extra);
void child_stop(struct child *c);
int child_may_start(const struct child *c, int64_t now, int64_t *at);
void child_escalate(int64_t now);
int64_t child_wake(void);
void child_reap(void);
int child_all_stopped(void);

/* cycle.c: the archive+upload cycle. */
int cycle_may_start(int64_t now, int64_t *at);
void cycle_start(int64_t now);
void cycle_archive_exited(int code, int wst);
void cycle_upload_exited(int code, int wst);
void cycle_escalate(int64_t now);
int64_t cycle_wake(int64_t now);

/* beat.c: the heartbeat, rec-upload --heartbeat on its own timer. */
int beat_settings(const struct conf *c, struct settings *s, struct err *e);
void beat_act(int64_t now);
void beat_final(void);
int64_t beat_wake(void);
int beat_reaped(pid_t pid, int wst);
void exec_child(const struct child *c, const char *const *argv,
    pid_t parent, int nullfd);

/* watch.c: what recd looks at and reports. */
void mark_dirty(void);
size_t out_archives(uint64_t *bytes);
void refresh_counts(void);
void scan_segments(void);
void write_status(int64_t now, int force);
void write_final_status(void);

/* schedule.c: recd --schedule, the windows of days days from date from
 * (NULL: today), printed; 0, or -1 + e. */
int show_schedule(const struct conf *c, const char *from, uint64_t days,
    struct err *e);
/* health.c: the alarms (man/recd.8). */
int health_load(struct conf *c, struct health_set *h, struct err *e);
void health_segment(const char *name, const struct segmeta *m,
    unsigned rate, uint64_t frames);
void health_spool(void);
void health_clock(void);
void health_restore(void);

#endif
