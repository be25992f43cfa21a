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
}

/* The end of a block: its hum and AC energy into the totals. */
static void
block_end(struct level *l)
{
	struct level_chan *c;
	double n = l->inblock, p;
	unsigned i, k;

	for (i = 0; i < l->spec.channels; i++) {
		c = &l->ch[i];
		for (k = 0; k < LEVEL_NHUM; k++) {
			p = c->s1[k] * c->s1[k] + c->s2[k] * c->s2[k] -
			    l->coeff[k] * c->s1[k] * c->s2[k];
			c->hum_e[k] += 2 * p / n;
			c->s1[k] = c->s2[k] = 0;
		}
		c->ac_e += c->bsumsq - c->bsum * c->bsum / n;
		c->bsum = c->bsumsq = 0;
	}
	l->inblock = 0;
}

/* One sample x of channel c; lo and hi are the format's full scale. */
static inline void
one(struct level_chan *c, const double *coeff, int32_t x, int32_t lo,
    int32_t hi)
{
	double d = x, s;
	int k;

	if (x < c->min)
		c->min = x;
	if (x > c->max)
		c->max = x;
	c->clipped += (x == lo) | (x == hi);
	c->bsum += d;
	c->bsumsq += d * d;
	for (k = 0; k < LEVEL_NHUM; k++) {
		s = d + coeff[k] * c->s1[k] - c->s2[k];
		c->s2[k] = c->s1[k];
		c->s1[k] = s;
	}
}

void
level_feed(struct level *l, const void *p, size_t n)
{
	const uint8_t *b = p;
	unsigned nch = l->spec.channels, i;
	size_t run;
	int32_t x;

	while (n > 0) {
		run = l->block - l->inblock;
		if (run > n)
			run = n;
		n -= run;
		l->inblock += (unsigned)run;
		l->frames += run;
		switch (l->spec.format) {
		case PCM_S16_LE:
			for (; run > 0; run--)
				for (i = 0; i < nch; i++, b += 2) {
					x = (int16_t)(b[0] | b[1] << 8);
					one(&l->ch[i], l->coeff, x, INT16_MIN,
					    INT16_MAX);
				}
			break;
		case PCM_S24_3LE:
			for (; run > 0; run--)
				for (i = 0; i < nch; i++, b += 3) {
					x = (int32_t)((uint32_t)b[0] << 8 |
					    (uint32_t)b[1] << 16 |
					    (uint32_t)b[2] << 24) >> 8;
					one(&l->ch[i], l->coeff, x, -8388608,
					    8388607);
				}
			break;
		default:
			for (; run > 0; run--)
				for (i = 0; i < nch; i++, b += 4) {
					x = (int32_t)((uint32_t)b[0] |
					    (uint32_t)b[1] << 8 |
					    (uint32_t)b[2] << 16 |
					    (uint32_t)b[3] << 24);
					one(&l->ch[i], l->coeff, x, INT32_MIN,
					    INT32_MAX);
				}
			break;
		}
		if (l->inblock == l->block) {
			for (i = 0; i < nch; i++) {
				l->ch[i].sum += l->ch[i].bsum;
				l->ch[i].sumsq += l->ch[i].bsumsq;
			}
			block_end(l);
		}
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
