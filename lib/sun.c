/*
 * sun: the NOAA solar calculator (Meeus' low-precision solar position):
 * declination and equation of time from the Julian century, the hour
 * angle of an altitude, each event refined at its own time.
 */
#include <math.h>
#include <stdint.h>

#include "sun.h"

#define RAD(d)	((d) * M_PI / 180.0)
#define DEG(r)	((r) * 180.0 / M_PI)

/* Declination (degrees) and equation of time (minutes) at t (UTC s). */
static void
position(double t, double *decl, double *eqtime)
{
	double jc = (t / 86400.0 + 2440587.5 - 2451545.0) / 36525.0;
	double l0, m, e, c, tl, om, al, mo, oc, y;

	l0 = fmod(280.46646 + jc * (36000.76983 + jc * 0.0003032), 360.0);
	m = 357.52911 + jc * (35999.05029 - 0.0001537 * jc);
	e = 0.016708634 - jc * (0.000042037 + 0.0000001267 * jc);
	c = sin(RAD(m)) * (1.914602 - jc * (0.004817 + 0.000014 * jc)) +
	    sin(RAD(2 * m)) * (0.019993 - 0.000101 * jc) +
	    sin(RAD(3 * m)) * 0.000289;
	tl = l0 + c;
	om = 125.04 - 1934.136 * jc;
	al = tl - 0.00569 - 0.00478 * sin(RAD(om));
	mo = 23.0 + (26.0 + (21.448 - jc * (46.815 + jc * (0.00059 -
	    jc * 0.001813))) / 60.0) / 60.0;
	oc = mo + 0.00256 * cos(RAD(om));
	*decl = DEG(asin(sin(RAD(oc)) * sin(RAD(al))));
	y = tan(RAD(oc / 2.0));
	y *= y;
	*eqtime = 4.0 * DEG(y * sin(2 * RAD(l0)) - 2 * e * sin(RAD(m)) +
	    4 * e * y * sin(RAD(m)) * cos(2 * RAD(l0)) -
	    0.5 * y * y * sin(4 * RAD(l0)) -
	    1.25 * e * e * sin(2 * RAD(m)));
}

/* The cosine of the hour angle where the sun's centre is at alt. */
static double
cos_ha(double lat, double decl, double alt)
{
	return (sin(RAD(alt)) - sin(RAD(lat)) * sin(RAD(decl))) /
	    (cos(RAD(lat)) * cos(RAD(decl)));
}

/* The transit (UTC s) of day at lon, refined twice. */
static double
transit(int64_t day, double lon)
{
	double t = (double)day * 86400.0 + 43200.0 - lon * 240.0;
	double decl, eqt;
	int i;

	for (i = 0; i < 3; i++) {
		position(t, &decl, &eqt);
		t = (double)day * 86400.0 + 43200.0 - lon * 240.0 - eqt * 60.0;
	}
	return t;
}

/*
 * One crossing of alt on day: sign -1 before the transit tr, +1 after;
 * each pass takes the sun's position (declination, equation of time) at
 * the previous estimate. 0 and *t, or -1 when the sun does not reach alt
 * at the crossing's time.
 */
static int
crossing(int64_t day, double tr, double lat, double lon, double alt,
    int sign, double *t)
{
	double est = tr, decl, eqt, ch, noon;
	int i;

	for (i = 0; i < 4; i++) {
		position(est, &decl, &eqt);
		ch = cos_ha(lat, decl, alt);
		if (ch > 1.0 || ch < -1.0)
			return -1;
		noon = (double)day * 86400.0 + 43200.0 - lon * 240.0 -
		    eqt * 60.0;
		est = noon + sign * DEG(acos(ch)) * 240.0;
	}
	*t = est;
	return 0;
}

void
sun_day(int64_t day, double lat, double lon, double elev,
    enum sun_kind kind, struct sun_times *out)
{
	double alt, tr, decl, eqt, ch, r, s;

	if (lat > 89.999)
		lat = 89.999;
	if (lat < -89.999)
		lat = -89.999;
	if (kind == SUN_CIVIL)
		alt = -6.0;
	else
		alt = -0.833 - 0.0347 * sqrt(elev > 0 ? elev : 0);
	tr = transit(day, lon);
	out->transit = llround(tr);
	position(tr, &decl, &eqt);
	ch = cos_ha(lat, decl, alt);
	if (ch > 1.0 || ch < -1.0) {
		out->state = ch > 1.0 ? SUN_DOWN : SUN_UP;
		goto polar;
	}
	if (crossing(day, tr, lat, lon, alt, -1, &r) < 0 ||
	    crossing(day, tr, lat, lon, alt, 1, &s) < 0) {
		/* reached at the transit, not at the crossing's time: the
		 * edge of a polar season; the transit's answer holds */
		r = tr - DEG(acos(ch)) * 240.0;
		s = tr + DEG(acos(ch)) * 240.0;
	}
	out->state = SUN_NORMAL;
	out->rise = llround(r);
	out->set = llround(s);
	return;
polar:
	if (out->state == SUN_UP) {
		/* the solar midnights: polar days tile without a gap */
		out->rise = llround((transit(day - 1, lon) + tr) / 2.0);
		out->set = llround((tr + transit(day + 1, lon)) / 2.0);
	} else {
		out->rise = out->set = out->transit;
	}
}
