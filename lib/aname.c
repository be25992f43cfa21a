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

/* Copy the n bytes at p into st when they are a station name. */
static int
copy_station(const char *p, size_t n, char *st)
{
	if (n == 0 || n > ANAME_STATION_MAX)
		return -1;
	memcpy(st, p, n);
	st[n] = '\0';
	return conf_station_valid(st) ? 0 : -1;
}

/*
 * The length of ".tar[.gz|.zst|.xz][.age]" at p, its parts into an; 0
 * when p does not start with one that ends at the end or before a '.'.
 */
static size_t
parse_suffix(const char *p, struct aname *an)
{
	size_t len = 4, n;

	if (strncmp(p, ".tar", 4) != 0)
		return 0;
	an->compress = ANAME_NONE;
	an->encrypted = 0;
	for (int c = ANAME_GZIP; c <= ANAME_XZ; c++) {
		n = strlen(comp_exts[c]);
		if (strncmp(p + len, comp_exts[c], n) == 0 &&
		    (p[len + n] == '\0' || p[len + n] == '.')) {
			an->compress = (enum aname_compress)c;
			len += n;
			break;
		}
	}
	if (strncmp(p + len, ".age", 4) == 0 &&
	    (p[len + 4] == '\0' || p[len + 4] == '.')) {
		an->encrypted = 1;
		len += 4;
	}
	return p[len] == '\0' || p[len] == '.' ? len : 0;
}

int
aname_parse(const char *name, struct aname *an)
{
	const char *p = name, *q, *tar = NULL;
	size_t len = 0, n;

	memset(an, 0, sizeof *an);
	if (parse_stamp(&p, &an->start) == -1 ||
	    parse_stamp(&p, &an->end) == -1)
		goto bad;
	/*
	 * A station may hold ".tar" and ".wav" itself (pi.wave, x.tar.gz):
	 * its name ends at the LAST ".tar" that starts a valid suffix, as no
	 * caller's rest (".sums", ".idx", ".upload", ".part") holds ".tar".
	 * The start and end are labels, in either order (a clock set back).
	 */
	for (q = strstr(p, ".tar"); q != NULL; q = strstr(q + 1, ".tar"))
		if ((n = parse_suffix(q, an)) > 0) {
			tar = q;
			len = n;
		}
	if (tar == NULL || copy_station(p, (size_t)(tar - p),
	    an->station) == -1)
		goto bad;
	parse_suffix(tar, an);	/* the last one's parts */
	return (int)(tar + len - name);
bad:
	errno = EINVAL;
	return -1;
}

int64_t
aname_latest_ns(const struct aname *an)
{
	int64_t s = utc_ns(&an->start), e = utc_ns(&an->end);

	return e > s ? e : s;
}

int
aname_is_archive(const char *name)
{
	struct aname an;
	int len = aname_parse(name, &an);

	return len > 0 && (size_t)len == strlen(name);
}

int
aname_seg_parse(const char *name, struct timespec *start, char *station)
{
	char st[ANAME_STATION_MAX + 1];
	const char *p = name;
	size_t n;

	/* the station is all up to the final ".wav", whatever it holds */
	if (parse_stamp(&p, start) == -1 || (n = strlen(p)) < 4 ||
	    strcmp(p + n - 4, ".wav") != 0 ||
	    copy_station(p, n - 4, st) == -1) {
		errno = EINVAL;
		return -1;
	}
	if (station != NULL)
		memcpy(station, st, sizeof st);
	return 0;
}
