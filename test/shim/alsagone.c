/*
 * alsagone: an LD_PRELOAD shim that unplugs the sound card, for the tests
 * of rec-capture waiting for a lost device (a USB microphone's cable, a
 * brown-out, a card not enumerated yet at boot).
 *   REC_ALSAGONE_FLAG=PATH  while the device is gone, snd_pcm_open fails
 *       with -ENODEV (as alsa-lib does for a card name no card answers
 *       to) until PATH exists; then it opens the real device again.
 *   REC_ALSAGONE_AFTER=N  the device is there at first and goes once N
 *       frames were delivered: the next snd_pcm_readi returns -ENODEV (a
 *       disconnected card's answer), and reads are cut short so that
 *       exactly N frames come before it. Unset: gone from the start.
 *   REC_ALSAGONE_EBADFD=1  the loss is -EBADFD instead, with
 *       snd_pcm_state saying SND_PCM_STATE_DISCONNECTED (what a kernel
 *       answers when alsa-lib does not map the state to -ENODEV).
 *   REC_ALSAGONE_LOG=PATH  append one line per snd_pcm_open ("open gone"
 *       or "open ok") and per loss ("gone after N").
 * Declares the few ALSA types it needs itself (no ALSA headers).
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef long snd_pcm_sframes_t;
typedef unsigned long snd_pcm_uframes_t;
typedef struct snd_pcm snd_pcm_t;
typedef int snd_pcm_stream_t;
typedef int snd_pcm_state_t;
#define STATE_DISCONNECTED 8	/* SND_PCM_STATE_DISCONNECTED */

int snd_pcm_open(snd_pcm_t **, const char *, snd_pcm_stream_t, int);
snd_pcm_sframes_t snd_pcm_readi(snd_pcm_t *, void *, snd_pcm_uframes_t);
snd_pcm_state_t snd_pcm_state(snd_pcm_t *);

static int inited, gone, fired;
static uint64_t after, delivered;
static int has_after, ebadfd;

static void
init(void)
{
	const char *a = getenv("REC_ALSAGONE_AFTER");

	inited = 1;
	has_after = a != NULL && *a != '\0';
	after = has_after ? strtoull(a, NULL, 10) : 0;
	gone = !has_after;
	ebadfd = getenv("REC_ALSAGONE_EBADFD") != NULL;
}

/* A line "WHAT" or "WHAT N" (n >= 0) into $REC_ALSAGONE_LOG. */
static void
note(const char *what, long long n)
{
	const char *p = getenv("REC_ALSAGONE_LOG");
	FILE *f;

	if (p == NULL || (f = fopen(p, "a")) == NULL)
		return;
	if (n >= 0)
		fprintf(f, "%s %lld\n", what, n);
	else
		fprintf(f, "%s\n", what);
	fclose(f);
}

int
snd_pcm_open(snd_pcm_t **pcm, const char *name, snd_pcm_stream_t stream,
    int mode)
{
	static int (*real)(snd_pcm_t **, const char *, snd_pcm_stream_t, int);
	const char *flag = getenv("REC_ALSAGONE_FLAG");

	if (!inited)
		init();
	if (real == NULL)
		real = (int (*)(snd_pcm_t **, const char *, snd_pcm_stream_t,
		    int))dlsym(RTLD_NEXT, "snd_pcm_open");
	if (gone && (flag == NULL || access(flag, F_OK) != 0)) {
		note("open gone", -1);
		*pcm = NULL;
		return -ENODEV;
	}
	gone = 0;
	note("open ok", -1);
	return real(pcm, name, stream, mode);
}

snd_pcm_sframes_t
snd_pcm_readi(snd_pcm_t *pcm, void *buf, snd_pcm_uframes_t size)
{
	static snd_pcm_sframes_t (*real)(snd_pcm_t *, void *,
	    snd_pcm_uframes_t);
	snd_pcm_sframes_t r;

	if (!inited)
		init();
	if (real == NULL)
		real = (snd_pcm_sframes_t (*)(snd_pcm_t *, void *,
		    snd_pcm_uframes_t))dlsym(RTLD_NEXT, "snd_pcm_readi");
	if (gone)		/* a handle from before the loss */
		return ebadfd ? -EBADFD : -ENODEV;
	if (has_after && !fired) {
		if (delivered >= after) {
			fired = gone = 1;
			note("gone after", (long long)delivered);
			return ebadfd ? -EBADFD : -ENODEV;
		}
		if (after - delivered < size)
			size = after - delivered;
	}
	r = real(pcm, buf, size);
	if (r > 0)
		delivered += (uint64_t)r;
	return r;
}

snd_pcm_state_t
snd_pcm_state(snd_pcm_t *pcm)
{
	static snd_pcm_state_t (*real)(snd_pcm_t *);

	if (!inited)
		init();
	if (gone && ebadfd)
		return STATE_DISCONNECTED;
	if (real == NULL)
		real = (snd_pcm_state_t (*)(snd_pcm_t *))dlsym(RTLD_NEXT,
		    "snd_pcm_state");
	return real(pcm);
}
