/*
 * recd's cycle (Postfix master's avail: the policy): rec-archive, then
 * rec-upload when out/ holds archives, never two at a time. One
 * cycle_may_start() decides both whether a cycle starts and when recd
 * must wake up for the next one.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "recd.h"

/*
 * 1 when a cycle may start at now; else 0 with *at the time one may
 * (NEVER: not before a trigger, the timer or an exit). The drain, once
 * capture's session is over, is one last cycle at once.
 */
int
cycle_may_start(int64_t now, int64_t *at)
{
	*at = NEVER;
	if (R.mode == MODE_STOP || R.cy.phase != PH_IDLE)
		return 0;
	if (R.mode == MODE_DRAIN) {
		if (R.cy.final)		/* the drain cycle ran */
			return 0;
		*at = now;
		return 1;
	}
	if (!R.cy.want)
		return 0;
	*at = R.cy.next;
	return now >= *at;
}

/* The cycle is over (result "ok", "pending" or "error"). */
static void
cycle_end(const char *result)
{
	R.cy.phase = PH_IDLE;
	R.cy.next = mono_ms() + MIN_RESTART_MS;
	R.st.cycle.count++;
	R.st.cycle.started_ns = R.cy.started_rt;
	R.st.cycle.ended_ns = real_ns();
	snprintf(R.st.cycle.result, sizeof(R.st.cycle.result), "%s", result);
	if (R.cy.final)
		R.cy.final_done = 1;
	mark_dirty();
}

/*
 * Outside the drain, held or backed-off uploads wait: NULL when the
 * upload may run now, else the cycle's result. A held upload is tried
 * again after held_retry; pending archives (network down) wait for their
 * backoff, new ones go at once.
 */
static const char *
upload_blocked(int64_t now, size_t n)
{
	struct child *c = UPLOAD;
	int64_t at;

	if (c->state == ST_HELD) {
		if (!child_may_start(c, now, &at))
			return "error";
		log_info("trying the held uploads again (%llds after "
		    "rec-upload's exit %d)",
		    (long long)R.set.held_retry / 1000,
		    R.st.child[STATUS_UPLOAD].last_exit);
		child_set_state(c, ST_IDLE, NEVER);
	}
	if (n <= R.cy.out_after_upload && !child_may_start(c, now, &at)) {
		log_debug("%zu archives pending, next upload in %llds",
		    n, (long long)(at - now) / 1000);
		return "pending";
	}
	return NULL;
}

/*
 * [upload] while-recording = no, and window: NULL when uploads may run
 * now, else why not (the timer tries again). *left: the seconds of the
 * upload window left (INT64_MAX without one).
 */
static const char *
upload_outside(int64_t *left)
{
	struct schedule_window w;
	int64_t t = real_ns() / 1000000000;

	*left = INT64_MAX;
	if (!R.set.upload_while_rec && CAPTURE->pid != 0)
		return "capture runs (while-recording = no)";
	if (R.set.upload_win == NULL)
		return NULL;
	if (schedule_next(R.set.upload_win, t, &w) <= 0 || w.start > t ||
	    w.end - t < 1)
		return "outside the upload window";
	*left = w.end - t;
	return NULL;
}

/* After rec-archive: upload when out/ has archives and it is time to. */
static void
cycle_upload(int64_t now)
{
	const char *extra[4], *blocked;
	char dl[32];
	size_t n = out_archives(NULL), i;
	int64_t left = INT64_MAX;

	if (n == 0) {
		cycle_end(R.cy.err ? "error" : "ok");
		return;
	}
	if (R.mode == MODE_STOP && R.cy.stop_deadline - now < 1000) {
		cycle_end("pending");
		return;
	}
	if (!R.cy.final && (blocked = upload_outside(&left)) != NULL) {
		log_debug("%zu archives wait: %s", n, blocked);
		cycle_end("pending");
		return;
	}
	if (!R.cy.final && (blocked = upload_blocked(now, n)) != NULL) {
		cycle_end(blocked);
		return;
	}
	R.cy.out_before_upload = n;
	/*
	 * Every run is bounded, so that `retry = yes` in [upload] or a long
	 * backlog never holds the cycle lock (and archiving) for ever; a
	 * multipart upload resumes where it stopped. The last upload of a
	 * session retries until that deadline.
	 */
	snprintf(dl, sizeof(dl), "%llds",
	    (long long)(R.set.drain_deadline / 1000 < left ?
	    R.set.drain_deadline / 1000 : left));
	i = 0;
	if (R.cy.final)
		extra[i++] = "--retry";
	extra[i++] = "--deadline";
	extra[i++] = dl;
	extra[i] = NULL;
	if (child_spawn(UPLOAD, extra) < 0) {
		cycle_end("error");
		return;
	}
	R.cy.phase = PH_UPLOAD;
}

void
cycle_start(int64_t now)
{
	/* The drain: archive whatever is there, whatever the conditions. */
	static const char *const all[] = { "--min-count", "1", NULL };

	R.cy.final = R.mode == MODE_DRAIN;
	R.cy.want = 0;
	R.cy.err = 0;
	R.cy.started_rt = real_ns();
	R.st.cycle.archive_exit = R.st.cycle.upload_exit = -1;
	if (ARCHIVE->state == ST_HELD && !R.cy.final) {
		R.cy.err = 1;	/* upload what is there all the same */
		cycle_upload(now);
		return;
	}
	if (child_spawn(ARCHIVE, R.cy.final ? all : NULL) < 0) {
		R.cy.err = 1;	/* go on to the upload */
		cycle_upload(now);
		return;
	}
	R.cy.phase = PH_ARCHIVE;
}

/* rec-archive exited (child_exited applied the hold): upload next. */
void
cycle_archive_exited(int code, int wst)
{
	char d[96];

	R.st.cycle.archive_exit = code;
	switch (code) {
	case 0:
		break;
	case EX_TEMPFAIL:
		log_info("rec-archive: busy or short of space (exit 75)");
		break;
	case EX_DATAERR:
		log_warn("rec-archive quarantined something (see corrupt/)");
		break;
	case EX_USAGE:
	case EX_NOPERM:
	case EX_CONFIG:
		R.cy.err = 1;
		break;
	default:
		log_error("rec-archive %s", exit_desc(wst, d, sizeof(d)));
		R.cy.err = 1;
		break;
	}
	cycle_upload(mono_ms());
}

/* rec-upload exited (child_exited applied the hold or backoff). */
void
cycle_upload_exited(int code, int wst)
{
	struct status_child *sc = &R.st.child[STATUS_UPLOAD];
	size_t n = out_archives(NULL);
	int64_t now = mono_ms();

	(void)wst;
	R.st.cycle.upload_exit = code;
	R.cy.out_after_upload = n;
	if (n < R.cy.out_before_upload || code == 0)
		R.st.last_upload_ns = real_ns();
	switch (UPLOAD->state) {
	case ST_IDLE:
		sc->note[0] = '\0';
		cycle_end(R.cy.err ? "error" : "ok");
		break;
	case ST_HELD:
		cycle_end("error");
		break;
	default:	/* 75 (network, busy) and anything else: backoff */
		if (code == EX_TEMPFAIL)
			log_info("%zu archives pending, retrying in %llds", n,
			    (long long)(UPLOAD->deadline - now + 999) / 1000);
		snprintf(sc->note, sizeof(sc->note),
		    "%zu archives pending, retry in %llds", n,
		    (long long)(UPLOAD->deadline - now + 999) / 1000);
		cycle_end("pending");
		break;
	}
}

/* When stopping: a cycle past cycle-timeout is stopped. */
void
cycle_escalate(int64_t now)
{
	if (R.mode != MODE_STOP || now < R.cy.stop_deadline)
		return;
	if (ARCHIVE->pid != 0 && ARCHIVE->state != ST_STOPPING) {
		log_warn("the cycle did not finish in %llds: stopping "
		    "rec-archive", (long long)R.set.cycle_timeout / 1000);
		child_stop(ARCHIVE);
	}
	if (UPLOAD->pid != 0 && UPLOAD->state != ST_STOPPING) {
		log_warn("the cycle did not finish in %llds: stopping "
		    "rec-upload (it resumes next time)",
		    (long long)R.set.cycle_timeout / 1000);
		child_stop(UPLOAD);
	}
}

/* The nearest time the cycle needs recd awake: a start, or a stop. */
int64_t
cycle_wake(int64_t now)
{
	int64_t at;

	(void)cycle_may_start(now, &at);
	/* once past, cycle_escalate has acted: the kills have their own */
	if (R.mode == MODE_STOP && R.cy.stop_deadline > now &&
	    R.cy.stop_deadline < at)
		at = R.cy.stop_deadline;
	return at;
}
