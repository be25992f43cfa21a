/*
 * rec-capture reader: reads the ALSA device (or raw PCM on stdin for
 * "-D -") into the ring. Never touches the disk; when the ring is full it
 * drops the newest frames and queues the loss for the writer. Recovers
 * overruns and suspends, estimating the lost span from ALSA timestamps,
 * and waits for a device that is gone (or not there yet at start).
 *
 * Time: the reader works on one clock that nobody steps or slews,
 * CLOCK_MONOTONIC_RAW (the device's timestamps are asked on it), so a
 * step of the wall clock never reads as lost audio. A smoothed fit of
 * the frames read against it (lib/clockfit) measures the card's true
 * rate; about once a second, and at once when the wall clock steps, the
 * writer is told the UTC time of a frame (the fit plus the wall clock's
 * offset then), the rate, the step and what the kernel says of its
 * clock (adjtimex).
 */
#include <alsa/asoundlib.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "capture.h"
#include "clockfit.h"
#include "devlost.h"
#include "log.h"
#include "utc.h"

#define NS	1000000000LL

static snd_pcm_t *pcm;
static snd_pcm_uframes_t period = 4800;
static uint64_t slack;			/* see fast_source */
static snd_pcm_uframes_t hwbuf;		/* the device's buffer, frames */
static int stdin_file;			/* stdin is a regular file */
static uint8_t *scratch;		/* drops, and stdin reads */
static size_t scratch_frames;

/* The clock of the device's timestamps and of all the reader's times:
 * CLOCK_MONOTONIC_RAW, or CLOCK_MONOTONIC where alsa-lib or the kernel
 * cannot stamp with it. */
static clockid_t clk = CLOCK_MONOTONIC_RAW;
static snd_pcm_tstamp_type_t clk_type = SND_PCM_TSTAMP_TYPE_MONOTONIC_RAW;

/* The frames -> time fit of the current epoch (from the last anchor),
 * and the wall clock's offset from clk at the last reading. */
#define FIT_MEMORY_S	600	/* a weight halves in ten minutes */
#define STEP_MIN_NS	1000000	/* a step: off by 1 ms more than ... */
#define SLEW_PPM	1000	/* ... NTP's slew and frequency can move it */
static struct clockfit fit;
static int64_t wall_off, wall_at;	/* offset; clk time it was read */
static uint64_t next_tick;		/* frames since the anchor */

static int64_t
clk_ns(void)
{
	return clock_ns(clk);
}

/* The wall clock less clk. */
static int64_t
wall_offset(void)
{
	return clock_offset_ns(clk);
}

void
cap_event_push(struct cap *c, const struct cap_event *ev)
{
	struct cap_event *last;

	pthread_mutex_lock(&c->ev_mu);
	last = c->ev_n ? &c->ev[(c->ev_first + c->ev_n - 1) % CAP_EVMAX] :
	    NULL;
	if (last != NULL && (last->pos == ev->pos || c->ev_n == CAP_EVMAX) &&
	    !(ev->has_ts && last->has_ts && last->pos != ev->pos)) {
		/* Same position (or the queue is full): one event. */
		last->lost += ev->lost;
		if (ev->has_ts) {
			last->has_ts = 1;
			last->ts_ns = ev->ts_ns;
			last->rate = ev->rate;
		}
		if (ev->lost > 0)
			last->cause = ev->cause;
		last->cut |= ev->cut;
		last->step_ns += ev->step_ns;
		if (ev->has_clock) {
			last->has_clock = 1;
			last->cs = ev->cs;
		}
	} else if (c->ev_n < CAP_EVMAX) {
		c->ev[(c->ev_first + c->ev_n) % CAP_EVMAX] = *ev;
		c->ev_n++;
	} else {
		/* Full of anchors: keep the loss and the step (a little
		 * early), drop the time anchor. */
		last->lost += ev->lost;
		last->step_ns += ev->step_ns;
	}
	pthread_mutex_unlock(&c->ev_mu);
}

static snd_pcm_format_t
alsa_format(enum pcm_format f)
{
	switch (f) {
	case PCM_S24_3LE:
		return SND_PCM_FORMAT_S24_3LE;
	case PCM_S32_LE:
		return SND_PCM_FORMAT_S32_LE;
	default:
		return SND_PCM_FORMAT_S16_LE;
	}
}

/* alsa-lib's own messages: only with -v, in our format. */
static void alsa_msg(const char *, int, const char *, int, const char *, ...)
	__attribute__((format(printf, 5, 6)));

static void
alsa_msg(const char *file, int line, const char *func, int err,
    const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (log_get_level() < LOG_LVL_DEBUG)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_debug("alsa-lib: %s%s%s", buf, err ? ": " : "",
	    err ? snd_strerror(err) : "");
}

/* Why the last alsa_setup failed, for the caller to log. */
static char setup_msg[512];

static int
setup_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
setup_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(setup_msg, sizeof(setup_msg), fmt, ap);
	va_end(ap);
	if (pcm != NULL)
		snd_pcm_close(pcm);
	pcm = NULL;
	return EX_UNAVAILABLE;
}

/*
 * Open and configure the device: 0, or EX_UNAVAILABLE with setup_msg
 * set (not logged) and *operr the error of snd_pcm_open (0 when it was
 * the configuration that failed).
 */
static int
alsa_setup(struct cap *c, int *operr)
{
	snd_pcm_hw_params_t *hw;
	snd_pcm_sw_params_t *sw;
	snd_pcm_uframes_t bufsize;
	unsigned ptime = 100000, btime = 1000000;
	int err, dir = 0;
	const char *what = "";

	*operr = 0;
	err = snd_pcm_open(&pcm, c->device, SND_PCM_STREAM_CAPTURE, 0);
	if (err < 0) {
		pcm = NULL;
		*operr = err;
		return setup_fail("cannot open audio device %s: %s",
		    c->device, snd_strerror(err));
	}
	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_sw_params_alloca(&sw);
	if ((err = snd_pcm_hw_params_any(pcm, hw)) < 0) {
		what = "read the parameters of";
		goto fail;
	}
	if ((err = snd_pcm_hw_params_set_access(pcm, hw,
	    SND_PCM_ACCESS_RW_INTERLEAVED)) < 0) {
		what = "set interleaved access on";
		goto fail;
	}
	if ((err = snd_pcm_hw_params_set_format(pcm, hw,
	    alsa_format(c->spec.format))) < 0)
		return setup_fail("audio device %s does not support format "
		    "%s: %s", c->device, pcm_format_name(c->spec.format),
		    snd_strerror(err));
	if ((err = snd_pcm_hw_params_set_channels(pcm, hw,
	    c->spec.channels)) < 0)
		return setup_fail("audio device %s does not support %u "
		    "channels: %s", c->device, c->spec.channels,
		    snd_strerror(err));
	/* The exact rate: a resampled stream would not be what we count. */
	if ((err = snd_pcm_hw_params_set_rate(pcm, hw, c->spec.rate, 0)) < 0)
		return setup_fail("audio device %s does not support rate %u: "
		    "%s", c->device, c->spec.rate, snd_strerror(err));
	snd_pcm_hw_params_set_period_time_near(pcm, hw, &ptime, &dir);
	snd_pcm_hw_params_set_buffer_time_near(pcm, hw, &btime, &dir);
	if ((err = snd_pcm_hw_params(pcm, hw)) < 0) {
		what = "configure";
		goto fail;
	}
	snd_pcm_hw_params_get_period_size(hw, &period, &dir);
	slack = 2 * (uint64_t)period + c->spec.rate / 10;
	snd_pcm_hw_params_get_buffer_size(hw, &bufsize);
	hwbuf = bufsize;
	if (period == 0)
		period = 1;
	snd_pcm_sw_params_current(pcm, sw);
	snd_pcm_sw_params_set_avail_min(pcm, sw, period);
	snd_pcm_sw_params_set_start_threshold(pcm, sw, 1);
	snd_pcm_sw_params_set_tstamp_mode(pcm, sw, SND_PCM_TSTAMP_ENABLE);
	/* Timestamps on the raw monotonic clock (kernels before 3.15 and
	 * some plugins know only MONOTONIC: slewed, but never stepped). */
	clk = CLOCK_MONOTONIC_RAW;
	clk_type = SND_PCM_TSTAMP_TYPE_MONOTONIC_RAW;
	if (snd_pcm_sw_params_set_tstamp_type(pcm, sw, clk_type) < 0 ||
	    snd_pcm_sw_params(pcm, sw) < 0) {
		clk = CLOCK_MONOTONIC;
		clk_type = SND_PCM_TSTAMP_TYPE_MONOTONIC;
		snd_pcm_sw_params_set_tstamp_type(pcm, sw, clk_type);
		log_debug("audio device %s: no timestamps on "
		    "CLOCK_MONOTONIC_RAW, CLOCK_MONOTONIC instead", c->device);
	}
	if ((err = snd_pcm_sw_params(pcm, sw)) < 0) {
		what = "set the software parameters of";
		goto fail;
	}
	log_debug("audio device %s: period %lu frames, buffer %lu frames",
	    c->device, (unsigned long)period, (unsigned long)bufsize);
	return 0;
fail:
	return setup_fail("cannot %s audio device %s: %s", what, c->device,
	    snd_strerror(err));
}

/*
 * Did snd_pcm_open fail with err because the device is not there (a USB
 * card unplugged, or not enumerated yet), rather than because no ALSA
 * configuration knows its name (a typo, which waiting does not mend)?
 * The lookup is snd_pcm_open's own.
 */
static int
device_absent(struct cap *c, int err)
{
	snd_config_t *def;

	if (err != -ENODEV && err != -ENOENT && err != -ENXIO)
		return 0;
	if (snd_config_update() < 0 || snd_config_search_definition(
	    snd_config, "pcm", c->device, &def) < 0)
		return 0;
	snd_config_delete(def);
	return 1;
}

/* DIR/device-lost and a line in the trigger FIFO: recd's status follows. */
static void
lost_say(struct cap *c, int64_t since_ns)
{
	if ((since_ns != 0 ? devlost_set(c->sp.dirfd, since_ns, c->device) :
	    devlost_clear(c->sp.dirfd)) < 0)
		log_warn("cannot %s %s/%s: %s", since_ns ? "write" : "remove",
		    c->sp.dir, DEVLOST_FILE, strerror(errno));
	if (spool_trigger(&c->sp, since_ns ? "device lost" : "device back") <
	    0)
		log_warn("cannot write to %s/trigger: %s", c->sp.dir,
		    strerror(errno));
}

/* A second's pause, cut short by a stop signal. */
static void
pause_1s(struct cap *c)
{
	struct pollfd pf = { c->sigfd, POLLIN, 0 };
	struct timespec ts = { 1, 0 };

	if (c->sigfd >= 0)
		(void)poll(&pf, 1, 1000);
	else
		(void)nanosleep(&ts, NULL);
}

static int stopping(struct cap *c);

/*
 * Wait for the device, trying to open it about once a second, quietly
 * (alsa-lib's messages with -v only). 0 when it is open, 1 when told to
 * stop meanwhile, 2 when [capture] device-wait passed.
 */
static int
wait_device(struct cap *c)
{
	int64_t t0 = clk_ns();
	int operr;

	for (;;) {
		if (c->device_wait_ms != UINT64_MAX &&
		    (uint64_t)(clk_ns() - t0) / 1000000 >= c->device_wait_ms)
			return 2;
		pause_1s(c);
		if (stopping(c))
			return 1;
		if (alsa_setup(c, &operr) == 0)
			return 0;
		log_debug("%s", setup_msg);
	}
}

int
source_open(struct cap *c)
{
	int rc, operr;
	int64_t since, m;

	if (strcmp(c->device, "-") == 0) {
		struct stat st;

		period = c->spec.rate / 10 ? c->spec.rate / 10 : 1;
		slack = c->spec.rate;
		stdin_file = fstat(0, &st) == 0 && S_ISREG(st.st_mode);
		goto scratch;
	}
	snd_lib_error_set_handler(alsa_msg);
	/* a kill -9 while waiting may have left it */
	if (devlost_clear(c->sp.dirfd) < 0)
		log_warn("cannot remove %s/%s: %s", c->sp.dir, DEVLOST_FILE,
		    strerror(errno));
	if ((rc = alsa_setup(c, &operr)) != 0) {
		if (!device_absent(c, operr) || c->device_wait_ms == 0) {
			log_error("%s", setup_msg);
			return rc;
		}
		/* At boot a USB card may not be there yet: wait for it. */
		since = clock_ns(CLOCK_REALTIME);
		m = clk_ns();
		log_warn("audio device %s is not there (%s): waiting for it",
		    c->device, snd_strerror(operr));
		lost_say(c, since);
		rc = wait_device(c);
		lost_say(c, 0);
		if (rc == 2) {
			log_error("audio device %s is still not there after "
			    "%.1f s (device-wait): giving up", c->device,
			    (double)(clk_ns() - m) / NS);
			return EX_UNAVAILABLE;
		}
		if (rc != 0)
			return 0;	/* stopped: source_run returns at once */
		log_info("audio device %s is there after %.1f s", c->device,
		    (double)(clk_ns() - m) / NS);
	}
scratch:
	scratch_frames = period;
	scratch = malloc(scratch_frames * c->fb);
	if (scratch == NULL) {
		log_error("out of memory");
		return EX_OSERR;
	}
	return 0;
}

void
source_close(struct cap *c)
{
	if (pcm != NULL)
		snd_pcm_close(pcm);
	pcm = NULL;
	free(scratch);
	scratch = NULL;
	snd_config_update_free_global();
}

/*
 * The time of the first of the n frames just read: the device's
 * timestamp of its hardware position minus the frames captured since
 * (still in its buffer) and the n frames. Falls back to the wall clock.
 */
static int64_t
read_time(struct cap *c, snd_pcm_uframes_t n)
{
	snd_pcm_status_t *st;
	snd_htimestamp_t ts;
	snd_pcm_uframes_t avail = 0;
	int64_t t = 0;

	snd_pcm_status_alloca(&st);
	if (snd_pcm_status(pcm, st) == 0) {
		snd_pcm_status_get_htstamp(st, &ts);
		t = (int64_t)ts.tv_sec * NS + ts.tv_nsec;
		avail = snd_pcm_status_get_avail(st);
	}
	if (t <= 0)
		t = clk_ns();
	return t - utc_frames_ns(avail + n, c->spec.rate);
}

/*
 * Has the wall clock been stepped since it was last read? Its offset
 * from clk moves by NTP's frequency and slew (SLEW_PPM at most) and by
 * steps (settimeofday, clock_settime, a step of chronyd or ntpd, an RTC
 * read late at boot). The step (signed ns), or 0.
 */
static int64_t
wall_step(void)
{
	int64_t now = clk_ns(), off = wall_offset(), d = off - wall_off;
	int64_t most = STEP_MIN_NS + (now - wall_at) / (1000000 / SLEW_PPM);

	wall_off = off;
	wall_at = now;
	return d > most || d < -most ? d : 0;
}

/* What the kernel says of its clock, into ev. */
static void
clock_say(struct cap_event *ev)
{
	ev->has_clock = 1;
	(void)clock_state_read(&ev->cs);	/* on error: not synced */
}

/*
 * A new epoch (the first read, or the first after a loss): frame 0 of
 * it, captured at t (clk), is the anchor of a new fit. ev gets its UTC
 * time, the clock's state, and the step of the wall clock since the
 * last epoch if any.
 */
static void
epoch_start(struct cap *c, struct cap_event *ev, int64_t t, int first)
{
	int64_t step = wall_step();

	clockfit_init(&fit, c->spec.rate, FIT_MEMORY_S);
	clockfit_add(&fit, 0, t);
	ev->has_ts = 1;
	ev->ts_ns = t + wall_off;
	ev->step_ns = first ? 0 : step;
	clock_say(ev);
	next_tick = c->spec.rate;
}

/*
 * Frame `since` of the epoch, captured frame pos, was captured at t
 * (clk): a point for the fit; and about once a second, or when the wall
 * clock was stepped, the writer learns the time of frame pos.
 */
static void
tick(struct cap *c, uint64_t pos, uint64_t since, int64_t t)
{
	struct cap_event ev = { .pos = pos, .has_ts = 1 };

	clockfit_add(&fit, since, t);
	ev.step_ns = wall_step();
	if (ev.step_ns == 0 && since < next_tick)
		return;
	ev.ts_ns = clockfit_at(&fit, since) + wall_off;
	ev.rate = clockfit_measured(&fit) ? clockfit_rate(&fit) : 0;
	clock_say(&ev);
	cap_event_push(c, &ev);
	next_tick = since + c->spec.rate;
}

/* After an overrun or suspend: frames lost between the last frame read
 * and the first frame after the recovery, from the timestamps. */
static uint64_t
lost_span(struct cap *c, int64_t expect_ns, int64_t got_ns)
{
	int64_t d = got_ns - expect_ns;

	if (d <= 0)
		return 0;
	return (uint64_t)(d / NS) * c->spec.rate +
	    ((uint64_t)(d % NS) * c->spec.rate + NS / 2) / NS;
}

/* Queue a loss of n frames at the head (ring full: newest dropped). */
static void
drop(struct cap *c, uint64_t pos, size_t n)
{
	struct cap_event ev = { .pos = pos, .lost = n, .cause = CAUSE_RING };

	cap_event_push(c, &ev);
}

static int
stopping(struct cap *c)
{
	return *c->stop || atomic_load(&c->writer_ex) != 0;
}

/* Frames per read from a fast source: a second, but no more than the
 * device's buffer (alsa-lib's file plugin mangles longer reads). */
static snd_pcm_uframes_t
fast_chunk(struct cap *c)
{
	snd_pcm_uframes_t n = c->spec.rate;

	return hwbuf && n > hwbuf ? hwbuf : n;
}

/*
 * Is the source faster than real time? A device with a clock, started
 * by our first read, cannot have delivered more than the wall clock
 * since (give or take its period and the drift of its crystal, far
 * below 1%). A source that is ahead is a file, or a pipe from one, with
 * no clock to overrun: waiting for the writer loses nothing, where
 * dropping would. Standard input that is a regular file always is; a
 * pipe gets 1 s of slack for what its writer buffered before we read.
 */
static int
fast_source(struct cap *c, uint64_t got, int64_t t0)
{
	uint64_t el = (uint64_t)(clk_ns() - t0);
	uint64_t due = el / NS * c->spec.rate + el % NS * c->spec.rate / NS;

	if (stdin_file)
		return 1;
	return got > due + due / 100 + slack;
}

/*
 * Is the card gone? alsa-lib says -ENODEV when it sees the disconnected
 * state, but a read may fail first with -EBADFD or -EIO; a handle that
 * cannot tell its state any more (an error) is gone too.
 */
static int
disconnected(void)
{
	int st = (int)snd_pcm_state(pcm);

	return st == SND_PCM_STATE_DISCONNECTED || st < 0;
}

/*
 * The device is gone (-ENODEV: unplugged, a brown-out): the open segment
 * is published at frame pos (an event with cut), one line says so, and we
 * wait for the device by its name. The loss began when the next frame
 * was due (next_ns, by the fit; a device with a clock is up to its
 * buffer behind the clock), or now when that is later (a fast source).
 * All on clk: lost_mono[0] gets that time, and
 * lost_mono[1] the time the device opened again: gone_span measures the
 * first frame after the return against them. 0 when the device is back,
 * 1 when told to stop meanwhile, 2 when device-wait passed.
 */
static int
device_gone(struct cap *c, uint64_t pos, int64_t next_ns, int err,
    int64_t lost_mono[2])
{
	struct cap_event ev = { .pos = pos, .cause = CAUSE_GONE, .cut = 1 };
	int64_t now = clk_ns(), m = now, since = now;
	int64_t most = utc_frames_ns(hwbuf, c->spec.rate);
	int rc;

	if (next_ns > 0 && next_ns < now)
		since = now - (now - next_ns < most ? now - next_ns : most);
	lost_mono[0] = since;
	cap_event_push(c, &ev);
	snd_pcm_close(pcm);
	pcm = NULL;
	if (c->device_wait_ms == 0) {
		log_error("audio device %s is gone (%s)", c->device,
		    snd_strerror(err));
		return 2;
	}
	log_warn("audio device %s is gone (%s): waiting for it to come back",
	    c->device, snd_strerror(err));
	lost_say(c, since + wall_offset());
	rc = wait_device(c);
	lost_say(c, 0);
	lost_mono[1] = clk_ns();
	if (rc == 0)
		log_info("audio device %s is back after %.1f s: recording "
		    "again", c->device, (double)(lost_mono[1] - m) / NS);
	else if (rc == 2)
		log_error("audio device %s is still gone after %.1f s "
		    "(device-wait): giving up", c->device,
		    (double)(lost_mono[1] - m) / NS);
	return rc;
}

/*
 * Frames lost while the device was gone: from the loss (lost_mono[0]) to
 * the first frame read after its return (t, on clk), which
 * was not captured before the device opened again (lost_mono[1]; a
 * source whose timestamps say otherwise has no clock).
 */
static uint64_t
gone_span(struct cap *c, const int64_t lost_mono[2], int64_t t)
{
	int64_t first = clk_ns(), d;

	if (t < first)
		first = t;
	if (first < lost_mono[1])
		first = lost_mono[1];
	d = first - lost_mono[0];
	if (d <= 0)
		return 0;
	return (uint64_t)(d / NS) * c->spec.rate +
	    ((uint64_t)(d % NS) * c->spec.rate + NS / 2) / NS;
}

/*
 * A fast source is read one chunk at a time, each once the writer has
 * taken the last: buffering ahead would only make the ring resident for
 * nothing, and an empty ring starts again at its first page (ring.h).
 * Returns 1 when the caller is to wait (and try again).
 */
static int
throttle(struct cap *c, uint64_t got, int64_t t0)
{
	if (ring_space(&c->ring) == c->ring.frames ||
	    !fast_source(c, got, t0))
		return 0;
	ring_wait_space(&c->ring, c->ring.frames, 100);
	return 1;
}

static int
run_alsa(struct cap *c)
{
	uint64_t got = 0, pos = 0;	/* frames read; frames into the ring */
	uint64_t since = 0;		/* frames since the anchor */
	int64_t t, lost_mono[2] = { 0, 0 };
	int anchored = 0, recovering = 0, err;
	enum cap_cause cause = CAUSE_NONE;
	snd_pcm_uframes_t n;
	size_t space;		/* ring_wptr's type: not uframes on armhf */
	snd_pcm_sframes_t r;
	int64_t t0 = clk_ns();
	void *p;

	while (!stopping(c)) {
		n = period;
		if (c->dur_frames) {
			if (got >= c->dur_frames)
				break;
			if (c->dur_frames - got < n)
				n = (snd_pcm_uframes_t)(c->dur_frames - got);
		}
		if (fast_source(c, got, t0)) {
			if (throttle(c, got, t0))
				continue;
			/* A file: bigger chunks, fewer wake-ups. */
			if (fast_chunk(c) > n) {
				n = fast_chunk(c);
				if (c->dur_frames && c->dur_frames - got < n)
					n = (snd_pcm_uframes_t)(c->dur_frames -
					    got);
			}
		}
		p = ring_wptr(&c->ring, &space);
		if (space == 0) {
			p = scratch;
			space = scratch_frames;
		}
		if (n > space)
			n = space;
		r = snd_pcm_readi(pcm, p, n);
		if (r == -EINTR || r == -EAGAIN || r == 0)
			continue;
		if ((r == -EBADFD || r == -EIO) && disconnected())
			r = -ENODEV;
		if (r == -EPIPE || r == -ESTRPIPE) {
			cause = r == -EPIPE ? CAUSE_XRUN : CAUSE_SUSPEND;
			if (r == -ESTRPIPE) {
				while ((err = snd_pcm_resume(pcm)) == -EAGAIN &&
				    !stopping(c))
					sleep(1);
				if (err < 0)
					err = snd_pcm_prepare(pcm);
			} else {
				err = snd_pcm_prepare(pcm);
			}
			if (err < 0 && err != -ENODEV) {
				log_error("cannot recover audio device %s: %s",
				    c->device, snd_strerror(err));
				return EX_UNAVAILABLE;
			}
			recovering = 1;
			if (err == 0)
				continue;
			r = err;
		}
		if (r == -ENODEV) {
			err = device_gone(c, pos, anchored ?
			    clockfit_at(&fit, since) : 0, (int)r, lost_mono);
			if (err == 2)
				return EX_UNAVAILABLE;
			if (err != 0)
				break;
			cause = CAUSE_GONE;
			recovering = 1;
			continue;
		}
		if (r < 0) {
			/* -EBADFD, -EIO...: one try to go on. */
			if ((r == -EIO || r == -EBADFD) &&
			    snd_pcm_prepare(pcm) == 0 && !recovering) {
				cause = CAUSE_XRUN;
				recovering = 1;
				continue;
			}
			log_error("cannot read audio device %s: %s", c->device,
			    snd_strerror((int)r));
			return EX_UNAVAILABLE;
		}
		t = read_time(c, (snd_pcm_uframes_t)r);
		if (!anchored || recovering) {
			struct cap_event ev = { .pos = pos, .has_ts = 1, .cause = cause };

			if (anchored && cause == CAUSE_GONE)
				ev.lost = gone_span(c, lost_mono, t);
			else if (anchored)
				ev.lost = lost_span(c, clockfit_at(&fit, since),
				    t);
			epoch_start(c, &ev, t, !anchored);
			cap_event_push(c, &ev);
			since = 0;
			anchored = 1;
			recovering = 0;
			cause = CAUSE_NONE;
		} else if (p != scratch) {
			/* (dropped frames are no point: their event would
			 * follow the loss's) */
			tick(c, pos, since, t);
		}
		if (p == scratch) {
			drop(c, pos, (size_t)r);
		} else {
			ring_commit(&c->ring, (size_t)r);
			pos += (uint64_t)r;
		}
		got += (uint64_t)r;
		since += (uint64_t)r;
	}
	return 0;
}

/* stdin: raw interleaved PCM; EOF ends the run. */
static int
run_stdin(struct cap *c)
{
	uint64_t got = 0, pos = 0;
	size_t have = 0, whole, want, put;
	size_t cap_bytes = scratch_frames * c->fb;
	int anchored = 0, ready;
	struct pollfd pf[2];
	ssize_t r;
	int pending;
	int64_t t, t0 = clk_ns();

	pf[0].fd = 0;
	pf[0].events = POLLIN;
	pf[1].fd = c->sigfd;
	pf[1].events = POLLIN;
	while (!stopping(c)) {
		if (c->dur_frames && got >= c->dur_frames)
			break;
		ready = poll(pf, 2, 1000);
		if (ready < 0 && errno != EINTR) {
			log_error("cannot poll standard input: %s",
			    strerror(errno));
			return EX_IOERR;
		}
		if (ready <= 0 || !(pf[0].revents & (POLLIN | POLLHUP |
		    POLLERR)))
			continue;
		want = cap_bytes - have;
		if (c->dur_frames &&
		    (c->dur_frames - got) * c->fb < want + have)
			want = (size_t)((c->dur_frames - got) * c->fb) - have;
		r = read(0, scratch + have, want);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			log_error("cannot read standard input: %s",
			    strerror(errno));
			return EX_IOERR;
		}
		if (r == 0) {
			if (have > 0)
				log_warn("standard input ended in the middle "
				    "of a frame: %zu bytes ignored", have);
			break;
		}
		have += (size_t)r;
		whole = have / c->fb;
		if (whole == 0)
			continue;
		/* The first frame read was captured before the frames
		 * read with it and those still waiting in the pipe (none
		 * when the read took less than it asked: no ioctl then). */
		pending = 0;
		if ((size_t)r == want && (ioctl(0, FIONREAD, &pending) < 0 ||
		    pending < 0))
			pending = 0;
		t = clk_ns() - utc_frames_ns(whole + (uint64_t)pending / c->fb,
		    c->spec.rate);
		if (!anchored) {
			struct cap_event ev = { .has_ts = 1 };

			epoch_start(c, &ev, t, 1);
			cap_event_push(c, &ev);
			anchored = 1;
		} else {
			tick(c, pos, got, t);
		}
		while (!stopping(c) && throttle(c, got, t0))
			;
		put = ring_put(&c->ring, scratch, whole);
		while (put < whole && !stopping(c) &&
		    fast_source(c, got + put, t0)) {
			ring_wait_space(&c->ring, whole - put, 100);
			put += ring_put(&c->ring, scratch + put * c->fb,
			    whole - put);
		}
		pos += put;
		if (put < whole)
			drop(c, pos, whole - put);
		got += whole;
		memmove(scratch, scratch + whole * c->fb, have - whole * c->fb);
		have -= whole * c->fb;
	}
	return 0;
}

int
source_run(struct cap *c)
{
	int rc;

	if (pcm == NULL && strcmp(c->device, "-") != 0)
		rc = 0;		/* stopped while waiting for the device */
	else
		rc = pcm == NULL ? run_stdin(c) : run_alsa(c);
	ring_close(&c->ring);
	return rc;
}
