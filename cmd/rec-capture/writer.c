/*
 * rec-capture writer thread: drains the ring into WAV segments in tmp/,
 * cuts them at exact frame counts, records gaps, finishes, fsyncs and
 * publishes them into seg/. Retries while the disk is full. Also the
 * crash recovery of segments left in tmp/ at start.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "aname.h"
#include "capture.h"
#include "file.h"
#include "guano.h"
#include "ledger.h"
#include "level.h"
#include "log.h"
#include "segmeta.h"
#include "utc.h"
#include "wav.h"

#define NS	1000000000LL
#define RETRY_MS 500		/* disk full: retry this often */
#define GIVEUP_TRIES 10		/* after a stop, retries before giving up */

struct seg {
	int fd;				/* -1: no open segment */
	char name[128];
	uint64_t data_off;		/* header length */
	uint64_t bytes;			/* PCM bytes on disk */
	uint64_t frames, target;
	uint64_t first;			/* timeline index of frame 0 */
	int64_t ts_ns;			/* time of frame 0 */
	struct segmeta m;		/* its gaps and lost frames */
	struct level lv;		/* its levels, fed as it is written */
	size_t headlen;
	int head_done;
	uint8_t head[WAV_MAX_HEAD];
};

struct w {
	struct cap *c;
	uint64_t pos;			/* captured frames written */
	uint64_t tl;			/* timeline index of the next frame */
	int64_t anchor_ns;		/* time of timeline frame anchor_tl */
	uint64_t anchor_tl;
	double rate;			/* the card's, measured (or nominal) */
	int measured;			/* rate was measured */
	struct clock_state cs;		/* the kernel's word, the latest */
	int64_t pend_step;		/* a step before the next segment */
	uint64_t pend_lost;		/* lost before the next segment */
	int64_t last_ms;		/* ms of the last segment name */
	uint64_t last_first;		/* its first frame (timeline), */
	int named;			/* ... when this run named one */
	int nsegs;
	int full;			/* disk full event in progress */
	uint64_t full_since;
	long stall_ms, stall_every, nwrites;	/* REC_FAULT_WRITE_STALL */
	struct seg s;
};

enum { WR_OK = 0, WR_RETRY = 1 };	/* else a sysexits code */

/* The time of timeline frame tl: the anchor's, plus the frames since at
 * the card's measured rate (the nominal one until it is measured). */
static int64_t
tl_time(const struct w *w, uint64_t tl)
{
	double d = (double)(int64_t)(tl - w->anchor_tl) * 1e9 / w->rate;

	return w->anchor_ns + (int64_t)llround(d);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static const char *
cause_name(enum cap_cause cause)
{
	switch (cause) {
	case CAUSE_XRUN:
		return "overrun (the reader was late)";
	case CAUSE_SUSPEND:
		return "device suspended";
	case CAUSE_RING:
		return "buffer full (the disk was too slow or full)";
	case CAUSE_GONE:
		return "the audio device was gone";
	default:
		return "unknown";
	}
}

/*
 * Keep the gaps of the open segment in tmp/NAME.gaps too, so that a
 * segment recovered after a crash still says what it lost. Best effort:
 * a journal that cannot be written (a full disk) is logged.
 */
static void
gaps_journal(struct cap *c, const struct seg *s)
{
	char jn[160], *text = segmeta_gaps_text(&s->m);

	snprintf(jn, sizeof(jn), "%s.gaps", s->name);
	if (text == NULL || file_replace(c->sp.fd[SPOOL_TMP], jn, text,
	    strlen(text), 0640) < 0)
		log_warn("cannot write %s/tmp/%s: %s", c->sp.dir, jn,
		    strerror(text ? errno : ENOMEM));
	free(text);
}

static void
gaps_journal_drop(struct cap *c, const struct seg *s)
{
	char jn[160];

	snprintf(jn, sizeof(jn), "%s.gaps", s->name);
	(void)unlinkat(c->sp.fd[SPOOL_TMP], jn, 0);
}

/* The GUANO text of segment s; final adds what is known at the end. */
static int
seg_guano(struct w *w, struct seg *s, int final, struct guano *g)
{
	struct cap *c = w->c;
	struct segmeta *m = &s->m;
	struct timespec ts = utc_from_ns(s->ts_ns);
	char iso[40];
	unsigned i;
	int rc = 0;

	if (guano_init(g) < 0)
		return -1;
	utc_iso(&ts, iso, sizeof(iso));
	rc |= guano_add(g, "Timestamp", "%s", iso);
	rc |= guano_add(g, "Samplerate", "%u", c->spec.rate);
	rc |= guano_add(g, "Make", "rec");
	rc |= guano_add(g, "Model", "rec-capture");
	rc |= guano_add(g, "Firmware Version", "%s", REC_VERSION);
	rc |= guano_add(g, "Original Filename", "%s", s->name);
	if (c->placed) {
		rc |= guano_add(g, "Loc Position", "%.6f %.6f", c->place.lat,
		    c->place.lon);
		if (c->place.has_elev)
			rc |= guano_add(g, "Loc Elevation", "%.1f",
			    c->place.elev);
	}
	m->station = c->station;
	m->device = c->device;
	m->run = c->run;
	m->first_frame = s->first;
	m->channels = c->spec.channels;
	m->format = pcm_format_name(c->spec.format);
	m->frames = s->frames;
	rc |= segmeta_write(g, m, SEGMETA_HEAD | SEGMETA_CLOCK);
	if (final) {
		rc |= guano_add(g, "Length", "%" PRIu64 ".%06" PRIu64,
		    s->frames / c->spec.rate,
		    (s->frames % c->spec.rate) * 1000000 / c->spec.rate);
		for (i = 0; i < m->nlevels; i++)
			level_get(&s->lv, i, &m->levels[i]);
		m->clock_ppm = (w->rate / c->spec.rate - 1) * 1e6;
		rc |= segmeta_write(g, m, SEGMETA_FINAL | SEGMETA_LEVELS |
		    SEGMETA_CLOCK_STEPS | (w->measured ? SEGMETA_CLOCK_PPM :
		    0));
	}
	if (rc != 0) {
		guano_free(g);
		return -1;
	}
	return 0;
}

/*
 * The newest time this station's names already reached in the spool, in
 * ms: segments in seg/, the later label of archives in out/ (and their
 * sidecars), and of the archives the ledger lists as uploaded. New
 * segments are named after it, so that a clock set back (no RTC, a power
 * cut) never reuses the name of a segment that was archived: names stay
 * unique and sort in capture order. INT64_MIN when there is none.
 */
static int64_t
names_high_water(struct cap *c)
{
	char **names, st[ANAME_STATION_MAX + 1];
	int64_t hw = INT64_MIN, t;
	struct timespec ts;
	struct aname an;
	size_t n, i;

	if (spool_list(&c->sp, SPOOL_SEG, ".wav", &names, &n) == 0) {
		for (i = 0; i < n; i++)
			if (aname_seg_parse(names[i], &ts, st) == 0 &&
			    strcmp(st, c->station) == 0 &&
			    (t = utc_ns(&ts)) > hw)
				hw = t;
		spool_names_free(names, n);
	}
	if (spool_list(&c->sp, SPOOL_OUT, NULL, &names, &n) == 0) {
		for (i = 0; i < n; i++)
			if (aname_parse(names[i], &an) > 0 &&
			    strcmp(an.station, c->station) == 0 &&
			    (t = aname_latest_ns(&an)) > hw)
				hw = t;
		spool_names_free(names, n);
	}
	if (ledger_high_water(c->sp.dirfd, c->station, &t) < 0)
		log_warn("cannot read %s/ledger: %s (segments are named "
		    "after seg/ and out/ only)", c->sp.dir, strerror(errno));
	else if (t > hw)
		hw = t;
	return hw == INT64_MIN ? hw : hw / 1000000;
}

/* Is name taken in tmp/ or seg/? */
static int
name_taken(struct cap *c, const char *name)
{
	return faccessat(c->sp.fd[SPOOL_TMP], name, F_OK, 0) == 0 ||
	    faccessat(c->sp.fd[SPOOL_SEG], name, F_OK, 0) == 0;
}

/* Frames of the first segment with --align: up to the next multiple of
 * the segment length in UTC. */
static uint64_t
align_frames(struct cap *c, int64_t ts_ns)
{
	int64_t seg_ns = (int64_t)c->seg_ms * 1000000LL, d;
	uint64_t n;

	if (ts_ns < 0 || ts_ns % seg_ns == 0)
		return c->seg_frames;
	d = seg_ns - ts_ns % seg_ns;
	/* Rounded up: the next segment starts on the boundary or less
	 * than a frame after it. */
	n = (uint64_t)(d / NS) * c->spec.rate +
	    ((uint64_t)(d % NS) * c->spec.rate + NS - 1) / NS;
	return n ? n : c->seg_frames;
}

/*
 * The ms of segment s's name: its time, unless that is not after the
 * last name (the clock was set back, or the spool's names are ahead of
 * it): then names go on in capture order, the last name plus the frames
 * since at the card's rate (just after the newest name in the spool for
 * the first segment of a run), until the clock catches up. Names never
 * go backwards; the Timestamp says the clock's time all the same.
 */
static int64_t
name_ms(struct w *w, const struct seg *s)
{
	int64_t ms = s->ts_ns / 1000000, next;

	if (ms > w->last_ms)
		return ms;
	next = w->last_ms + 1;
	if (w->named && s->first > w->last_first)
		next = w->last_ms + (int64_t)((double)(s->first -
		    w->last_first) * 1000 / w->rate);
	return next > w->last_ms ? next : w->last_ms + 1;
}

/* Create the next segment in tmp/ (name, header); WR_OK, WR_RETRY or ex. */
static int
seg_open(struct w *w)
{
	struct cap *c = w->c;
	struct seg *s = &w->s;
	struct guano g;
	struct timespec ts;
	int64_t ms;
	char tn[40];
	int fd;

	if (s->fd < 0) {
		/* A loss before the segment is its gap at offset 0: the
		 * segment's span starts before it. */
		s->first = w->tl - w->pend_lost;
		s->ts_ns = tl_time(w, s->first);	/* of file frame 0 */
		s->frames = s->bytes = s->m.lost_frames = 0;
		s->m.ngaps = 0;
		s->m.nsteps = 0;
		s->m.clock_synced = w->cs.synced;
		s->m.clock_est_ns = w->cs.est_error_ns;
		s->m.clock_max_ns = w->cs.max_error_ns;
		if (w->pend_step != 0) {
			if (segmeta_step_add(&s->m, 0, w->pend_step) < 0)
				return EX_OSERR;
			w->pend_step = 0;
		}
		s->head_done = 0;
		level_reset(&s->lv);
		/* With --align every segment ends on a boundary: the first,
		 * and the first after a loss, are shorter. */
		s->target = c->align ? align_frames(c, s->ts_ns) :
		    c->seg_frames;
		if (w->pend_lost > 0) {
			if (segmeta_gap_add(&s->m, 0, w->pend_lost) < 0)
				return EX_OSERR;
			w->pend_lost = 0;
		}
		ms = name_ms(w, s);
		for (;;) {
			ts = utc_from_ns(ms * 1000000);
			utc_name(&ts, tn, sizeof(tn));
			snprintf(s->name, sizeof(s->name), "%s_%s.wav", tn,
			    c->station);
			if (!name_taken(c, s->name)) {
				fd = spool_create_tmp(&c->sp, s->name);
				if (fd >= 0)
					break;
				if (errno != EEXIST)
					goto fail;
			}
			ms++;
		}
		w->last_ms = ms;
		w->last_first = s->first;
		w->named = 1;
		s->fd = fd;
		if (seg_guano(w, s, 0, &g) < 0)
			return EX_OSERR;
		s->headlen = wav_head(s->head, sizeof(s->head), &c->spec,
		    g.buf, g.len);
		guano_free(&g);
		if (s->headlen == 0) {
			log_error("cannot build the WAV header of %s/tmp/%s",
			    c->sp.dir, s->name);
			return EX_SOFTWARE;
		}
		s->data_off = s->headlen;
		w->nsegs++;
		if (s->m.ngaps > 0)
			gaps_journal(c, s);
	}
	if (!s->head_done) {
		if (file_pwrite_all(s->fd, s->head, s->headlen, 0) < 0) {
			if (errno == ENOSPC || errno == EDQUOT)
				return WR_RETRY;
			log_error("cannot write %s/tmp/%s: %s", c->sp.dir,
			    s->name, strerror(errno));
			return EX_IOERR;
		}
		s->head_done = 1;
	}
	return WR_OK;
fail:
	if (errno == ENOSPC || errno == EDQUOT)
		return WR_RETRY;
	log_error("cannot create %s/tmp/%s: %s", c->sp.dir, s->name,
	    strerror(errno));
	return err_ex_for_errno(errno);
}

/* Finish, fsync and publish the open segment; WR_OK, WR_RETRY or ex. */
static int
seg_close(struct w *w)
{
	struct cap *c = w->c;
	struct seg *s = &w->s;
	struct guano g;
	char line[160];

	if (seg_guano(w, s, 1, &g) < 0)
		return EX_OSERR;
	if (wav_finish(s->fd, s->data_off, s->bytes, g.buf, g.len) < 0) {
		guano_free(&g);
		if (errno == ENOSPC || errno == EDQUOT)
			return WR_RETRY;
		log_error("cannot finish %s/tmp/%s: %s", c->sp.dir, s->name,
		    strerror(errno));
		return EX_IOERR;
	}
	guano_free(&g);
	/*
	 * A failed fsync is not retried: Linux may have dropped the dirty
	 * pages and a second fsync would succeed over lost data. The file
	 * stays in tmp/ and the next start recovers what is on the disk.
	 */
	if (fsync(s->fd) < 0) {
		log_error("cannot fsync %s/tmp/%s: %s (left for recovery)",
		    c->sp.dir, s->name, strerror(errno));
		close(s->fd);
		s->fd = -1;
		return EX_IOERR;
	}
	close(s->fd);
	s->fd = -1;
	if (spool_publish(&c->sp, SPOOL_TMP, s->name, SPOOL_SEG, NULL) < 0) {
		log_error("cannot rename %s/tmp/%s to %s/seg/%s: %s",
		    c->sp.dir, s->name, c->sp.dir, s->name, strerror(errno));
		return err_ex_for_errno(errno);
	}
	gaps_journal_drop(c, s);
	c->segments++;
	log_debug("published %s/seg/%s: %" PRIu64 " frames, %" PRIu64
	    " lost", c->sp.dir, s->name, s->frames, s->m.lost_frames);
	snprintf(line, sizeof(line), "seg/%s", s->name);
	if (spool_trigger(&c->sp, line) < 0)
		log_warn("cannot write to %s/trigger: %s", c->sp.dir,
		    strerror(errno));
	return WR_OK;
}

/* Write n frames at p into the open segment; frames written (maybe
 * fewer), or -1 with *rc = WR_RETRY or an exit code. */
static long
seg_write(struct w *w, const uint8_t *p, size_t n, int *rc)
{
	struct seg *s = &w->s;
	size_t fb = w->c->fb, len = n * fb, done = 0;
	uint64_t part = s->bytes % fb;	/* a partial frame on disk */
	ssize_t r;

	/* After a short write, finish the partial frame first. */
	if (part) {
		p += part;
		len -= part;
		done = part;
	}
	if (w->stall_ms > 0 && ++w->nwrites % w->stall_every == 0) {
		log_debug("test fault: stalling %ld ms", w->stall_ms);
		sleep_ms(w->stall_ms);
	}
	while (len > 0) {
		r = pwrite(s->fd, p, len, (off_t)(s->data_off + s->bytes));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOSPC || errno == EDQUOT) {
				*rc = WR_RETRY;
				break;
			}
			log_error("cannot write %s/tmp/%s: %s", w->c->sp.dir,
			    s->name, strerror(errno));
			*rc = EX_IOERR;
			break;
		}
		p += r;
		len -= r;
		done += r;
		s->bytes += r;
	}
	if (len > 0 && done / fb == 0)
		return -1;
	return (long)(done / fb);
}

/*
 * The wall clock was stepped by step_ns just before the current frame,
 * which it now says is at now_ns: one line, and the step in the open
 * segment's REC|Clock Steps (or the next one's, at its frame 0). The
 * frames go on: a step is no loss.
 */
static void
clock_stepped(struct w *w, int64_t step_ns, int64_t now_ns)
{
	struct seg *s = &w->s;
	char iso[40];
	/* in ms: the step is measured to some microseconds */
	int64_t a = ((step_ns < 0 ? -step_ns : step_ns) + 500000) / 1000000;

	log_warn("the wall clock was stepped %s by %" PRId64 ".%03" PRId64
	    " s (it now says %s): timestamps follow it, no audio was lost%s",
	    step_ns < 0 ? "back" : "forward", a / 1000, a % 1000,
	    utc_iso_ns(now_ns, iso, sizeof(iso)), step_ns < 0 ?
	    "; names go on in capture order until it catches up" : "");
	if (s->fd >= 0) {
		if (segmeta_step_add(&s->m, s->frames, step_ns) < 0)
			log_error("out of memory recording a clock step");
	} else {
		w->pend_step += step_ns;
	}
}

/* Apply the queued events at the current position; 1 when the open
 * segment is to be published first (a cut: the event stays queued). */
static int
apply_events(struct w *w)
{
	struct cap *c = w->c;
	struct cap_event ev;
	char iso[40];
	struct timespec ts;

	for (;;) {
		pthread_mutex_lock(&c->ev_mu);
		if (c->ev_n == 0 || c->ev[c->ev_first].pos != w->pos) {
			pthread_mutex_unlock(&c->ev_mu);
			return 0;
		}
		if (c->ev[c->ev_first].cut && w->s.fd >= 0 && w->s.frames > 0) {
			pthread_mutex_unlock(&c->ev_mu);
			return 1;
		}
		ev = c->ev[c->ev_first];
		c->ev_first = (c->ev_first + 1) % CAP_EVMAX;
		c->ev_n--;
		pthread_mutex_unlock(&c->ev_mu);

		if (ev.lost > 0) {
			ts = utc_from_ns(tl_time(w, w->tl));
			utc_iso(&ts, iso, sizeof(iso));
			log_warn("lost %" PRIu64 " frames (%.3f s) at %s: %s",
			    ev.lost, (double)ev.lost / c->spec.rate, iso,
			    cause_name(ev.cause));
			if (w->s.fd >= 0) {
				struct seg *sg = &w->s;

				if (segmeta_gap_add(&sg->m, sg->frames, ev.lost) < 0)
					log_error("out of memory recording a gap");
				else
					gaps_journal(c, sg);
				/* --align: the loss takes its time from the
				 * segment, which still ends on its boundary. */
				if (c->align && ev.lost >= sg->target - sg->frames)
					sg->target = sg->frames ? sg->frames : 1;
				else if (c->align)
					sg->target -= ev.lost;
			} else {
				w->pend_lost += ev.lost;
			}
			w->tl += ev.lost;
			c->lost += ev.lost;
		}
		if (ev.lost == 0 && (ev.cause == CAUSE_XRUN ||
		    ev.cause == CAUSE_SUSPEND)) {
			/* The timestamps show no loss: say so all the same. */
			ts = utc_from_ns(ev.ts_ns);
			utc_iso(&ts, iso, sizeof(iso));
			log_warn("%s at %s: no loss measurable from the device's "
			    "timestamps", cause_name(ev.cause), iso);
		}
		if (ev.cause == CAUSE_XRUN || ev.cause == CAUSE_SUSPEND)
			c->xruns++;
		if (ev.has_clock)
			w->cs = ev.cs;
		if (ev.step_ns != 0)
			clock_stepped(w, ev.step_ns, ev.has_ts ? ev.ts_ns :
			    tl_time(w, w->tl) + ev.step_ns);
		if (ev.has_ts) {
			w->anchor_ns = ev.ts_ns;
			w->anchor_tl = w->tl;
			w->measured = ev.rate > 0;
			w->rate = ev.rate > 0 ? ev.rate : c->spec.rate;
		}
	}
}

/* Next event position after the current one, or UINT64_MAX. */
static uint64_t
next_event_pos(struct w *w)
{
	struct cap *c = w->c;
	uint64_t pos = UINT64_MAX;

	pthread_mutex_lock(&c->ev_mu);
	if (c->ev_n > 0)
		pos = c->ev[c->ev_first].pos;
	pthread_mutex_unlock(&c->ev_mu);
	return pos;
}

/* Disk full: log once per event, then wait. */
static void
disk_full(struct w *w)
{
	if (!w->full) {
		w->full = 1;
		log_error("disk full writing %s/tmp/%s: %s; buffering and "
		    "retrying", w->c->sp.dir, w->s.name, strerror(ENOSPC));
	}
	sleep_ms(RETRY_MS);
}

static void
disk_ok(struct w *w)
{
	if (w->full) {
		w->full = 0;
		log_info("disk space is back: writing %s/tmp/%s again",
		    w->c->sp.dir, w->s.name);
	}
}

static void
parse_faults(struct w *w)
{
	const char *s = getenv("REC_FAULT_WRITE_STALL");
	char *end;

	w->stall_every = 1;
	if (s == NULL || *s == '\0')
		return;
	w->stall_ms = strtol(s, &end, 10);
	if (*end == '@')
		w->stall_every = strtol(end + 1, &end, 10);
	if (w->stall_every < 1)
		w->stall_every = 1;
	log_warn("test fault: every %ld. write stalls %ld ms",
	    w->stall_every, w->stall_ms);
}

/* The loop; returns 0 or an exit code. */
static int
writer_loop(struct w *w)
{
	struct cap *c = w->c;
	const uint8_t *p;
	size_t avail, run;
	uint64_t limit, evpos;
	int rc, tries = 0, cut;
	long n;

	for (;;) {
		if (atomic_load(&c->writer_ex))
			return atomic_load(&c->writer_ex);
		/* Frames first, then events: an event is queued before the
		 * frames after it are committed. */
		avail = ring_avail(&c->ring);
		cut = apply_events(w);
		/* A full segment is closed once the next frame is here (or
		 * the input ended): a loss right after its last frame is
		 * recorded in it, at offset = its frame count. A cut (the
		 * device is gone) closes it at once: the loss, measured
		 * when the device is back, goes into the next one. */
		if (w->s.fd >= 0 && (cut || (w->s.frames == w->s.target &&
		    (avail > 0 || ring_closed(&c->ring))))) {
			while ((rc = seg_close(w)) == WR_RETRY) {
				if (*c->stop && ++tries > GIVEUP_TRIES)
					return EX_IOERR;
				disk_full(w);
			}
			if (rc != WR_OK)
				return rc;
			disk_ok(w);
			if (cut)
				continue;	/* now the loss, at the top */
		}
		if (avail == 0) {
			if (ring_closed(&c->ring) &&
			    ring_avail(&c->ring) == 0) {
				apply_events(w);
				break;
			}
			ring_wait(&c->ring, 1000);
			continue;
		}
		/* Disk full at the end of the input: wait for space, unless
		 * told to stop (then give up after a few tries). */
		if (w->full && *c->stop && ++tries > GIVEUP_TRIES) {
			log_error("disk still full after the stop: %zu frames "
			    "(%.3f s) that were buffered are lost", avail,
			    (double)avail / c->spec.rate);
			c->lost += avail;
			return EX_IOERR;
		}
		rc = seg_open(w);
		if (rc == WR_RETRY) {
			disk_full(w);
			continue;
		} else if (rc != WR_OK) {
			return rc;
		}
		p = ring_rptr(&c->ring, &run);
		limit = w->s.target - w->s.frames;
		evpos = next_event_pos(w);
		if (evpos != UINT64_MAX && evpos > w->pos &&
		    evpos - w->pos < limit)
			limit = evpos - w->pos;
		if (run > limit)
			run = (size_t)limit;
		rc = WR_OK;
		n = seg_write(w, p, run, &rc);
		if (n > 0) {
			level_feed(&w->s.lv, p, (size_t)n);
			ring_consume(&c->ring, (size_t)n);
			w->pos += n;
			w->tl += n;
			w->s.frames += n;
			c->frames += n;
		}
		if (rc == WR_RETRY) {
			disk_full(w);
			continue;
		} else if (rc != WR_OK) {
			return rc;
		}
		disk_ok(w);
		tries = 0;
	}
	return 0;
}

void *
writer_main(void *arg)
{
	struct cap *c = arg;
	struct w *w;
	int rc, tries = 0;

	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		log_error("out of memory");
		atomic_store(&c->writer_ex, EX_OSERR);
		goto out;
	}
	w->c = c;
	w->s.fd = -1;
	if (level_init(&w->s.lv, &c->spec) < 0 || (w->s.m.levels =
	    calloc(c->spec.channels, sizeof(*w->s.m.levels))) == NULL) {
		log_error("out of memory");
		atomic_store(&c->writer_ex, EX_OSERR);
		goto out;
	}
	w->s.m.nlevels = c->spec.channels;
	w->anchor_ns = clock_ns(CLOCK_REALTIME);
	w->rate = c->spec.rate;
	(void)clock_state_read(&w->cs);
	w->last_ms = names_high_water(c);
	if (w->last_ms != INT64_MIN && w->last_ms > w->anchor_ns / 1000000)
		log_warn("the clock is %.3f s behind the newest name in %s: "
		    "segments are named after it until it catches up",
		    (double)(w->last_ms - w->anchor_ns / 1000000) / 1000,
		    c->sp.dir);
	parse_faults(w);
	rc = writer_loop(w);
	/* Publish what there is (a stop, the end, or a failure). */
	if (w->s.fd >= 0 && w->s.head_done) {
		int r;

		/* A partial frame from a short write is cut by wav_finish. */
		w->s.bytes -= w->s.bytes % c->fb;
		while ((r = seg_close(w)) == WR_RETRY && ++tries <= GIVEUP_TRIES)
			disk_full(w);
		if (r != WR_OK) {
			log_error("left %s/tmp/%s unfinished; the next start "
			    "recovers it", c->sp.dir, w->s.name);
			if (rc == 0)
				rc = r == WR_RETRY ? EX_IOERR : r;
		}
	} else if (w->s.fd >= 0) {
		close(w->s.fd);
		w->s.fd = -1;
	}
	if (w->pend_lost > 0)
		log_warn("%" PRIu64 " frames lost at the end of the run are "
		    "in no segment", w->pend_lost);
	if (rc != 0)
		atomic_store(&c->writer_ex, rc);
	if (w->s.fd >= 0)
		close(w->s.fd);
out:
	if (w != NULL) {
		segmeta_free(&w->s.m);
		level_free(&w->s.lv);
		free(w);
	}
	atomic_store(&c->writer_done, 1);
	return NULL;
}
