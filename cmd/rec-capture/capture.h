/*
 * rec-capture internals: the state shared by the reader (main thread,
 * source.c), the writer thread (writer.c) and main.c.
 */
#ifndef REC_CAPTURE_H
#define REC_CAPTURE_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "clock.h"
#include "pcm.h"
#include "ring.h"
#include "schedule.h"
#include "spool.h"

/* Why frames were lost (for the log line). */
enum cap_cause { CAUSE_NONE, CAUSE_XRUN, CAUSE_SUSPEND, CAUSE_RING,
	CAUSE_GONE };

/*
 * An event in the stream, queued by the reader for the writer: before
 * captured frame `pos`, `lost` frames were lost; when has_ts, frame `pos`
 * was captured at time ts_ns (ns since the epoch, UTC, by the system's
 * clock as it was then) and the card runs at `rate` frames a second of
 * it (0: not measured yet, the nominal rate); cut: the device is gone,
 * publish the open segment before frame `pos`; step_ns: the wall clock
 * was stepped by that much (signed) just before frame `pos`; has_clock:
 * cs is what the kernel said of its clock then.
 */
struct cap_event {
	uint64_t pos;
	uint64_t lost;
	int64_t ts_ns;
	int has_ts;
	enum cap_cause cause;
	int cut;
	double rate;
	int64_t step_ns;
	int has_clock;
	struct clock_state cs;
};

#define CAP_EVMAX 256

struct cap {
	/* configuration (read-only once the threads run) */
	struct pcm_spec spec;
	size_t fb;			/* bytes per frame */
	const char *device;
	char station[72];
	int placed;			/* latitude and longitude given */
	struct schedule_place place;	/* GUANO's Loc Position, Elevation */
	uint64_t seg_ms;		/* segment length */
	uint64_t seg_frames;
	int align;
	uint64_t dur_frames;		/* 0 = forever */
	uint64_t device_wait_ms;	/* for a lost device; UINT64_MAX =
					   forever, 0 = exit 69 at once */
	int clock_wait;			/* clock-sync = wait */
	uint64_t clock_wait_ms;		/* its timeout (0: no wait) */
	char run[33];			/* run id, hex */
	struct spool sp;

	/* reader -> writer */
	struct ring ring;
	pthread_mutex_t ev_mu;
	struct cap_event ev[CAP_EVMAX];
	size_t ev_first, ev_n;		/* queued events (guarded by ev_mu) */

	/* stop requests and results */
	volatile sig_atomic_t *stop;	/* set by a stop signal (main.c) */
	int sigfd;			/* read end of the self-pipe */
	_Atomic int writer_ex;		/* != 0: the writer failed with it */
	int recover_ex;			/* 65/74: a tmp/ file was quarantined
					   or left behind by writer_recover */
	_Atomic int writer_done;

	/* counters (writer) */
	uint64_t segments, frames, lost, xruns;
};

/* source.c: open the device (or stdin for "-"); 0 or the exit code. */
int source_open(struct cap *c);
/* Run the reader loop until stop, duration or EOF, waiting for a lost
 * device to come back; returns 0, or an exit code. */
int source_run(struct cap *c);
void source_close(struct cap *c);

/* Queue an event for the writer (merged with the last when the queue is
 * full or when it is a loss at the same position). */
void cap_event_push(struct cap *c, const struct cap_event *ev);

/* writer.c: the writer thread. */
void *writer_main(void *arg);
/* recover.c: recover segments left in tmp/ by a crash. One that cannot
 * be read does not stop it (c->recover_ex says what became of it);
 * 0, or an exit code when tmp/ cannot be listed. */
int writer_recover(struct cap *c);

/* clock-sync = wait: hold until the kernel says its clock is synced,
 * the timeout, or a stop (main.c). */
void cap_clock_wait(struct cap *c);

#endif
