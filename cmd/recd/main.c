/*
 * recd: the supervisor that makes the rec tools one running system. It
 * keeps rec-capture running, runs rec-archive then rec-upload as one
 * cycle when the spool's trigger FIFO or its timer wakes it, drains the
 * spool when a capture session ends, and keeps DIR/status up to date.
 * This file: flags, config, the lock, signals, and the loop that sleeps
 * until the nearest deadline of the children and the cycle.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "err.h"
#include "file.h"
#include "opt.h"
#include "parse.h"
#include "recd.h"
#include "schedule.h"
#include "utc.h"

#define USAGE "usage: recd [-hqVv] [--config file] [--spool dir] [--syslog]\n" \
"       recd --schedule [--config file] [--from date] [--days n]\n"

/* How long a start waits for recd.lock while rec-status tests it. */
#define LOCK_TRIES	20
#define LOCK_TRY_MS	10
#define WINDOW_GRACE_MS	2000	/* a capture past its window is stopped */

struct recd R;

static int sigpipe_fd[2] = { -1, -1 };

static void
on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;

	(void)!write(sigpipe_fd[1], &b, 1);
	errno = saved;
}

/* The settings of recd: [recd] in rec.conf; --syslog also a flag. */
enum { O_INTERVAL, O_CYCLE_TIMEOUT, O_DRAIN_DEADLINE, O_STOP_TIMEOUT,
	O_BACKOFF_MAX, O_SYSLOG, O_SCHEDULE, O_FROM, O_DAYS, O_WHILE_REC };
static struct opt opts[] = {
	[O_INTERVAL] = { .name = NULL, .type = OPT_DURATION, .section = "recd",
	    .key = "interval" },
	[O_CYCLE_TIMEOUT] = { .name = NULL, .type = OPT_DURATION,
	    .section = "recd", .key = "cycle-timeout" },
	[O_DRAIN_DEADLINE] = { .name = NULL, .type = OPT_DURATION,
	    .section = "recd", .key = "drain-deadline" },
	[O_STOP_TIMEOUT] = { .name = NULL, .type = OPT_DURATION,
	    .section = "recd", .key = "stop-timeout" },
	[O_BACKOFF_MAX] = { .name = NULL, .type = OPT_DURATION,
	    .section = "recd", .key = "backoff-max" },
	[O_SYSLOG] = { .name = "syslog", .type = OPT_BOOL, .section = "recd",
	    .key = "syslog" },
	[O_SCHEDULE] = { .name = "schedule", .type = OPT_BOOL },
	[O_FROM] = { .name = "from", .type = OPT_STR },
	[O_DAYS] = { .name = "days", .type = OPT_UINT, .min = 1, .max = 366,
	    .desc = "a number of days" },
	[O_WHILE_REC] = { .name = NULL, .type = OPT_BOOL, .section = "upload",
	    .key = "while-recording" },
	{ .name = NULL }
};
static struct opt_common oc;

/* Read one duration key of [recd] (at most 30 days); -1 + e on a bad one. */
static int
get_ms(struct conf *c, int i, const char *def, int64_t *out, struct err *e)
{
	uint64_t ms;

	if (opt_duration(c, &opts[i], def, &ms, e) < 0)
		return -1;
	if (ms > (uint64_t)30 * 86400000)
		return opt_bad(c, &opts[i], conf_get(c, "recd", opts[i].key),
		    "more than 30 days", e);
	*out = (int64_t)ms;
	return 0;
}

/* HELD_RETRY_MS, or REC_TEST_HELD_RETRY (for tests only). */
static int
held_retry_ms(int64_t *out, struct err *e)
{
	const char *v = getenv("REC_TEST_HELD_RETRY");
	uint64_t ms;

	*out = HELD_RETRY_MS;
	if (v == NULL || *v == '\0')
		return 0;
	if (parse_duration_ms(v, &ms) < 0 || ms < MIN_RESTART_MS ||
	    ms > HELD_RETRY_MS) {
		err_set(e, EX_USAGE, "bad REC_TEST_HELD_RETRY '%s'", v);
		return -1;
	}
	*out = (int64_t)ms;
	return 0;
}

/* The [recd] settings of c (flags win over the file). */
static int
load_settings(struct conf *c, struct settings *s, struct err *e)
{
	if (get_ms(c, O_INTERVAL, "30", &s->interval, e) < 0 ||
	    get_ms(c, O_CYCLE_TIMEOUT, "120", &s->cycle_timeout, e) < 0 ||
	    get_ms(c, O_DRAIN_DEADLINE, "600", &s->drain_deadline, e) < 0 ||
	    get_ms(c, O_STOP_TIMEOUT, "10", &s->stop_timeout, e) < 0 ||
	    get_ms(c, O_BACKOFF_MAX, "300", &s->backoff_max, e) < 0 ||
	    opt_bool(c, &opts[O_SYSLOG], 0, &s->use_syslog, e) < 0 ||
	    opt_level(c, "recd", &oc, &s->level, e) < 0 ||
	    health_load(c, &s->health, e) < 0)
		return -1;
	if (s->interval < 1000) {
		err_set(e, EX_CONFIG, "%s: interval must be at least 1s",
		    conf_where(c, "recd", "interval"));
		return -1;
	}
	if (s->backoff_max < MIN_RESTART_MS)
		s->backoff_max = MIN_RESTART_MS;
	if (beat_settings(c, s, e) < 0)	/* [health] heartbeat (beat.c) */
		return -1;
	if (held_retry_ms(&s->held_retry, e) < 0)
		return -1;
	if (opt_bool(c, &opts[O_WHILE_REC], 1, &s->upload_while_rec, e) < 0)
		return -1;
	/* last: nothing to free on an error; refused: 78, FILE:LINE */
	if (schedule_load_key(&s->upload_win, c, "upload", "window", e) < 0)
		return -1;
	if (schedule_load(&s->sched, c, e) < 0) {
		schedule_free(s->upload_win);
		return -1;
	}
	return 0;
}

static void
apply_settings(const struct settings *s)
{
	log_set_level(s->level);
	log_use_syslog(s->use_syslog);
	schedule_free(R.set.sched);
	schedule_free(R.set.upload_win);
	R.set = *s;
}

static int
stat_mtime(const char *path, struct timespec *ts)
{
	struct stat st;

	memset(ts, 0, sizeof(*ts));
	if (path[0] == '\0' || stat(path, &st) < 0)
		return -1;
	*ts = st.st_mtim;
	return 0;
}

/* 1 when the keys that rec-capture reads differ between a and b. */
static int
capture_changed(const struct conf *a, const struct conf *b)
{
	static const char *const sects[] = { "", "capture" };
	const struct conf_section *cs;
	size_t s, k, ia, ib;
	const char *va, *vb;

	for (s = 0; s < 2; s++) {
		for (cs = conf_sections; cs->name != NULL; cs++)
			if (strcmp(cs->name, sects[s]) == 0)
				break;
		if (cs->name == NULL)
			continue;
		for (k = 0; cs->keys[k] != NULL; k++) {
			ia = ib = 0;
			do {
				va = conf_next(a, sects[s], cs->keys[k], &ia);
				vb = conf_next(b, sects[s], cs->keys[k], &ib);
				if ((va == NULL) != (vb == NULL) ||
				    (va != NULL && strcmp(va, vb) != 0))
					return 1;
			} while (va != NULL);
		}
	}
	return 0;
}

/* SIGTERM, SIGINT: stop capture, let the cycle finish; again: stop it. */
static void
begin_stop(int sig)
{
	if (R.mode == MODE_STOP) {
		log_info("got %s again: stopping now", strsignal(sig));
		child_stop(ARCHIVE);
		child_stop(UPLOAD);
		return;
	}
	log_info("got %s: stopping", strsignal(sig));
	R.mode = MODE_STOP;
	R.cy.stop_deadline = mono_ms() + R.set.cycle_timeout;
	child_stop(CAPTURE);
	mark_dirty();
}

/* After a reload: held children are let go, capture restarted when its
 * settings changed (a restart costs a gap in the recording). */
static void
release_children(const struct conf *old, const struct conf *new)
{
	struct child *c;
	int i;

	if (CAPTURE->state == ST_HELD) {
		CAPTURE->backoff = 0;
		child_set_state(CAPTURE, ST_WAITING, mono_ms());
		R.st.child[STATUS_CAPTURE].note[0] = '\0';
	} else if (CAPTURE->pid != 0 && capture_changed(old, new)) {
		log_info("the capture settings changed: restarting rec-capture");
		CAPTURE->restart = 1;
		child_stop(CAPTURE);
	}
	for (i = STATUS_ARCHIVE; i <= STATUS_UPLOAD; i++) {
		c = &R.kid[i];
		c->backoff = 0;
		if (c->state == ST_HELD || c->state == ST_WAITING)
			child_set_state(c, ST_IDLE, NEVER);
		R.st.child[i].note[0] = '\0';
	}
}

/* SIGHUP, or the config file changed: reread it. */
static void
reload(const char *why)
{
	struct conf *c = NULL;
	struct settings s;
	struct err e;
	const char *sp;
	char real[PATH_MAX];

	log_info("%s: rereading %s", why,
	    R.confpath[0] ? R.confpath : "the config");
	/* The time of the version read, taken before reading it: an edit
	 * made meanwhile is seen next time, a bad file is reported once. */
	if (R.confpath[0] != '\0')
		stat_mtime(R.confpath, &R.conf_mtime);
	if (conf_load(&c, R.confpath[0] ? R.confpath : R.conf_flag, &e) < 0 ||
	    load_settings(c, &s, &e) < 0) {
		log_error("%s; keeping the old settings", e.msg);
		conf_free(c);
		return;
	}
	sp = conf_spool(c, R.spool_flag);
	if (realpath(sp, real) != NULL)
		sp = real;
	if (strcmp(sp, R.spooldir) != 0)
		log_warn("the spool changed to %s: that takes a restart of "
		    "recd; still using %s", sp, R.spooldir);
	apply_settings(&s);
	release_children(R.conf, c);
	R.cy.want = 1;
	conf_free(R.conf);
	R.conf = c;
	mark_dirty();
}

static void
check_conf_changed(void)
{
	struct timespec ts;

	if (R.confpath[0] == '\0' || stat_mtime(R.confpath, &ts) < 0)
		return;
	if (ts.tv_sec != R.conf_mtime.tv_sec ||
	    ts.tv_nsec != R.conf_mtime.tv_nsec)
		reload("the config file changed");
}

/* Drain the FIFO: any line is a wake-up. */
static void
read_fifo(void)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(R.fifofd, buf, sizeof(buf))) > 0) {
		R.cy.want = 1;
		log_debug("trigger: %.*s", (int)(n > 0 && buf[n - 1] == '\n' ?
		    n - 1 : n), buf);
	}
}

/*
 * flock(fd, LOCK_EX | LOCK_NB), tried LOCK_TRIES times: rec-status tests
 * the lock by holding it shared for a moment, which must not make a
 * starting recd think another one runs.
 */
static int
try_lock(int fd)
{
	struct timespec ts = { 0, LOCK_TRY_MS * 1000000L };
	int i;

	for (i = 0; ; i++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK || i + 1 >= LOCK_TRIES)
			return -1;
		nanosleep(&ts, NULL);
	}
}

/*
 * Take DIR/recd.lock, a 0600 regular file of ours (a link, or another
 * user's file, is refused: 77). The children inherit it, so that a new
 * recd waits for the old one's last child. -1 when another recd has it.
 */
static int
take_lock(struct err *e)
{
	char buf[32], old[32];
	ssize_t n;
	int fd, saved;

	fd = file_open_lock(R.sp.dirfd, "recd.lock");
	if (fd < 0) {
		err_sys(e, errno == EACCES || errno == EPERM ||
		    errno == ELOOP ? EX_NOPERM : EX_CANTCREAT,
		    "cannot open %s/recd.lock", R.spooldir);
		return -1;
	}
	if (fcntl(fd, F_SETFD, 0) < 0) {
		err_sys(e, EX_OSERR, "cannot share %s/recd.lock with the "
		    "children", R.spooldir);
		goto fail;
	}
	if (try_lock(fd) < 0) {
		saved = errno;
		n = pread(fd, old, sizeof(old) - 1, 0);
		old[n > 0 ? n : 0] = '\0';
		old[strcspn(old, "\n")] = '\0';
		errno = saved;
		spool_lock_err(R.spooldir, "recd.lock", saved, e);
		if (saved == EWOULDBLOCK && old[0] != '\0' &&
		    strlen(e->msg) + strlen(old) + 16 < sizeof(e->msg))
			sprintf(e->msg + strlen(e->msg), " (recd, pid %s)", old);
		goto fail;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, n, 0) != n)
		log_warn("cannot write %s/recd.lock: %s", R.spooldir,
		    strerror(errno));
	return fd;
fail:
	close(fd);
	return -1;
}

/* Open DIR/trigger for reading (and writing, so it never reports EOF):
 * the FIFO spool_open made, never a link or a file put in its place. */
static int
open_fifo(struct err *e)
{
	struct stat st;
	int fd;

	fd = openat(R.sp.dirfd, "trigger",
	    O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		err_sys(e, errno == ELOOP ? EX_NOPERM : EX_IOERR,
		    "cannot open %s/trigger", R.spooldir);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		err_sys(e, EX_IOERR, "cannot stat %s/trigger", R.spooldir);
		goto fail;
	}
	if (!S_ISFIFO(st.st_mode)) {
		err_set(e, EX_NOPERM, "%s/trigger is not a fifo", R.spooldir);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

static void
setup_signals(void)
{
	struct sigaction sa;
	int i;

	if (pipe2(sigpipe_fd, O_CLOEXEC | O_NONBLOCK) < 0)
		log_die(EX_OSERR, "cannot create a pipe: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 4; i++) {
		static const int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP };
		sigaction(sigs[i], &sa, NULL);
	}
	signal(SIGPIPE, SIG_IGN);
}

/* Act on the signals the handler wrote into the self-pipe. */
static void
handle_signals(void)
{
	unsigned char sigs[64];
	ssize_t n, i;

	while ((n = read(sigpipe_fd[0], sigs, sizeof(sigs))) > 0) {
		for (i = 0; i < n; i++) {
			switch (sigs[i]) {
			case SIGCHLD:
				break;
			case SIGHUP:
				reload("got SIGHUP");
				break;
			default:
				begin_stop(sigs[i]);
				break;
			}
		}
	}
}

/*
 * With a schedule: 1 when the wall clock is in a window with at least a
 * second left that capture has not recorded yet (R.win, for the spawn);
 * else 0 and *at the monotonic time of the next one. No window left: the
 * session is over (drain).
 */
static int
window_open(int64_t now, int64_t *at)
{
	int64_t rt = real_ns() / 1000000, t = rt / 1000;
	int r;

	r = schedule_next(R.set.sched, t > R.win_done ? t : R.win_done,
	    &R.win);
	if (r <= 0) {
		*at = NEVER;
		if (r == 0 && CAPTURE->pid == 0) {
			log_info("the schedule has no window left: draining "
			    "the spool");
			R.mode = MODE_DRAIN;
			R.cy.want = 1;
			child_set_state(CAPTURE, ST_DONE, NEVER);
		} else if (r < 0) {
			log_error("cannot compute the schedule: %s",
			    strerror(errno));
			*at = now + MIN_RESTART_MS;
		}
		return 0;
	}
	if (R.win.start * 1000 > rt) {
		*at = now + (R.win.start * 1000 - rt);
		return 0;
	}
	if (R.win.end * 1000 - rt < 1000) {
		*at = now + (R.win.end * 1000 - rt);
		return 0;
	}
	return 1;
}

/* 1 when capture, not running, may be started at now (*at: when). */
static int
capture_may_start(int64_t now, int64_t *at)
{
	if (R.mode != MODE_RUN) {
		*at = NEVER;
		return 0;
	}
	if (!child_may_start(CAPTURE, now, at))
		return 0;
	return R.set.sched == NULL || window_open(now, at);
}

/* Start capture; in a window, for the rest of it (--duration). */
static int
capture_spawn(void)
{
	const char *extra[3] = { NULL, NULL, NULL };
	char dur[32], end[40];

	if (R.set.sched != NULL) {
		snprintf(dur, sizeof(dur), "%lldms", (long long)(R.win.end *
		    1000 - real_ns() / 1000000));
		extra[0] = "--duration";
		extra[1] = dur;
		log_info("a window until %s: recording for %s",
		    utc_iso_ns(R.win.end * 1000000000, end, sizeof(end)), dur);
	}
	return child_spawn(CAPTURE, extra);
}

/*
 * With a schedule, capture ends its window by itself (--duration counts
 * frames); one that still runs WINDOW_GRACE_MS after the window's end
 * (its device was gone for a while, or its input ran slow) is stopped,
 * so that a window never runs over. 1 when that is due at now; else 0
 * with *at the monotonic time it would be.
 */
static int
window_overrun(int64_t now, int64_t *at)
{
	int64_t left;

	*at = NEVER;
	if (R.set.sched == NULL || CAPTURE->pid == 0 ||
	    CAPTURE->state == ST_STOPPING || R.win.end == 0)
		return 0;
	left = R.win.end * 1000 + WINDOW_GRACE_MS - real_ns() / 1000000;
	if (left > 0) {
		*at = now + left;
		return 0;
	}
	return 1;
}

/* Do what is due at now: start capture, start a cycle, kill. */
static void
act(int64_t now)
{
	struct child *c = CAPTURE;
	int64_t at;

	if (window_overrun(now, &at)) {
		log_warn("rec-capture still runs after its window ended: "
		    "stopping it");
		child_stop(CAPTURE);
	}
	if (capture_may_start(now, &at) && capture_spawn() < 0)
		child_set_state(c, ST_WAITING, now + (c->backoff > 0 ?
		    c->backoff : c->backoff_min));
	if (cycle_may_start(now, &at))
		cycle_start(now);
	beat_act(now);
	cycle_escalate(now);
	child_escalate(now);
}

/* The nearest deadline of the timer, the children, the cycle, status. */
static int64_t
next_wake(int64_t now)
{
	int64_t wake = R.tick_next, at;

	(void)capture_may_start(now, &at);
	if (at < wake)
		wake = at;
	(void)window_overrun(now, &at);
	if (at < wake)
		wake = at;
	if ((at = cycle_wake(now)) < wake)
		wake = at;
	if ((at = child_wake()) < wake)
		wake = at;
	if ((at = beat_wake()) < wake)
		wake = at;
	if (R.status_dirty && R.status_last + STATUS_MIN_MS < wake)
		wake = R.status_last + STATUS_MIN_MS;
	return wake;
}

/* -1 while recd goes on; else its exit code. */
static int
finished(void)
{
	if (R.mode == MODE_STOP && child_all_stopped())
		return 0;
	if (R.mode != MODE_DRAIN || !R.cy.final_done || !child_all_stopped())
		return -1;
	refresh_counts();
	if (R.st.out_count > 0 || R.st.seg_count > 0) {
		log_warn("the session is over with %llu segments and %llu "
		    "archives still in %s", (unsigned long long)R.st.seg_count,
		    (unsigned long long)R.st.out_count, R.spooldir);
		return EX_TEMPFAIL;
	}
	log_info("the session is over: everything is uploaded");
	return 0;
}

/* Sleep until a signal, a trigger or the nearest deadline. */
static void
sleep_until(int64_t wake, int64_t now)
{
	struct pollfd pfd[2];
	int64_t ms = wake > now ? wake - now : 0;

	pfd[0].fd = sigpipe_fd[0];
	pfd[0].events = POLLIN;
	pfd[1].fd = R.fifofd;
	pfd[1].events = POLLIN;
	if (poll(pfd, 2, (int)(ms < 60000 ? ms : 60000)) < 0 &&
	    errno != EINTR)
		log_die(EX_OSERR, "poll: %s", strerror(errno));
	handle_signals();
	child_reap();
	if (pfd[1].revents & POLLIN) {
		read_fifo();
		scan_segments();
	}
}

static int
run(void)
{
	int64_t now;
	int rc;

	R.tick_next = mono_ms() + R.set.interval;
	R.cy.want = 1;	/* whatever a previous run left behind */
	for (;;) {
		now = mono_ms();
		act(now);
		if ((rc = finished()) >= 0)
			return rc;
		write_status(now, 0);
		sleep_until(next_wake(now), now);
		now = mono_ms();
		if (now >= R.tick_next) {
			R.tick_next = now + R.set.interval;
			R.cy.want = 1;
			scan_segments();
			check_conf_changed();
			mark_dirty();
		}
	}
}

/* Parse the flags into R; exits on --help, --version and bad usage. */
static void
parse_flags(int argc, char **argv)
{
	opt_start(argc, argv, opts, OPT_START_SPOOL | OPT_START_TERSE, &oc,
	    "recd", USAGE);
	if (opts[O_SCHEDULE].count == 0 &&
	    (opts[O_FROM].count > 0 || opts[O_DAYS].count > 0))
		log_die(EX_USAGE, "--from and --days go with --schedule");
	R.conf_flag = oc.config;
	R.spool_flag = oc.spool;
}

/* Config, spool, lock and FIFO; dies (with the exit code) on failure. */
static void
setup(void)
{
	struct settings s;
	struct err e;

	if (conf_load(&R.conf, R.conf_flag, &e) < 0)
		log_die(e.ex, "%s", e.msg);
	if (load_settings(R.conf, &s, &e) < 0)
		log_die(e.ex, "%s", e.msg);
	apply_settings(&s);
	if (conf_path(R.conf) != NULL) {
		if (realpath(conf_path(R.conf), R.confpath) == NULL)
			snprintf(R.confpath, sizeof(R.confpath), "%s",
			    conf_path(R.conf));
	}
	stat_mtime(R.confpath, &R.conf_mtime);
	if (spool_open(&R.sp, conf_spool(R.conf, R.spool_flag), &e) < 0)
		log_die(e.ex, "%s", e.msg);
	if (realpath(R.sp.dir, R.spooldir) == NULL)
		snprintf(R.spooldir, sizeof(R.spooldir), "%s", R.sp.dir);
	R.lockfd = take_lock(&e);
	if (R.lockfd < 0)
		log_die(e.ex, "%s", e.msg);
	R.fifofd = open_fifo(&e);
	if (R.fifofd < 0)
		log_die(e.ex, "%s", e.msg);
}

/* recd --schedule: print the windows and exit (no spool, no lock). */
static int
schedule_main(void)
{
	struct conf *c = NULL;
	struct err e;
	uint64_t days;
	const char *from = NULL;
	int rc = 0;

	if (conf_load(&c, R.conf_flag, &e) < 0 ||
	    opt_uint(c, &opts[O_DAYS], "7", &days, &e) < 0 ||
	    opt_str(c, &opts[O_FROM], NULL, &from, &e) < 0 ||
	    show_schedule(c, from, days, &e) < 0) {
		log_error("%s", e.msg);
		rc = e.ex;
	}
	if (fflush(stdout) != 0 && rc == 0) {
		log_error("cannot write the schedule: %s", strerror(errno));
		rc = EX_IOERR;
	}
	conf_free(c);
	return rc;
}

int
main(int argc, char **argv)
{
	int rc;

	log_init("recd");
	parse_flags(argc, argv);
	if (opts[O_SCHEDULE].count > 0)
		return schedule_main();
	/* before the config: an error that stops the start goes there too */
	if (opts[O_SYSLOG].count > 0)
		log_use_syslog(1);
	setup();
	status_init(&R.st);
	R.st.recd_pid = getpid();
	R.st.recd_started_ns = real_ns();
	snprintf(R.st.spool, sizeof(R.st.spool), "%s", R.spooldir);
	snprintf(R.st.config, sizeof(R.st.config), "%s", R.confpath);
	health_restore();	/* the level history of the last run */
	child_init(CAPTURE, STATUS_CAPTURE, "rec-capture");
	child_init(ARCHIVE, STATUS_ARCHIVE, "rec-archive");
	child_init(UPLOAD, STATUS_UPLOAD, "rec-upload");
	/* Segments already there were counted by an earlier run. */
	if (spool_list(&R.sp, SPOOL_SEG, ".wav", &R.seg_known,
	    &R.nseg_known) < 0) {
		R.seg_known = NULL;
		R.nseg_known = 0;
	}
	setup_signals();
	log_info("supervising %s on %s", R.confpath[0] ? R.confpath :
	    "no config file", R.spooldir);

	rc = run();

	write_final_status();
	beat_final();	/* the fleet sees "stopped" now, not stale later */
	schedule_free(R.set.sched);
	schedule_free(R.set.upload_win);
	close(R.fifofd);
	close(R.lockfd);
	close(sigpipe_fd[0]);
	close(sigpipe_fd[1]);
	spool_names_free(R.seg_known, R.nseg_known);
	spool_close(&R.sp);
	conf_free(R.conf);
	return rc;
}
