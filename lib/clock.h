/*
 * clock: how the system time is known. What the kernel says of its
 * clock (adjtimex: synced or not, its estimated and maximum error), the
 * two clocks rec-capture times audio with (CLOCK_MONOTONIC_RAW, which
 * no one steps or slews, and CLOCK_REALTIME, the UTC of the names and
 * GUANO), and DIR/clock-wait, the file in which rec-capture says that
 * it holds recording until the clock is synced ([capture] clock-sync =
 * wait).
 *
 * clock-wait format: one line, "SINCE UNTIL\n", ISO-8601 UTC times
 * (lib/utc.h): waiting since SINCE, recording anyway at UNTIL (the
 * timeout). Written with file_replace; it exists only while waiting.
 */
#ifndef REC_CLOCK_H
#define REC_CLOCK_H

#include <stdint.h>
#include <time.h>

#define CLOCKWAIT_FILE	"clock-wait"

struct clock_state {
	int synced;		/* 1: the kernel keeps the clock synced (no
				   STA_UNSYNC, no TIME_ERROR) */
	int64_t est_error_ns;	/* its estimated error (esterror) */
	int64_t max_error_ns;	/* its maximum error (maxerror) */
};

/* The kernel's state of the clock into *cs (read only: changes
 * nothing); 0, or -1 with errno (cs then says not synced). */
int clock_state_read(struct clock_state *cs);

/* Clock id in ns. */
int64_t clock_ns(clockid_t id);

/*
 * CLOCK_REALTIME less clock id (CLOCK_MONOTONIC_RAW, say), now: the UTC
 * of a time t on id is t + offset. Read between two readings of id
 * (their middle), so that one preemption costs its length at most.
 */
int64_t clock_offset_ns(clockid_t id);

/* Say recording waits for sync since since_ns, until until_ns (ns UTC);
 * 0, or -1 with errno. */
int clockwait_set(int dirfd, int64_t since_ns, int64_t until_ns);

/* Remove the file; 0 (also when there was none), or -1 with errno. */
int clockwait_clear(int dirfd);

/*
 * Read the file: 1 with *since_ns and *until_ns when it is there, 0 when
 * it is absent (both 0), -1 with errno when it cannot be read (EINVAL:
 * not in the format above).
 */
int clockwait_read(int dirfd, int64_t *since_ns, int64_t *until_ns);

#endif
