/*
 * guano: build and read GUANO metadata text.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guano.h"

static int
reserve(struct guano *g, size_t more)
{
	char *nb;
	size_t cap;

	if (g->len + more + 1 <= g->cap)
		return 0;
	cap = g->cap ? g->cap : 256;
	while (cap < g->len + more + 1)
		cap *= 2;
	if ((nb = realloc(g->buf, cap)) == NULL)
		return -1;
	g->buf = nb;
	g->cap = cap;
	return 0;
}

int
guano_init(struct guano *g)
{
	static const char first[] = "GUANO|Version: 1.0\n";

	memset(g, 0, sizeof(*g));
	if (reserve(g, sizeof(first)) < 0)
		return -1;
	memcpy(g->buf, first, sizeof(first));
	g->len = sizeof(first) - 1;
	return 0;
}

int
guano_add(struct guano *g, const char *key, const char *fmt, ...)
{
	va_list ap;
	size_t kl = strlen(key), i, start;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || reserve(g, kl + 2 + n + 1) < 0)
		return -1;
	memcpy(g->buf + g->len, key, kl);
	memcpy(g->buf + g->len + kl, ": ", 2);
	start = g->len + kl + 2;
	va_start(ap, fmt);
	vsnprintf(g->buf + start, n + 1, fmt, ap);
	va_end(ap);
	for (i = start; i < start + n; i++)
		if (g->buf[i] == '\n' || g->buf[i] == '\r')
			g->buf[i] = ' ';
	g->len = start + n;
	g->buf[g->len++] = '\n';
	g->buf[g->len] = '\0';
	return 0;
}

void
guano_free(struct guano *g)
{
	free(g->buf);
	memset(g, 0, sizeof(*g));
}

const char *
guano_find(const char *text, size_t len, const char *key, size_t *vlen)
{
	const char *p = text, *end = text + len, *eol, *colon, *v, *ve;
	size_t kl = strlen(key);

	while (p < end) {
		eol = memchr(p, '\n', end - p);
		if (eol == NULL)
			eol = end;
		colon = memchr(p, ':', eol - p);
		if (colon != NULL && (size_t)(colon - p) == kl &&
		    memcmp(p, key, kl) == 0) {
			for (v = colon + 1; v < eol && (*v == ' ' ||
			    *v == '\t'); v++)
				;
			for (ve = eol; ve > v && (ve[-1] == ' ' ||
			    ve[-1] == '\t' || ve[-1] == '\r' ||
			    ve[-1] == '\0'); ve--)
				;
			*vlen = ve - v;
			return v;
		}
		p = eol + 1;
	}
	errno = ENOENT;
	return NULL;
}

int
guano_get(const char *text, size_t len, const char *key, char *val,
    size_t vlen)
{
	const char *v;
	size_t n;

	if ((v = guano_find(text, len, key, &n)) == NULL)
		return -1;
	if (n >= vlen) {
		errno = ERANGE;
		return -1;
	}
	memcpy(val, v, n);
	val[n] = '\0';
	return n;
}
