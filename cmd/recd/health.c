/*
 * health: recd's alarms. Each new segment's levels (REC|Level keys), the
 * spool (free space, the age of what waits, of the last upload) and the
 * kernel's clock state are held against the [health] thresholds; an
 * alarm is kept in the status with the time it was raised, logged once
 * when raised and once when cleared. Each segment's levels also go into
 * the status's level history (lib/status: the last hour, a bucket a
 * minute), which survives a restart of recd: it is read back from the
 * status the last recd left.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sysexits.h>

#include "aname.h"
#include "clock.h"
#include "opt.h"
#include "parse.h"
#include "recd.h"
#include "utc.h"

#define MS	1000000LL	/* ns per ms */
#define MAXCH	32

enum { H_FLOOR, H_FOR, H_CLIP, H_HUM, H_FREE, H_PENDING, H_UPLOAD,
	H_CLOCK };
static struct opt hopts[] = {
	[H_FLOOR] = { .type = OPT_STR, .section = "health",
	    .key = "silence-floor" },
	[H_FOR] = { .type = OPT_DURATION, .section = "health",
	    .key = "silence-for" },
	[H_CLIP] = { .type = OPT_STR, .section = "health",
	    .key = "clip-fraction" },
	[H_HUM] = { .type = OPT_STR, .section = "health", .key = "hum-share" },
	[H_FREE] = { .type = OPT_STR, .section = "health",
	    .key = "free-space-floor" },
	[H_PENDING] = { .type = OPT_DURATION, .section = "health",
	    .key = "pending-age" },
	[H_UPLOAD] = { .type = OPT_DURATION, .section = "health",
	    .key = "upload-age" },
	[H_CLOCK] = { .type = OPT_DURATION, .section = "health",
	    .key = "clock-unsynced" },
	{ .name = NULL }
};

/* Start of the quiet run of each channel (ns of its first quiet segment's
 * start), 0 when the channel is not quiet. */
static int64_t quiet_since[MAXCH];

/* A number in [lo, hi] from key i of [health]; -1 + e on a bad one. */
static int
get_num(struct conf *c, int i, const char *def, double lo, double hi,
    double *out, struct err *e)
{
	const char *v;
	char *end;
	double d;

	if (opt_str(c, &hopts[i], def, &v, e) < 0)
		return -1;
	errno = 0;
	d = strtod(v, &end);
	if (end == v || *end != '\0' || errno != 0 || !(d >= lo && d <= hi)) {
		char why[80];

		snprintf(why, sizeof(why), "not a number from %g to %g", lo,
		    hi);
		return opt_bad(c, &hopts[i], v, why, e);
	}
	*out = d;
	return 0;
}

static int
get_dur(struct conf *c, int i, const char *def, int64_t *out, struct err *e)
{
	uint64_t ms;

	if (opt_duration(c, &hopts[i], def, &ms, e) < 0)
		return -1;
	if (ms > (uint64_t)3650 * 86400000)
		return opt_bad(c, &hopts[i], conf_get(c, "health",
		    hopts[i].key), "more than 10 years", e);
	*out = (int64_t)ms;
	return 0;
}

int
health_load(struct conf *c, struct health_set *h, struct err *e)
{
	const char *v;
	double pct;
	size_t n;

	memset(h, 0, sizeof(*h));
	if (get_num(c, H_FLOOR, "-60", -400, 0, &h->silence_floor, e) < 0 ||
	    get_dur(c, H_FOR, "1h", &h->silence_for, e) < 0 ||
	    get_num(c, H_CLIP, "0.001", 0, 1, &h->clip_fraction, e) < 0 ||
	    get_num(c, H_HUM, "0.5", 0, 1, &h->hum_share, e) < 0 ||
	    get_dur(c, H_PENDING, "1d", &h->pending_age, e) < 0 ||
	    get_dur(c, H_UPLOAD, "1d", &h->upload_age, e) < 0 ||
	    get_dur(c, H_CLOCK, "30m", &h->clock_unsynced, e) < 0 ||
	    opt_str(c, &hopts[H_FREE], "5%", &v, e) < 0)
		return -1;
	/* free-space-floor: a size, or a percentage of the filesystem */
	n = strlen(v);
	if (n > 1 && v[n - 1] == '%') {
		char buf[32], *end;

		snprintf(buf, sizeof(buf), "%.*s", (int)(n - 1), v);
		pct = strtod(buf, &end);
		if (n - 1 >= sizeof(buf) || end == buf || *end != '\0' ||
		    !(pct >= 0 && pct <= 100))
			return opt_bad(c, &hopts[H_FREE], v, "not a size or a "
			    "percentage from 0% to 100%", e);
		h->free_pct = pct;
		h->free_is_pct = 1;
	} else if (parse_size(v, &h->free_bytes) < 0) {
		return opt_bad(c, &hopts[H_FREE], v, "not a size or a "
		    "percentage", e);
	}
	return 0;
}

/* The alarm name on channel ch (0: none), or NULL. */
static struct status_alarm *
find(const char *name, unsigned ch)
{
	size_t i;

	for (i = 0; i < R.st.nalarms; i++)
		if (strcmp(R.st.alarm[i].name, name) == 0 &&
		    R.st.alarm[i].channel == ch)
			return &R.st.alarm[i];
	return NULL;
}

/* Raise alarm name (on channel ch, 1-based, 0 = none), once. */
static void
raise_alarm(const char *name, unsigned ch, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
raise_alarm(const char *name, unsigned ch, const char *fmt, ...)
{
	struct status_alarm *a;
	va_list ap;
	char chs[32] = "";

	if (find(name, ch) != NULL)
		return;
	if (R.st.nalarms == STATUS_MAX_ALARMS)
		return;
	a = &R.st.alarm[R.st.nalarms++];
	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->channel = ch;
	a->raised_ns = real_ns();
	va_start(ap, fmt);
	vsnprintf(a->detail, sizeof(a->detail), fmt, ap);
	va_end(ap);
	if (ch)
		snprintf(chs, sizeof(chs), " on channel %u", ch);
	log_warn("alarm raised: %s%s: %s", name, chs, a->detail);
	mark_dirty();
}

/* Clear alarm name on channel ch, if raised. */
static void
clear_alarm(const char *name, unsigned ch, const char *why)
{
	struct status_alarm *a = find(name, ch);
	char iso[40], chs[32] = "";
	size_t i;

	if (a == NULL)
		return;
	i = (size_t)(a - R.st.alarm);
	if (ch)
		snprintf(chs, sizeof(chs), " on channel %u", ch);
	log_info("alarm cleared: %s%s (raised at %s): %s", name, chs,
	    utc_iso_ns(a->raised_ns, iso, sizeof(iso)), why);
	memmove(a, a + 1, (R.st.nalarms - i - 1) * sizeof(*a));
	R.st.nalarms--;
	mark_dirty();
}

/* Raise or clear, as cond says. */
static void
set_alarm(int cond, const char *name, unsigned ch, const char *detail,
    const char *why)
{
	if (cond)
		raise_alarm(name, ch, "%s", detail);
	else
		clear_alarm(name, ch, why);
}

void
health_segment(const char *name, const struct segmeta *m, unsigned rate,
    uint64_t frames)
{
	const struct health_set *h = &R.set.health;
	struct timespec ts;
	int64_t start, end;
	char d[160], ok[160];
	unsigned i;
	int quiet;

	if (!(m->have & SEGMETA_LEVELS) || rate == 0 ||
	    aname_seg_parse(name, &ts, NULL) < 0)
		return;
	start = utc_ns(&ts);
	end = start + utc_frames_ns(frames, rate);
	status_levels_add(&R.st.levels, start, (double)frames / rate,
	    m->levels, m->nlevels);
	mark_dirty();
	snprintf(ok, sizeof(ok), "seg/%s is fine", name);
	for (i = 0; i < MAXCH; i++) {
		const struct level_stat *l = &m->levels[i];
		unsigned ch = i + 1;

		if (i >= m->nlevels) {	/* a channel no longer recorded */
			clear_alarm("flat", ch, ok);
			clear_alarm("silence", ch, ok);
			clear_alarm("clipping", ch, ok);
			clear_alarm("hum", ch, ok);
			quiet_since[i] = 0;
			continue;
		}
		snprintf(d, sizeof(d), "every sample equal in seg/%s "
		    "(a dead or unplugged input)", name);
		set_alarm(l->flat, "flat", ch, d, ok);

		quiet = isnan(l->rms) || l->rms < h->silence_floor;
		if (!quiet)
			quiet_since[i] = 0;
		else if (quiet_since[i] == 0)
			quiet_since[i] = start;
		if (quiet) {
			char iso[40];

			utc_iso_ns(quiet_since[i], iso, sizeof(iso));
			snprintf(d, sizeof(d), "below %.1f dBFS RMS since %s "
			    "(seg/%s)", h->silence_floor, iso, name);
		}
		set_alarm(quiet && end - quiet_since[i] >= h->silence_for * MS,
		    "silence", ch, d, ok);

		snprintf(d, sizeof(d), "%llu of %llu samples at full scale "
		    "in seg/%s", (unsigned long long)l->clipped,
		    (unsigned long long)frames, name);
		set_alarm(frames > 0 && (double)l->clipped / (double)frames >
		    h->clip_fraction, "clipping", ch, d, ok);

		snprintf(d, sizeof(d), "%.0f%% of the energy at 50/60 Hz "
		    "in seg/%s", 100 * l->hum, name);
		set_alarm(l->hum > h->hum_share, "hum", ch, d, ok);
	}
}

/* The start (ns) of the oldest audio waiting in seg/ or out/, or 0. */
static int64_t
oldest_pending(void)
{
	struct timespec ts;
	struct aname an;
	char **names;
	size_t n, i;
	int64_t t, old = 0;

	if (spool_list(&R.sp, SPOOL_SEG, ".wav", &names, &n) == 0) {
		for (i = 0; i < n; i++)
			if (aname_seg_parse(names[i], &ts, NULL) == 0 &&
			    ((t = utc_ns(&ts)) < old || old == 0))
				old = t;
		spool_names_free(names, n);
	}
	if (spool_list(&R.sp, SPOOL_OUT, NULL, &names, &n) == 0) {
		for (i = 0; i < n; i++)
			if (aname_is_archive(names[i]) &&
			    aname_parse(names[i], &an) > 0 &&
			    ((t = utc_ns(&an.start)) < old || old == 0))
				old = t;
		spool_names_free(names, n);
	}
	return old;
}

void
health_spool(void)
{
	const struct health_set *h = &R.set.health;
	int64_t now = real_ns(), old, ref;
	uint64_t floor = h->free_bytes;
	struct statvfs vfs;
	char d[160], iso[40];

	if (h->free_is_pct && fstatvfs(R.sp.dirfd, &vfs) == 0)
		floor = (uint64_t)((double)vfs.f_blocks * vfs.f_frsize *
		    h->free_pct / 100);
	snprintf(d, sizeof(d), "%llu bytes free in the spool, the floor is "
	    "%llu", (unsigned long long)R.st.free_bytes,
	    (unsigned long long)floor);
	set_alarm(floor > 0 && R.st.free_bytes < floor, "free-space", 0, d,
	    "enough space again");

	old = oldest_pending();
	snprintf(d, sizeof(d), "audio from %s waits in the spool",
	    old ? utc_iso_ns(old, iso, sizeof(iso)) : "-");
	set_alarm(h->pending_age > 0 && old != 0 &&
	    now - old > h->pending_age * MS, "pending-age", 0, d,
	    "nothing that old waits");

	/* since the last upload that sent data, or since recd started */
	ref = R.st.last_upload_ns ? R.st.last_upload_ns : R.st.recd_started_ns;
	snprintf(d, sizeof(d), "%llu archives wait, the last upload was %s",
	    (unsigned long long)R.st.out_count, R.st.last_upload_ns ?
	    utc_iso_ns(R.st.last_upload_ns, iso, sizeof(iso)) :
	    "before recd started");
	set_alarm(h->upload_age > 0 && R.st.out_count > 0 && ref != 0 &&
	    now - ref > h->upload_age * MS, "upload-age", 0, d,
	    "uploaded, or nothing waits");
}

/* The history of levels the last recd left in DIR/status (none when it
 * cannot be read: a restart may start empty). */
void
health_restore(void)
{
	struct status *old;
	struct err e;

	if ((old = malloc(sizeof(*old))) == NULL)
		return;
	if (status_read(R.sp.dirfd, old, &e) == 0)
		R.st.levels = old->levels;
	else if (e.ex != EX_NOINPUT)
		log_warn("%s/%s: %s (the level history starts empty)",
		    R.spooldir, STATUS_FILE, e.msg);
	free(old);
}

/*
 * The clock: what the kernel says (synced, its errors), since when recd
 * sees it not synced, and whether rec-capture holds recording for sync
 * (DIR/clock-wait, trusted only while it runs: a kill -9 may leave the
 * file behind). The "clock" alarm after [health] clock-unsynced.
 */
static int64_t unsynced_mono;	/* CLOCK_MONOTONIC when first seen so */

void
health_clock(void)
{
	const struct health_set *h = &R.set.health;
	struct status_clock *c = &R.st.clock;
	struct clock_state cs;
	int64_t now = real_ns(), since = 0, until = 0;
	char d[160], iso[40];
	int synced;

	synced = clock_state_read(&cs) == 0 ? cs.synced : -1;
	if (synced != c->synced)
		mark_dirty();
	c->synced = synced;
	c->est_error_ns = synced >= 0 ? cs.est_error_ns : -1;
	c->max_error_ns = synced >= 0 ? cs.max_error_ns : -1;
	/* how long on the monotonic clock: the wall clock of an unsynced
	 * machine is the very thing that may jump */
	if (synced != 0) {
		c->unsynced_ns = 0;
		unsynced_mono = 0;
	} else if (c->unsynced_ns == 0) {
		c->unsynced_ns = now;
		unsynced_mono = clock_ns(CLOCK_MONOTONIC);
	}
	if (CAPTURE->state == ST_RUNNING &&
	    clockwait_read(R.sp.dirfd, &since, &until) < 0)
		log_warn("cannot read %s/%s: %s", R.spooldir, CLOCKWAIT_FILE,
		    strerror(errno));
	if (since != c->wait_since_ns || until != c->wait_until_ns) {
		c->wait_since_ns = since;
		c->wait_until_ns = until;
		mark_dirty();
	}
	snprintf(d, sizeof(d), "the kernel says the clock is not synced "
	    "since %s", c->unsynced_ns ? utc_iso_ns(c->unsynced_ns, iso,
	    sizeof(iso)) : "-");
	set_alarm(h->clock_unsynced > 0 && unsynced_mono != 0 &&
	    clock_ns(CLOCK_MONOTONIC) - unsynced_mono >=
	    h->clock_unsynced * MS, "clock", 0, d,
	    "the clock is synced");
}
