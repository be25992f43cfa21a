/*
 * clockfit: a least-squares line through (frame, time) points with
 * exponential forgetting (see clockfit.h).
 */
#include <math.h>

#include "clockfit.h"

#define NS	1e9
/* Move the origin to the mean when it is this far (frames) from it. */
#define REBASE	((double)(1u << 30))

void
clockfit_init(struct clockfit *f, unsigned rate, double memory_s)
{
	*f = (struct clockfit){ 0 };
	f->rate = rate ? rate : 1;
	f->memory = memory_s * f->rate;
	if (f->memory < 1)
		f->memory = 1;
}

/* The means and sums are about the origin: moving it moves the means
 * only (the centred sums do not depend on it). */
static void
rebase(struct clockfit *f)
{
	uint64_t dx = (uint64_t)floor(f->mx);
	int64_t dy = (int64_t)llround(f->my);

	f->x0 += dx;
	f->y0 += dy;
	f->mx -= (double)dx;
	f->my -= (double)dy;
	f->xmin -= (double)dx;
	f->xlast -= (double)dx;
}

void
clockfit_add(struct clockfit *f, uint64_t x, int64_t y)
{
	double px, py, dx, k;

	if (f->n == 0) {
		f->x0 = f->xfirst = x;
		f->y0 = f->yfirst = y;
		f->xmin = f->xlast = 0;
	}
	px = (double)(int64_t)(x - f->x0);
	py = (double)(y - f->y0);
	if (f->n > 0 && px > f->xlast) {
		k = exp2(-(px - f->xlast) / f->memory);
		f->w *= k;
		f->sxx *= k;
		f->sxy *= k;
	}
	/* West's weighted update, weight 1 for the new point. */
	f->w += 1;
	dx = px - f->mx;
	f->mx += dx / f->w;
	f->my += (py - f->my) / f->w;
	f->sxx += dx * (px - f->mx);
	f->sxy += dx * (py - f->my);
	f->xlast = px;
	f->n++;
	if (fabs(f->mx) > REBASE)
		rebase(f);
}

/* The measured ns per frame, or 0. */
static double
slope(const struct clockfit *f)
{
	double b, nominal = NS / f->rate;

	if (f->n < 3 || f->xlast - f->xmin < CLOCKFIT_MIN_SPAN_S *
	    (double)f->rate || f->sxx <= 0)
		return 0;
	b = f->sxy / f->sxx;
	if (!(fabs(nominal / b - 1) * 1e6 <= CLOCKFIT_MAX_PPM))
		return 0;
	return b;
}

int
clockfit_measured(const struct clockfit *f)
{
	return slope(f) > 0;
}

double
clockfit_rate(const struct clockfit *f)
{
	double b = slope(f);

	return b > 0 ? NS / b : (double)f->rate;
}

int64_t
clockfit_at(const struct clockfit *f, uint64_t x)
{
	double b = slope(f), dx;

	if (b <= 0) {
		dx = (double)(int64_t)(x - f->xfirst);
		return f->yfirst + (int64_t)llround(dx * NS / f->rate);
	}
	/* x - x0 as a signed difference: x may be before the origin. */
	dx = (double)(int64_t)(x - f->x0) - f->mx;
	return f->y0 + (int64_t)llround(f->my + b * dx);
}
