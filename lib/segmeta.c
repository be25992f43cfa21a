/*
 * segmeta: write and read the REC| keys of a segment's GUANO text; the
 * only place that knows their names and the REC|Gaps format.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "segmeta.h"

#define K_STATION	"REC|Station"
#define K_DEVICE	"REC|Device"
#define K_RUN		"REC|Run"
#define K_FIRST		"REC|First Frame"
#define K_CHANNELS	"REC|Channels"
#define K_FORMAT	"REC|Format"
#define K_FRAMES	"REC|Frames"
#define K_GAPS		"REC|Gaps"
#define K_LOST		"REC|Lost Frames"
#define K_RECOVERED	"REC|Recovered"
#define K_SYNCED	"REC|Clock Synced"
#define K_ESTERR	"REC|Clock Error"
#define K_MAXERR	"REC|Clock Max Error"
#define K_PPM		"REC|Clock PPM"
#define K_STEPS		"REC|Clock Steps"
#define NS		INT64_C(1000000000)

static int number(const char **p, const char *end, uint64_t *v);

/* The REC|Level keys, in the order they are written. */
enum { L_PEAK, L_RMS, L_DC, L_CLIPPED, L_FLAT, L_HUM, L_N };
static const char *const level_keys[L_N] = {
	"REC|Level Peak", "REC|Level RMS", "REC|Level DC",
	"REC|Level Clipped", "REC|Level Flat", "REC|Level Hum",
};

/* Append gap off+len to m (merged into the last one when merge and at
 * the same off), its frames added to lost_frames. */
static int
gap_push(struct segmeta *m, uint64_t off, uint64_t len, int merge)
{
	struct segmeta_gap *g;

	if (merge && m->ngaps > 0 && m->gaps[m->ngaps - 1].off == off) {
		m->gaps[m->ngaps - 1].len += len;
		m->lost_frames += len;
		return 0;
	}
	if (m->ngaps == m->capgaps) {
		size_t n = m->capgaps ? 2 * m->capgaps : 8;

		if (n > SIZE_MAX / sizeof(*g)) {
			errno = ENOMEM;
			return -1;
		}
		if ((g = realloc(m->gaps, n * sizeof(*g))) == NULL)
			return -1;
		m->gaps = g;
		m->capgaps = n;
	}
	m->gaps[m->ngaps].off = off;
	m->gaps[m->ngaps].len = len;
	m->ngaps++;
	m->lost_frames += len;
	return 0;
}

int
segmeta_gap_add(struct segmeta *m, uint64_t off, uint64_t len)
{
	return gap_push(m, off, len, 1);
}

int
segmeta_step_add(struct segmeta *m, uint64_t off, int64_t ns)
{
	struct segmeta_step *st;

	if (m->nsteps > 0 && m->steps[m->nsteps - 1].off == off) {
		m->steps[m->nsteps - 1].ns += ns;
		return 0;
	}
	if (m->nsteps == m->capsteps) {
		size_t n = m->capsteps ? 2 * m->capsteps : 4;

		if (n > SIZE_MAX / sizeof(*st)) {
			errno = ENOMEM;
			return -1;
		}
		if ((st = realloc(m->steps, n * sizeof(*st))) == NULL)
			return -1;
		m->steps = st;
		m->capsteps = n;
	}
	m->steps[m->nsteps].off = off;
	m->steps[m->nsteps].ns = ns;
	m->nsteps++;
	return 0;
}

/* The steps of m as "off:+S.NNNNNNNNN,..." (malloc'd), or NULL. */
static char *
steps_text(const struct segmeta *m)
{
	/* "18446744073709551615:-9223372036.854775808," at most per step */
	char *s;
	size_t i, o = 0;
	uint64_t a;

	if (m->nsteps > (SIZE_MAX - 1) / 44) {
		errno = ENOMEM;
		return NULL;
	}
	if ((s = malloc(m->nsteps * 44 + 1)) == NULL)
		return NULL;
	s[0] = '\0';
	for (i = 0; i < m->nsteps; i++) {
		int64_t ns = m->steps[i].ns;

		a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
		o += sprintf(s + o, "%s%" PRIu64 ":%c%" PRIu64 ".%09" PRIu64,
		    i ? "," : "", m->steps[i].off, ns < 0 ? '-' : '+',
		    a / (uint64_t)NS, a % (uint64_t)NS);
	}
	return s;
}

/* Parse len bytes of "off:+S.NNNNNNNNN,..." into m's steps: 0, or -1
 * (errno EINVAL or ENOMEM; m's steps are then none). */
static int
steps_parse(struct segmeta *m, const char *s, size_t len)
{
	const char *p = s, *end = s + len, *q;
	uint64_t off, sec, frac;
	int neg;

	while (p < end) {
		if (number(&p, end, &off) < 0 || p == end || *p++ != ':' ||
		    p == end || (*p != '+' && *p != '-'))
			goto bad;
		neg = *p++ == '-';
		if (number(&p, end, &sec) < 0 ||
		    sec > (uint64_t)(INT64_MAX / NS - 1) ||
		    p == end || *p++ != '.')
			goto bad;
		q = p;
		if (number(&p, end, &frac) < 0 || p - q != 9)
			goto bad;
		if (segmeta_step_add(m, off, (neg ? -1 : 1) *
		    (int64_t)(sec * (uint64_t)NS + frac)) < 0)
			goto fail;
		if (p < end && (*p++ != ',' || p == end))
			goto bad;
	}
	return 0;
bad:
	errno = EINVAL;
fail:
	m->nsteps = 0;
	return -1;
}

/* Seconds with nanoseconds of ns >= 0 into buf (>= 32 bytes). */
static const char *
seconds(int64_t ns, char *buf)
{
	if (ns < 0)
		ns = 0;
	sprintf(buf, "%" PRId64 ".%09" PRId64, ns / NS, ns % NS);
	return buf;
}

char *
segmeta_gaps_text(const struct segmeta *m)
{
	/* "18446744073709551615+18446744073709551615," at most per gap */
	char *s;
	size_t i, o = 0;

	if (m->ngaps > (SIZE_MAX - 1) / 42) {
		errno = ENOMEM;
		return NULL;
	}
	if ((s = malloc(m->ngaps * 42 + 1)) == NULL)
		return NULL;
	s[0] = '\0';
	for (i = 0; i < m->ngaps; i++)
		o += sprintf(s + o, "%s%" PRIu64 "+%" PRIu64, i ? "," : "",
		    m->gaps[i].off, m->gaps[i].len);
	return s;
}

/* A decimal number at *p (before end) into *v, *p moved past it. */
static int
number(const char **p, const char *end, uint64_t *v)
{
	const char *q = *p;

	*v = 0;
	if (q == end || *q < '0' || *q > '9')
		return -1;
	for (; q < end && *q >= '0' && *q <= '9'; q++) {
		if (*v > (UINT64_MAX - (uint64_t)(*q - '0')) / 10)
			return -1;
		*v = *v * 10 + (uint64_t)(*q - '0');
	}
	*p = q;
	return 0;
}

int
segmeta_gaps_parse(struct segmeta *m, const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	size_t ngaps = m->ngaps;
	uint64_t lost = m->lost_frames, off, n;

	while (p < end && *p == ' ')
		p++;
	if (p == end)
		return 0;
	for (;;) {
		if (number(&p, end, &off) < 0 || p == end || *p++ != '+' ||
		    number(&p, end, &n) < 0)
			goto bad;
		if (gap_push(m, off, n, 0) < 0)
			goto fail;
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			return 0;
		if (*p++ != ',')
			goto bad;
		while (p < end && *p == ' ')
			p++;
	}
bad:
	errno = EINVAL;
fail:
	m->ngaps = ngaps;
	m->lost_frames = lost;
	return -1;
}

/* Value k of levels l as text at o (room for 40 bytes); its length. */
static int
level_value(char *o, const struct level_stat *l, int k)
{
	switch (k) {
	case L_PEAK:
		return isinf(l->peak) ? sprintf(o, "-inf") :
		    sprintf(o, "%.2f", l->peak);
	case L_RMS:
		return isinf(l->rms) ? sprintf(o, "-inf") :
		    sprintf(o, "%.2f", l->rms);
	case L_DC:
		return sprintf(o, "%.6f", l->dc);
	case L_CLIPPED:
		return sprintf(o, "%" PRIu64, l->clipped);
	case L_FLAT:
		return sprintf(o, "%s", l->flat ? "true" : "false");
	default:
		return sprintf(o, "%.3f", l->hum);
	}
}

/* The REC|Level keys of m into g. */
static int
levels_write(struct guano *g, const struct segmeta *m)
{
	char *text;
	unsigned i;
	size_t o;
	int k, rc = 0;

	if (m->nlevels == 0)
		return 0;
	if ((text = malloc((size_t)m->nlevels * 41 + 1)) == NULL)
		return -1;
	for (k = 0; k < L_N; k++) {
		for (i = 0, o = 0; i < m->nlevels; i++) {
			if (i)
				text[o++] = ',';
			o += (size_t)level_value(text + o, &m->levels[i], k);
		}
		text[o] = '\0';
		rc |= guano_add(g, level_keys[k], "%s", text);
	}
	free(text);
	return rc;
}

/* Parse value text t (NUL-terminated) of REC|Level key k into l. */
static int
level_parse(const char *t, struct level_stat *l, int k)
{
	char *end;
	double d;

	errno = 0;
	switch (k) {
	case L_CLIPPED:
		if (*t < '0' || *t > '9')
			return -1;
		l->clipped = strtoull(t, &end, 10);
		break;
	case L_FLAT:
		if (strcmp(t, "true") != 0 && strcmp(t, "false") != 0)
			return -1;
		l->flat = *t == 't';
		return 0;
	default:
		d = strtod(t, &end);
		if (end == t || isnan(d))
			return -1;
		if (k == L_PEAK)
			l->peak = d;
		else if (k == L_RMS)
			l->rms = d;
		else if (k == L_DC)
			l->dc = d;
		else
			l->hum = d;
		break;
	}
	return *end != '\0' || errno == ERANGE ? -1 : 0;
}

/* Read the REC|Level keys of text into m: 0, or -1 with e. */
static int
levels_read(const char *text, size_t len, struct segmeta *m, struct err *e)
{
	char *buf = NULL, *p, *q;
	const char *s;
	unsigned i, n;
	size_t vl;
	int k;

	for (k = 0; k < L_N; k++) {
		if ((s = guano_find(text, len, level_keys[k], &vl)) == NULL)
			continue;
		free(buf);
		if ((buf = malloc(vl + 1)) == NULL)
			goto nomem;
		memcpy(buf, s, vl);
		buf[vl] = '\0';
		for (n = 1, p = buf; *p; p++)
			n += *p == ',';
		if (m->levels == NULL) {
			if ((m->levels = calloc(n, sizeof(*m->levels))) == NULL)
				goto nomem;
			m->nlevels = n;
			for (i = 0; i < n; i++)
				m->levels[i].peak = m->levels[i].rms = -INFINITY;
		}
		if (n != m->nlevels)
			goto bad;
		for (i = 0, p = buf; i < n; i++, p = q + 1) {
			if ((q = strchr(p, ',')) != NULL)
				*q = '\0';
			else
				q = p + strlen(p);
			if (level_parse(p, &m->levels[i], k) < 0)
				goto bad;
		}
		if (k == L_PEAK)
			m->have |= SEGMETA_LEVELS;
	}
	free(buf);
	return 0;
bad:
	free(buf);
	err_set(e, EX_DATAERR, "bad GUANO %s '%.*s'", level_keys[k],
	    vl > 200 ? 200 : (int)vl, s);
	return -1;
nomem:
	free(buf);
	err_set(e, EX_OSERR, "out of memory");
	return -1;
}

int
segmeta_write(struct guano *g, const struct segmeta *m, unsigned keys)
{
	char *gaps;
	int rc = 0;

	if (keys & SEGMETA_STATION)
		rc |= guano_add(g, K_STATION, "%s", m->station);
	if (keys & SEGMETA_DEVICE)
		rc |= guano_add(g, K_DEVICE, "%s", m->device);
	if (keys & SEGMETA_RUN)
		rc |= guano_add(g, K_RUN, "%s", m->run);
	if (keys & SEGMETA_FIRST)
		rc |= guano_add(g, K_FIRST, "%" PRIu64, m->first_frame);
	if (keys & SEGMETA_CHANNELS)
		rc |= guano_add(g, K_CHANNELS, "%u", m->channels);
	if (keys & SEGMETA_FORMAT)
		rc |= guano_add(g, K_FORMAT, "%s", m->format);
	if (keys & SEGMETA_FRAMES)
		rc |= guano_add(g, K_FRAMES, "%" PRIu64, m->frames);
	if (keys & SEGMETA_GAPS) {
		if ((gaps = segmeta_gaps_text(m)) == NULL)
			return -1;
		rc |= guano_add(g, K_GAPS, "%s", gaps);
		free(gaps);
	}
	if (keys & SEGMETA_LOST)
		rc |= guano_add(g, K_LOST, "%" PRIu64, m->lost_frames);
	if (keys & SEGMETA_RECOVERED)
		rc |= guano_add(g, K_RECOVERED, "%s", m->recovered ? "true" :
		    "false");
	if (keys & SEGMETA_CLOCK) {
		char b[32];

		rc |= guano_add(g, K_SYNCED, "%s", m->clock_synced ? "true" :
		    "false");
		rc |= guano_add(g, K_ESTERR, "%s", seconds(m->clock_est_ns, b));
		rc |= guano_add(g, K_MAXERR, "%s", seconds(m->clock_max_ns, b));
	}
	if (keys & SEGMETA_CLOCK_PPM)
		rc |= guano_add(g, K_PPM, "%+.3f", m->clock_ppm);
	if ((keys & SEGMETA_CLOCK_STEPS) && m->nsteps > 0) {
		char *t = steps_text(m);

		if (t == NULL)
			return -1;
		rc |= guano_add(g, K_STEPS, "%s", t);
		free(t);
	}
	if (keys & SEGMETA_LEVELS)
		rc |= levels_write(g, m);
	return rc != 0 ? -1 : 0;
}

/* The number of key in text into *v: 1, 0 when absent, -1 malformed. */
static int
read_number(const char *text, size_t len, const char *key, uint64_t max,
    uint64_t *v, struct err *e)
{
	const char *s, *p;
	size_t n;

	*v = 0;
	if ((s = guano_find(text, len, key, &n)) == NULL)
		return 0;
	p = s;
	if (number(&p, s + n, v) < 0 || p != s + n || *v > max) {
		err_set(e, EX_DATAERR, "bad GUANO %s '%.*s'", key,
		    n > 200 ? 200 : (int)n, s);
		*v = 0;
		return -1;
	}
	return 1;
}

/* Seconds "S.NNNNNNNNN" (at most nine decimals) of key into *ns: 1, 0
 * when absent, -1 malformed. */
static int
read_seconds(const char *text, size_t len, const char *key, int64_t *ns,
    struct err *e)
{
	const char *s, *p, *q;
	uint64_t sec, frac = 0;
	size_t n;
	int digits;

	*ns = 0;
	if ((s = guano_find(text, len, key, &n)) == NULL)
		return 0;
	p = s;
	if (number(&p, s + n, &sec) < 0 || sec > (uint64_t)(INT64_MAX / NS - 1))
		goto bad;
	if (p < s + n && *p == '.') {
		q = ++p;
		if (number(&p, s + n, &frac) < 0 || p - q > 9)
			goto bad;
		for (digits = (int)(p - q); digits < 9; digits++)
			frac *= 10;
	}
	if (p != s + n)
		goto bad;
	*ns = (int64_t)(sec * (uint64_t)NS + frac);
	return 1;
bad:
	err_set(e, EX_DATAERR, "bad GUANO %s '%.*s'", key,
	    n > 200 ? 200 : (int)n, s);
	return -1;
}

/* The REC|Clock keys of text into m: 0, or -1 with e. */
static int
clock_read(const char *text, size_t len, struct segmeta *m, struct err *e)
{
	const char *s;
	char buf[48], *end;
	size_t n;

	if ((s = guano_find(text, len, K_SYNCED, &n)) != NULL) {
		if (!(n == 4 && memcmp(s, "true", 4) == 0) &&
		    !(n == 5 && memcmp(s, "false", 5) == 0)) {
			err_set(e, EX_DATAERR, "bad GUANO %s '%.*s'", K_SYNCED,
			    n > 200 ? 200 : (int)n, s);
			return -1;
		}
		m->clock_synced = n == 4;
		m->have |= SEGMETA_CLOCK;
	}
	if (read_seconds(text, len, K_ESTERR, &m->clock_est_ns, e) < 0 ||
	    read_seconds(text, len, K_MAXERR, &m->clock_max_ns, e) < 0)
		return -1;
	if ((s = guano_find(text, len, K_PPM, &n)) != NULL) {
		if (n == 0 || n >= sizeof(buf))
			goto badppm;
		memcpy(buf, s, n);
		buf[n] = '\0';
		errno = 0;
		m->clock_ppm = strtod(buf, &end);
		if (end == buf || *end != '\0' || errno != 0 ||
		    !isfinite(m->clock_ppm))
			goto badppm;
		m->have |= SEGMETA_CLOCK_PPM;
	}
	if ((s = guano_find(text, len, K_STEPS, &n)) != NULL) {
		if (steps_parse(m, s, n) < 0) {
			if (errno == ENOMEM) {
				err_set(e, EX_OSERR, "out of memory");
				return -1;
			}
			err_set(e, EX_DATAERR, "bad GUANO %s '%.*s'", K_STEPS,
			    n > 200 ? 200 : (int)n, s);
			return -1;
		}
		m->have |= SEGMETA_CLOCK_STEPS;
	}
	return 0;
badppm:
	m->clock_ppm = 0;
	err_set(e, EX_DATAERR, "bad GUANO %s '%.*s'", K_PPM,
	    n > 200 ? 200 : (int)n, s);
	return -1;
}

int
segmeta_read(const char *text, size_t len, struct segmeta *m,
    struct err *e)
{
	static const struct { const char *key; unsigned bit; } str[] = {
		{ K_STATION, SEGMETA_STATION }, { K_DEVICE, SEGMETA_DEVICE },
		{ K_RUN, SEGMETA_RUN }, { K_FORMAT, SEGMETA_FORMAT },
	};
	const char *v[4];
	size_t vl[4], total = 4, i, o;
	uint64_t ch;
	const char *s;
	size_t n;
	int r;

	memset(m, 0, sizeof(*m));
	m->station = m->device = m->run = m->format = "";
	for (i = 0; i < 4; i++) {
		v[i] = guano_find(text, len, str[i].key, &vl[i]);
		if (v[i] != NULL) {
			m->have |= str[i].bit;
			total += vl[i];
		}
	}
	if ((m->strs = malloc(total)) == NULL)
		goto nomem;
	for (i = 0, o = 0; i < 4; i++) {
		const char *t = m->strs + o;

		if (v[i] != NULL)
			memcpy(m->strs + o, v[i], vl[i]);
		o += v[i] != NULL ? vl[i] : 0;
		m->strs[o++] = '\0';
		switch (i) {
		case 0: m->station = t; break;
		case 1: m->device = t; break;
		case 2: m->run = t; break;
		default: m->format = t; break;
		}
	}

	if ((r = read_number(text, len, K_FIRST, UINT64_MAX, &m->first_frame,
	    e)) < 0)
		return -1;
	m->have |= r ? SEGMETA_FIRST : 0;
	if ((r = read_number(text, len, K_CHANNELS, UINT32_MAX, &ch, e)) < 0)
		return -1;
	m->channels = (unsigned)ch;
	m->have |= r ? SEGMETA_CHANNELS : 0;
	if ((r = read_number(text, len, K_FRAMES, UINT64_MAX, &m->frames,
	    e)) < 0)
		return -1;
	m->have |= r ? SEGMETA_FRAMES : 0;
	if ((s = guano_find(text, len, K_GAPS, &n)) != NULL) {
		if (segmeta_gaps_parse(m, s, n) < 0) {
			if (errno == ENOMEM)
				goto nomem;
			err_set(e, EX_DATAERR, "bad GUANO %s '%.*s'", K_GAPS,
			    n > 200 ? 200 : (int)n, s);
			return -1;
		}
		m->have |= SEGMETA_GAPS;
	}
	/* REC|Lost Frames is what the writer said, not the gaps' sum */
	if ((r = read_number(text, len, K_LOST, UINT64_MAX, &m->lost_frames,
	    e)) < 0)
		return -1;
	m->have |= r ? SEGMETA_LOST : 0;
	if ((s = guano_find(text, len, K_RECOVERED, &n)) != NULL) {
		m->have |= SEGMETA_RECOVERED;
		m->recovered = n == 4 && memcmp(s, "true", 4) == 0;
	}
	if (clock_read(text, len, m, e) < 0)
		return -1;
	return levels_read(text, len, m, e);
nomem:
	err_set(e, EX_OSERR, "out of memory");
	return -1;
}

int
segmeta_frames(const char *text, size_t len, uint64_t *frames)
{
	int r = read_number(text, len, K_FRAMES, UINT64_MAX, frames, NULL);

	if (r <= 0) {
		errno = r == 0 ? ENOENT : EINVAL;
		return -1;
	}
	return 0;
}

int
segmeta_final_key(const char *key, size_t klen)
{
	static const char *const keys[] = { K_FRAMES, K_GAPS, K_LOST,
	    K_RECOVERED, K_PPM, K_STEPS, NULL };
	size_t i;

	for (i = 0; keys[i] != NULL; i++)
		if (strlen(keys[i]) == klen && memcmp(key, keys[i], klen) == 0)
			return 1;
	for (i = 0; i < L_N; i++)
		if (strlen(level_keys[i]) == klen &&
		    memcmp(key, level_keys[i], klen) == 0)
			return 1;
	return 0;
}

void
segmeta_free(struct segmeta *m)
{
	free(m->gaps);
	free(m->steps);
	free(m->levels);
	free(m->strs);
	memset(m, 0, sizeof(*m));
}
