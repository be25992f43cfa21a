/*
 * recd --schedule: print the windows the [schedule] of rec.conf would
 * record, day by day, in local time and UTC, with each day's hours and
 * the bytes the capture settings make of them, so that a deployment is
 * checked before the station is left alone.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "conf.h"
#include "err.h"
#include "parse.h"
#include "pcm.h"
#include "recd.h"
#include "schedule.h"

/* Seconds as "H:MM:SS". */
static const char *
hms(int64_t s, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRId64 ":%02d:%02d", s / 3600,
	    (int)(s / 60 % 60), (int)(s % 60));
	return buf;
}

static const char *
utc(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "@%" PRId64, t);
	return buf;
}

/*
 * The bytes a second of capture: rec-capture's settings and defaults
 * (48000 Hz, 1 channel, S16_LE), read as it reads them. -1 + e.
 */
static int
capture_rate(const struct conf *c, uint64_t *bps, char *what, size_t len,
    struct err *e)
{
	const char *v, *fmt;
	uint64_t rate = 48000, ch = 1;
	enum pcm_format f;

	if ((v = conf_get(c, "capture", "rate")) != NULL &&
	    parse_uint(v, 1, 768000, &rate) < 0) {
		err_set(e, EX_CONFIG, "%s: bad rate '%s'",
		    conf_where(c, "capture", "rate"), v);
		return -1;
	}
	if ((v = conf_get(c, "capture", "channels")) != NULL &&
	    parse_uint(v, 1, 32, &ch) < 0) {
		err_set(e, EX_CONFIG, "%s: bad channels '%s'",
		    conf_where(c, "capture", "channels"), v);
		return -1;
	}
	fmt = conf_get(c, "capture", "format");
	if (pcm_format_parse(fmt ? fmt : "S16_LE", &f) < 0) {
		err_set(e, EX_CONFIG, "%s: bad format '%s'",
		    conf_where(c, "capture", "format"), fmt);
		return -1;
	}
	*bps = rate * ch * pcm_sample_bytes(f);
	snprintf(what, len, "%" PRIu64 " Hz, %" PRIu64 " channel%s, %s",
	    rate, ch, ch == 1 ? "" : "s", pcm_format_name(f));
	return 0;
}

int
show_schedule(const struct conf *c, const char *from, uint64_t days,
    struct err *e)
{
	struct schedule *s = NULL;
	struct schedule_window *w = NULL;
	char a[64], b[64], x[32], y[32], h[32], what[128];
	const char *codec = conf_get(c, "archive", "codec");
	int64_t d0, d, t0, t1, day_s, all_s = 0;
	uint64_t bps;
	size_t n, i;
	int rc = -1, r;

	if (capture_rate(c, &bps, what, sizeof(what), e) < 0)
		return -1;
	if ((r = schedule_load(&s, c, e)) < 0)
		return -1;
	if (r == 0) {
		printf("no [schedule]: rec-capture records all the time\n");
		printf("capture: %s: %" PRIu64 " bytes a second, %" PRIu64
		    " bytes a day\n", what, bps, bps * 86400);
		return 0;
	}
	if (from != NULL) {
		if (schedule_parse_date(from, &d0) < 0) {
			err_set(e, EX_USAGE, "bad --from '%s': want YYYY-MM-DD",
			    from);
			goto done;
		}
	} else {
		d0 = schedule_day(s, (int64_t)time(NULL));
	}
	t0 = schedule_midnight(s, d0);
	t1 = schedule_midnight(s, d0 + (int64_t)days);
	/* the windows that start in the range, whole */
	if (schedule_windows(s, t0 - 3 * 86400, t1 + 2 * 86400, &w, &n) < 0) {
		err_sys(e, EX_OSERR, "cannot compute the schedule");
		goto done;
	}
	printf("schedule: %" PRIu64 " day%s in %s\n", days,
	    days == 1 ? "" : "s", schedule_tzname(s));
	printf("capture: %s: %" PRIu64 " bytes a second%s\n", what, bps,
	    codec && strcmp(codec, "flac") == 0 ? " (as WAV: the upper "
	    "bound of FLAC archives)" : "");
	for (i = 0; i < n && w[i].start < t0; i++)
		;
	for (d = d0; d < d0 + (int64_t)days; d++) {
		schedule_strftime(s, a, sizeof(a), "%Y-%m-%d %a",
		    schedule_midnight(s, d) + 43200);
		printf("%s\n", a);
		day_s = 0;
		for (; i < n && schedule_day(s, w[i].start) == d; i++) {
			schedule_strftime(s, a, sizeof(a), "%H:%M:%S %Z",
			    w[i].start);
			schedule_strftime(s, b, sizeof(b),
			    schedule_day(s, w[i].end) == d ||
			    w[i].end == schedule_midnight(s, d + 1) ?
			    "%H:%M:%S %Z" : "%Y-%m-%d %H:%M:%S %Z", w[i].end);
			printf("  %s - %s  %s - %s  %s\n", a, b,
			    utc(w[i].start, x, sizeof(x)),
			    utc(w[i].end, y, sizeof(y)),
			    hms(w[i].end - w[i].start, h, sizeof(h)));
			day_s += w[i].end - w[i].start;
		}
		if (day_s == 0)
			printf("  no window\n");
		printf("  total %s (%.2f h), %" PRIu64 " bytes\n",
		    hms(day_s, a, sizeof(a)), day_s / 3600.0,
		    (uint64_t)day_s * bps);
		all_s += day_s;
	}
	printf("total %s (%.2f h), %" PRIu64 " bytes\n",
	    hms(all_s, a, sizeof(a)), all_s / 3600.0, (uint64_t)all_s * bps);
	rc = 0;
done:
	free(w);
	schedule_free(s);
	return rc;
}
