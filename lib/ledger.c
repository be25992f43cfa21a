/*
 * ledger: append to and read the spool's upload ledger (see ledger.h);
 * the one place that knows its fields.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aname.h"
#include "file.h"
#include "ledger.h"
#include "utc.h"

/* A field may not hold the separators. */
static int
field_ok(const char *s)
{
	return s != NULL && strpbrk(s, "\t\n") == NULL;
}

int
ledger_append(int dirfd, const struct ledger_entry *e)
{
	char now_s[32], st[40], en[40], *line = NULL;
	time_t now = time(NULL);
	struct tm tm;
	int fd, n, rc = -1, se;

	if (!field_ok(e->key) || !field_ok(e->etag) || !field_ok(e->name)) {
		errno = EINVAL;
		return -1;
	}
	gmtime_r(&now, &tm);
	strftime(now_s, sizeof now_s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = asprintf(&line, "%s\t%s\t%" PRIu64 "\t%s\t%s\t%s\t%s\n", now_s,
	    e->key, e->bytes, e->etag, utc_iso(&e->start, st, sizeof st),
	    utc_iso(&e->end, en, sizeof en), e->name);
	if (n < 0)
		return -1;
	fd = file_open_regular(dirfd, LEDGER_FILE, O_WRONLY | O_APPEND |
	    O_CREAT, 0640);
	se = errno;
	if (fd >= 0) {
		if (file_write_all(fd, line, (size_t)n) == 0 && fsync(fd) == 0)
			rc = 0;
		se = errno;
		if (close(fd) < 0 && rc == 0) {
			se = errno;
			rc = -1;
		}
	}
	free(line);
	errno = se;
	return rc;
}

/* Split line (modified, without its newline) into r; 0, or -1 (fewer
 * than LEDGER_FIELDS fields). */
static int
parse_line(char *line, struct ledger_rec *r)
{
	const char *f[LEDGER_FIELDS];
	char *p = line;
	int n = 0;

	for (; n < LEDGER_FIELDS; n++) {
		f[n] = p;
		if ((p = strchr(p, '\t')) == NULL) {
			n++;
			break;
		}
		*p++ = '\0';	/* more than 7: the 7th ends at a tab */
	}
	if (n < LEDGER_FIELDS)
		return -1;
	memset(r, 0, sizeof *r);
	r->nfields = n;
	r->time = f[0];
	r->key = f[1];
	r->bytes = strtoull(f[2], NULL, 10);
	r->etag = f[3];
	r->start = f[4];
	r->end = f[5];
	r->name = f[6];
	return 0;
}

int
ledger_each(int dirfd, int (*fn)(const struct ledger_rec *, void *),
    void *arg)
{
	struct ledger_rec r;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *fp;
	int fd, rc = 0, se;

	if ((fd = file_open_regular(dirfd, LEDGER_FILE, O_RDONLY, 0)) < 0)
		return errno == ENOENT ? 0 : -1;
	if ((fp = fdopen(fd, "r")) == NULL) {
		se = errno;
		close(fd);
		errno = se;
		return -1;
	}
	while (rc == 0 && (len = getline(&line, &cap, fp)) != -1) {
		if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (parse_line(line, &r) == 0)
			rc = fn(&r, arg);
	}
	se = errno;
	if (rc == 0 && ferror(fp))
		rc = -1;
	free(line);
	fclose(fp);
	errno = se;
	return rc;
}

/* The bytes of the lines whose time starts with a prefix ("2026-11"). */
struct period { char prefix[16]; size_t len; uint64_t sum; };

static int
period_fn(const struct ledger_rec *r, void *arg)
{
	struct period *p = arg;

	if (strncmp(r->time, p->prefix, p->len) == 0)
		p->sum += r->bytes;
	return 0;
}

/*
 * The bytes of the UTC period of now named by the first len characters
 * of its date: 7 ("2026-11") a month, 10 ("2026-11-29") a day.
 */
static int
period_bytes(int dirfd, time_t now, size_t len, uint64_t *bytes)
{
	struct period p = { .len = len, .sum = 0 };
	struct tm tm;

	*bytes = 0;
	gmtime_r(&now, &tm);
	strftime(p.prefix, sizeof p.prefix, "%Y-%m-%d", &tm);
	if (ledger_each(dirfd, period_fn, &p) == -1)
		return -1;
	*bytes = p.sum;
	return 0;
}

int
ledger_month_bytes(int dirfd, time_t now, uint64_t *bytes)
{
	return period_bytes(dirfd, now, 7, bytes);
}

int
ledger_day_bytes(int dirfd, time_t now, uint64_t *bytes)
{
	return period_bytes(dirfd, now, 10, bytes);
}

static int
has_fn(const struct ledger_rec *r, void *arg)
{
	return strcmp(r->name, arg) == 0;
}

int
ledger_has(int dirfd, const char *name)
{
	return ledger_each(dirfd, has_fn, (void *)name);
}

struct hw { const char *station; int64_t ns; int found; };

static int
hw_fn(const struct ledger_rec *r, void *arg)
{
	struct hw *h = arg;
	struct aname an;
	int64_t s;

	if (!aname_is_archive(r->name) || aname_parse(r->name, &an) < 0 ||
	    strcmp(an.station, h->station) != 0)
		return 0;
	s = aname_latest_ns(&an);
	if (!h->found || s > h->ns)
		h->ns = s;
	h->found = 1;
	return 0;
}

int
ledger_high_water(int dirfd, const char *station, int64_t *ns)
{
	struct hw h = { station, INT64_MIN, 0 };

	*ns = INT64_MIN;
	if (ledger_each(dirfd, hw_fn, &h) == -1)
		return -1;
	*ns = h.ns;
	return h.found;
}
