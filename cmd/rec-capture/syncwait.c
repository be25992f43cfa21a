/*
 * rec-capture, [capture] clock-sync = wait: hold recording until the
 * kernel says its clock is synced (NTP, chrony, a GPS), as an AudioMoth
 * waits for GPS time, so that no segment is stamped by a clock that is
 * off by the hours a Pi without a real-time clock can be at boot. The
 * wait is always bounded (clock-sync-timeout; there is no "forever": a
 * station that never gets the time must still record): then it records
 * anyway, and its segments say REC|Clock Synced: false.
 * While it waits, DIR/clock-wait says so (lib/clock.h) for recd and
 * rec-status.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "log.h"
#include "utc.h"

#define NS	1000000000LL

/* Write or remove DIR/clock-wait; a failure is only logged. */
static void
wait_say(struct cap *c, int64_t since_ns, int64_t until_ns)
{
	if ((since_ns ? clockwait_set(c->sp.dirfd, since_ns, until_ns) :
	    clockwait_clear(c->sp.dirfd)) < 0)
		log_warn("cannot %s %s/%s: %s", since_ns ? "write" : "remove",
		    c->sp.dir, CLOCKWAIT_FILE, strerror(errno));
}

void
cap_clock_wait(struct cap *c)
{
	struct clock_state cs;
	struct timespec pause = { 1, 0 };
	int64_t t0 = clock_ns(CLOCK_MONOTONIC), now = clock_ns(CLOCK_REALTIME), until;
	char iso[40];

	/* A kill -9 while waiting may have left it. */
	wait_say(c, 0, 0);
	if (!c->clock_wait || clock_state_read(&cs) < 0 || cs.synced)
		return;
	if (c->clock_wait_ms == 0)
		return;
	until = now + (int64_t)c->clock_wait_ms * 1000000;
	log_warn("the system clock is not synced: recording waits for it "
	    "until %s (clock-sync = wait, clock-sync-timeout)",
	    utc_iso_ns(until, iso, sizeof(iso)));
	wait_say(c, now, until);
	for (;;) {
		if (*c->stop)
			break;
		if (clock_state_read(&cs) == 0 && cs.synced) {
			log_info("the system clock is synced after %.1f s: "
			    "recording", (double)(clock_ns(CLOCK_MONOTONIC) - t0) / NS);
			break;
		}
		if ((uint64_t)(clock_ns(CLOCK_MONOTONIC) - t0) / 1000000 >= c->clock_wait_ms) {
			log_warn("the system clock is still not synced after "
			    "%.1f s: recording anyway, its segments say "
			    "REC|Clock Synced: false",
			    (double)(clock_ns(CLOCK_MONOTONIC) - t0) / NS);
			break;
		}
		/* a stop signal cuts the pause short (no SA_RESTART) */
		(void)nanosleep(&pause, NULL);
	}
	wait_say(c, 0, 0);
}
