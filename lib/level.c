/*
 * level: per-channel peak, RMS, clipping, DC, flatness and mains hum of
 * the frames of a segment, accumulated in one pass (lib/level.h).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "level.h"

static const double hum_hz[LEVEL_NHUM] = { 50, 100, 60, 120 };

int
level_init(struct level *l, const struct pcm_spec *spec)
{
	unsigned i;

	memset(l, 0, sizeof(*l));
	if (spec->channels == 0 || spec->rate == 0 ||
	    spec->format >= PCM_NFORMATS) {
		errno = EINVAL;
		return -1;
	}
	if ((l->ch = calloc(spec->channels, sizeof(*l->ch))) == NULL)
		return -1;
	l->spec = *spec;
	l->block = spec->rate / 5 ? spec->rate / 5 : 1;
	for (i = 0; i < LEVEL_NHUM; i++)
		l->coeff[i] = 2 * cos(2 * M_PI * hum_hz[i] / spec->rate);
	level_reset(l);
	return 0;
}

void
level_reset(struct level *l)
{
	unsigned i;

	memset(l->ch, 0, l->spec.channels * sizeof(*l->ch));
	for (i = 0; i < l->spec.channels; i++) {
		l->ch[i].min = INT32_MAX;
		l->ch[i].max = INT32_MIN;
	}
	l->frames = 0;
	l->inblock = 0;
	l->nblocks = 0;
}

/* The end of a block: its sums into the totals; a hum block's hum and
 * AC energy too. */
static void
block_end(struct level *l)
{
	struct level_chan *c;
	double n = l->inblock, p;
	unsigned i, k;
	int hum = l->nblocks % LEVEL_HUM_EVERY == 0;

	for (i = 0; i < l->spec.channels; i++) {
		c = &l->ch[i];
		c->sum += c->bsum;
		c->sumsq += c->bsumsq;
		if (hum) {
			for (k = 0; k < LEVEL_NHUM; k++) {
				p = c->s1[k] * c->s1[k] + c->s2[k] * c->s2[k] -
				    l->coeff[k] * c->s1[k] * c->s2[k];
				c->hum_e[k] += 2 * p / n;
				c->s1[k] = c->s2[k] = 0;
			}
			c->ac_e += c->bsumsq - c->bsum * c->bsum / n;
		}
		c->bsum = c->bsumsq = 0;
	}
	l->inblock = 0;
	l->nblocks++;
}

static inline int32_t
load16(const uint8_t *b)
{
	return (int16_t)(b[0] | b[1] << 8);
}

static inline int32_t
load24(const uint8_t *b)
{
	return (int32_t)((uint32_t)b[0] << 8 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 24) >> 8;
}

static inline int32_t
load32(const uint8_t *b)
{
	return (int32_t)((uint32_t)b[0] | (uint32_t)b[1] << 8 |
	    (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);
}

/*
 * The 16-bit pass, for 1, 2, 4 or 8 channels on a little-endian host:
 * the samples of a run as one flat array of int16_t, W16 lanes wide (one
 * 128-bit vector: SSE2, NEON), lane j taking samples j, j + W16, ...,
 * all of channel j % channels since W16 is a multiple of the channels.
 * No deinterleaving, and each measure is one or two vector operations
 * per W16 samples with every accumulator in a register: min and max on
 * the int16_t themselves, sums in int32_t, squares in float. GCC 12 at
 * -O2 (its "very cheap" cost model: no runtime check, no epilogue) and
 * clang vectorize the lane loop as it is, so no optimize attribute.
 * Eight lanes, not more: the 16-lane loop before this one ran out of
 * x86-64's 16 vector registers and kept its accumulators on the stack.
 *
 * The squares: float holds each one to within 2^-24 and a lane's sum of
 * RUN16 of them to within RUN16 x 2^-24 = 2^-15 of the sum, 0.0002 dB of
 * the RMS (exact while a lane's sum stays under 2^24: quiet input); then
 * double. Exact squares in 64-bit lanes measured 1.4 times slower on
 * x86-64 (SSE2 has no 32-bit multiply; pairs multiply-added into int32_t
 * would mix the two channels of a stereo frame, and overflow on two
 * full-scale samples). The int32_t sums hold RUN16 x 2^15 = 2^24.
 *
 * Samples at full scale are counted by a second pass over the run
 * (count16), only when a lane's min or max reached full scale: input
 * that never clips pays nothing for the count, and RUN16 vectors (8 KiB)
 * are still in the L1 cache for that pass. Random full-scale input (the
 * capture benchmark's) reaches it in one run in eight.
 */
#define W16	8
#define RUN16	512	/* vectors per lanes16 call */

struct lanes16 {
	int16_t mn[W16], mx[W16];
	int32_t sum[W16];
	float sq[W16];
	int16_t clip[W16];
};

/* The samples at full scale in each lane of nv vectors at p. */
static void
count16(const uint8_t *p, size_t nv, int16_t *cl)
{
	int16_t x[W16], k[W16];
	size_t i;
	int j;

	for (j = 0; j < W16; j++)
		k[j] = 0;
	for (i = 0; i < nv; i++, p += sizeof(x)) {
		memcpy(x, p, sizeof(x));
		for (j = 0; j < W16; j++)
			k[j] += (int16_t)((x[j] == INT16_MIN) +
			    (x[j] == INT16_MAX));
	}
	memcpy(cl, k, sizeof(k));
}

/* nv (at most RUN16) vectors of W16 samples at p through the lanes. */
static void
lanes16(const uint8_t *p, size_t nv, struct lanes16 *a)
{
	const uint8_t *p0 = p;
	int16_t mn[W16], mx[W16], x[W16];
	int32_t sum[W16];
	float sq[W16];
	size_t i;
	int j;

	for (j = 0; j < W16; j++) {
		mn[j] = INT16_MAX;
		mx[j] = INT16_MIN;
		sum[j] = 0;
		sq[j] = 0;
		a->clip[j] = 0;
	}
	for (i = 0; i < nv; i++, p += sizeof(x)) {
		memcpy(x, p, sizeof(x));
		for (j = 0; j < W16; j++) {
			mn[j] = x[j] < mn[j] ? x[j] : mn[j];
			mx[j] = x[j] > mx[j] ? x[j] : mx[j];
			sum[j] += x[j];
			sq[j] += (float)x[j] * (float)x[j];
		}
	}
	for (j = 0; j < W16; j++)
		if (mn[j] == INT16_MIN || mx[j] == INT16_MAX) {
			count16(p0, nv, a->clip);
			break;
		}
	memcpy(a->mn, mn, sizeof(mn));
	memcpy(a->mx, mx, sizeof(mx));
	memcpy(a->sum, sum, sizeof(sum));
	memcpy(a->sq, sq, sizeof(sq));
}

/* The ns samples at p (whole frames) through the lanes, in runs of
 * RUN16 vectors, the rest one by one. */
static void
flat16(struct level *l, const uint8_t *p, size_t ns)
{
	struct lanes16 a;
	struct level_chan *c;
	unsigned nch = l->spec.channels, j;
	size_t m, i;
	int32_t x;

	while (ns >= W16) {
		m = ns / W16 < RUN16 ? ns / W16 : RUN16;
		lanes16(p, m, &a);
		for (j = 0; j < W16; j++) {
			c = &l->ch[j % nch];
			c->min = a.mn[j] < c->min ? a.mn[j] : c->min;
			c->max = a.mx[j] > c->max ? a.mx[j] : c->max;
			c->bsum += a.sum[j];
			c->bsumsq += a.sq[j];
			c->clipped += (uint16_t)a.clip[j];
		}
		p += m * W16 * 2;
		ns -= m * W16;
	}
	for (i = 0, j = 0; i < ns; i++, p += 2) {	/* under W16 left */
		c = &l->ch[j];
		x = load16(p);
		c->min = x < c->min ? x : c->min;
		c->max = x > c->max ? x : c->max;
		c->bsum += x;
		c->bsumsq += (double)(x * x);
		c->clipped += (x == INT16_MIN) | (x == INT16_MAX);
		if (++j == nch)
			j = 0;
	}
}

/*
 * The same for 24 and 32 bits, for 1, 2 or 4 channels on a
 * little-endian host: W32 lanes of int32_t (one 128-bit vector), sums
 * and squares in double (a lane's sum of RUN32 samples of 32 bits stays
 * under 2^53, exact; 24-bit squares are exact, 32-bit ones rounded to
 * 2^-53), min and max on the int32_t, samples at full scale counted
 * again only when reached (count32). 24-bit samples are first widened
 * to int32_t, RUN32 x W32 at a time, into a buffer on the stack (16 KiB).
 */
#define W32	4
#define RUN32	1024	/* vectors per lanes32 call */

struct lanes32 {
	int32_t mn[W32], mx[W32], clip[W32];
	double sum[W32], sq[W32];
};

/* The samples at full scale (lo or hi) in each lane of nv vectors at p. */
static void
count32(const uint8_t *p, size_t nv, int32_t lo, int32_t hi, int32_t *cl)
{
	int32_t x[W32], k[W32];
	size_t i;
	int j;

	for (j = 0; j < W32; j++)
		k[j] = 0;
	for (i = 0; i < nv; i++, p += sizeof(x)) {
		memcpy(x, p, sizeof(x));
		for (j = 0; j < W32; j++)
			k[j] += (x[j] == lo) + (x[j] == hi);
	}
	memcpy(cl, k, sizeof(k));
}

/* nv (at most RUN32) vectors of W32 int32_t at p through the lanes;
 * lo and hi: full scale. */
static void
lanes32(const uint8_t *p, size_t nv, int32_t lo, int32_t hi,
    struct lanes32 *a)
{
	const uint8_t *p0 = p;
	int32_t mn[W32], mx[W32], x[W32];
	double sum[W32], sq[W32];
	size_t i;
	int j;

	for (j = 0; j < W32; j++) {
		mn[j] = INT32_MAX;
		mx[j] = INT32_MIN;
		sum[j] = sq[j] = 0;
		a->clip[j] = 0;
	}
	for (i = 0; i < nv; i++, p += sizeof(x)) {
		memcpy(x, p, sizeof(x));
		for (j = 0; j < W32; j++) {
			mn[j] = x[j] < mn[j] ? x[j] : mn[j];
			mx[j] = x[j] > mx[j] ? x[j] : mx[j];
			sum[j] += x[j];
			sq[j] += (double)x[j] * x[j];
		}
	}
	for (j = 0; j < W32; j++)
		if (mn[j] == lo || mx[j] == hi) {
			count32(p0, nv, lo, hi, a->clip);
			break;
		}
	memcpy(a->mn, mn, sizeof(mn));
	memcpy(a->mx, mx, sizeof(mx));
	memcpy(a->sum, sum, sizeof(sum));
	memcpy(a->sq, sq, sizeof(sq));
}

/* The n 3-byte samples at p as int32_t into w: each but the last by one
 * 4-byte load (the byte after a sample may lie past the buffer only
 * after the last). */
static void
widen24(const uint8_t *p, size_t n, int32_t *w)
{
	uint32_t u;
	size_t i;

	for (i = 0; i + 1 < n; i++, p += 3) {
		memcpy(&u, p, sizeof(u));
		w[i] = (int32_t)(u << 8) >> 8;
	}
	w[i] = load24(p);
}

/* The ns 24- or 32-bit samples at p (whole frames) through the lanes,
 * the rest one by one. */
static void
flat32(struct level *l, const uint8_t *p, size_t ns)
{
	int32_t wide[RUN32 * W32], x, lo, hi;
	struct lanes32 a;
	struct level_chan *c;
	unsigned nch = l->spec.channels, j;
	int s24 = l->spec.format == PCM_S24_3LE;
	size_t m, i, sb = s24 ? 3 : 4;
	const uint8_t *q;

	lo = s24 ? -8388608 : INT32_MIN;
	hi = s24 ? 8388607 : INT32_MAX;
	while (ns >= W32) {
		m = ns / W32 < RUN32 ? ns / W32 : RUN32;
		q = p;
		if (s24) {
			widen24(p, m * W32, wide);
			q = (const uint8_t *)wide;
		}
		lanes32(q, m, lo, hi, &a);
		for (j = 0; j < W32; j++) {
			c = &l->ch[j % nch];
			c->min = a.mn[j] < c->min ? a.mn[j] : c->min;
			c->max = a.mx[j] > c->max ? a.mx[j] : c->max;
			c->clipped += (uint32_t)a.clip[j];
			c->bsum += a.sum[j];
			c->bsumsq += a.sq[j];
		}
		p += m * W32 * sb;
		ns -= m * W32;
	}
	for (i = 0, j = 0; i < ns; i++, p += sb) {	/* under W32 left */
		c = &l->ch[j];
		x = s24 ? load24(p) : load32(p);
		c->min = x < c->min ? x : c->min;
		c->max = x > c->max ? x : c->max;
		c->bsum += x;
		c->bsumsq += (double)x * x;
		c->clipped += (x == lo) | (x == hi);
		if (++j == nch)
			j = 0;
	}
}

/*
 * Any format, any channels: one pass over the n samples of channel c,
 * stride bytes apart, with LOAD(q) the sample at q as int32_t: min,
 * max, sum, sum of squares (SQ, a type that holds a run's: int64_t for
 * 16 and 24 bits, double rounds 32-bit ones), then a count of the
 * samples at full scale lo/hi only when the run reaches it.
 */
#define CHAN_PASS(LOAD, SQ, lo, hi) do { \
	int32_t mn = INT32_MAX, mx = INT32_MIN, x; \
	int64_t sum = 0; \
	SQ sq = 0; \
	size_t i; \
	for (i = 0; i < n; i++) { \
		x = LOAD(p + i * stride); \
		mn = x < mn ? x : mn; \
		mx = x > mx ? x : mx; \
		sum += x; \
		sq += (SQ)x * x; \
	} \
	if (mn == (lo) || mx == (hi)) { \
		uint64_t k = 0; \
		for (i = 0; i < n; i++) { \
			x = LOAD(p + i * stride); \
			k += (x == (lo)) | (x == (hi)); \
		} \
		c->clipped += k; \
	} \
	c->min = mn < c->min ? mn : c->min; \
	c->max = mx > c->max ? mx : c->max; \
	c->bsum += (double)sum; \
	c->bsumsq += (double)sq; \
} while (0)

/* n samples of channel c, its first at p, stride bytes apart, in
 * pieces of at most CHAN_RUN (2^16 squares of 24 bits hold in int64_t;
 * a block is up to 153600 frames at 768 kHz). */
#define CHAN_RUN	65536

static void
chan_feed(const struct level *l, struct level_chan *c, const uint8_t *p,
    size_t len, size_t stride)
{
	size_t n;

	for (; len > 0; len -= n, p += n * stride) {
		n = len < CHAN_RUN ? len : CHAN_RUN;
		switch (l->spec.format) {
		case PCM_S16_LE:
			CHAN_PASS(load16, int64_t, INT16_MIN, INT16_MAX);
			break;
		case PCM_S24_3LE:
			CHAN_PASS(load24, int64_t, -8388608, 8388607);
			break;
		default:
			CHAN_PASS(load32, double, INT32_MIN, INT32_MAX);
			break;
		}
	}
}

/*
 * The LEVEL_NHUM (4) Goertzel filters over n frames of the channels c0
 * and c1, their first samples at p and p + sb, frames stride bytes
 * apart; their states in locals (registers) meanwhile. A step is
 * s = (x - s2) + k s1, so that only a multiply and an add lie on the
 * chain from one sample to the next: the loop is bound by the latency
 * of that chain, not by its operations, so two channels at once (eight
 * independent chains) cost little more than one. Samples through
 * double: exact.
 */
#define GSTEP(x, s1, s2, k) do { \
	double t_ = ((x) - (s2)) + (k) * (s1); \
	(s2) = (s1); \
	(s1) = t_; \
} while (0)

#define GOERTZEL2(LOAD) do { \
	for (i = 0; i < n; i++, p += stride) { \
		x = LOAD(p); \
		y = LOAD(p + sb); \
		GSTEP(x, u1[0], u2[0], k[0]); GSTEP(y, v1[0], v2[0], k[0]); \
		GSTEP(x, u1[1], u2[1], k[1]); GSTEP(y, v1[1], v2[1], k[1]); \
		GSTEP(x, u1[2], u2[2], k[2]); GSTEP(y, v1[2], v2[2], k[2]); \
		GSTEP(x, u1[3], u2[3], k[3]); GSTEP(y, v1[3], v2[3], k[3]); \
	} \
} while (0)

static void
goertzel2(const struct level *l, struct level_chan *c0,
    struct level_chan *c1, const uint8_t *p, size_t n, size_t stride,
    size_t sb)
{
	double u1[LEVEL_NHUM], u2[LEVEL_NHUM], v1[LEVEL_NHUM], v2[LEVEL_NHUM];
	double k[LEVEL_NHUM], x, y;
	size_t i;

	memcpy(k, l->coeff, sizeof(k));
	memcpy(u1, c0->s1, sizeof(u1));
	memcpy(u2, c0->s2, sizeof(u2));
	memcpy(v1, c1->s1, sizeof(v1));
	memcpy(v2, c1->s2, sizeof(v2));
	switch (l->spec.format) {
	case PCM_S16_LE:
		GOERTZEL2(load16);
		break;
	case PCM_S24_3LE:
		GOERTZEL2(load24);
		break;
	default:
		GOERTZEL2(load32);
		break;
	}
	memcpy(c0->s1, u1, sizeof(u1));
	memcpy(c0->s2, u2, sizeof(u2));
	memcpy(c1->s1, v1, sizeof(v1));
	memcpy(c1->s2, v2, sizeof(v2));
}

/* The Goertzel filters of every channel over n frames at p: channels
 * in pairs (an odd last one paired with itself, its state kept once). */
static void
goertzel(struct level *l, const uint8_t *p, size_t n, size_t stride,
    size_t sb)
{
	struct level_chan keep;
	unsigned nch = l->spec.channels, i;

	for (i = 0; i + 1 < nch; i += 2)
		goertzel2(l, &l->ch[i], &l->ch[i + 1], p + i * sb, n, stride,
		    sb);
	if (i < nch) {
		keep = l->ch[i];
		goertzel2(l, &l->ch[i], &keep, p + i * sb, n, stride, 0);
	}
}

/* Which flat pass takes this stream (flat16, flat32), if any: 0 none,
 * 16 or 32. */
static int
flat_pass(const struct level *l)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (l->spec.format == PCM_S16_LE)
		return W16 % l->spec.channels == 0 ? 16 : 0;
	return W32 % l->spec.channels == 0 ? 32 : 0;
#else
	return 0;
#endif
}

void
level_feed(struct level *l, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t fb = pcm_frame_bytes(&l->spec), sb = pcm_sample_bytes(
	    l->spec.format), run;
	unsigned i;
	int flat = flat_pass(l);

	while (n > 0) {
		run = l->block - l->inblock;
		if (run > n)
			run = n;
		if (flat == 16)
			flat16(l, b, run * l->spec.channels);
		else if (flat == 32)
			flat32(l, b, run * l->spec.channels);
		else
			for (i = 0; i < l->spec.channels; i++)
				chan_feed(l, &l->ch[i], b + i * sb, run, fb);
		if (l->nblocks % LEVEL_HUM_EVERY == 0)
			goertzel(l, b, run, fb, sb);
		b += run * fb;
		n -= run;
		l->inblock += (unsigned)run;
		l->frames += run;
		if (l->inblock == l->block)
			block_end(l);
	}
}

void
level_get(const struct level *l, unsigned ch, struct level_stat *st)
{
	const struct level_chan *c = &l->ch[ch];
	double fs = ldexp(1, (int)pcm_sample_bits(l->spec.format) - 1);
	double sum = c->sum + c->bsum, sumsq = c->sumsq + c->bsumsq, pk, h;
	double n = (double)l->frames;

	memset(st, 0, sizeof(*st));
	st->peak = st->rms = -INFINITY;
	if (l->frames == 0)
		return;
	pk = fmax(-(double)c->min, (double)c->max);
	st->peak = pk > 0 ? 20 * log10(pk / fs) : -INFINITY;
	st->rms = sumsq > 0 ? 10 * log10(sumsq / n / (fs * fs)) : -INFINITY;
	st->dc = sum / n / fs;
	st->clipped = c->clipped;
	st->flat = c->min == c->max;
	if (c->ac_e > 0) {
		h = fmax(c->hum_e[0] + c->hum_e[1], c->hum_e[2] + c->hum_e[3]) /
		    c->ac_e;
		st->hum = h > 1 ? 1 : h;
	}
}

void
level_free(struct level *l)
{
	free(l->ch);
	memset(l, 0, sizeof(*l));
}
