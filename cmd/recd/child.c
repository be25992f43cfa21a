/*
 * recd's births and deaths (Postfix master's spawn): fork and exec a
 * child, stop it (SIGTERM, then SIGKILL after stop-timeout), reap it, and
 * apply the one rule for an exit to every child: 64/77/78 hold it, other
 * failures back off, and the special cases each tool's exit codes need.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "recd.h"
#include "utc.h"

static const char *const state_names[] = {
	[ST_IDLE] = "idle", [ST_RUNNING] = "running",
	[ST_WAITING] = "waiting", [ST_HELD] = "held",
	[ST_STOPPING] = "stopping", [ST_DONE] = "done",
};

int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return utc_ns(&ts);
}

/* Describe a wait(2) status as the shell would: exit code or 128+sig. */
static int
exit_code(int wst)
{
	if (WIFEXITED(wst))
		return WEXITSTATUS(wst);
	if (WIFSIGNALED(wst))
		return 128 + WTERMSIG(wst);
	return EX_SOFTWARE;
}

const char *
exit_desc(int wst, char *buf, size_t len)
{
	if (WIFSIGNALED(wst))
		snprintf(buf, len, "was killed by signal %d (%s)",
		    WTERMSIG(wst), strsignal(WTERMSIG(wst)));
	else
		snprintf(buf, len, "exited with %d", exit_code(wst));
	return buf;
}

/* The directory of our own executable, where the other tools live. */
static void
find_tool(struct child *c, const char *name)
{
	char self[PATH_MAX], *slash;
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash != NULL) {
			*slash = '\0';
			if (snprintf(c->path, sizeof(c->path), "%s/%s", self,
			    name) < (int)sizeof(c->path) &&
			    access(c->path, X_OK) == 0)
				return;
		}
	}
	snprintf(c->path, sizeof(c->path), "%s", name);	/* PATH */
}

/*
 * Capture is a service: kept running, its backoff counted from its start.
 * Archive and upload are jobs of the cycle: a failed archive is retried
 * by the next cycle, a failed upload after a backoff from its exit.
 */
void
child_init(struct child *c, enum status_child_id id, const char *tool)
{
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->state = ST_IDLE;
	c->deadline = NEVER;
	switch (id) {
	case STATUS_CAPTURE:
		c->backoff_min = MIN_RESTART_MS;
		c->from_start = 1;
		/* started at once */
		c->state = ST_WAITING;
		c->deadline = mono_ms();
		break;
	case STATUS_UPLOAD:
		c->backoff_min = BACKOFF_INTERVAL;
		c->quiet_tempfail = 1;	/* "N archives pending" */
		break;
	default:
		break;
	}
	find_tool(c, tool);
}

/* Move c to state s (deadline as in enum state) and say so in status. */
void
child_set_state(struct child *c, enum state s, int64_t deadline)
{
	struct status_child *sc = &R.st.child[c->id];

	c->state = s;
	c->deadline = deadline;
	snprintf(sc->state, sizeof(sc->state), "%s", state_names[s]);
	mark_dirty();
}

/* In the child after fork: exec c with argv, or _exit. */
void
exec_child(const struct child *c, const char *const *argv, pid_t parent,
    int nullfd)
{
	sigset_t none;

	/* Die with recd: an orphan capture would race the next one. */
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(EX_SOFTWARE);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (nullfd >= 0 && dup2(nullfd, STDIN_FILENO) < 0)
		_exit(EX_OSERR);
	if (strchr(c->path, '/') != NULL)
		execv(c->path, (char *const *)argv);
	else
		execvp(c->path, (char *const *)argv);
	log_error("cannot run %s: %s", c->path, strerror(errno));
	_exit(errno == ENOENT ? EX_UNAVAILABLE : 126);	/* 126: as sh(1) */
}

/*
 * Fork and exec child c with --config/--spool and extra arguments, and
 * count the run (capture: a restart, after its first start). Only capture
 * keeps our stdin; the others read /dev/null. 0, or -1 (logged).
 */
int
child_spawn(struct child *c, const char *const *extra)
{
	struct status_child *sc = &R.st.child[c->id];
	const char *argv[16];
	int n = 0, i, nullfd = -1;
	pid_t pid, parent = getpid();

	if (c->id != STATUS_CAPTURE || sc->started_ns != 0)
		sc->restarts++;
	argv[n++] = status_child_name(c->id);
	if (R.confpath[0] != '\0') {
		argv[n++] = "--config";
		argv[n++] = R.confpath;
	}
	argv[n++] = "--spool";
	argv[n++] = R.spooldir;
	for (i = 0; extra != NULL && extra[i] != NULL && n < 15; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;

	if (c->id != STATUS_CAPTURE) {
		nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (nullfd < 0) {
			log_error("cannot open /dev/null: %s", strerror(errno));
			return -1;
		}
	}
	pid = fork();
	if (pid < 0) {
		log_error("cannot fork for %s: %s", argv[0], strerror(errno));
		if (nullfd >= 0)
			close(nullfd);
		return -1;
	}
	if (pid == 0)
		exec_child(c, argv, parent, nullfd);
	if (nullfd >= 0)
		close(nullfd);
	c->pid = pid;
	c->started = mono_ms();
	sc->pid = pid;
	sc->started_ns = real_ns();
	sc->note[0] = '\0';
	child_set_state(c, ST_RUNNING, NEVER);
	log_debug("started %s (pid %ld)", argv[0], (long)pid);
	return 0;
}

/* Ask c to stop: SIGTERM now, SIGKILL after the stop timeout. */
void
child_stop(struct child *c)
{
	if (c->pid == 0 || c->state == ST_STOPPING)
		return;
	log_debug("stopping %s (pid %ld)", status_child_name(c->id),
	    (long)c->pid);
	(void)kill(c->pid, SIGTERM);
	child_set_state(c, ST_STOPPING, mono_ms() + R.set.stop_timeout);
}

/*
 * 1 when c, not running, may be started at now; else 0 with *at the
 * time it may be (NEVER: not before an event). Who starts it, and
 * whether at all, is its owner's business.
 */
int
child_may_start(const struct child *c, int64_t now, int64_t *at)
{
	*at = NEVER;
	if (c->pid != 0)
		return 0;
	switch (c->state) {
	case ST_IDLE:
		*at = now;
		break;
	case ST_WAITING:
	case ST_HELD:
		*at = c->deadline;
		break;
	default:
		return 0;
	}
	return now >= *at;
}

/* SIGKILL every child whose stop timeout is over. */
void
child_escalate(int64_t now)
{
	struct child *c;
	int i;

	for (i = 0; i < STATUS_NCHILDREN; i++) {
		c = &R.kid[i];
		if (c->pid == 0 || c->state != ST_STOPPING ||
		    now < c->deadline)
			continue;
		log_warn("%s (pid %ld) did not stop in %llds: killing it",
		    status_child_name(c->id), (long)c->pid,
		    (long long)R.set.stop_timeout / 1000);
		(void)kill(c->pid, SIGKILL);
		c->deadline = NEVER;
	}
}

/* The nearest SIGKILL deadline; a start is its owner's (may_start). */
int64_t
child_wake(void)
{
	int64_t wake = NEVER;
	int i;

	for (i = 0; i < STATUS_NCHILDREN; i++)
		if (R.kid[i].pid != 0 && R.kid[i].state == ST_STOPPING &&
		    R.kid[i].deadline < wake)
			wake = R.kid[i].deadline;
	return wake;
}

int
child_all_stopped(void)
{
	int i;

	for (i = 0; i < STATUS_NCHILDREN; i++)
		if (R.kid[i].pid != 0)
			return 0;
	return 1;
}

/* 64/77/78: not run again before a reload (uploads: or held_retry). */
static void
hold(struct child *c, int code, int wst, int64_t now)
{
	struct status_child *sc = &R.st.child[c->id];
	int64_t retry = c->id == STATUS_UPLOAD ? R.set.held_retry : 0;
	char d[96], after[32] = "";

	if (retry > 0)
		snprintf(after, sizeof(after), ", or %llds",
		    (long long)retry / 1000);
	log_error("%s %s: not retrying before a reload (SIGHUP)%s a change "
	    "of the config%s", status_child_name(c->id),
	    exit_desc(wst, d, sizeof(d)), retry > 0 ? "," : " or", after);
	snprintf(sc->note, sizeof(sc->note),
	    "exit %d: waiting for a fix and a reload%s", code, after);
	child_set_state(c, ST_HELD, retry > 0 ? now + retry : NEVER);
}

/* Any other failure: wait, each time twice as long up to backoff-max. */
static void
back_off(struct child *c, int code, int wst, int64_t now)
{
	struct status_child *sc = &R.st.child[c->id];
	int64_t at;
	char d[96];

	if (c->backoff_min == 0) {	/* the next cycle is the retry */
		child_set_state(c, ST_IDLE, NEVER);
		return;
	}
	if (c->backoff == 0 || (c->from_start && now - c->started >=
	    STABLE_MS))
		c->backoff = c->backoff_min == BACKOFF_INTERVAL ?
		    R.set.interval : c->backoff_min;
	else if ((c->backoff *= 2) > R.set.backoff_max)
		c->backoff = R.set.backoff_max;
	at = (c->from_start ? c->started : now) + c->backoff;
	if (at < now)
		at = now;
	/* a service's failure is a warning (it runs again), a job's an
	 * error; a routine 75 its owner may report itself */
	exit_desc(wst, d, sizeof(d));
	if (c->from_start)
		log_warn("%s %s; restarting in %llds",
		    status_child_name(c->id), d,
		    (long long)((at - now + 999) / 1000));
	else if (code != EX_TEMPFAIL || !c->quiet_tempfail)
		log_error("%s %s; retrying in %llds",
		    status_child_name(c->id), d,
		    (long long)((at - now + 999) / 1000));
	snprintf(sc->note, sizeof(sc->note), "%s, retry %llu in %llds",
	    d, (unsigned long long)sc->restarts + 1,
	    (long long)((at - now + 999) / 1000));
	child_set_state(c, ST_WAITING, at);
}

/*
 * Capture's own exit codes: 0 is the end of its session (its duration,
 * or the end of its input), and so is 65: the session ended whole, but an
 * unreadable tmp/ file went to corrupt/ at its start, and restarting
 * would only start a new session. Either way the spool is drained.
 */
static int
capture_over(int code)
{
	if (code == EX_DATAERR)
		log_warn("rec-capture quarantined a file it could not recover "
		    "(see %s/corrupt)", R.sp.dir);
	if (code != 0 && code != EX_DATAERR)
		return 0;
	log_info("rec-capture ended its session: draining the spool");
	R.mode = MODE_DRAIN;
	R.cy.want = 1;
	return 1;
}

/*
 * With a schedule, capture's 0 is the end of its window (its --duration,
 * or its input ran dry early): the next window starts it again, never
 * the same one, so that an input at its end costs a start per window.
 */
static int
window_over(int code)
{
	if (R.set.sched == NULL || code != 0)
		return 0;
	log_info("rec-capture ended with its window");
	R.win_done = R.win.end;
	R.cy.want = 1;
	return 1;
}

/* The one rule for the exit of any child, then its owner's part. */
static void
child_exited(struct child *c, int wst)
{
	int code = exit_code(wst);
	int64_t now = mono_ms();
	char d[96];

	c->pid = 0;
	R.st.child[c->id].pid = 0;
	R.st.child[c->id].last_exit = code;
	R.st.child[c->id].last_exit_ns = real_ns();
	if (c->id == STATUS_CAPTURE && R.mode == MODE_STOP) {
		log_debug("rec-capture %s", exit_desc(wst, d, sizeof(d)));
		child_set_state(c, ST_DONE, NEVER);
	} else if (c->restart) {	/* a reload changed its settings */
		c->restart = 0;
		c->backoff = 0;
		child_set_state(c, ST_WAITING, now);
	} else if (c->id == STATUS_CAPTURE && window_over(code)) {
		c->backoff = 0;
		child_set_state(c, ST_IDLE, NEVER);
	} else if (c->id == STATUS_CAPTURE && capture_over(code)) {
		child_set_state(c, ST_DONE, NEVER);
	} else if (code == EX_USAGE || code == EX_NOPERM ||
	    code == EX_CONFIG) {
		hold(c, code, wst, now);
	} else if (code == 0 || (c->id == STATUS_ARCHIVE &&
	    (code == EX_DATAERR || code == EX_TEMPFAIL))) {
		/* rec-archive: 65 quarantined something, 75 busy or short
		 * of space; the cycle goes on either way */
		c->backoff = 0;
		child_set_state(c, ST_IDLE, NEVER);
	} else {
		back_off(c, code, wst, now);
	}
	if (c->id == STATUS_ARCHIVE)
		cycle_archive_exited(code, wst);
	else if (c->id == STATUS_UPLOAD)
		cycle_upload_exited(code, wst);
}

/* Collect every child that exited. */
void
child_reap(void)
{
	pid_t pid;
	int wst, i;

	while ((pid = waitpid(-1, &wst, WNOHANG)) > 0) {
		for (i = 0; i < STATUS_NCHILDREN; i++)
			if (R.kid[i].pid == pid)
				break;
		if (i < STATUS_NCHILDREN)
			child_exited(&R.kid[i], wst);
		else
			(void)beat_reaped(pid, wst);
	}
}
