/*
 * clockfit: when was frame x captured? A smoothed straight-line fit of
 * a sound card's frame counter against a clock (rec-capture feeds it
 * frames and the CLOCK_MONOTONIC_RAW time the device's timestamps give
 * them), by weighted least squares whose weights halve every `memory`
 * frames, so that it follows the card's crystal as it warms and cools
 * but not the jitter of single timestamps.
 *
 * The slope is the card's true rate on that clock: a card 100 ppm fast
 * at a nominal 48000 Hz measures 48004.8 Hz. Until the points span
 * CLOCKFIT_MIN_SPAN_S seconds, or when the measured rate is off the
 * nominal by more than CLOCKFIT_MAX_PPM (no crystal is; a source read
 * faster than real time has no clock to measure), the times are the
 * first point's plus the frames since at the nominal rate.
 *
 * Arithmetic in doubles about a moving origin, so that months of frames
 * at 192 kHz keep sub-nanosecond resolution of the mean.
 */
#ifndef REC_CLOCKFIT_H
#define REC_CLOCKFIT_H

#include <stdint.h>

#define CLOCKFIT_MIN_SPAN_S	2
#define CLOCKFIT_MAX_PPM	1000.0

struct clockfit {
	unsigned rate;		/* nominal, Hz */
	double memory;		/* frames for a weight to halve */
	uint64_t x0;		/* origin: frame, */
	int64_t y0;		/* and time, ns */
	double w;		/* sum of the weights */
	double mx, my;		/* weighted means about the origin */
	double sxx, sxy;	/* weighted centred sums */
	double xmin, xlast;	/* span of the points, about the origin */
	uint64_t n;		/* points */
	uint64_t xfirst;	/* the first point */
	int64_t yfirst;
};

/* An empty fit for a card of nominal rate Hz; weights halve every
 * memory_s seconds of frames. */
void clockfit_init(struct clockfit *f, unsigned rate, double memory_s);

/* Frame x was captured at y ns. Points come in the order of x. */
void clockfit_add(struct clockfit *f, uint64_t x, int64_t y);

/* Has it measured the rate (enough span, a plausible rate)? */
int clockfit_measured(const struct clockfit *f);

/* The rate in Hz: measured, or the nominal (see above). */
double clockfit_rate(const struct clockfit *f);

/* The time of frame x by the fit (ns); the fit must have a point. */
int64_t clockfit_at(const struct clockfit *f, uint64_t x);

#endif
