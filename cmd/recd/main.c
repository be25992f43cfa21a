/*
 * recd: the supervisor that makes the rec tools one running system. It
 * keeps rec-capture running, runs rec-archive then rec-upload as one
 * cycle when the spool's trigger FIFO or its timer wakes it, drains the
 * spool when a capture session ends, and keeps DIR/status up to date.
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
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "aname.h"
#include "conf.h"
#include "err.h"
#include "guano.h"
#include "log.h"
#include "parse.h"
#include "spool.h"
#include "status.h"
#include "utc.h"
#include "wav.h"

#define USAGE "usage: recd [-hqv] [--version] [--config FILE] [--spool DIR] [--syslog]\n"

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
/* How long a start waits for recd.lock while rec-status tests it. */
#define LOCK_TRIES	20
#define LOCK_TRY_MS	10

/* The GUANO keys in which rec-capture records loss in a segment. */
#define KEY_LOST	"REC|Lost Frames"
#define KEY_GAPS	"REC|Gaps"	/* "off+len,..." one per overrun */

enum mode { MODE_RUN, MODE_DRAIN, MODE_STOP };
enum phase { PH_IDLE, PH_ARCHIVE, PH_UPLOAD };

struct child {
	enum status_child_id id;
	char path[PATH_MAX];	/* what we exec */
	pid_t pid;		/* 0 when not running */
	int64_t started;	/* monotonic ms of the running instance */
	int term_sent;		/* we asked it to stop */
	int64_t kill_at;	/* monotonic ms to send SIGKILL, 0 = none */
};

struct settings {
	int64_t interval, cycle_timeout, drain_deadline, stop_timeout,
	    backoff_max, held_retry;
	int use_syslog;
	enum log_level level;
};

static struct recd {
	const char *conf_flag, *spool_flag;
	int syslog_flag, verbosity;	/* -v = +1, -q = -1 */
	struct conf *conf;
	char confpath[PATH_MAX];	/* "" = no file */
	struct timespec conf_mtime;
	char spooldir[PATH_MAX];
	struct spool sp;
	int lockfd, fifofd;
	struct settings set;
	enum mode mode;

	struct child cap, arc, upl;
	int64_t cap_next;	/* monotonic ms: start capture not before */
	int64_t cap_backoff;
	int cap_held;		/* 64/77/78: wait for a reload */
	int cap_restart;	/* restart as soon as it has exited */
	int cap_done;		/* exited 0 by itself: session over */

	enum phase phase;
	int cycle_want;
	int final;		/* the drain cycle is running or done */
	int final_done;
	int cycle_err;		/* rec-archive failed in this cycle */
	int64_t cycle_next;	/* no cycle before (monotonic ms) */
	int64_t cycle_started_rt;
	int64_t stop_deadline;	/* when stopping: the cycle's last ms */
	int64_t upl_next;	/* retry pending uploads not before */
	int64_t upl_backoff;
	int upl_held;		/* 64/77/78: wait for a reload or upl_next */
	int arc_held;		/* rec-archive's 64/77/78: the same */
	uint64_t out_after_upload;	/* out/ count after the last upload */
	uint64_t out_before_upload;

	int64_t tick_next;
	int64_t status_last;
	int status_dirty;
	char **seg_known;	/* seg/ at the last look (sorted), malloc'd */
	size_t nseg_known;
	struct status st;
} R;

static int sigpipe_fd[2] = { -1, -1 };

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return utc_ns(&ts);
}

static void
on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;

	(void)!write(sigpipe_fd[1], &b, 1);
	errno = saved;
}

static void
usage(int ex)
{
	fputs(USAGE, ex ? stderr : stdout);
	if (!ex)
		fputs("  --config FILE  rec.conf to read (default $REC_CONFIG, "
		    CONF_DEFAULT_PATH ")\n"
		    "  --spool DIR    spool directory (default from the config)\n"
		    "  --syslog       log to syslog as well as stderr\n"
		    "  -v, -q         more, less logging\n"
		    "  --version      print the version\n", stdout);
	exit(ex);
}

/* Describe a wait(2) status as the shell would: exit code or 128+sig. */
static int
exit_code(int wst)
{
	if (WIFEXITED(wst))
		return WEXITSTATUS(wst);
	if (WIFSIGNALED(wst))
		return 128 + WTERMSIG(wst);
	return 70;
}

static const char *
exit_desc(int wst, char *buf, size_t len)
{
	if (WIFSIGNALED(wst))
		snprintf(buf, len, "was killed by signal %d (%s)",
		    WTERMSIG(wst), strsignal(WTERMSIG(wst)));
	else
		snprintf(buf, len, "exited with %d", exit_code(wst));
	return buf;
}

/* Read one duration key of [recd]; dies with EX_CONFIG on a bad one. */
static int
get_ms(struct conf *c, const char *key, int64_t def, int64_t *out,
    struct err *e)
{
	const char *v = conf_get(c, "recd", key);
	uint64_t ms;

	if (v == NULL) {
		*out = def;
		return 0;
	}
	if (parse_duration_ms(v, &ms) < 0 || ms > (uint64_t)30 * 86400000) {
		err_set(e, EX_CONFIG, "%s: bad %s '%s'",
		    conf_where(c, "recd", key), key, v);
		return -1;
	}
	*out = (int64_t)ms;
	return 0;
}

static int
get_bool(struct conf *c, const char *key, int *out, struct err *e)
{
	const char *v = conf_get(c, "recd", key);

	*out = 0;
	if (v != NULL && parse_bool(v, out) < 0) {
		err_set(e, EX_CONFIG, "%s: bad %s '%s' (yes or no)",
		    conf_where(c, "recd", key), key, v);
		return -1;
	}
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
	int verbose, quiet, v;

	if (get_ms(c, "interval", 30000, &s->interval, e) < 0 ||
	    get_ms(c, "cycle-timeout", 120000, &s->cycle_timeout, e) < 0 ||
	    get_ms(c, "drain-deadline", 600000, &s->drain_deadline, e) < 0 ||
	    get_ms(c, "stop-timeout", 10000, &s->stop_timeout, e) < 0 ||
	    get_ms(c, "backoff-max", 300000, &s->backoff_max, e) < 0 ||
	    get_bool(c, "syslog", &s->use_syslog, e) < 0 ||
	    get_bool(c, "verbose", &verbose, e) < 0 ||
	    get_bool(c, "quiet", &quiet, e) < 0)
		return -1;
	if (s->interval < 1000) {
		err_set(e, EX_CONFIG, "%s: interval must be at least 1s",
		    conf_where(c, "recd", "interval"));
		return -1;
	}
	if (s->backoff_max < MIN_RESTART_MS)
		s->backoff_max = MIN_RESTART_MS;
	if (held_retry_ms(&s->held_retry, e) < 0)
		return -1;
	s->use_syslog |= R.syslog_flag;
	v = verbose - quiet + R.verbosity;
	s->level = v > 0 ? LOG_LVL_DEBUG : v < 0 ? LOG_LVL_WARN : LOG_LVL_INFO;
	return 0;
}

static void
apply_settings(const struct settings *s)
{
	log_set_level(s->level);
	log_use_syslog(s->use_syslog);
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

static void
mark_dirty(void)
{
	R.status_dirty = 1;
}

/*
 * Fork and exec child c with --config/--spool and extra arguments.
 * Only capture keeps our stdin; the others read /dev/null.
 */
static int
spawn(struct child *c, const char *const *extra)
{
	const char *argv[16];
	int n = 0, i, nullfd = -1;
	pid_t pid, parent = getpid();
	sigset_t none;

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
	if (pid == 0) {
		/* Die with recd: an orphan capture would race the next one. */
		(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(70);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (nullfd >= 0 && dup2(nullfd, STDIN_FILENO) < 0)
			_exit(71);
		if (strchr(c->path, '/') != NULL)
			execv(c->path, (char *const *)argv);
		else
			execvp(c->path, (char *const *)argv);
		log_error("cannot run %s: %s", c->path, strerror(errno));
		_exit(errno == ENOENT ? 69 : 126);
	}
	if (nullfd >= 0)
		close(nullfd);
	c->pid = pid;
	c->started = mono_ms();
	c->term_sent = 0;
	c->kill_at = 0;
	R.st.child[c->id].pid = pid;
	R.st.child[c->id].started_ns = real_ns();
	R.st.child[c->id].note[0] = '\0';
	snprintf(R.st.child[c->id].state, sizeof(R.st.child[c->id].state),
	    "running");
	log_debug("started %s (pid %ld)", argv[0], (long)pid);
	mark_dirty();
	return 0;
}

/* Ask c to stop: SIGTERM now, SIGKILL after the stop timeout. */
static void
stop_child(struct child *c)
{
	if (c->pid == 0 || c->term_sent)
		return;
	log_debug("stopping %s (pid %ld)", status_child_name(c->id),
	    (long)c->pid);
	(void)kill(c->pid, SIGTERM);
	c->term_sent = 1;
	c->kill_at = mono_ms() + R.set.stop_timeout;
	snprintf(R.st.child[c->id].state, sizeof(R.st.child[c->id].state),
	    "stopping");
	mark_dirty();
}

static void
start_capture(int64_t now)
{
	if (spawn(&R.cap, NULL) < 0) {
		R.cap_next = now + R.cap_backoff;
		return;
	}
}

/* The finished archives in out/ (not their .sums/.idx/.upload files):
 * their count, and their bytes into *bytes when not NULL. */
static size_t
out_archives(uint64_t *bytes)
{
	struct aname an;
	struct stat sb;
	char **names;
	size_t n, i, count = 0;

	if (bytes != NULL)
		*bytes = 0;
	if (spool_list(&R.sp, SPOOL_OUT, NULL, &names, &n) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (aname_parse(names[i], &an) != (int)strlen(names[i]))
			continue;
		count++;
		if (bytes != NULL && fstatat(R.sp.fd[SPOOL_OUT], names[i], &sb,
		    0) == 0)
			*bytes += (uint64_t)sb.st_size;
	}
	spool_names_free(names, n);
	return count;
}

static void
refresh_counts(void)
{
	uint64_t b;
	size_t n;

	if (spool_usage(&R.sp, SPOOL_SEG, ".wav", &b, &n) == 0) {
		R.st.seg_count = n;
		R.st.seg_bytes = b;
	}
	R.st.out_count = out_archives(&R.st.out_bytes);
	if (spool_usage(&R.sp, SPOOL_CORRUPT, NULL, &b, &n) == 0)
		R.st.corrupt_count = n;
	if (spool_free_bytes(&R.sp, &b) == 0)
		R.st.free_bytes = b;
}

/* The number of gaps in a segment's REC|Gaps ("off+len,off+len"). */
static uint64_t
count_gaps(const char *guano, size_t len)
{
	char val[4096];
	uint64_t n = 0;
	const char *p;

	if (guano_get(guano, len, KEY_GAPS, val, sizeof(val)) <= 0)
		return 0;
	for (n = 1, p = val; *p != '\0'; p++)
		n += *p == ',';
	return n;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Read the GUANO of segments published since the last look and add up
 * the loss rec-capture recorded in them (overruns, lost frames). New
 * means not in the last listing, not a later name: a clock set back
 * gives earlier names.
 */
static void
scan_segments(void)
{
	char **names, path[PATH_MAX], val[64];
	size_t n, i;
	struct wav_info wi;
	struct err e;
	uint64_t v;
	int fd;

	if (spool_list(&R.sp, SPOOL_SEG, ".wav", &names, &n) < 0)
		return;
	for (i = 0; i < n; i++) {
		if (R.nseg_known > 0 && bsearch(&names[i], R.seg_known,
		    R.nseg_known, sizeof(char *), cmp_name) != NULL)
			continue;
		R.st.segments_seen++;
		mark_dirty();
		fd = open(spool_path(&R.sp, SPOOL_SEG, names[i], path,
		    sizeof(path)), O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;	/* archived in the meantime */
		if (wav_parse(fd, &wi, &e) == 0) {
			if (wi.guano != NULL) {
				if (guano_get(wi.guano, wi.guano_len, KEY_LOST,
				    val, sizeof(val)) > 0 &&
				    parse_uint(val, 0, UINT64_MAX, &v) == 0 &&
				    v > 0) {
					R.st.lost_frames += v;
					log_warn("%s: %llu frames lost",
					    path, (unsigned long long)v);
				}
				R.st.overruns += count_gaps(wi.guano,
				    wi.guano_len);
			}
			wav_info_free(&wi);
		}
		close(fd);
	}
	spool_names_free(R.seg_known, R.nseg_known);
	R.seg_known = names;
	R.nseg_known = n;
}

static void
write_status(int64_t now, int force)
{
	if (!force && (!R.status_dirty || now - R.status_last < STATUS_MIN_MS))
		return;
	refresh_counts();
	R.st.updated_ns = real_ns();
	snprintf(R.st.recd_state, sizeof(R.st.recd_state), "%s",
	    R.mode == MODE_RUN ? "running" : R.mode == MODE_DRAIN ?
	    "draining" : "stopping");
	if (status_write(R.sp.dirfd, &R.st) < 0)
		log_warn("cannot write %s/%s: %s", R.spooldir, STATUS_FILE,
		    strerror(errno));
	R.status_last = now;
	R.status_dirty = 0;
}

/* Start the next phase of the cycle, or end it. */
static void
cycle_end(const char *result)
{
	R.phase = PH_IDLE;
	R.cycle_next = mono_ms() + MIN_RESTART_MS;
	R.st.cycle.count++;
	R.st.cycle.started_ns = R.cycle_started_rt;
	R.st.cycle.ended_ns = real_ns();
	snprintf(R.st.cycle.result, sizeof(R.st.cycle.result), "%s", result);
	if (R.final)
		R.final_done = 1;
	mark_dirty();
}

static int
stopping_past_deadline(int64_t now)
{
	return R.mode == MODE_STOP && now >= R.stop_deadline;
}

/* After rec-archive: upload when out/ has archives and it is time to. */
static void
cycle_upload(int64_t now)
{
	const char *extra[4];
	char dl[32];
	size_t n = out_archives(NULL), i;

	if (n == 0) {
		cycle_end(R.cycle_err ? "error" : "ok");
		return;
	}
	if (stopping_past_deadline(now) || (R.mode == MODE_STOP &&
	    R.stop_deadline - now < 1000)) {
		cycle_end("pending");
		return;
	}
	if (!R.final) {
		if (R.upl_held && now < R.upl_next) {
			cycle_end("error");
			return;
		}
		if (R.upl_held) {
			log_info("trying the held uploads again (%llds after "
			    "rec-upload's exit %d)",
			    (long long)R.set.held_retry / 1000,
			    R.st.child[STATUS_UPLOAD].last_exit);
			R.upl_held = 0;
			R.upl_next = 0;
		}
		/* Pending archives (network down) wait for their backoff;
		 * new ones go at once. */
		if (n <= R.out_after_upload && now < R.upl_next) {
			log_debug("%zu archives pending, next upload in %llds",
			    n, (long long)(R.upl_next - now) / 1000);
			cycle_end("pending");
			return;
		}
	}
	R.out_before_upload = n;
	R.st.child[STATUS_UPLOAD].restarts++;
	/*
	 * Every run is bounded, so that `retry = yes` in [upload] or a long
	 * backlog never holds the cycle lock (and archiving) for ever; a
	 * multipart upload resumes where it stopped. The last upload of a
	 * session retries until that deadline.
	 */
	snprintf(dl, sizeof(dl), "%llds",
	    (long long)(R.set.drain_deadline / 1000));
	i = 0;
	if (R.final)
		extra[i++] = "--retry";
	extra[i++] = "--deadline";
	extra[i++] = dl;
	extra[i] = NULL;
	if (spawn(&R.upl, extra) < 0) {
		cycle_end("error");
		return;
	}
	R.phase = PH_UPLOAD;
}

static void
cycle_start(int64_t now)
{
	/* The drain: archive whatever is there, whatever the conditions. */
	static const char *const all[] = { "--min-count", "1", NULL };

	R.cycle_want = 0;
	R.cycle_err = 0;
	R.cycle_started_rt = real_ns();
	R.st.cycle.archive_exit = R.st.cycle.upload_exit = -1;
	if (R.arc_held && !R.final) {
		R.cycle_err = 1;	/* upload what is there all the same */
		cycle_upload(now);
		return;
	}
	R.st.child[STATUS_ARCHIVE].restarts++;
	if (spawn(&R.arc, R.final ? all : NULL) < 0) {
		R.cycle_err = 1;	/* go on to the upload */
		cycle_upload(now);
		return;
	}
	R.phase = PH_ARCHIVE;
}

static void
archive_exited(int wst)
{
	int code = exit_code(wst);
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
		log_error("rec-archive %s: not running it again before a "
		    "reload (SIGHUP) or a change of the config",
		    exit_desc(wst, d, sizeof(d)));
		R.arc_held = 1;
		snprintf(R.st.child[STATUS_ARCHIVE].note,
		    sizeof(R.st.child[STATUS_ARCHIVE].note),
		    "exit %d: waiting for a fix and a reload", code);
		R.cycle_err = 1;
		break;
	default:
		log_error("rec-archive %s", exit_desc(wst, d, sizeof(d)));
		R.cycle_err = 1;
		break;
	}
	cycle_upload(mono_ms());
}

static void
upload_exited(int wst)
{
	int code = exit_code(wst);
	int64_t now = mono_ms();
	size_t n = out_archives(NULL);
	char d[96];

	R.st.cycle.upload_exit = code;
	R.out_after_upload = n;
	if (n < R.out_before_upload || code == 0)
		R.st.last_upload_ns = real_ns();
	if (code == 0) {
		R.upl_backoff = 0;
		R.upl_next = 0;
		R.upl_held = 0;
		R.st.child[STATUS_UPLOAD].note[0] = '\0';
		cycle_end(R.cycle_err ? "error" : "ok");
		return;
	}
	if (code == EX_NOPERM || code == EX_CONFIG || code == EX_USAGE) {
		log_error("rec-upload %s: not retrying before a reload "
		    "(SIGHUP), a change of the config, or %llds",
		    exit_desc(wst, d, sizeof(d)),
		    (long long)R.set.held_retry / 1000);
		R.upl_held = 1;
		R.upl_next = now + R.set.held_retry;
		snprintf(R.st.child[STATUS_UPLOAD].note,
		    sizeof(R.st.child[STATUS_UPLOAD].note),
		    "exit %d: waiting for a fix and a reload, or %llds",
		    code, (long long)R.set.held_retry / 1000);
		cycle_end("error");
		return;
	}
	/* 75 (network, busy) and anything else: retry with backoff. */
	R.upl_backoff = R.upl_backoff == 0 ? R.set.interval : R.upl_backoff * 2;
	if (R.upl_backoff > R.set.backoff_max)
		R.upl_backoff = R.set.backoff_max;
	R.upl_next = now + R.upl_backoff;
	if (code == EX_TEMPFAIL)
		log_info("%zu archives pending, retrying in %llds", n,
		    (long long)R.upl_backoff / 1000);
	else
		log_error("rec-upload %s; retrying in %llds",
		    exit_desc(wst, d, sizeof(d)),
		    (long long)R.upl_backoff / 1000);
	snprintf(R.st.child[STATUS_UPLOAD].note,
	    sizeof(R.st.child[STATUS_UPLOAD].note),
	    "%zu archives pending, retry in %llds", n,
	    (long long)R.upl_backoff / 1000);
	cycle_end("pending");
}

static void
capture_exited(int wst)
{
	int code = exit_code(wst);
	int64_t now = mono_ms(), ran = now - R.cap.started;
	struct status_child *sc = &R.st.child[STATUS_CAPTURE];
	char d[96];

	if (R.mode == MODE_STOP) {
		log_debug("rec-capture %s", exit_desc(wst, d, sizeof(d)));
		snprintf(sc->state, sizeof(sc->state), "done");
		return;
	}
	if (R.cap_restart) {	/* a reload changed its settings */
		R.cap_restart = 0;
		R.cap_next = now;
		R.cap_backoff = MIN_RESTART_MS;
		snprintf(sc->state, sizeof(sc->state), "waiting");
		return;
	}
	/* 65: the session ended whole, but an unreadable tmp/ file went to
	 * corrupt/ at its start: restarting would only start a new session */
	if (code == EX_DATAERR)
		log_warn("rec-capture quarantined a file it could not recover "
		    "(see %s/corrupt)", R.sp.dir);
	if (code == 0 || code == EX_DATAERR) {
		log_info("rec-capture ended its session: draining the spool");
		R.cap_done = 1;
		R.mode = MODE_DRAIN;
		R.cycle_want = 1;
		snprintf(sc->state, sizeof(sc->state), "done");
		return;
	}
	if (code == EX_USAGE || code == EX_NOPERM || code == EX_CONFIG) {
		log_error("rec-capture %s: not restarting before a reload "
		    "(SIGHUP) or a change of the config",
		    exit_desc(wst, d, sizeof(d)));
		R.cap_held = 1;
		snprintf(sc->state, sizeof(sc->state), "held");
		snprintf(sc->note, sizeof(sc->note),
		    "exit %d: waiting for a fix and a reload", code);
		return;
	}
	if (ran >= STABLE_MS)
		R.cap_backoff = MIN_RESTART_MS;
	R.cap_next = R.cap.started + R.cap_backoff;
	if (R.cap_next < now)
		R.cap_next = now;
	log_warn("rec-capture %s; restarting in %llds",
	    exit_desc(wst, d, sizeof(d)),
	    (long long)((R.cap_next - now + 999) / 1000));
	snprintf(sc->state, sizeof(sc->state), "waiting");
	snprintf(sc->note, sizeof(sc->note), "%s, restart %llu",
	    exit_desc(wst, d, sizeof(d)), (unsigned long long)sc->restarts + 1);
	R.cap_backoff *= 2;
	if (R.cap_backoff > R.set.backoff_max)
		R.cap_backoff = R.set.backoff_max;
}

static void
reap(void)
{
	struct child *c;
	pid_t pid;
	int wst;

	while ((pid = waitpid(-1, &wst, WNOHANG)) > 0) {
		if (pid == R.cap.pid)
			c = &R.cap;
		else if (pid == R.arc.pid)
			c = &R.arc;
		else if (pid == R.upl.pid)
			c = &R.upl;
		else
			continue;
		c->pid = 0;
		c->kill_at = 0;
		R.st.child[c->id].pid = 0;
		R.st.child[c->id].last_exit = exit_code(wst);
		R.st.child[c->id].last_exit_ns = real_ns();
		snprintf(R.st.child[c->id].state,
		    sizeof(R.st.child[c->id].state), "idle");
		mark_dirty();
		if (c == &R.cap)
			capture_exited(wst);
		else if (c == &R.arc)
			archive_exited(wst);
		else
			upload_exited(wst);
	}
}

static void
begin_stop(int sig)
{
	int64_t now = mono_ms();

	if (R.mode == MODE_STOP) {
		log_info("got %s again: stopping now", strsignal(sig));
		stop_child(&R.arc);
		stop_child(&R.upl);
		return;
	}
	log_info("got %s: stopping", strsignal(sig));
	R.mode = MODE_STOP;
	R.stop_deadline = now + R.set.cycle_timeout;
	stop_child(&R.cap);
	mark_dirty();
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
	if (R.cap_held) {
		R.cap_held = 0;
		R.cap_next = mono_ms();
		R.cap_backoff = MIN_RESTART_MS;
		R.st.child[STATUS_CAPTURE].note[0] = '\0';
	} else if (R.cap.pid != 0 && capture_changed(R.conf, c)) {
		log_info("the capture settings changed: restarting rec-capture");
		R.cap_restart = 1;
		stop_child(&R.cap);
	}
	R.upl_held = 0;
	R.upl_next = 0;
	R.upl_backoff = 0;
	R.st.child[STATUS_UPLOAD].note[0] = '\0';
	R.arc_held = 0;
	R.st.child[STATUS_ARCHIVE].note[0] = '\0';
	R.cycle_want = 1;
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
		R.cycle_want = 1;
		log_debug("trigger: %.*s", (int)(n > 0 && buf[n - 1] == '\n' ?
		    n - 1 : n), buf);
	}
}

static void
escalate(int64_t now)
{
	struct child *kids[] = { &R.cap, &R.arc, &R.upl };
	size_t i;

	for (i = 0; i < 3; i++) {
		struct child *c = kids[i];
		if (c->pid != 0 && c->kill_at != 0 && now >= c->kill_at) {
			log_warn("%s (pid %ld) did not stop in %llds: killing it",
			    status_child_name(c->id), (long)c->pid,
			    (long long)R.set.stop_timeout / 1000);
			(void)kill(c->pid, SIGKILL);
			c->kill_at = 0;
		}
	}
	if (R.mode == MODE_STOP && now >= R.stop_deadline) {
		if (R.arc.pid != 0 && !R.arc.term_sent) {
			log_warn("the cycle did not finish in %llds: stopping "
			    "rec-archive", (long long)R.set.cycle_timeout / 1000);
			stop_child(&R.arc);
		}
		if (R.upl.pid != 0 && !R.upl.term_sent) {
			log_warn("the cycle did not finish in %llds: stopping "
			    "rec-upload (it resumes next time)",
			    (long long)R.set.cycle_timeout / 1000);
			stop_child(&R.upl);
		}
	}
}

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
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

/* Take DIR/recd.lock (kept by children, so that a new recd waits for
 * the old one's last child); -1 when another recd has it. */
static int
take_lock(struct err *e)
{
	char buf[32], old[32];
	ssize_t n;
	int fd;

	fd = openat(R.sp.dirfd, "recd.lock", O_RDWR | O_CREAT, 0640);
	if (fd < 0) {
		err_sys(e, err_ex_for_errno(errno), "cannot open %s/recd.lock",
		    R.spooldir);
		return -1;
	}
	if (try_lock(fd) < 0) {
		int saved = errno;
		n = pread(fd, old, sizeof(old) - 1, 0);
		old[n > 0 ? n : 0] = '\0';
		old[strcspn(old, "\n")] = '\0';
		close(fd);
		if (saved == EWOULDBLOCK)
			err_set(e, EX_TEMPFAIL, "another recd runs on %s "
			    "(pid %s)", R.spooldir, old[0] ? old : "unknown");
		else
			err_sys(e, EX_IOERR, "cannot lock %s/recd.lock",
			    R.spooldir);
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, n, 0) != n)
		log_warn("cannot write %s/recd.lock: %s", R.spooldir,
		    strerror(errno));
	return fd;
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

static int
all_stopped(void)
{
	return R.cap.pid == 0 && R.arc.pid == 0 && R.upl.pid == 0;
}

static int
run(void)
{
	struct pollfd pfd[2];
	unsigned char sigs[64];
	int64_t now, wake;
	ssize_t n, i;
	int rc;

	now = mono_ms();
	R.tick_next = now + R.set.interval;
	R.cap_next = now;
	R.cap_backoff = MIN_RESTART_MS;
	R.cycle_want = 1;	/* whatever a previous run left behind */
	for (;;) {
		now = mono_ms();
		if (R.mode == MODE_RUN && R.cap.pid == 0 && !R.cap_held &&
		    !R.cap_done && now >= R.cap_next) {
			if (R.st.child[STATUS_CAPTURE].started_ns != 0)
				R.st.child[STATUS_CAPTURE].restarts++;
			start_capture(now);
		}
		if (R.mode == MODE_DRAIN && R.phase == PH_IDLE && !R.final) {
			R.final = 1;
			R.cycle_next = now;
			R.cycle_want = 1;
		}
		if (R.mode != MODE_STOP && R.phase == PH_IDLE &&
		    R.cycle_want && now >= R.cycle_next &&
		    (R.mode == MODE_RUN || (R.final && !R.final_done)))
			cycle_start(now);
		escalate(now);
		if (R.mode == MODE_STOP && all_stopped()) {
			rc = 0;
			break;
		}
		if (R.mode == MODE_DRAIN && R.final_done && all_stopped()) {
			refresh_counts();
			if (R.st.out_count > 0 || R.st.seg_count > 0) {
				log_warn("the session is over with %llu "
				    "segments and %llu archives still in %s",
				    (unsigned long long)R.st.seg_count,
				    (unsigned long long)R.st.out_count,
				    R.spooldir);
				rc = EX_TEMPFAIL;
			} else {
				log_info("the session is over: everything "
				    "is uploaded");
				rc = 0;
			}
			break;
		}
		write_status(now, 0);

		wake = R.tick_next;
		if (R.mode == MODE_RUN && R.cap.pid == 0 && !R.cap_held &&
		    !R.cap_done)
			wake = min64(wake, R.cap_next);
		if (R.cycle_want && R.phase == PH_IDLE && R.mode != MODE_STOP)
			wake = min64(wake, R.cycle_next);
		if (R.status_dirty)
			wake = min64(wake, R.status_last + STATUS_MIN_MS);
		if (R.cap.kill_at)
			wake = min64(wake, R.cap.kill_at);
		if (R.arc.kill_at)
			wake = min64(wake, R.arc.kill_at);
		if (R.upl.kill_at)
			wake = min64(wake, R.upl.kill_at);
		if (R.mode == MODE_STOP)
			wake = min64(wake, R.stop_deadline);
		pfd[0].fd = sigpipe_fd[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = R.fifofd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, wake > now ? (int)min64(wake - now, 60000) :
		    0) < 0 && errno != EINTR)
			log_die(EX_OSERR, "poll: %s", strerror(errno));
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
		reap();
		if (pfd[1].revents & POLLIN) {
			read_fifo();
			scan_segments();
		}
		now = mono_ms();
		if (now >= R.tick_next) {
			R.tick_next = now + R.set.interval;
			R.cycle_want = 1;
			scan_segments();
			check_conf_changed();
			mark_dirty();
		}
	}
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "spool", required_argument, NULL, 's' },
		{ "syslog", no_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct settings s;
	struct err e;
	int ch, rc, i;

	log_init("recd");
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":qvh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': R.conf_flag = optarg; break;
		case 's': R.spool_flag = optarg; break;
		case 'S': R.syslog_flag = 1; break;
		case 'v': R.verbosity++; break;
		case 'q': R.verbosity--; break;
		case 'h': usage(0); break;
		case 'V': printf("recd %s\n", REC_VERSION); return 0;
		default: return log_bad_option(ch, argv);
		}
	}
	if (optind != argc)
		usage(EX_USAGE);

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
	R.fifofd = openat(R.sp.dirfd, "trigger",
	    O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (R.fifofd < 0)
		log_die(EX_IOERR, "cannot open %s/trigger: %s", R.spooldir,
		    strerror(errno));

	status_init(&R.st);
	R.st.recd_pid = getpid();
	R.st.recd_started_ns = real_ns();
	snprintf(R.st.spool, sizeof(R.st.spool), "%s", R.spooldir);
	snprintf(R.st.config, sizeof(R.st.config), "%s", R.confpath);
	R.cap.id = STATUS_CAPTURE;
	R.arc.id = STATUS_ARCHIVE;
	R.upl.id = STATUS_UPLOAD;
	find_tool(&R.cap, "rec-capture");
	find_tool(&R.arc, "rec-archive");
	find_tool(&R.upl, "rec-upload");
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

	write_status(mono_ms(), 1);
	snprintf(R.st.recd_state, sizeof(R.st.recd_state), "stopped");
	R.st.updated_ns = real_ns();
	for (i = 0; i < STATUS_NCHILDREN; i++)
		if (strcmp(R.st.child[i].state, "running") == 0 ||
		    strcmp(R.st.child[i].state, "stopping") == 0)
			snprintf(R.st.child[i].state,
			    sizeof(R.st.child[i].state), "idle");
	refresh_counts();
	if (status_write(R.sp.dirfd, &R.st) < 0)
		log_warn("cannot write %s/%s: %s", R.spooldir, STATUS_FILE,
		    strerror(errno));
	close(R.fifofd);
	close(R.lockfd);
	close(sigpipe_fd[0]);
	close(sigpipe_fd[1]);
	spool_names_free(R.seg_known, R.nseg_known);
	spool_close(&R.sp);
	conf_free(R.conf);
	return rc;
}
