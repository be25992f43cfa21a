/*
 * aname: build and parse segment and archive names (see aname.h). The
 * names are the only thing rec-archive's reconciliation and rec-upload's
 * object keys have in common, so parsing is strict.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "aname.h"
#include "conf.h"
#include "utc.h"

static const char *const comp_names[] = { "none", "gzip", "zstd", "xz" };
static const char *const comp_exts[] = { "", ".gz", ".zst", ".xz" };

int
aname_compress_parse(const char *s, enum aname_compress *c)
{
	for (size_t i = 0; i < sizeof comp_names / sizeof comp_names[0]; i++)
		if (strcmp(s, comp_names[i]) == 0) {
			*c = (enum aname_compress)i;
			return 0;
		}
	errno = EINVAL;
	return -1;
}

const char *
aname_compress_name(enum aname_compress c)
{
	return (unsigned)c <= ANAME_XZ ? comp_names[c] : "?";
}

const char *
aname_compress_ext(enum aname_compress c)
{
	return (unsigned)c <= ANAME_XZ ? comp_exts[c] : "";
}

char *
aname_format(const struct aname *an, char *buf, size_t len)
{
	char s[UTC_NAME_LEN + 1], e[UTC_NAME_LEN + 1];
	int n;

	if (!conf_station_valid(an->station)) {
		errno = EINVAL;
		return NULL;
	}
	utc_name(&an->start, s, sizeof s);
	utc_name(&an->end, e, sizeof e);
	n = snprintf(buf, len, "%s_%s_%s.tar%s%s", s, e, an->station,
	    aname_compress_ext(an->compress), an->encrypted ? ".age" : "");
	if (n < 0 || (size_t)n >= len) {
		errno = ERANGE;
		return NULL;
	}
	return buf;
}

/* Parse "<utc>_" at *p; advance p. */
static int
parse_stamp(const char **p, struct timespec *ts)
{
	if (strlen(*p) < UTC_NAME_LEN + 1 || (*p)[UTC_NAME_LEN] != '_' ||
	    utc_parse_name(*p, ts) == -1)
		return -1;
	*p += UTC_NAME_LEN + 1;
	return 0;
}

/* Copy the station at p up to the first '.', into st; advance p. */
static int
parse_station(const char **p, char *st)
{
	const char *dot;
	size_t n;

	/* station names may hold dots: the station ends at ".tar"/".wav" */
	dot = strstr(*p, ".tar");
	if (dot == NULL)
		dot = strstr(*p, ".wav");
	if (dot == NULL)
		return -1;
	n = (size_t)(dot - *p);
	if (n == 0 || n > ANAME_STATION_MAX)
		return -1;
	memcpy(st, *p, n);
	st[n] = '\0';
	if (!conf_station_valid(st))
		return -1;
	*p = dot;
	return 0;
}

int
aname_parse(const char *name, struct aname *an)
{
	const char *p = name;

	memset(an, 0, sizeof *an);
	if (parse_stamp(&p, &an->start) == -1 ||
	    parse_stamp(&p, &an->end) == -1 ||
	    parse_station(&p, an->station) == -1 ||
	    strncmp(p, ".tar", 4) != 0)
		goto bad;
	p += 4;
	for (int c = ANAME_GZIP; c <= ANAME_XZ; c++) {
		size_t n = strlen(comp_exts[c]);
		if (strncmp(p, comp_exts[c], n) == 0 &&
		    (p[n] == '\0' || p[n] == '.')) {
			an->compress = (enum aname_compress)c;
			p += n;
			break;
		}
	}
	if (strncmp(p, ".age", 4) == 0 && (p[4] == '\0' || p[4] == '.')) {
		an->encrypted = 1;
		p += 4;
	}
	if (*p != '\0' && *p != '.')
		goto bad;
	if (utc_ns(&an->end) < utc_ns(&an->start))
		goto bad;
	return (int)(p - name);
bad:
	errno = EINVAL;
	return -1;
}

int
aname_seg_parse(const char *name, struct timespec *start, char *station)
{
	char st[ANAME_STATION_MAX + 1];
	const char *p = name;

	if (parse_stamp(&p, start) == -1 || parse_station(&p, st) == -1 ||
	    strcmp(p, ".wav") != 0) {
		errno = EINVAL;
		return -1;
	}
	if (station != NULL)
		memcpy(station, st, sizeof st);
	return 0;
}
