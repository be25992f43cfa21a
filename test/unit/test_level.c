/* Unit tests of lib/level: a full-scale sine (0 dBFS peak, -3.01 dBFS
 * RMS), silence (-inf, flat), DC, clipping at both signs, hum at 50 and
 * 60 Hz against a 1 kHz tone, every sample format, feeding in pieces. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "level.h"

#define RATE	48000

/* Store sample v (in full-scale units, -1..1) of format f at b. */
static void
put(uint8_t *b, enum pcm_format f, double v)
{
	double fs = ldexp(1, (int)pcm_sample_bits(f) - 1);
	double x = floor(v * fs + 0.5);
	int64_t i;

	if (x > fs - 1)
		x = fs - 1;
	if (x < -fs)
		x = -fs;
	i = (int64_t)x;
	b[0] = (uint8_t)i;
	b[1] = (uint8_t)(i >> 8);
	if (f != PCM_S16_LE)
		b[2] = (uint8_t)(i >> 16);
	if (f == PCM_S32_LE)
		b[3] = (uint8_t)(i >> 24);
}

/* n frames of 2 channels: ch0 = a0 sin(f0), ch1 = a1 sin(f1) + dc1. */
static uint8_t *
make(enum pcm_format f, size_t n, double a0, double f0, double a1,
    double f1, double dc1)
{
	unsigned sb = pcm_sample_bytes(f);
	uint8_t *b = calloc(n, 2 * sb);
	size_t i;

	for (i = 0; i < n; i++) {
		put(b + i * 2 * sb, f, a0 * sin(2 * M_PI * f0 * i / RATE));
		put(b + i * 2 * sb + sb, f,
		    a1 * sin(2 * M_PI * f1 * i / RATE) + dc1);
	}
	return b;
}

static void
measure(enum pcm_format f, const uint8_t *b, size_t n, size_t piece,
    struct level_stat *s0, struct level_stat *s1)
{
	struct pcm_spec sp = { RATE, 2, f };
	size_t fb = pcm_frame_bytes(&sp), i, k;
	struct level l;

	CHECK(level_init(&l, &sp) == 0);
	for (i = 0; i < n; i += k) {
		k = n - i < piece ? n - i : piece;
		level_feed(&l, b + i * fb, k);
	}
	level_get(&l, 0, s0);
	level_get(&l, 1, s1);
	level_free(&l);
}

static void
sine_and_silence(enum pcm_format f)
{
	struct level_stat a, s;
	uint8_t *b = make(f, RATE, 1.0, 1000, 0, 1000, 0);

	measure(f, b, RATE, 777, &a, &s);
	CHECK(fabs(a.peak) < 0.01);
	CHECK(fabs(a.rms + 3.0103) < 0.01);
	CHECK(fabs(a.dc) < 1e-4);
	CHECK(!a.flat);
	CHECK(a.clipped == 2000);	/* the crests of 1000 cycles */
	CHECK(a.hum < 0.01);
	CHECK(isinf(s.peak) && s.peak < 0);
	CHECK(isinf(s.rms) && s.rms < 0);
	CHECK(s.flat && s.clipped == 0 && s.dc == 0 && s.hum == 0);
	free(b);
}

static void
dc_and_clip(void)
{
	struct level_stat a, d;
	/* ch0: a sine 12 dB over full scale, clipped; ch1: DC 0.25 */
	uint8_t *b = make(PCM_S16_LE, RATE, 4.0, 100, 0, 0, 0.25);

	measure(PCM_S16_LE, b, RATE, RATE, &a, &d);
	CHECK(a.clipped > RATE * 8 / 10 && a.clipped < RATE);
	CHECK(fabs(a.peak) < 0.001);
	CHECK(d.flat && !a.flat);
	CHECK(fabs(d.dc - 0.25) < 1e-4);
	CHECK(fabs(d.rms - 20 * log10(0.25)) < 0.01);
	CHECK(fabs(d.peak - 20 * log10(0.25)) < 0.01);
	CHECK(d.hum == 0);		/* DC is not hum */
	free(b);
}

static void
hum(void)
{
	struct level_stat h50, h60, k;
	uint8_t *b;

	/* 50 Hz (plus a little 1 kHz) on ch0, 60 Hz on ch1 */
	b = make(PCM_S24_3LE, RATE, 0.1, 50, 0.1, 60, 0);
	measure(PCM_S24_3LE, b, RATE, 1000, &h50, &h60);
	CHECK(h50.hum > 0.95 && h50.hum <= 1);
	CHECK(h60.hum > 0.95 && h60.hum <= 1);
	CHECK(fabs(h50.rms - (20 * log10(0.1) - 3.0103)) < 0.01);
	free(b);
	/* 1 kHz and 250 Hz: no hum */
	b = make(PCM_S32_LE, RATE, 0.5, 1000, 0.5, 250, 0);
	measure(PCM_S32_LE, b, RATE, RATE, &k, &h60);
	CHECK(k.hum < 0.01 && h60.hum < 0.01);
	CHECK(fabs(k.rms - (20 * log10(0.5) - 3.0103)) < 0.01);
	free(b);
}

static void
reset_and_bad(void)
{
	struct pcm_spec sp = { RATE, 1, PCM_S16_LE }, bad = { RATE, 0,
	    PCM_S16_LE };
	struct level l;
	struct level_stat s;
	uint8_t pcm[4] = { 0x00, 0x80, 0xff, 0x7f };	/* -32768, 32767 */

	CHECK(level_init(&l, &bad) < 0);
	CHECK(level_init(&l, &sp) == 0);
	level_get(&l, 0, &s);
	CHECK(isinf(s.peak) && !s.flat);	/* no frames: not flat */
	level_feed(&l, pcm, 2);
	level_get(&l, 0, &s);
	CHECK(s.clipped == 2 && s.peak == 0 && !s.flat);
	level_reset(&l);
	level_feed(&l, pcm + 2, 1);
	level_get(&l, 0, &s);
	CHECK(s.clipped == 1 && s.flat);
	level_free(&l);
}

/* 16-bit with 3 channels (not a divisor of the lanes: the other path)
 * and with 16 (every lane its own channel), against the same frames. */
static void
odd_channels(void)
{
	static const unsigned nchs[] = { 3, 16 };
	struct level_stat st[16];
	int16_t pcm[1000 * 16];
	struct level l;
	unsigned k, c, i;

	for (k = 0; k < 2; k++) {
		struct pcm_spec sp = { RATE, nchs[k], PCM_S16_LE };

		for (i = 0; i < 1000; i++)
			for (c = 0; c < nchs[k]; c++)
				pcm[i * nchs[k] + c] = c == 0 ? 100 :
				    c == 1 ? (i % 2 ? 32767 : -32768) :
				    (int16_t)(i % 7 - 3);
		CHECK(level_init(&l, &sp) == 0);
		level_feed(&l, pcm, 333);
		level_feed(&l, (uint8_t *)pcm + 333 * 2 * nchs[k], 667);
		for (c = 0; c < nchs[k]; c++)
			level_get(&l, c, &st[c]);
		CHECK(st[0].flat && st[0].clipped == 0);
		CHECK(fabs(st[0].dc - 100.0 / 32768) < 1e-9);
		CHECK(fabs(st[0].rms - 20 * log10(100.0 / 32768)) < 0.001);
		CHECK(!st[1].flat && st[1].clipped == 1000);
		CHECK(st[1].peak == 0 && fabs(st[1].dc + 0.5 / 32768) < 1e-9);
		CHECK(!st[2].flat && st[2].clipped == 0);
		CHECK(fabs(st[2].peak - 20 * log10(3.0 / 32768)) < 0.001);
		level_free(&l);
	}
}

int
main(void)
{
	odd_channels();
	sine_and_silence(PCM_S16_LE);
	sine_and_silence(PCM_S24_3LE);
	sine_and_silence(PCM_S32_LE);
	dc_and_clip();
	hum();
	reset_and_bad();
	return check_done();
}
