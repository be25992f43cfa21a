/*
 * schedule: parse [schedule] and turn it into windows of UTC time, day by
 * local day: each period's start and end on that day (clock times
 * through the time zone, sun points through lib/sun), cut by the duty
 * cycle, then merged. The rules are in schedule.h.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>

#include "parse.h"
#include "schedule.h"
#include "utc.h"
#include "sun.h"

#define DAY		86400
#define MAX_OFFSET	(12 * 3600)

/* What a point of a period refers to; the order is the day's order. */
enum ref { R_DAWN, R_SUNRISE, R_NOON, R_SUNSET, R_DUSK, R_CLOCK };
static const char *const ref_names[] = {
	"dawn", "sunrise", "noon", "sunset", "dusk"
};

struct point {
	enum ref ref;
	int64_t off;		/* R_CLOCK: seconds after midnight, else +/- */
};

struct period {
	struct point a, b;
};

struct schedule {
	char tz[256];			/* the name; "" = UTC */
	double lat, lon, elev;
	struct period *per;
	size_t nper;
	int64_t on, every;		/* duty, seconds; 0 = none */
	int64_t first, last;		/* local days, included */
	int64_t ndays, ref_day;		/* every ndays days from ref_day */
};

/* --- time zone --------------------------------------------------- */

struct tzscope {
	char *old;
	int had;
};

/* Set TZ to the schedule's zone (see schedule.h: not thread-safe). */
static void
tz_enter(const struct schedule *s, struct tzscope *z)
{
	const char *o = getenv("TZ");
	char spec[300];

	z->had = o != NULL;
	z->old = o ? strdup(o) : NULL;
	if (s->tz[0] == '\0')
		snprintf(spec, sizeof(spec), "UTC0");
	else
		snprintf(spec, sizeof(spec), ":%s", s->tz);
	setenv("TZ", spec, 1);
	tzset();
}

static void
tz_leave(struct tzscope *z)
{
	if (z->had && z->old != NULL)
		setenv("TZ", z->old, 1);
	else
		unsetenv("TZ");
	free(z->old);
	tzset();
}

/* The UTC offset (seconds east) at t, inside a tz scope. */
static int64_t
gmtoff(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

/*
 * The UTC time of local time L (seconds since 1970-01-01 00:00 local),
 * inside a tz scope: the first occurrence of a repeated time, the end of
 * the gap for a skipped one.
 */
static int64_t
local_to_utc(int64_t L)
{
	int64_t oa = gmtoff(L - DAY), ob = gmtoff(L + DAY), lo, hi, mid;
	int64_t u1 = L - oa, u2 = L - ob, best = INT64_MAX;

	if (gmtoff(u1) == oa)
		best = u1;
	if (gmtoff(u2) == ob && u2 < best)
		best = u2;
	if (best != INT64_MAX)
		return best;
	if (oa == ob)
		return L - oa;
	/* in a gap: the transition from oa to ob, which lies in [u2, u1] */
	lo = u2 < u1 ? u2 : u1;
	hi = u2 < u1 ? u1 : u2;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (gmtoff(mid) == oa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int64_t
floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int64_t
local_day(int64_t t)
{
	return floordiv(t + gmtoff(t), DAY);
}

int64_t
schedule_day(const struct schedule *s, int64_t t)
{
	struct tzscope z;
	int64_t d;

	tz_enter(s, &z);
	d = local_day(t);
	tz_leave(&z);
	return d;
}

int64_t
schedule_midnight(const struct schedule *s, int64_t day)
{
	struct tzscope z;
	int64_t t;

	tz_enter(s, &z);
	t = local_to_utc(day * DAY);
	tz_leave(&z);
	return t;
}

size_t
schedule_strftime(const struct schedule *s, char *buf, size_t len,
    const char *fmt, int64_t t)
{
	struct tzscope z;
	time_t tt = (time_t)t;
	struct tm tm;
	size_t n = 0;

	tz_enter(s, &z);
	/* fmt is checked at the callers (format attribute in schedule.h) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (localtime_r(&tt, &tm) != NULL)
		n = strftime(buf, len, fmt, &tm);
#pragma GCC diagnostic pop
	tz_leave(&z);
	if (n == 0 && len > 0)
		buf[0] = '\0';
	return n;
}

const char *
schedule_tzname(const struct schedule *s)
{
	return s->tz[0] ? s->tz : "UTC";
}

/* --- parsing ----------------------------------------------------- */

int
schedule_parse_date(const char *str, int64_t *day)
{
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	unsigned y, m, d;
	int n = 0;

	if (strlen(str) != 10 ||
	    sscanf(str, "%4u-%2u-%2u%n", &y, &m, &d, &n) != 3 || n != 10 ||
	    str[4] != '-' || str[7] != '-' || y < 1970 || m < 1 || m > 12 ||
	    d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0))))
		goto bad;
	for (n = 0; n < 10; n++)
		if (n != 4 && n != 7 && (str[n] < '0' || str[n] > '9'))
			goto bad;
	*day = utc_days_from_civil(y, (int)m, (int)d);
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

/* A signed offset "+30m", "-1h": whole seconds, at most 12 hours. */
static int
parse_offset(const char *p, int64_t *off)
{
	uint64_t ms;

	*off = 0;
	if (*p == '\0')
		return 0;
	if ((*p != '+' && *p != '-') || parse_duration_ms(p + 1, &ms) < 0 ||
	    ms % 1000 != 0 || ms > (uint64_t)MAX_OFFSET * 1000)
		return -1;
	*off = (int64_t)(ms / 1000) * (*p == '-' ? -1 : 1);
	return 0;
}

/* "HH:MM" or "HH:MM:SS" (00:00..24:00) at p, length n: seconds. */
static int
parse_clock(const char *p, size_t n, int64_t *sec)
{
	unsigned h, m, s = 0;
	int used = 0;
	char buf[16];

	if (n < 5 || n > 8 || p[0] < '0' || p[0] > '9')
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	if (n == 5 && (sscanf(buf, "%2u:%2u%n", &h, &m, &used) != 2 ||
	    used != 5))
		return -1;
	if (n == 8 && (sscanf(buf, "%2u:%2u:%2u%n", &h, &m, &s, &used) != 3 ||
	    used != 8))
		return -1;
	if (n != 5 && n != 8)
		return -1;
	if (h > 24 || m > 59 || s > 59 || (h == 24 && (m || s)))
		return -1;
	*sec = h * 3600 + m * 60 + s;
	return 0;
}

/* One point: a clock time, or a sun event with an optional offset. */
static int
parse_point(const char *p, size_t n, struct point *pt)
{
	char buf[64];
	size_t i, k;

	while (n > 0 && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	if (buf[0] >= '0' && buf[0] <= '9') {
		pt->ref = R_CLOCK;
		return parse_clock(buf, n, &pt->off);
	}
	for (i = 0; i < sizeof(ref_names) / sizeof(ref_names[0]); i++) {
		k = strlen(ref_names[i]);
		if (strncmp(buf, ref_names[i], k) == 0 &&
		    (buf[k] == '\0' || buf[k] == '+' || buf[k] == '-')) {
			pt->ref = (enum ref)i;
			return parse_offset(buf + k, &pt->off);
		}
	}
	return -1;
}

/* "A..B", or "HH:MM-HH:MM". */
static int
parse_period(const char *v, struct period *p)
{
	const char *dots = strstr(v, ".."), *dash;

	if (dots != NULL)
		return parse_point(v, (size_t)(dots - v), &p->a) < 0 ||
		    parse_point(dots + 2, strlen(dots + 2), &p->b) < 0 ? -1 : 0;
	if ((dash = strchr(v, '-')) == NULL)
		return -1;
	if (parse_point(v, (size_t)(dash - v), &p->a) < 0 ||
	    parse_point(dash + 1, strlen(dash + 1), &p->b) < 0 ||
	    p->a.ref != R_CLOCK || p->b.ref != R_CLOCK)
		return -1;
	return 0;
}

/* A decimal number in [lo, hi]. */
static int
parse_deg(const char *v, double lo, double hi, double *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (end == v || *end != '\0' || errno != 0 || !isfinite(d) ||
	    d < lo || d > hi)
		return -1;
	*out = d;
	return 0;
}

/* A zone of the tz database: a relative name of an existing file. */
static int
tz_valid(const char *name)
{
	const char *dir = getenv("TZDIR");
	char path[PATH_MAX];
	struct stat st;

	if (name[0] == '\0' || name[0] == '/' || strstr(name, "..") ||
	    strlen(name) >= 200 || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789/_+-") != strlen(name))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir :
	    "/usr/share/zoneinfo", name);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int
bad(const struct conf *c, const char *key, const char *val,
    const char *why, struct err *e)
{
	err_set(e, EX_CONFIG, "%s: bad %s '%s': %s",
	    conf_where(c, strcmp(key, "latitude") == 0 ||
	    strcmp(key, "longitude") == 0 || strcmp(key, "elevation") == 0 ||
	    strcmp(key, "height") == 0 ?
	    "" : "schedule", key), key, val, why);
	return -1;
}

static int
has_schedule(const struct conf *c)
{
	const struct conf_section *cs;
	size_t i;

	for (cs = conf_sections; cs->name != NULL; cs++)
		if (strcmp(cs->name, "schedule") == 0)
			break;
	if (cs->name == NULL)
		return 0;
	for (i = 0; cs->keys[i] != NULL; i++)
		if (conf_get(c, "schedule", cs->keys[i]) != NULL)
			return 1;
	return 0;
}

/* "ON/EVERY" */
static int
parse_duty(const char *v, int64_t *on, int64_t *every)
{
	const char *sl = strchr(v, '/');
	char a[64];
	uint64_t x, y;

	if (sl == NULL || (size_t)(sl - v) >= sizeof(a))
		return -1;
	memcpy(a, v, (size_t)(sl - v));
	a[sl - v] = '\0';
	if (parse_duration_ms(a, &x) < 0 || parse_duration_ms(sl + 1, &y) < 0 ||
	    x % 1000 || y % 1000 || x == 0 || y == 0 ||
	    y > (uint64_t)DAY * 1000)
		return -1;
	*on = (int64_t)(x / 1000);
	*every = (int64_t)(y / 1000);
	return 0;
}

static int load_check_range(struct schedule *s, const struct conf *c,
    struct err *e);

/* A new schedule that records every day, or NULL (e filled). */
static struct schedule *
sched_new(struct err *e)
{
	struct schedule *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		err_sys(e, EX_OSERR, "cannot load the schedule");
		return NULL;
	}
	s->first = INT64_MIN;
	s->last = INT64_MAX;
	s->ndays = 1;
	return s;
}

int
schedule_place(const struct conf *c, struct schedule_place *pl,
    struct err *e)
{
	const char *lat = conf_get(c, "", "latitude");
	const char *lon = conf_get(c, "", "longitude");
	const char *v = conf_get(c, "", "elevation");

	memset(pl, 0, sizeof(*pl));
	if (lat != NULL && parse_deg(lat, -90, 90, &pl->lat) < 0)
		return bad(c, "latitude", lat, "want degrees from -90 to 90 "
		    "(north positive)", e);
	if (lon != NULL && parse_deg(lon, -180, 180, &pl->lon) < 0)
		return bad(c, "longitude", lon, "want degrees from -180 to "
		    "180 (east positive)", e);
	if (v != NULL) {
		if (parse_deg(v, -500, 9000, &pl->elev) < 0)
			return bad(c, "elevation", v, "want metres from -500 "
			    "to 9000", e);
		pl->has_elev = 1;
	}
	v = conf_get(c, "", "height");
	if (v != NULL && parse_deg(v, 0, 9000, &pl->height) < 0)
		return bad(c, "height", v, "want metres from 0 to 9000", e);
	if ((lat == NULL) != (lon == NULL)) {
		err_set(e, EX_CONFIG, "%s: %s without %s",
		    conf_where(c, "", lat ? "latitude" : "longitude"),
		    lat ? "latitude" : "longitude", lat ? "longitude" :
		    "latitude");
		return -1;
	}
	return lat != NULL;
}

/*
 * The time zone of [schedule], the periods of section/key and the
 * station's place into s; 0, or -1 + e.
 */
static int
load_periods(struct schedule *s, const struct conf *c, const char *section,
    const char *key, struct err *e)
{
	struct schedule_place pl;
	const char *v;
	size_t it = 0, cap = 0;
	struct period p, *np;
	int sun = 0, placed;

	if ((v = conf_get(c, "schedule", "timezone")) != NULL &&
	    strcmp(v, "UTC") != 0) {
		if (!tz_valid(v))
			return bad(c, "timezone", v, "not a zone of the tz "
			    "database (e.g. Europe/Berlin)", e);
		snprintf(s->tz, sizeof(s->tz), "%s", v);
	}
	while ((v = conf_next(c, section, key, &it)) != NULL) {
		if (parse_period(v, &p) < 0) {
			err_set(e, EX_CONFIG, "%s: bad %s '%s': want "
			    "HH:MM-HH:MM or POINT..POINT (POINT: HH:MM, "
			    "sunrise, sunset, dawn, dusk or noon, with an "
			    "optional +/-duration up to 12h)",
			    conf_where_at(c, it), key, v);
			return -1;
		}
		if (p.a.ref == p.b.ref && p.a.off == p.b.off) {
			err_set(e, EX_CONFIG, "%s: %s '%s' is empty every "
			    "day", conf_where_at(c, it), key, v);
			return -1;
		}
		if (p.a.ref == R_CLOCK && p.a.off == DAY) {
			err_set(e, EX_CONFIG, "%s: %s '%s' starts at "
			    "24:00: write 00:00", conf_where_at(c, it), key, v);
			return -1;
		}
		if (p.a.ref != R_CLOCK || p.b.ref != R_CLOCK)
			sun = 1;
		if (s->nper == cap) {
			cap = cap ? cap * 2 : 4;
			if ((np = realloc(s->per, cap * sizeof(*np))) == NULL) {
				err_sys(e, EX_OSERR, "cannot load the "
				    "schedule");
				return -1;
			}
			s->per = np;
		}
		s->per[s->nper++] = p;
	}
	if ((placed = schedule_place(c, &pl, e)) < 0)
		return -1;
	if (placed) {
		s->lat = pl.lat;
		s->lon = pl.lon;
		s->elev = pl.height;	/* lib/sun: above the surroundings */
	}
	if (sun && !placed) {
		err_set(e, EX_CONFIG, "%s: a %s relative to the sun needs "
		    "the top-level latitude and longitude",
		    conf_where(c, section, key), key);
		return -1;
	}
	return 0;
}

int
schedule_load(struct schedule **sp, const struct conf *c, struct err *e)
{
	struct schedule *s;
	const char *v;
	uint64_t n;

	*sp = NULL;
	if (!has_schedule(c))
		return 0;
	if ((s = sched_new(e)) == NULL)
		return -1;
	if (load_periods(s, c, "schedule", "period", e) < 0)
		goto fail;
	if ((v = conf_get(c, "schedule", "duty")) != NULL) {
		if (parse_duty(v, &s->on, &s->every) < 0) {
			bad(c, "duty", v, "want ON/EVERY in whole seconds "
			    "(e.g. 5m/15m), EVERY at most 1d", e);
			goto fail;
		}
		if (s->on > s->every) {
			bad(c, "duty", v, "ON is longer than EVERY", e);
			goto fail;
		}
	}
	if ((v = conf_get(c, "schedule", "start-date")) != NULL &&
	    schedule_parse_date(v, &s->first) < 0) {
		bad(c, "start-date", v, "want YYYY-MM-DD", e);
		goto fail;
	}
	if ((v = conf_get(c, "schedule", "end-date")) != NULL) {
		if (schedule_parse_date(v, &s->last) < 0) {
			bad(c, "end-date", v, "want YYYY-MM-DD", e);
			goto fail;
		}
		if (s->last < s->first) {
			bad(c, "end-date", v, "before start-date", e);
			goto fail;
		}
	}
	if ((v = conf_get(c, "schedule", "every")) != NULL) {
		char num[16];
		size_t l = strlen(v);

		if (l == 0 || l >= sizeof(num))
			l = 0;
		else
			memcpy(num, v, l + 1);
		if (l > 1 && num[l - 1] == 'd')
			num[--l] = '\0';
		if (l == 0 || parse_uint(num, 1, 366, &n) < 0) {
			bad(c, "every", v, "want Nd, N from 1 to 366 days", e);
			goto fail;
		}
		s->ndays = (int64_t)n;
	}
	s->ref_day = s->first != INT64_MIN ? s->first : 0;
	if (load_check_range(s, c, e) < 0)
		goto fail;
	*sp = s;
	return 1;
fail:
	schedule_free(s);
	return -1;
}

int
schedule_load_key(struct schedule **sp, const struct conf *c,
    const char *section, const char *key, struct err *e)
{
	struct schedule *s;

	*sp = NULL;
	if (conf_get(c, section, key) == NULL)
		return 0;
	if ((s = sched_new(e)) == NULL)
		return -1;
	if (load_periods(s, c, section, key, e) < 0) {
		schedule_free(s);
		return -1;
	}
	*sp = s;
	return 1;
}

void
schedule_free(struct schedule *s)
{
	if (s == NULL)
		return;
	free(s->per);
	free(s);
}

/* --- windows ----------------------------------------------------- */

struct wins {
	struct schedule_window *w;
	size_t n, cap;
};

static int
wins_add(struct wins *ws, int64_t a, int64_t b)
{
	struct schedule_window *nw;

	if (ws->n == ws->cap) {
		ws->cap = ws->cap ? ws->cap * 2 : 16;
		if ((nw = realloc(ws->w, ws->cap * sizeof(*nw))) == NULL)
			return -1;
		ws->w = nw;
	}
	ws->w[ws->n].start = a;
	ws->w[ws->n].end = b;
	ws->n++;
	return 0;
}

/* The sun's events of day, computed once per day and kind. */
struct sunday {
	int64_t day;
	int have[2];
	struct sun_times st[2];
};

/* The time of point pt on local day (inside a tz scope). */
static int64_t
point_time(const struct schedule *s, const struct point *pt, int64_t day,
    struct sunday *sd)
{
	int k;

	if (pt->ref == R_CLOCK)
		return local_to_utc(day * DAY + pt->off);
	if (sd->day != day) {
		sd->day = day;
		sd->have[0] = sd->have[1] = 0;
	}
	k = pt->ref == R_DAWN || pt->ref == R_DUSK;
	if (!sd->have[k]) {
		sun_day(day, s->lat, s->lon, s->elev,
		    k ? SUN_CIVIL : SUN_RISESET, &sd->st[k]);
		sd->have[k] = 1;
	}
	switch (pt->ref) {
	case R_DAWN:
	case R_SUNRISE:
		return sd->st[k].rise + pt->off;
	case R_SUNSET:
	case R_DUSK:
		return sd->st[k].set + pt->off;
	default:
		return sd->st[k].transit + pt->off;
	}
}

/* 1 when day is a recording day. */
static int
day_chosen(const struct schedule *s, int64_t day)
{
	if (day < s->first || day > s->last)
		return 0;
	return (day - s->ref_day) % s->ndays == 0;
}

/* The window of period p on day, cut by the duty cycle, into ws. */
static int
period_day(const struct schedule *s, const struct period *p, int64_t day,
    struct wins *ws)
{
	struct sunday sd0 = { .day = INT64_MIN }, sd1 = { .day = INT64_MIN };
	int64_t a, b, t;
	int next;

	a = point_time(s, &p->a, day, &sd0);
	if (p->a.ref == R_CLOCK && p->b.ref == R_CLOCK)
		next = p->b.off <= p->a.off;
	else if (p->a.ref != R_CLOCK && p->b.ref != R_CLOCK)
		next = p->b.ref < p->a.ref ||
		    (p->b.ref == p->a.ref && p->b.off < p->a.off);
	else
		next = point_time(s, &p->b, day, &sd0) <= a;
	b = point_time(s, &p->b, day + next, next ? &sd1 : &sd0);
	if (b <= a)
		return 0;	/* empty on this day */
	if (s->every == 0)
		return wins_add(ws, a, b);
	for (t = a; t < b; t += s->every)
		if (wins_add(ws, t, t + s->on < b ? t + s->on : b) < 0)
			return -1;
	return 0;
}

static int
cmp_win(const void *x, const void *y)
{
	const struct schedule_window *a = x, *b = y;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return (a->end > b->end) - (a->end < b->end);
}

static const struct period whole_day = {
	{ R_CLOCK, 0 }, { R_CLOCK, DAY }
};

int
schedule_windows(const struct schedule *s, int64_t t0, int64_t t1,
    struct schedule_window **out, size_t *n)
{
	struct wins ws = { NULL, 0, 0 };
	struct tzscope z;
	int64_t d, d0, d1;
	size_t i, j, np = s->nper ? s->nper : 1;
	const struct period *per = s->nper ? s->per : &whole_day;

	*out = NULL;
	*n = 0;
	if (t1 <= t0)
		return 0;
	tz_enter(s, &z);
	/* a window of day D lies within D-1 12:00 .. D+2 12:00 local */
	d0 = local_day(t0) - 3;
	d1 = local_day(t1) + 1;
	if (d0 < s->first)
		d0 = s->first;
	if (d1 > s->last)
		d1 = s->last;
	for (d = d0; d <= d1; d++) {
		if (!day_chosen(s, d))
			continue;
		for (i = 0; i < np; i++)
			if (period_day(s, &per[i], d, &ws) < 0)
				goto oom;
	}
	tz_leave(&z);
	if (ws.n > 1)
		qsort(ws.w, ws.n, sizeof(*ws.w), cmp_win);
	/* merge, keep what overlaps [t0, t1), cut to it */
	for (i = 0, j = 0; i < ws.n; i++) {
		if (j > 0 && ws.w[i].start <= ws.w[j - 1].end) {
			if (ws.w[i].end > ws.w[j - 1].end)
				ws.w[j - 1].end = ws.w[i].end;
			continue;
		}
		ws.w[j++] = ws.w[i];
	}
	for (i = 0, ws.n = j, j = 0; i < ws.n; i++) {
		if (ws.w[i].end <= t0 || ws.w[i].start >= t1)
			continue;
		ws.w[j].start = ws.w[i].start < t0 ? t0 : ws.w[i].start;
		ws.w[j].end = ws.w[i].end > t1 ? t1 : ws.w[i].end;
		j++;
	}
	if (j == 0) {
		free(ws.w);
		ws.w = NULL;
	}
	*out = ws.w;
	*n = j;
	return 0;
oom:
	tz_leave(&z);
	free(ws.w);
	errno = ENOMEM;
	return -1;
}

#define CHUNK	(16 * (int64_t)DAY)

int
schedule_next(const struct schedule *s, int64_t t, struct schedule_window *w)
{
	struct schedule_window *v = NULL;
	int64_t lo = t - 3 * DAY, hi, k;
	size_t n, i;

	for (k = 0; k < 2 * 366 * DAY / CHUNK + 2; k++, lo = hi) {
		hi = lo + CHUNK;
		if (schedule_windows(s, lo, hi, &v, &n) < 0)
			return -1;
		for (i = 0; i < n && v[i].end <= t; i++)
			;
		if (i < n)
			break;
		free(v);
		v = NULL;
		if (s->last != INT64_MAX && schedule_day(s, hi) > s->last + 1)
			return 0;
	}
	if (v == NULL)
		return 0;
	*w = v[i];
	free(v);
	/* a window cut at the chunk's end goes on in the next chunk */
	for (k = 0; w->end == hi && k < 2 * 366 * DAY / CHUNK; k++) {
		lo = hi;
		hi = lo + CHUNK;
		if (schedule_windows(s, lo, hi, &v, &n) < 0)
			return -1;
		if (n > 0 && v[0].start == lo)
			w->end = v[0].end;
		free(v);
		v = NULL;
	}
	return 1;
}

/* A bounded schedule must record something (at most 3 years checked). */
static int
load_check_range(struct schedule *s, const struct conf *c, struct err *e)
{
	struct schedule_window *v;
	int64_t a, b;
	size_t n;

	if (s->first == INT64_MIN || s->last == INT64_MAX ||
	    s->last - s->first > 3 * 366)
		return 0;
	a = schedule_midnight(s, s->first) - DAY;
	b = schedule_midnight(s, s->last + 1) + 2 * DAY;
	if (schedule_windows(s, a, b, &v, &n) < 0) {
		err_sys(e, EX_OSERR, "cannot check the schedule");
		return -1;
	}
	free(v);
	if (n == 0) {
		err_set(e, EX_CONFIG, "%s: no window between start-date and "
		    "end-date: this schedule never records",
		    conf_where(c, "schedule", "end-date"));
		return -1;
	}
	return 0;
}
