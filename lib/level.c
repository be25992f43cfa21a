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

/*
 * One pass over n samples of a channel, stride bytes apart, with LOAD(q)
 * the sample at q as int32_t: min, max, sum, sum of squares (SQ, the
 * type that holds a block's), then a count of the samples at full scale
 * lo/hi only when the block reaches it, then the Goertzel filters only
 * in a hum block. Kept simple so that the compiler keeps it in registers.
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
	if (hum) \
		goertzel(c, coeff, p, n, stride, LOAD); \
} while (0)

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

/* The LEVEL_NHUM (4) Goertzel filters of c over n samples at p, stride
 * bytes apart, their states in locals (registers) meanwhile. */
static inline void
goertzel(struct level_chan *c, const double *coeff, const uint8_t *p,
    size_t n, size_t stride, int32_t (*load)(const uint8_t *))
{
	double a1 = c->s1[0], b1 = c->s1[1], c1 = c->s1[2], d1 = c->s1[3];
	double a2 = c->s2[0], b2 = c->s2[1], c2 = c->s2[2], d2 = c->s2[3];
	double ka = coeff[0], kb = coeff[1], kc = coeff[2], kd = coeff[3];
	double x, t;
	size_t i;

	for (i = 0; i < n; i++) {
		x = load(p + i * stride);
		t = x + ka * a1 - a2; a2 = a1; a1 = t;
		t = x + kb * b1 - b2; b2 = b1; b1 = t;
		t = x + kc * c1 - c2; c2 = c1; c1 = t;
		t = x + kd * d1 - d2; d2 = d1; d1 = t;
	}
	c->s1[0] = a1; c->s1[1] = b1; c->s1[2] = c1; c->s1[3] = d1;
	c->s2[0] = a2; c->s2[1] = b2; c->s2[2] = c2; c->s2[3] = d2;
}

/* n frames of channel c, its first sample at p, frames stride apart. */
static void
chan_feed(struct level *l, struct level_chan *c, const uint8_t *p,
    size_t n, size_t stride, int hum)
{
	const double *coeff = l->coeff;

	switch (l->spec.format) {
	case PCM_S16_LE:
		CHAN_PASS(load16, int64_t, INT16_MIN, INT16_MAX);
		break;
	case PCM_S24_3LE:
		/* 2^46 per square: an int64_t holds a block of 2^17 */
		CHAN_PASS(load24, int64_t, -8388608, 8388607);
		break;
	default:
		CHAN_PASS(load32, double, INT32_MIN, INT32_MAX);
		break;
	}
}

/*
 * GCC's -O2 does not vectorize the lane loop below; O3 makes it about
 * ten times faster, which is what keeps the levels cheap next to the
 * capture itself (test/bench/capture.sh). clang vectorizes at -O2.
 */
#if defined(__GNUC__) && !defined(__clang__)
#define VECTORIZE __attribute__((optimize("O3")))
#else
#define VECTORIZE
#endif

#define LANES	16
#define LANE_RUN 32768	/* samples per lane: an int32_t sum holds 2^30 */
#define LANE_CLIP 16384	/* samples per lane: an int16_t count holds them */

/*
 * LANES running accumulators over ns samples at p (ns a multiple of
 * LANES, at most LANES * LANE_RUN): lane j takes samples j, j + LANES,
 * ... Written so that the compiler vectorizes it (SLP over the lanes).
 * The squares are summed in float over LANE_CLIP samples of a lane, then
 * in double: four to a vector instead of two, for a relative error of
 * the mean square under 16384 x 2^-24 (0.004 dB), 0 for quiet input
 * whose sums stay under 2^24.
 */
static VECTORIZE void
lanes16(const uint8_t *p, size_t ns, int16_t *mnp, int16_t *mxp,
    int32_t *sump, double *sqp, int32_t *clipp)
{
	int16_t mn[LANES], mx[LANES], x[LANES], cl[LANES];
	int32_t sum[LANES];
	float fq[LANES];
	size_t i;
	int j;

	for (j = 0; j < LANES; j++) {
		mn[j] = mnp[j];
		mx[j] = mxp[j];
		sum[j] = 0;
		clipp[j] = 0;
	}
	for (i = 0; i + LANES <= ns; ) {
		/* an int16_t count holds LANE_CLIP samples per lane */
		size_t end = ns - i > (size_t)LANES * LANE_CLIP ?
		    i + (size_t)LANES * LANE_CLIP : ns;

		for (j = 0; j < LANES; j++) {
			cl[j] = 0;
			fq[j] = 0;
		}
		for (; i + LANES <= end; i += LANES) {
			memcpy(x, p + 2 * i, sizeof(x));
			for (j = 0; j < LANES; j++) {
				mn[j] = x[j] < mn[j] ? x[j] : mn[j];
				mx[j] = x[j] > mx[j] ? x[j] : mx[j];
				sum[j] += x[j];
				fq[j] += (float)((int32_t)x[j] * x[j]);
				cl[j] += (int16_t)((x[j] == INT16_MIN) |
				    (x[j] == INT16_MAX));
			}
		}
		for (j = 0; j < LANES; j++) {
			clipp[j] += cl[j];
			sqp[j] += (double)fq[j];
		}
	}
	for (j = 0; j < LANES; j++) {
		mnp[j] = mn[j];
		mxp[j] = mx[j];
		sump[j] = sum[j];
	}
}

/*
 * 16-bit samples when the channels divide LANES: the ns samples at p as
 * one flat array through lanes16 (lane j is channel j % nch); sums into
 * each channel, its minimum and maximum of this block into bmin, bmax.
 */
static void
flat16(struct level *l, const uint8_t *p, size_t ns, int32_t *bmin,
    int32_t *bmax)
{
	int16_t mn[LANES], mx[LANES];
	int32_t sum[LANES], clip[LANES];
	double sq[LANES];
	unsigned nch = l->spec.channels, j;
	size_t i, m;

	for (j = 0; j < LANES; j++) {
		mn[j] = INT16_MAX;
		mx[j] = INT16_MIN;
		sq[j] = 0;
	}
	for (i = 0; ns - i >= LANES; i += m) {
		m = ns - i < (size_t)LANES * LANE_RUN ? ns - i :
		    (size_t)LANES * LANE_RUN;
		m -= m % LANES;
		lanes16(p + 2 * i, m, mn, mx, sum, sq, clip);
		for (j = 0; j < LANES; j++) {
			l->ch[j % nch].bsum += sum[j];
			l->ch[j % nch].clipped += (uint64_t)clip[j];
		}
	}
	for (j = 0; i < ns; i++, j++) {	/* the tail, one by one */
		int32_t v = load16(p + 2 * i);

		mn[j] = (int16_t)(v < mn[j] ? v : mn[j]);
		mx[j] = (int16_t)(v > mx[j] ? v : mx[j]);
		l->ch[j % nch].bsum += v;
		l->ch[j % nch].clipped += (v == INT16_MIN) | (v == INT16_MAX);
		sq[j] += v * v;
	}
	for (j = 0; j < nch; j++) {
		bmin[j] = INT16_MAX;
		bmax[j] = INT16_MIN;
	}
	for (j = 0; j < LANES; j++) {
		bmin[j % nch] = mn[j] < bmin[j % nch] ? mn[j] : bmin[j % nch];
		bmax[j % nch] = mx[j] > bmax[j % nch] ? mx[j] : bmax[j % nch];
		l->ch[j % nch].bsumsq += sq[j];
	}
}

/* After flat16: the block's minimum and maximum into each channel, and
 * the Goertzel filters in a hum block. */
static void
after16(struct level *l, const uint8_t *p, size_t n, size_t stride,
    int hum, const int32_t *bmin, const int32_t *bmax)
{
	const double *coeff = l->coeff;
	struct level_chan *c;
	unsigned ch;

	for (ch = 0; ch < l->spec.channels; ch++, p += 2) {
		c = &l->ch[ch];
		c->min = bmin[ch] < c->min ? bmin[ch] : c->min;
		c->max = bmax[ch] > c->max ? bmax[ch] : c->max;
		if (hum)
			goertzel(c, coeff, p, n, stride, load16);
	}
}

void
level_feed(struct level *l, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t fb = pcm_frame_bytes(&l->spec), sb = pcm_sample_bytes(
	    l->spec.format), run;
	unsigned i;
	int hum;

	while (n > 0) {
		run = l->block - l->inblock;
		if (run > n)
			run = n;
		hum = l->nblocks % LEVEL_HUM_EVERY == 0;
		if (l->spec.format == PCM_S16_LE && LANES % l->spec.channels ==
		    0) {
			int32_t bmin[LANES], bmax[LANES];

			flat16(l, b, run * l->spec.channels, bmin, bmax);
			after16(l, b, run, fb, hum, bmin, bmax);
		} else {
			for (i = 0; i < l->spec.channels; i++)
				chan_feed(l, &l->ch[i], b + i * sb, run, fb,
				    hum);
		}
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
