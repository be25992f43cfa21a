/*
 * rec-capture: record audio from ALSA (or raw PCM on stdin) gaplessly
 * into WAV segments with GUANO metadata in the spool's seg/ directory.
 * main.c: flags, rec.conf, the spool, signals, and the two threads.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sysexits.h>
#include <unistd.h>

#include "capture.h"
#include "conf.h"
#include "file.h"
#include "hex.h"
#include "log.h"
#include "opt.h"
#include "wav.h"

#define DEF_BUFFER "10"		/* seconds of ring buffer */
#define DEF_SYNC_TIMEOUT "10m"	/* clock-sync = wait: then record anyway */

static volatile sig_atomic_t stop_flag;
static int sigpipe_w = -1;

static void
on_signal(int sig)
{
	int saved = errno;

	(void)sig;
	stop_flag = 1;
	if (sigpipe_w >= 0 && write(sigpipe_w, "x", 1) < 0) {
		/* full pipe: the flag is enough */
	}
	errno = saved;
}

/*
 * Every signal whose default action would end the process, and that can
 * be caught, stops the recording the one clean way: the frames read are
 * written, the open segment is published, exit 0. A terminal sends HUP
 * (hang-up), INT and QUIT; systemd and init TERM, HUP and PWR; recd may
 * start us with every disposition at its default. A death by signal
 * would leave the open segment in tmp/ and lose the ring's audio.
 * Not here: the synchronous faults (SEGV, BUS, FPE, ILL, TRAP, SYS,
 * ABRT: going on is not safe), and ignored_sigs.
 */
static const int stop_sigs[] = {
	SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPWR, SIGALRM, SIGVTALRM,
	SIGPROF, SIGXCPU, SIGIO, SIGSTKFLT
};
/*
 * Ignored: PIPE (a reader of the trigger FIFO may go away), USR1 and
 * USR2 (they mean nothing to us: a stray one must not end a recording),
 * XFSZ (a write past the file size limit then fails with EFBIG and is
 * reported like any write error).
 */
static const int ignored_sigs[] = { SIGPIPE, SIGUSR1, SIGUSR2, SIGXFSZ };

/* Install the handlers; *stopset gets the signals that stop us. */
static void
signals_init(sigset_t *stopset)
{
	struct sigaction sa;
	size_t i;
	int sig;

	sigemptyset(stopset);
	for (i = 0; i < sizeof(stop_sigs) / sizeof(stop_sigs[0]); i++)
		sigaddset(stopset, stop_sigs[i]);
	for (sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		sigaddset(stopset, sig);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: reads see EINTR */
	sa.sa_mask = *stopset;
	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(stopset, sig) == 1)
			sigaction(sig, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(ignored_sigs) / sizeof(ignored_sigs[0]); i++)
		sigaction(ignored_sigs[i], &sa, NULL);
	/* a parent may have left them blocked */
	sigprocmask(SIG_UNBLOCK, stopset, NULL);
}

static const char usage_text[] =
"usage: rec-capture [-hqVv] [-D device] [-r rate] [-c channels] [-f format]\n"
"                   [-d duration] [-t duration] [--align] [--buffer duration]\n"
"                   [--clock-sync wait|mark] [--clock-sync-timeout duration]\n"
"                   [--config file] [--spool dir] [--station name]\n";

/* The settings of rec-capture: flag, else [capture] in rec.conf. */
enum { O_DEV, O_RATE, O_CH, O_FMT, O_DUR, O_SEG, O_ALIGN, O_BUF,
	O_STATION, O_WAIT, O_CLKSYNC, O_CLKTO };
static struct opt opts[] = {
	[O_DEV] = { .name = "device", .shrt = 'D', .type = OPT_STR,
	    .section = "capture", .key = "device" },
	[O_RATE] = { .name = "rate", .shrt = 'r', .type = OPT_UINT,
	    .section = "capture", .key = "rate",
	    .min = 1, .max = 768000 },
	[O_CH] = { .name = "channels", .shrt = 'c', .type = OPT_UINT,
	    .section = "capture", .key = "channels",
	    .min = 1, .max = 32 },
	[O_FMT] = { .name = "format", .shrt = 'f', .type = OPT_STR,
	    .section = "capture", .key = "format" },
	[O_DUR] = { .name = "duration", .shrt = 'd', .type = OPT_DURATION,
	    .section = "capture", .key = "duration" },
	[O_SEG] = { .name = "segment", .shrt = 't', .type = OPT_DURATION,
	    .section = "capture", .key = "segment" },
	[O_ALIGN] = { .name = "align", .type = OPT_BOOL, .section = "capture",
	    .key = "align" },
	[O_BUF] = { .name = "buffer", .type = OPT_DURATION,
	    .section = "capture", .key = "buffer" },
	[O_STATION] = { .name = "station", .type = OPT_STR },
	[O_WAIT] = { .type = OPT_DURATION, .section = "capture",
	    .key = "device-wait" },	/* rec.conf only */
	[O_CLKSYNC] = { .name = "clock-sync", .type = OPT_ENUM,
	    .section = "capture", .key = "clock-sync",
	    .choices = (const char *const[]){ "mark", "wait", NULL } },
	[O_CLKTO] = { .name = "clock-sync-timeout", .type = OPT_DURATION,
	    .section = "capture", .key = "clock-sync-timeout" },
	{ .name = NULL }
};

static struct conf *cf;

/* Frames in ms milliseconds at rate. */
static uint64_t
ms_frames(uint64_t ms, unsigned rate)
{
	return ms / 1000 * rate + ms % 1000 * rate / 1000;
}

/*
 * The command line, rec.conf and the log level; exits on --help,
 * --version and errors (an operand: arecord's style, no usage).
 */
static void
parse_flags(int argc, char **argv, struct opt_common *oc)
{
	opt_start(argc, argv, opts, OPT_START_SPOOL | OPT_START_OPERANDS, oc,
	    "rec-capture", usage_text);
	if (optind < argc)
		log_die(EX_USAGE, "unexpected argument '%s' (see rec-capture -h)",
		    argv[optind]);
	opt_setup(&cf, oc, "capture");
}

/* The audio settings into c; 0, or -1 with e. */
static int
audio_settings(struct cap *c, uint64_t *bufframes, struct err *e)
{
	const char *v;
	uint64_t u, ms;

	opt_str(cf, &opts[O_DEV], "default", &c->device, e);
	if (*c->device == '\0')
		return opt_bad(cf, &opts[O_DEV], c->device, "empty", e);
	if (opt_uint(cf, &opts[O_RATE], "48000", &u, e) < 0)
		return -1;
	c->spec.rate = (unsigned)u;
	if (opt_uint(cf, &opts[O_CH], "1", &u, e) < 0)
		return -1;
	c->spec.channels = (unsigned)u;
	opt_str(cf, &opts[O_FMT], "S16_LE", &v, e);
	if (pcm_format_parse(v, &c->spec.format) < 0)
		return opt_bad(cf, &opts[O_FMT], v,
		    "use S16_LE, S24_3LE or S32_LE", e);
	c->fb = pcm_frame_bytes(&c->spec);
	if (opt_duration(cf, &opts[O_BUF], DEF_BUFFER, &ms, e) < 0)
		return -1;
	opt_str(cf, &opts[O_BUF], DEF_BUFFER, &v, e);
	*bufframes = ms_frames(ms, c->spec.rate);
	if (*bufframes < c->spec.rate / 2 + 2)	/* at least five periods */
		*bufframes = c->spec.rate / 2 + 2;
	if (*bufframes > (1ULL << 31) / c->fb)
		return opt_bad(cf, &opts[O_BUF], v, "larger than 2 GiB", e);
	return 0;
}

/* Segment, duration, alignment and station into c; 0, or -1 with e. */
static int
time_settings(struct cap *c, struct err *e)
{
	const char *v;
	uint64_t dur_ms;

	if (opt_duration(cf, &opts[O_DUR], "0", &dur_ms, e) < 0)
		return -1;
	c->dur_frames = ms_frames(dur_ms, c->spec.rate);
	opt_str(cf, &opts[O_DUR], "0", &v, e);
	if (dur_ms > 0 && c->dur_frames == 0)
		return opt_bad(cf, &opts[O_DUR], v, "shorter than one frame",
		    e);
	if (opt_duration(cf, &opts[O_SEG], "60", &c->seg_ms, e) < 0)
		return -1;
	c->seg_frames = ms_frames(c->seg_ms, c->spec.rate);
	opt_str(cf, &opts[O_SEG], "60", &v, e);
	if (c->seg_frames == 0)
		return opt_bad(cf, &opts[O_SEG], v, "shorter than one frame",
		    e);
	if (c->seg_frames > (UINT32_MAX - WAV_MAX_HEAD - 4096) / c->fb)
		return opt_bad(cf, &opts[O_SEG], v,
		    "a WAV file holds at most 4 GiB", e);
	if (opt_bool(cf, &opts[O_ALIGN], 0, &c->align, e) < 0)
		return -1;
	c->device_wait_ms = UINT64_MAX;
	if (opt_duration(cf, &opts[O_WAIT], NULL, &c->device_wait_ms, e) < 0)
		return -1;
	if (opt_enum(cf, &opts[O_CLKSYNC], "mark", &c->clock_wait, e) < 0)
		return -1;	/* choices: mark (0), wait (1) */
	if (opt_duration(cf, &opts[O_CLKTO], DEF_SYNC_TIMEOUT,
	    &c->clock_wait_ms, e) < 0)
		return -1;
	if ((c->placed = schedule_place(cf, &c->place, e)) < 0)
		return -1;
	return conf_station(cf, opts[O_STATION].val, c->station,
	    sizeof(c->station), e);
}

static int
run_id(char *buf)
{
	unsigned char r[16];

	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		return -1;
	hex_encode(r, sizeof(r), buf);
	return 0;
}

/* Lock our station in this spool: one rec-capture per station. */
static int
lock_station(struct cap *c)
{
	char lk[128];
	int fd;

	snprintf(lk, sizeof(lk), ".capture.%s.lock", c->station);
	fd = file_open_lock(c->sp.fd[SPOOL_TMP], lk);
	if (fd < 0) {
		int se = errno;

		log_error("cannot create %s/tmp/%s: %s", c->sp.dir, lk,
		    strerror(se));
		/* a link, or a lock of another user: for the admin to fix */
		return se == ELOOP || se == EPERM || se == EINVAL ||
		    se == EACCES ? -EX_NOPERM : -EX_CANTCREAT;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			log_error("another rec-capture records station %s "
			    "into %s", c->station, c->sp.dir);
		else
			log_error("cannot lock %s/tmp/%s: %s", c->sp.dir, lk,
			    strerror(errno));
		close(fd);
		return -EX_TEMPFAIL;
	}
	return fd;
}

/* Lock, recover, open the source, and record until stopped. */
static int
record(struct cap *c, uint64_t bufframes)
{
	sigset_t block, old;
	pthread_t wt;
	int rc, wrc, lockfd = -1, pfd[2] = { -1, -1 }, thread = 0;

	rc = 0;
	c->sigfd = -1;
	/* From here on a signal stops us cleanly (also during recovery). */
	c->stop = &stop_flag;
	pthread_mutex_init(&c->ev_mu, NULL);
	signals_init(&block);
	lockfd = lock_station(c);
	if (lockfd < 0) {
		rc = -lockfd;
		goto out;
	}
	if ((rc = writer_recover(c)) != 0)
		goto out;
	if (stop_flag) {
		log_info("stopped before recording");
		rc = c->recover_ex;
		goto out;
	}
	if (run_id(c->run) < 0) {
		log_error("cannot get random bytes: %s", strerror(errno));
		rc = EX_OSERR;
		goto out;
	}
	cap_clock_wait(c);
	if (stop_flag) {
		log_info("stopped before recording");
		rc = c->recover_ex;
		goto out;
	}
	if ((rc = source_open(c)) != 0)
		goto out;
	if (stop_flag) {	/* while waiting for the device */
		log_info("stopped before recording");
		rc = c->recover_ex;
		goto out;
	}
	if (ring_init(&c->ring, (size_t)bufframes, c->fb) < 0) {
		log_error("cannot allocate a buffer of %" PRIu64 " frames: %s",
		    bufframes, strerror(errno));
		rc = EX_OSERR;
		goto out;
	}

	if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) < 0) {
		log_error("cannot create a pipe: %s", strerror(errno));
		rc = EX_OSERR;
		goto out;
	}
	sigpipe_w = pfd[1];
	c->sigfd = pfd[0];
	if (stop_flag && write(sigpipe_w, "x", 1) < 0) {
		/* a signal before the pipe: the flag is enough */
	}

	log_info("recording %s (%u Hz, %u channels, %s) into %s/seg as "
	    "station %s, run %s", c->device, c->spec.rate, c->spec.channels,
	    pcm_format_name(c->spec.format), c->sp.dir, c->station, c->run);
	/* Signals go to the reader (main thread), never to the writer. */
	pthread_sigmask(SIG_BLOCK, &block, &old);
	rc = pthread_create(&wt, NULL, writer_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		log_error("cannot start the writer thread: %s", strerror(rc));
		rc = EX_OSERR;
		goto out;
	}
	thread = 1;
	rc = source_run(c);
	pthread_join(wt, NULL);
	thread = 0;
	wrc = atomic_load(&c->writer_ex);
	if (rc == 0)
		rc = wrc;
	if (rc == 0)
		rc = c->recover_ex;
	log_info("%s: %" PRIu64 " frames in %" PRIu64 " segments, %" PRIu64
	    " overruns, %" PRIu64 " frames lost", rc == EX_UNAVAILABLE ?
	    "device gone" : *c->stop ? "stopped" : "done", c->frames,
	    c->segments, c->xruns, c->lost);
out:
	if (thread) {
		ring_close(&c->ring);
		pthread_join(wt, NULL);
	}
	source_close(c);
	ring_free(&c->ring);
	pthread_mutex_destroy(&c->ev_mu);
	if (pfd[0] >= 0) {
		sigpipe_w = -1;
		close(pfd[0]);
		close(pfd[1]);
	}
	if (lockfd >= 0)
		close(lockfd);
	return rc;
}

int
main(int argc, char **argv)
{
	static struct cap cap;
	struct cap *c = &cap;
	struct opt_common oc;
	struct err e;
	uint64_t bufframes = 0;
	int rc;

	log_init(argv[0]);
	parse_flags(argc, argv, &oc);
	if (audio_settings(c, &bufframes, &e) < 0 ||
	    time_settings(c, &e) < 0) {
		log_error("%s", e.msg);
		rc = e.ex;
		goto out;
	}
	if (spool_open(&c->sp, conf_spool(cf, oc.spool), &e) < 0) {
		log_error("%s", e.msg);
		rc = e.ex;
		goto out;
	}
	rc = record(c, bufframes);
	spool_close(&c->sp);
out:
	conf_free(cf);
	return rc;
}
