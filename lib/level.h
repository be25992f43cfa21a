/*
 * level: the levels of one segment, per channel, measured as its frames
 * are written (interleaved PCM of any lib/pcm.h format): peak and RMS in
 * dBFS, samples at full scale (clipping), DC offset, "flat" (every sample
 * equal: a dead or unplugged input) and mains hum (the share of the
 * energy at 50+100 Hz or 60+120 Hz, by Goertzel filters).
 *
 * Full scale is 2^(bits-1) (32768 for S16_LE), as sox reckons it: a
 * full-scale square wave reads 0 dBFS, a full-scale sine 0 dBFS peak and
 * -3.01 dBFS RMS. RMS includes the DC. No signal at all (0 frames, or
 * all zero) reads -INFINITY dBFS (printed "-inf").
 *
 * Hum is measured over whole blocks of rate/5 frames (0.2 s, 5 Hz wide
 * bins, so mains a little off 50 or 60 Hz still counts), against the
 * energy of the same blocks less their DC; to keep it cheap, only the
 * first block of every LEVEL_HUM_EVERY (one 0.2 s block in every 10 s,
 * the first of a segment included); a segment shorter than one block
 * reads 0. Every other measure covers every sample.
 *
 * Cheap per sample: no division and no libm call in level_feed. With 1,
 * 2, 4 or 8 channels of 16 bits, or 1, 2 or 4 of 24 or 32 bits, the
 * samples are read as they lie, interleaved, by loops that the compiler
 * vectorizes (lib/level.c says how); other channel counts go channel by
 * channel. Peak, clipped, flat and DC are exact; 16-bit squares are
 * summed in float over short runs, the RMS within 0.001 dB of an exact
 * sum. Measured on x86-64 (SSE2, 2.8 GHz, data in cache): about 0.25 ns
 * per sample for 16 bits, 1.2 to 1.4 ns for 24, 0.6 ns for 32, 1.3 ns
 * for 16 bits channel by channel; in rec-capture, 48 kHz stereo S16,
 * about 0.14 s of CPU per hour (test/bench/capture.md).
 */
#ifndef REC_LEVEL_H
#define REC_LEVEL_H

#include <stddef.h>
#include <stdint.h>

#include "pcm.h"

#define LEVEL_NHUM	4	/* 50, 100, 60, 120 Hz */
#define LEVEL_HUM_EVERY	50	/* blocks: one in 50 goes through Goertzel */

struct level_stat {
	double peak;		/* dBFS, <= 0, -INFINITY for none */
	double rms;		/* dBFS, -INFINITY for none */
	double dc;		/* mean, as a fraction of full scale */
	double hum;		/* 0..1: share of the energy at 50+100 Hz or
				   60+120 Hz, whichever is larger */
	uint64_t clipped;	/* samples at full scale, either sign */
	int flat;		/* 1: every sample equal (and frames > 0) */
};

struct level_chan {
	int32_t min, max;
	uint64_t clipped;
	double sum, sumsq;
	double bsum, bsumsq;		/* of the current block */
	double s1[LEVEL_NHUM], s2[LEVEL_NHUM];
	double hum_e[LEVEL_NHUM];	/* energy at each frequency */
	double ac_e;			/* energy of the whole blocks, no DC */
};

struct level {
	struct pcm_spec spec;
	uint64_t frames;
	unsigned block, inblock;	/* frames per block, in this one */
	uint64_t nblocks;		/* whole blocks so far */
	double coeff[LEVEL_NHUM];
	struct level_chan *ch;		/* spec.channels of them, malloc'd */
};

/* Set l up for spec (zeroed counts). 0, or -1 with errno EINVAL (a bad
 * spec) or ENOMEM. level_free it. */
int level_init(struct level *l, const struct pcm_spec *spec);

/* Forget every frame: a new segment starts. */
void level_reset(struct level *l);

/* Add n whole frames of interleaved PCM at p. */
void level_feed(struct level *l, const void *p, size_t n);

/* The levels of channel ch (0-based) of the frames fed so far. */
void level_get(const struct level *l, unsigned ch, struct level_stat *st);

void level_free(struct level *l);

#endif
