/*
 * key.c: the object key of an archive, from the key template ({prefix},
 * {station}, {YYYY}, {MM}, {DD}, {hh}, {name}), and the literal start of
 * every key a station writes.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "aname.h"
#include "upload.h"

/* Has s a "." or ".." path component (which S3 keys may hold, but
 * which a path-normalising proxy or client resolves into another key)? */
int
has_dot_segment(const char *s)
{
	while (*s) {
		size_t l = strcspn(s, "/");
		if ((l == 1 && s[0] == '.') ||
		    (l == 2 && s[0] == '.' && s[1] == '.'))
			return 1;
		s += l;
		if (*s == '/')
			s++;
	}
	return 0;
}

/* Expand the key template for archive name (parsed as an). */
int
make_key(const struct run *r, const char *name, const struct aname *an,
    char *key, size_t len)
{
	const char *t = r->tmpl;
	struct tm tm;
	size_t o = 0;

	gmtime_r(&an->start.tv_sec, &tm);
	while (*t) {
		char val[KEY_MAX];
		const char *v = NULL;
		size_t n;

		if (*t == '{') {
			const char *end = strchr(t, '}');
			size_t vl = end ? (size_t)(end - t - 1) : 0;
			if (end == NULL)
				return -1;
			if (vl == 6 && strncmp(t + 1, "prefix", 6) == 0)
				v = r->prefix;
			else if (vl == 7 && strncmp(t + 1, "station", 7) == 0)
				v = an->station;
			else if (vl == 4 && strncmp(t + 1, "name", 4) == 0)
				v = name;
			else if (vl == 4 && strncmp(t + 1, "YYYY", 4) == 0)
				v = (snprintf(val, sizeof(val), "%04d",
				    tm.tm_year + 1900), val);
			else if (vl == 2 && strncmp(t + 1, "MM", 2) == 0)
				v = (snprintf(val, sizeof(val), "%02d",
				    tm.tm_mon + 1), val);
			else if (vl == 2 && strncmp(t + 1, "DD", 2) == 0)
				v = (snprintf(val, sizeof(val), "%02d",
				    tm.tm_mday), val);
			else if (vl == 2 && strncmp(t + 1, "hh", 2) == 0)
				v = (snprintf(val, sizeof(val), "%02d",
				    tm.tm_hour), val);
			else
				return -1;
			t = end + 1;
		} else {
			val[0] = *t++;
			val[1] = '\0';
			v = val;
		}
		n = strlen(v);
		if (o + n + 1 > len)
			return -1;
		memcpy(key + o, v, n);
		o += n;
	}
	key[o] = '\0';
	return o > 0 && key[0] != '/' && !has_dot_segment(key) ? 0 : -1;
}

/* The literal start of every key this station writes (for listing). */
void
list_prefix(const struct run *r, char *out, size_t len)
{
	const char *t = r->tmpl;
	size_t o = 0;

	while (*t && o + 1 < len) {
		const char *v = NULL;
		if (strncmp(t, "{prefix}", 8) == 0) {
			v = r->prefix;
			t += 8;
		} else if (strncmp(t, "{station}", 9) == 0) {
			v = r->station;
			t += 9;
		} else if (*t == '{') {
			break;
		} else {
			out[o++] = *t++;
			continue;
		}
		o += (size_t)snprintf(out + o, len - o, "%s", v);
		if (o >= len)
			o = len - 1;
	}
	out[o] = '\0';
}
