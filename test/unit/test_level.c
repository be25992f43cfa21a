/* Unit tests of lib/level: a full-scale sine (0 dBFS peak, -3.01 dBFS
 * RMS), silence (-inf, flat), DC, clipping at both signs, hum at 50 and
 * 60 Hz against a 1 kHz tone, every sample format, feeding in pieces;
 * then every measure against a plain computation of its own (integer
 * sums, squares summed exactly in 128 bits, Goertzel sample by sample)
 * on random, quiet, constant and full-scale input, 1 to 8 channels and
 * 11, every format, fed in pieces of odd sizes. */
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

/* 16-bit with 3 and with 16 channels (neither divides the 8 lanes of
 * lib/level.c's 16-bit pass: the per-channel path), the same frames. */
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

/*
 * The reference: each measure computed the plain way, channel by
 * channel, as lib/level.h defines it. Peak, DC (the integer sum),
 * clipped and flat must agree exactly, RMS within 0.002 dB (level.c
 * promises 0.001 dB; the squares here are summed exactly, in two
 * 64-bit halves), hum within 1e-6.
 */
struct ref {
	int32_t min, max;
	int64_t sum;
	uint64_t sqlo, sqhi;		/* the sum of squares, 128 bits */
	uint64_t clipped;
	double hum_e[LEVEL_NHUM], ac_e;
};

static int32_t
get(const uint8_t *b, enum pcm_format f)
{
	uint32_t u = b[0] | (uint32_t)b[1] << 8;

	if (f == PCM_S16_LE)
		return (int16_t)u;
	u |= (uint32_t)b[2] << 16;
	if (f == PCM_S24_3LE)
		return (int32_t)(u << 8) >> 8;
	return (int32_t)(u | (uint32_t)b[3] << 24);
}

static void
set(uint8_t *b, enum pcm_format f, int32_t v)
{
	unsigned i;

	for (i = 0; i < pcm_sample_bytes(f); i++)
		b[i] = (uint8_t)((uint32_t)v >> (8 * i));
}

static void
ref_chan(const uint8_t *b, const struct pcm_spec *sp, unsigned ch,
    size_t n, struct ref *r)
{
	static const double hz[LEVEL_NHUM] = { 50, 100, 60, 120 };
	size_t fb = pcm_frame_bytes(sp), sb = pcm_sample_bytes(sp->format);
	int32_t lo = -(int32_t)(((uint32_t)1 << (pcm_sample_bits(
	    sp->format) - 1)) - 1) - 1, hi = -(lo + 1), x;
	unsigned blk = sp->rate / 5, k;
	size_t i, j, nb;
	uint64_t q;
	double s1, s2, t, bs, bq, co;

	memset(r, 0, sizeof(*r));
	r->min = INT32_MAX;
	r->max = INT32_MIN;
	for (i = 0; i < n; i++) {
		x = get(b + i * fb + ch * sb, sp->format);
		r->min = x < r->min ? x : r->min;
		r->max = x > r->max ? x : r->max;
		r->sum += x;
		q = (uint64_t)((int64_t)x * x);
		r->sqlo += q;
		r->sqhi += r->sqlo < q;
		r->clipped += x == lo || x == hi;
	}
	/* hum: whole blocks, the first of every LEVEL_HUM_EVERY */
	for (nb = 0; (nb + 1) * blk <= n; nb += LEVEL_HUM_EVERY) {
		bs = bq = 0;
		for (j = nb * blk; j < (nb + 1) * blk; j++) {
			x = get(b + j * fb + ch * sb, sp->format);
			bs += x;
			bq += (double)x * x;
		}
		r->ac_e += bq - bs * bs / blk;
		for (k = 0; k < LEVEL_NHUM; k++) {
			co = 2 * cos(2 * M_PI * hz[k] / sp->rate);
			s1 = s2 = 0;
			for (j = nb * blk; j < (nb + 1) * blk; j++) {
				t = get(b + j * fb + ch * sb, sp->format) +
				    co * s1 - s2;
				s2 = s1;
				s1 = t;
			}
			r->hum_e[k] += 2 * (s1 * s1 + s2 * s2 -
			    co * s1 * s2) / blk;
		}
	}
}

/* level's answer for channel ch of the n frames at b against the
 * reference's; 0 if they agree. */
static int
agree(const struct level_stat *st, const uint8_t *b,
    const struct pcm_spec *sp, unsigned ch, size_t n)
{
	double fs = ldexp(1, (int)pcm_sample_bits(sp->format) - 1), pk, rms;
	double sq, h = 0;
	struct ref r;
	int bad = 0;

	ref_chan(b, sp, ch, n, &r);
	pk = fmax(-(double)r.min, (double)r.max);
	pk = pk > 0 ? 20 * log10(pk / fs) : -INFINITY;
	sq = ldexp((double)r.sqhi, 64) + (double)r.sqlo;
	rms = sq > 0 ? 10 * log10(sq / n / (fs * fs)) : -INFINITY;
	if (r.ac_e > 0)
		h = fmin(1, fmax(r.hum_e[0] + r.hum_e[1], r.hum_e[2] +
		    r.hum_e[3]) / r.ac_e);
	bad |= st->peak != pk;
	bad |= isinf(rms) ? st->rms != rms : !(fabs(st->rms - rms) < 0.002);
	bad |= st->dc != (double)r.sum / n / fs;
	bad |= st->clipped != r.clipped;
	bad |= st->flat != (r.min == r.max);
	bad |= !(fabs(st->hum - h) < 1e-6);
	if (bad)
		fprintf(stderr, "%s ch %u of %u, %zu frames at %u Hz: peak "
		    "%.9g/%.9g rms %.9g/%.9g dc %.12g/%.12g clipped %llu/%llu "
		    "flat %d/%d hum %.9g/%.9g\n", pcm_format_name(sp->format),
		    ch, sp->channels, n, sp->rate, st->peak, pk, st->rms, rms,
		    st->dc, (double)r.sum / n / fs,
		    (unsigned long long)st->clipped,
		    (unsigned long long)r.clipped, st->flat, r.min == r.max,
		    st->hum, h);
	return bad;
}

static uint64_t rng = 88172645463325252ULL;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 32);
}

/*
 * n frames of sp, channel c of kind (kind + c) % 6: full-range noise
 * with a sample at full scale now and then, quiet noise (-3..3), a
 * constant (0, the most negative, the most positive value), loud noise
 * that never reaches full scale.
 */
static uint8_t *
fill(const struct pcm_spec *sp, size_t n, unsigned kind)
{
	size_t fb = pcm_frame_bytes(sp), sb = pcm_sample_bytes(sp->format), i;
	unsigned bits = pcm_sample_bits(sp->format), c;
	int32_t hi = (int32_t)(((uint32_t)1 << (bits - 1)) - 1), v;
	uint8_t *b = malloc(n * fb + 1);

	for (i = 0; i < n; i++)
		for (c = 0; c < sp->channels; c++) {
			switch ((kind + c) % 6) {
			case 0:
				v = (int32_t)rnd() >> (32 - bits);
				if (rnd() % 97 == 0)
					v = rnd() % 2 ? hi : -hi - 1;
				break;
			case 1:
				v = (int32_t)(rnd() % 7) - 3;
				break;
			case 2:
				v = 0;
				break;
			case 3:
				v = -hi - 1;
				break;
			case 4:
				v = hi;
				break;
			default:
				v = ((int32_t)rnd() >> (32 - bits)) / 2;
				break;
			}
			set(b + i * fb + c * sb, sp->format, v);
		}
	return b;
}

/* n frames of sp fed in pieces of 1 to maxpiece frames (random; all at
 * once if maxpiece is n), each channel checked against the reference. */
static void
one_case(const struct pcm_spec *sp, size_t n, unsigned kind,
    size_t maxpiece)
{
	size_t fb = pcm_frame_bytes(sp), i, k;
	uint8_t *b = fill(sp, n, kind);
	struct level_stat st;
	struct level l;
	unsigned c;

	CHECK(level_init(&l, sp) == 0);
	for (i = 0; i < n; i += k) {
		k = maxpiece == n ? n : 1 + rnd() % maxpiece;
		if (k > n - i)
			k = n - i;
		level_feed(&l, b + i * fb, k);
	}
	for (c = 0; c < sp->channels; c++) {
		level_get(&l, c, &st);
		CHECK(agree(&st, b, sp, c, n) == 0);
	}
	level_free(&l);
	free(b);
}

static void
against_reference(void)
{
	static const unsigned nchs[] = { 1, 2, 3, 4, 5, 6, 7, 8, 11 };
	static const size_t lens[] = { 1, 7, 101, 12345 };
	unsigned f, k, kind, z;

	for (f = 0; f < PCM_NFORMATS; f++)
		for (k = 0; k < sizeof(nchs) / sizeof(nchs[0]); k++) {
			/* 500 Hz: 100-frame blocks, 120+ of them, hum on 3 */
			struct pcm_spec lo = { 500, nchs[k], f };
			struct pcm_spec hi = { RATE, nchs[k], f };

			for (kind = 0; kind < 6; kind++) {
				for (z = 0; z < 4; z++)
					one_case(&lo, lens[z], kind,
					    z == 3 ? 997 : 3);
				one_case(&lo, 12345, kind, 1);
			}
			/* 2 s: blocks of 9600 frames, up to 76800 samples */
			one_case(&hi, 2 * RATE + 3, k, 40000);
		}
}

/* Every sample at full scale, in whole blocks fed at once: 8 channels
 * at 48 kHz, and at 768 kHz (a block of 153600 frames: more samples of
 * a channel than a 16-bit count per lane, more 24-bit squares than an
 * int64_t holds). */
static void
full_scale(void)
{
	unsigned f, kind;

	for (f = 0; f < PCM_NFORMATS; f++)
		for (kind = 3; kind <= 4; kind++) {
			struct pcm_spec sp = { RATE, 8, f };
			struct pcm_spec fast = { 768000, 8, f };

			one_case(&sp, RATE, kind, RATE);
			one_case(&fast, 153600 + 5, kind, 153600 + 5);
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
	against_reference();
	full_scale();
	return check_done();
}
