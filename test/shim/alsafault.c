/*
 * alsafault: an LD_PRELOAD shim that makes snd_pcm_readi report an
 * overrun (-EPIPE) or a suspend (-ESTRPIPE) at chosen frames, for the
 * tests of rec-capture's xrun and suspend paths, which a sound card
 * (or alsa-lib's file plugin) never takes on demand.
 *   REC_ALSAFAULT=KIND@POS+LOST[,...]   KIND is xrun or suspend: once
 *       POS frames were delivered, the next read returns the error, and
 *       LOST frames of the stream are read and thrown away (the audio an
 *       overrun loses). Reads are cut short so that POS is exact.
 *   REC_ALSAFAULT_RATE=RATE  also replace the device's timestamps with
 *       a perfect clock at RATE that counts the lost frames: the status
 *       says the hardware position is at the frames delivered + lost,
 *       with nothing waiting (avail 0), on CLOCK_MONOTONIC_RAW (the clock
 *       rec-capture asks its timestamps on) from the first read.
 *       rec-capture measures a loss from those timestamps.
 *   REC_ALSAFAULT_PACE=1  ... and deliver at that RATE in real time: a
 *       read returns once its last frame is due. With a RATE off the
 *       nominal one this is a card whose crystal is off (48005 for a
 *       card 104 ppm fast at 48000).
 * Declares the few ALSA types it needs itself (no ALSA headers); built
 * without _FILE_OFFSET_BITS like the other shims.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef long snd_pcm_sframes_t;
typedef unsigned long snd_pcm_uframes_t;
typedef struct timespec snd_htimestamp_t;
typedef struct snd_pcm snd_pcm_t;
typedef struct snd_pcm_status snd_pcm_status_t;

snd_pcm_sframes_t snd_pcm_readi(snd_pcm_t *, void *, snd_pcm_uframes_t);
void snd_pcm_status_get_htstamp(const snd_pcm_status_t *,
    snd_htimestamp_t *);
snd_pcm_uframes_t snd_pcm_status_get_avail(const snd_pcm_status_t *);

#define MAXF	16

static struct fault {
	int err;		/* -EPIPE or -ESTRPIPE */
	uint64_t pos, lost;
	int done;
} faults[MAXF];
static int nfaults = -1;
static uint64_t delivered, captured;	/* frames: read by us; + lost */
static unsigned rate;
static int pace;
static int64_t t0;

static void
parse(void)
{
	const char *s = getenv("REC_ALSAFAULT"), *r = getenv("REC_ALSAFAULT_RATE");
	char kind[16];
	unsigned long long pos, lost;
	int n;

	nfaults = 0;
	rate = r ? (unsigned)atoi(r) : 0;
	pace = rate && getenv("REC_ALSAFAULT_PACE") != NULL &&
	    atoi(getenv("REC_ALSAFAULT_PACE")) != 0;
	while (s != NULL && *s != '\0' && nfaults < MAXF &&
	    sscanf(s, "%15[a-z]@%llu+%llu%n", kind, &pos, &lost, &n) == 3) {
		faults[nfaults].err = strcmp(kind, "suspend") == 0 ? -ESTRPIPE :
		    -EPIPE;
		faults[nfaults].pos = pos;
		faults[nfaults].lost = lost;
		nfaults++;
		s += n;
		if (*s == ',')
			s++;
	}
}

/* The next fault not yet taken, or NULL. */
static struct fault *
next_fault(void)
{
	int i;

	for (i = 0; i < nfaults; i++)
		if (!faults[i].done)
			return &faults[i];
	return NULL;
}

/* Sleep until frame n (counted from the first read) is due at rate. */
static void
wait_due(uint64_t n)
{
	int64_t due = t0 + (int64_t)(n / rate) * 1000000000LL +
	    (int64_t)((n % rate) * 1000000000ULL / rate), now;
	struct timespec ts;

	for (;;) {
		clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
		now = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
		if (now >= due)
			return;
		ts.tv_sec = (time_t)((due - now) / 1000000000LL);
		ts.tv_nsec = (long)((due - now) % 1000000000LL);
		nanosleep(&ts, NULL);
	}
}

snd_pcm_sframes_t
snd_pcm_readi(snd_pcm_t *pcm, void *buf, snd_pcm_uframes_t size)
{
	static snd_pcm_sframes_t (*real)(snd_pcm_t *, void *,
	    snd_pcm_uframes_t);
	struct fault *f;
	snd_pcm_sframes_t r;
	uint64_t left;

	if (real == NULL)
		real = (snd_pcm_sframes_t (*)(snd_pcm_t *, void *,
		    snd_pcm_uframes_t))dlsym(RTLD_NEXT, "snd_pcm_readi");
	if (nfaults < 0) {
		struct timespec ts;

		parse();
		clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
		t0 = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	}
	f = next_fault();
	if (f != NULL && delivered >= f->pos) {
		/* the lost audio: read into buf (the caller's frames are
		 * not committed on an error) and thrown away */
		for (left = f->lost; left > 0; left -= (uint64_t)r) {
			r = real(pcm, buf, left < size ? left : size);
			if (r <= 0)
				return r < 0 ? r : -EIO;
		}
		captured += f->lost;
		f->done = 1;
		return f->err;
	}
	if (f != NULL && f->pos - delivered < size)
		size = f->pos - delivered;
	if (pace)
		wait_due(captured + size);
	r = real(pcm, buf, size);
	if (r > 0) {
		delivered += (uint64_t)r;
		captured += (uint64_t)r;
	}
	return r;
}

void
snd_pcm_status_get_htstamp(const snd_pcm_status_t *st,
    snd_htimestamp_t *ts)
{
	static void (*real)(const snd_pcm_status_t *, snd_htimestamp_t *);
	int64_t t;

	if (rate == 0) {
		if (real == NULL)
			real = (void (*)(const snd_pcm_status_t *,
			    snd_htimestamp_t *))dlsym(RTLD_NEXT,
			    "snd_pcm_status_get_htstamp");
		real(st, ts);
		return;
	}
	t = t0 + (int64_t)(captured / rate) * 1000000000LL +
	    (int64_t)((captured % rate) * 1000000000ULL / rate);
	ts->tv_sec = t / 1000000000LL;
	ts->tv_nsec = t % 1000000000LL;
}

snd_pcm_uframes_t
snd_pcm_status_get_avail(const snd_pcm_status_t *st)
{
	static snd_pcm_uframes_t (*real)(const snd_pcm_status_t *);

	if (rate != 0)
		return 0;
	if (real == NULL)
		real = (snd_pcm_uframes_t (*)(const snd_pcm_status_t *))dlsym(
		    RTLD_NEXT, "snd_pcm_status_get_avail");
	return real(st);
}
