/*
 * rec-capture: record audio from ALSA (or raw PCM on stdin) gaplessly
 * into WAV segments with GUANO metadata in the spool's seg/ directory.
 * main.c: flags, rec.conf, the spool, signals, and the two threads.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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
#include "parse.h"
#include "wav.h"

#define DEF_BUFFER "10"		/* seconds of ring buffer */

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

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: rec-capture [-hqVv] [-D device] [-r rate] [-c channels] "
	    "[-f format]\n"
	    "                   [-d seconds] [-t seconds] [--align] "
	    "[--buffer seconds]\n"
	    "                   [--spool dir] [--config file] "
	    "[--station name]\n");
}

static const struct option longopts[] = {
	{ "device", required_argument, NULL, 'D' },
	{ "rate", required_argument, NULL, 'r' },
	{ "channels", required_argument, NULL, 'c' },
	{ "format", required_argument, NULL, 'f' },
	{ "duration", required_argument, NULL, 'd' },
	{ "segment", required_argument, NULL, 't' },
	{ "align", no_argument, NULL, 'A' },
	{ "buffer", required_argument, NULL, 'B' },
	{ "spool", required_argument, NULL, 'S' },
	{ "config", required_argument, NULL, 'C' },
	{ "station", required_argument, NULL, 'N' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* A setting: its flag value, else the [capture] value, else the default. */
struct opt {
	const char *key;
	const char *flag;
	const char *val;
	int from_conf;
};

static struct conf *cf;

static void
resolve(struct opt *o, const char *def)
{
	const char *v = o->flag;

	o->from_conf = 0;
	if (v == NULL) {
		v = conf_get(cf, "capture", o->key);
		o->from_conf = v != NULL;
	}
	o->val = v != NULL ? v : def;
}

/* Report a bad value: exit 64 for a flag, 78 (FILE:LINE) for rec.conf. */
static void
bad(const struct opt *o, const char *why)
{
	if (o->from_conf) {
		log_error("%s: bad %s '%s'%s%s", conf_where(cf, "capture",
		    o->key), o->key, o->val, why ? ": " : "", why ? why : "");
		exit(EX_CONFIG);
	}
	log_error("bad %s '%s'%s%s", o->key, o->val, why ? ": " : "",
	    why ? why : "");
	exit(EX_USAGE);
}

static uint64_t
get_uint(struct opt *o, const char *def, uint64_t min, uint64_t max)
{
	uint64_t v;
	char why[64];

	resolve(o, def);
	if (parse_uint(o->val, min, max, &v) < 0) {
		snprintf(why, sizeof(why), "not a number in %" PRIu64 "..%"
		    PRIu64, min, max);
		bad(o, why);
	}
	return v;
}

static uint64_t
get_ms(struct opt *o, const char *def)
{
	uint64_t v;

	resolve(o, def);
	if (parse_duration_ms(o->val, &v) < 0)
		bad(o, "not a duration (seconds, or like 1.5s, 250ms, 10m)");
	return v;
}

static int
get_bool(struct opt *o)
{
	int v;

	resolve(o, "no");
	if (parse_bool(o->val, &v) < 0)
		bad(o, "not a boolean (yes/no)");
	return v;
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

int
main(int argc, char **argv)
{
	struct opt o_dev = { .key = "device" }, o_rate = { .key = "rate" },
	    o_ch = { .key = "channels" }, o_fmt = { .key = "format" },
	    o_dur = { .key = "duration" }, o_seg = { .key = "segment" },
	    o_align = { .key = "align" }, o_buf = { .key = "buffer" },
	    o_verb = { .key = "verbose" }, o_quiet = { .key = "quiet" };
	const char *f_spool = NULL, *f_config = NULL, *f_station = NULL;
	static struct cap cap;
	struct cap *c = &cap;
	struct err e;
	sigset_t block, old;
	pthread_t wt;
	uint64_t buf_ms, dur_ms, bufframes;
	int ch, verbose = 0, quiet = 0, align_flag = 0, rc, wrc;
	int lockfd = -1, pfd[2] = { -1, -1 }, thread = 0;

	log_init(argv[0]);
	opterr = 0;		/* one line of ours instead of getopt's */
	while ((ch = getopt_long(argc, argv, ":D:r:c:f:d:t:vqhV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'D': o_dev.flag = optarg; break;
		case 'r': o_rate.flag = optarg; break;
		case 'c': o_ch.flag = optarg; break;
		case 'f': o_fmt.flag = optarg; break;
		case 'd': o_dur.flag = optarg; break;
		case 't': o_seg.flag = optarg; break;
		case 'A': align_flag = 1; break;
		case 'B': o_buf.flag = optarg; break;
		case 'S': f_spool = optarg; break;
		case 'C': f_config = optarg; break;
		case 'N': f_station = optarg; break;
		case 'v': verbose++; break;
		case 'q': quiet++; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("rec-capture %s\n", REC_VERSION); return 0;
		default:
			return log_bad_option(ch, argv);
		}
	}
	if (optind < argc) {
		log_error("unexpected argument '%s' (see rec-capture -h)",
		    argv[optind]);
		return EX_USAGE;
	}
	if (conf_load(&cf, f_config, &e) < 0) {
		log_error("%s", e.msg);
		return e.ex;
	}

	/* Settings: flags win over [capture] in rec.conf. */
	if (!verbose && !quiet) {
		verbose = get_bool(&o_verb);
		quiet = get_bool(&o_quiet);
	}
	if (verbose)
		log_set_level(LOG_LVL_DEBUG);
	else if (quiet)
		log_set_level(LOG_LVL_WARN);
	resolve(&o_dev, "default");
	if (*o_dev.val == '\0')
		bad(&o_dev, "empty");
	c->device = o_dev.val;
	c->spec.rate = (unsigned)get_uint(&o_rate, "48000", 1, 768000);
	c->spec.channels = (unsigned)get_uint(&o_ch, "1", 1, 32);
	resolve(&o_fmt, "S16_LE");
	if (pcm_format_parse(o_fmt.val, &c->spec.format) < 0)
		bad(&o_fmt, "use S16_LE, S24_3LE or S32_LE");
	c->fb = pcm_frame_bytes(&c->spec);
	dur_ms = get_ms(&o_dur, "0");
	c->dur_frames = dur_ms / 1000 * c->spec.rate +
	    dur_ms % 1000 * c->spec.rate / 1000;
	if (dur_ms > 0 && c->dur_frames == 0)
		bad(&o_dur, "shorter than one frame");
	c->seg_ms = get_ms(&o_seg, "60");
	c->seg_frames = c->seg_ms / 1000 * c->spec.rate +
	    c->seg_ms % 1000 * c->spec.rate / 1000;
	if (c->seg_frames == 0)
		bad(&o_seg, "shorter than one frame");
	if (c->seg_frames > (UINT32_MAX - WAV_MAX_HEAD - 4096) / c->fb)
		bad(&o_seg, "a WAV file holds at most 4 GiB");
	c->align = align_flag || get_bool(&o_align);
	buf_ms = get_ms(&o_buf, DEF_BUFFER);
	bufframes = buf_ms / 1000 * c->spec.rate +
	    buf_ms % 1000 * c->spec.rate / 1000;
	if (bufframes < c->spec.rate / 2 + 2)	/* at least five periods */
		bufframes = c->spec.rate / 2 + 2;
	if (bufframes > (1ULL << 31) / c->fb)
		bad(&o_buf, "larger than 2 GiB");
	if (conf_station(cf, f_station, c->station, sizeof(c->station),
	    &e) < 0) {
		log_error("%s", e.msg);
		conf_free(cf);
		return e.ex;
	}
	if (spool_open(&c->sp, conf_spool(cf, f_spool), &e) < 0) {
		log_error("%s", e.msg);
		conf_free(cf);
		return EX_CANTCREAT;
	}
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
	if ((rc = source_open(c)) != 0)
		goto out;
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
	spool_close(&c->sp);
	conf_free(cf);
	return rc;
}
