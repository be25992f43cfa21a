/*
 * Unit tests of lib/ledger: the upload ledger's fields, appended and
 * read back; lines of any length, a ledger over 1 MiB read whole, old
 * 6-field lines, and no link or FIFO followed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aname.h"
#include "check.h"
#include "ledger.h"
#include "utc.h"

static int dfd;

/* Write text as the whole ledger. */
static void
put_ledger(const char *text)
{
	int fd = openat(dfd, LEDGER_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0640);

	CHECK(fd >= 0);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

static int64_t
ns_of(const char *name_form)
{
	struct timespec ts;

	CHECK(utc_parse_name(name_form, &ts) == 0);
	return utc_ns(&ts);
}

/* A line as rec-upload writes it for archive name. */
static void
line_for(char *buf, size_t len, const char *when, const char *name,
    uint64_t bytes)
{
	snprintf(buf, len, "%s\tst/%s\t%" PRIu64 "\tabc\t2026-11-28T03:15:00"
	    ".000000Z\t2026-11-28T03:20:00.000000Z\t%s\n", when, name, bytes,
	    name);
}

struct count { int lines; const char *last_name; size_t longest; };

static int
count_fn(const struct ledger_rec *r, void *arg)
{
	struct count *c = arg;

	c->lines++;
	if (strlen(r->key) > c->longest)
		c->longest = strlen(r->key);
	return 0;
}

static void
test_missing(void)
{
	uint64_t b = 7;
	int64_t ns = 0;

	unlinkat(dfd, LEDGER_FILE, 0);
	CHECK(ledger_has(dfd, "x") == 0);
	CHECK(ledger_month_bytes(dfd, 0, &b) == 0 && b == 0);
	CHECK(ledger_high_water(dfd, "st1", &ns) == 0 && ns == INT64_MIN);
}

static void
test_append_read(void)
{
	const char *a = "20261128T031500.000Z_20261128T032000.000Z_st1.tar";
	const char *b = "20261128T040000.000Z_20261128T030000.000Z_st1.tar.gz";
	struct ledger_entry e = { .key = "k/a", .etag = "\"e1\"", .name = a,
		.bytes = 100 };
	struct count c = { 0 };
	struct aname an;
	int64_t ns;

	unlinkat(dfd, LEDGER_FILE, 0);
	CHECK(aname_parse(a, &an) > 0);
	e.start = an.start;
	e.end = an.end;
	CHECK(ledger_append(dfd, &e) == 0);
	CHECK(aname_parse(b, &an) > 0);
	e.name = b;
	e.key = "k/b";
	e.start = an.start;
	e.end = an.end;
	CHECK(ledger_append(dfd, &e) == 0);
	CHECK(ledger_has(dfd, a) == 1);
	CHECK(ledger_has(dfd, b) == 1);
	CHECK(ledger_has(dfd, "20261128T031500.000Z") == 0);
	CHECK(ledger_each(dfd, count_fn, &c) == 0 && c.lines == 2);
	/* b's end is before its start (a clock set back): its start counts */
	CHECK(ledger_high_water(dfd, "st1", &ns) == 1);
	CHECK(ns == ns_of("20261128T040000.000Z"));
	CHECK(ledger_high_water(dfd, "st", &ns) == 0);
	/* a tab or a newline would break the line: refused */
	e.key = "k\tb";
	CHECK(ledger_append(dfd, &e) == -1 && errno == EINVAL);
	e.key = "k";
	e.name = "a\nb";
	CHECK(ledger_append(dfd, &e) == -1 && errno == EINVAL);
}

/* The UTC day of now only (daily-budget). */
static void
test_day(void)
{
	char text[2048], l[512];
	uint64_t b;
	time_t now = (time_t)1795000000;	/* 2026-11-18 11:06:40 */

	text[0] = '\0';
	line_for(l, sizeof l, "2026-11-18T00:00:00Z",
	    "20261118T000000.000Z_20261118T000100.000Z_st1.tar", 100);
	strcat(text, l);
	line_for(l, sizeof l, "2026-11-17T23:59:59Z",
	    "20261117T000000.000Z_20261117T000100.000Z_st1.tar", 1000);
	strcat(text, l);
	line_for(l, sizeof l, "2026-11-18T23:59:59Z",
	    "20261118T230000.000Z_20261118T230100.000Z_st1.tar", 20);
	strcat(text, l);
	put_ledger(text);
	CHECK(ledger_day_bytes(dfd, now, &b) == 0 && b == 120);
	CHECK(ledger_day_bytes(dfd, now - 86400, &b) == 0 && b == 1000);
	CHECK(ledger_month_bytes(dfd, now, &b) == 0 && b == 1120);
}

static void
test_month(void)
{
	char text[2048], l[512];
	uint64_t b;
	time_t now = (time_t)1795000000;	/* 2026-11-18 */

	text[0] = '\0';
	line_for(l, sizeof l, "2026-11-01T00:00:00Z",
	    "20261101T000000.000Z_20261101T000100.000Z_st1.tar", 100);
	strcat(text, l);
	line_for(l, sizeof l, "2026-10-31T23:59:59Z",
	    "20261031T000000.000Z_20261031T000100.000Z_st1.tar", 1000);
	strcat(text, l);
	strcat(text, "2026-11-02T00:00:00Z\told/20261102T000000.000Z_"
	    "20261102T000100.000Z_st1.tar\t20\tetag\t-\t-\n");
	strcat(text, "garbage\n\n2026-11-03T00:00:00Z\tk\t3");	/* no \n */
	put_ledger(text);
	/* lines of fewer than 7 fields (6, 3, garbage) are skipped */
	CHECK(ledger_month_bytes(dfd, now, &b) == 0);
	CHECK(b == 100);
	CHECK(ledger_has(dfd, "20261102T000000.000Z_20261102T000100.000Z_"
	    "st1.tar") == 0);
}

static void
test_long_lines(void)
{
	size_t klen = 20000, i;
	char *key = malloc(klen + 1), l[512];
	const char *name = "20270101T000000.000Z_20270101T000500.000Z_st1.tar";
	struct ledger_entry e = { .etag = "e", .name = name, .bytes = 5 };
	struct count c = { 0 };
	struct aname an;
	int64_t ns;
	FILE *f;

	CHECK(key != NULL);
	memset(key, 'k', klen);
	key[klen] = '\0';
	unlinkat(dfd, LEDGER_FILE, 0);
	/* over 1 MiB of lines, the newest archive in the first one */
	CHECK(aname_parse(name, &an) > 0);
	e.start = an.start;
	e.end = an.end;
	e.key = key;
	CHECK(ledger_append(dfd, &e) == 0);
	f = fdopen(openat(dfd, LEDGER_FILE, O_WRONLY | O_APPEND), "a");
	CHECK(f != NULL);
	for (i = 0; i < 10000; i++) {
		char nm[128];

		snprintf(nm, sizeof nm, "20260101T%02zu%02zu%02zu.000Z_20260101"
		    "T000000.000Z_st1.tar", i / 3600 % 24, i / 60 % 60, i % 60);
		line_for(l, sizeof l, "2026-01-01T00:00:00Z", nm, 1);
		fputs(l, f);
	}
	fclose(f);
	{
		struct stat st;

		CHECK(fstatat(dfd, LEDGER_FILE, &st, 0) == 0);
		CHECK(st.st_size > (1 << 20));
	}
	CHECK(ledger_each(dfd, count_fn, &c) == 0);
	CHECK(c.lines == 10001);
	CHECK(c.longest == klen);
	CHECK(ledger_has(dfd, name) == 1);
	CHECK(ledger_high_water(dfd, "st1", &ns) == 1);
	CHECK(ns == ns_of("20270101T000500.000Z"));
	free(key);
}

static void
test_not_regular(void)
{
	const char *name = "20261128T031500.000Z_20261128T032000.000Z_st1.tar";
	struct ledger_entry e = { .key = "k", .etag = "e", .name = name };
	struct stat st;
	uint64_t b;
	int64_t ns;

	unlinkat(dfd, LEDGER_FILE, 0);
	put_ledger("");
	renameat(dfd, LEDGER_FILE, dfd, "elsewhere");
	CHECK(symlinkat("elsewhere", dfd, LEDGER_FILE) == 0);
	CHECK(ledger_append(dfd, &e) == -1 && errno == ELOOP);
	CHECK(fstatat(dfd, "elsewhere", &st, 0) == 0 && st.st_size == 0);
	CHECK(ledger_has(dfd, name) == -1 && errno == ELOOP);
	CHECK(ledger_month_bytes(dfd, 0, &b) == -1 && b == 0);
	unlinkat(dfd, LEDGER_FILE, 0);
	/* a FIFO: refused, never waited on */
	CHECK(mkfifoat(dfd, LEDGER_FILE, 0600) == 0);
	CHECK(ledger_high_water(dfd, "st1", &ns) == -1 && errno == EINVAL);
	CHECK(ledger_append(dfd, &e) == -1 && errno == EINVAL);
	unlinkat(dfd, LEDGER_FILE, 0);
}

int
main(void)
{
	char dir[] = "/tmp/test_ledger.XXXXXX";

	CHECK(mkdtemp(dir) != NULL);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	test_missing();
	test_append_read();
	test_month();
	test_day();
	test_long_lines();
	test_not_regular();
	unlinkat(dfd, LEDGER_FILE, 0);
	unlinkat(dfd, "elsewhere", 0);
	close(dfd);
	rmdir(dir);
	return check_done();
}
