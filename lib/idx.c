/*
 * idx: write and read the segment index beside an archive (see idx.h);
 * the one place that knows its format.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "idx.h"

#define IDX_END		"end"

/* May a segment name of l bytes at p stand on a line of the index? */
static int
name_ok(const char *p, size_t l)
{
	return l > 0 && memchr(p, '/', l) == NULL &&
	    memchr(p, '\n', l) == NULL && memchr(p, '\0', l) == NULL &&
	    !(l == strlen(IDX_END) && memcmp(p, IDX_END, l) == 0);
}

int
idx_format(const char *const *names, size_t n, char **text, size_t *len)
{
	size_t cap = strlen(IDX_MAGIC) + strlen(IDX_END) + 3, i, l;
	char *t, *p;

	*text = NULL;
	*len = 0;
	for (i = 0; i < n; i++) {
		l = strlen(names[i]);
		if (!name_ok(names[i], l)) {
			errno = EINVAL;
			return -1;
		}
		cap += l + 1;
	}
	if ((t = malloc(cap)) == NULL)
		return -1;
	p = t + sprintf(t, "%s\n", IDX_MAGIC);
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s\n", names[i]);
	p += sprintf(p, "%s\n", IDX_END);
	*text = t;
	*len = (size_t)(p - t);
	return 0;
}

/* Append the l bytes at p to the growing array *v of *cnt names. */
static int
add_name(char ***v, size_t *cnt, size_t *cap, const char *p, size_t l)
{
	char **nv;

	if (*cnt == *cap) {
		size_t nc = *cap ? 2 * *cap : 16;

		if ((nv = realloc(*v, nc * sizeof *nv)) == NULL)
			return -1;
		*v = nv;
		*cap = nc;
	}
	if (((*v)[*cnt] = strndup(p, l)) == NULL)
		return -1;
	(*cnt)++;
	return 0;
}

int
idx_parse(const char *text, size_t len, char ***names, size_t *n)
{
	char **v = NULL;
	size_t cnt = 0, cap = 0, l;
	const char *p = text, *end = text + len, *nl;
	int first = 1, ended = 0, se = EINVAL;

	*names = NULL;
	*n = 0;
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL || ended)
			goto bad;
		l = (size_t)(nl - p);
		if (first) {
			if (l != strlen(IDX_MAGIC) ||
			    memcmp(p, IDX_MAGIC, l) != 0)
				goto bad;
			first = 0;
		} else if (l == strlen(IDX_END) && memcmp(p, IDX_END, l) == 0) {
			ended = 1;
		} else if (!name_ok(p, l)) {
			goto bad;
		} else if (add_name(&v, &cnt, &cap, p, l) == -1) {
			se = ENOMEM;
			goto bad;
		}
	}
	if (!ended)
		goto bad;
	*names = v;
	*n = cnt;
	return 0;
bad:
	idx_free(v, cnt);
	errno = se;
	return -1;
}

int
idx_read(int dirfd, const char *name, char ***names, size_t *n)
{
	char *text;
	size_t len;
	int rc, se;

	*names = NULL;
	*n = 0;
	if (file_slurp(dirfd, name, IDX_MAX, &text, &len) == -1)
		return -1;
	rc = idx_parse(text, len, names, n);
	se = errno;
	free(text);
	errno = se;
	return rc;
}

void
idx_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
