/* Unit tests: lib/parse, lib/utc, lib/conf, lib/spool, lib/file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "conf.h"
#include "file.h"
#include "log.h"
#include "parse.h"
#include "spool.h"
#include "strbuf.h"
#include "utc.h"

static void
test_parse(void)
{
	uint64_t v;
	int b;

	CHECK(parse_size("10M", &v) == 0 && v == 10485760);
	CHECK(parse_size("64KiB", &v) == 0 && v == 65536);
	CHECK(parse_size("7", &v) == 0 && v == 7);
	CHECK(parse_size("2g", &v) == 0 && v == 2147483648ULL);
	CHECK(parse_size("-1", &v) < 0);
	CHECK(parse_size("10Q", &v) < 0);
	CHECK(parse_size("", &v) < 0);
	CHECK(parse_size("99999999999T", &v) < 0 && errno == ERANGE);
	CHECK(parse_duration_ms("90", &v) == 0 && v == 90000);
	CHECK(parse_duration_ms("1h30m", &v) == 0 && v == 5400000);
	CHECK(parse_duration_ms("250ms", &v) == 0 && v == 250);
	CHECK(parse_duration_ms("1.5s", &v) == 0 && v == 1500);
	CHECK(parse_duration_ms("7d", &v) == 0 && v == 604800000);
	CHECK(parse_duration_ms("x", &v) < 0);
	CHECK(parse_duration_ms("5y", &v) < 0);
	CHECK(parse_duration_ms("-5", &v) < 0);
	CHECK(parse_uint("48000", 1, 768000, &v) == 0 && v == 48000);
	CHECK(parse_uint("0", 1, 10, &v) < 0);
	CHECK(parse_uint("12a", 1, 100, &v) < 0);
	CHECK(parse_uint("+5", 1, 100, &v) < 0);
	CHECK(parse_bool("yes", &b) == 0 && b == 1);
	CHECK(parse_bool("Off", &b) == 0 && b == 0);
	CHECK(parse_bool("maybe", &b) < 0);
}

static void
test_utc(void)
{
	struct timespec ts = { 1795835700, 123456789 }, back;
	char buf[64];

	utc_name(&ts, buf, sizeof(buf));
	CHECK_STR(buf, "20261128T031500.123Z");
	utc_iso(&ts, buf, sizeof(buf));
	CHECK_STR(buf, "2026-11-28T03:15:00.123456Z");
	CHECK(utc_parse_iso(buf, &back) == 0 && back.tv_sec == ts.tv_sec &&
	    back.tv_nsec == 123456000);
	CHECK(utc_parse_name("20261128T031500.123Z_x.wav", &back) == 0 &&
	    back.tv_sec == ts.tv_sec && back.tv_nsec == 123000000);
	CHECK(utc_parse_name("2026112XT031500.123Z", &back) < 0);
	CHECK(utc_parse_iso("2026-13-28T03:15:00Z", &back) < 0);
	CHECK(utc_ns(&ts) == 1795835700123456789LL);
	back = utc_from_ns(utc_ns(&ts));
	CHECK(back.tv_sec == ts.tv_sec && back.tv_nsec == ts.tv_nsec);
}

/*
 * Far dates: our own 64-bit calendar agrees with timegm(3) for
 * 1901..9999 (1901..2037 where time_t has 32 bits: a struct timespec holds
 * no more there; test_time2038 checks the refusal), int64 nanoseconds
 * saturate or are refused (ERANGE) outside 1677..2262 instead of
 * overflowing.
 */
static void
test_utc_range(void)
{
	struct timespec ts, back;
	struct tm tm;
	char in[64], buf[64];
	int64_t ns;
	int y, bad = 0, wide = sizeof(time_t) == 8;

	for (y = wide ? 1901 : 1902; y <= (wide ? 9999 : 2037);
	    y += (y < 1972 || y > 2259) ? 1 : 7) {
		snprintf(in, sizeof(in), "%04d-%02d-%02dT%02d:%02d:%02d.5Z", y,
		    y % 12 + 1, y % 28 + 1, y % 24, y % 60, (y * 7) % 60);
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900;
		tm.tm_mon = y % 12;
		tm.tm_mday = y % 28 + 1;
		tm.tm_hour = y % 24;
		tm.tm_min = y % 60;
		tm.tm_sec = (y * 7) % 60;
		if (utc_parse_iso(in, &ts) != 0 || ts.tv_sec != timegm(&tm) ||
		    ts.tv_nsec != 500000000) {
			bad++;
			continue;
		}
		utc_iso(&ts, buf, sizeof(buf));
		snprintf(in + 19, sizeof(in) - 19, ".500000Z");
		if (strcmp(buf, in) != 0)
			bad++;
		/* int64 ns: exact inside 1677..2262, saturated outside */
		ns = utc_ns(&ts);
		if (y < 2262 && (ns != ts.tv_sec * 1000000000LL + 500000000 ||
		    utc_parse_iso_ns(in, &ns) != 0 ||
		    strcmp(utc_iso_ns(ns, buf, sizeof(buf)), in) != 0))
			bad++;
		if (y > 2262 && (ns != INT64_MAX ||
		    utc_parse_iso_ns(in, &ns) != -1 || errno != ERANGE))
			bad++;
	}
	CHECK(bad == 0);
	/* the edges of int64 nanoseconds */
	CHECK(utc_parse_iso_ns("2262-04-11T23:47:16.854775807Z", &ns) == 0 &&
	    ns == INT64_MAX);
	CHECK(utc_parse_iso_ns("2262-04-11T23:47:16.854775808Z", &ns) < 0 &&
	    errno == ERANGE);
	CHECK(utc_parse_iso_ns("1677-09-21T00:12:43.145224192Z", &ns) == 0 &&
	    ns == INT64_MIN);
	CHECK(utc_parse_iso_ns("1677-09-21T00:12:43.145224191Z", &ns) < 0 &&
	    errno == ERANGE);
	if (wide) {
		CHECK(utc_parse_iso("9999-12-31T23:59:59.999999999Z", &ts) == 0);
		CHECK(utc_ns(&ts) == INT64_MAX);
		CHECK_STR(utc_name(&ts, buf, sizeof(buf)),
		    "99991231T235959.999Z");
		CHECK(utc_parse_iso("0001-01-01T00:00:00Z", &ts) == 0);
		CHECK(utc_ns(&ts) == INT64_MIN);
	}
	CHECK_STR(utc_iso_ns(INT64_MAX, buf, sizeof(buf)),
	    "2262-04-11T23:47:16.854775Z");
	CHECK_STR(utc_iso_ns(INT64_MIN, buf, sizeof(buf)),
	    "1677-09-21T00:12:43.145224Z");
	/* before 1970: negative, floored, not truncated toward zero */
	CHECK_STR(utc_iso_ns(-1, buf, sizeof(buf)),
	    "1969-12-31T23:59:59.999999Z");
	back = utc_from_ns(-1);
	CHECK(back.tv_sec == -1 && back.tv_nsec == 999999999);
	CHECK(utc_parse_name("19011213T204552.000Z", &ts) == 0 &&
	    ts.tv_sec == -2147483648LL && utc_ns(&ts) ==
	    -2147483648LL * 1000000000LL);
	CHECK(utc_parse_iso_ns("2038-01-19T03:14:08Z", &ns) == 0 &&
	    ns == 2147483648LL * 1000000000LL);
	/* Feb 29 rolls like timegm; no year 10000 in four digits */
	if (wide) {
		CHECK(utc_parse_iso("2100-02-29T00:00:00Z", &ts) == 0);
		CHECK_STR(utc_iso(&ts, buf, sizeof(buf)),
		    "2100-03-01T00:00:00.000000Z");
		CHECK(utc_parse_iso("2400-02-29T00:00:00Z", &ts) == 0);
		CHECK_STR(utc_iso(&ts, buf, sizeof(buf)),
		    "2400-02-29T00:00:00.000000Z");
	}
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	fputs(text, fp);
	fclose(fp);
}

static void
test_conf(const char *dir)
{
	char path[512], st[80];
	struct conf *c;
	struct err e;
	size_t it = 0;

	snprintf(path, sizeof(path), "%s/rec.conf", dir);
	write_file(path, "# comment\nspool = /tmp/x\nstation=st1\n\n"
	    "[capture]\nrate = 44100\n[archive]\nrecipient = a\n"
	    "recipient = b\n");
	CHECK(conf_load(&c, path, &e) == 0);
	CHECK_STR(conf_get(c, "capture", "rate"), "44100");
	CHECK(conf_get(c, "capture", "channels") == NULL);
	CHECK_STR(conf_spool(c, NULL), "/tmp/x");
	CHECK_STR(conf_spool(c, "/flag"), "/flag");
	CHECK(conf_station(c, NULL, st, sizeof(st), &e) == 0);
	CHECK_STR(st, "st1");
	CHECK(conf_station(c, "bad_name", st, sizeof(st), &e) < 0 &&
	    e.ex == 64);
	CHECK_STR(conf_next(c, "archive", "recipient", &it), "a");
	CHECK_STR(conf_next(c, "archive", "recipient", &it), "b");
	CHECK(conf_next(c, "archive", "recipient", &it) == NULL);
	
	CHECK(strstr(conf_where(c, "capture", "rate"), ":6") != NULL);
	conf_free(c);

	write_file(path, "[capture]\nrate = 1\nratee = 2\n");
	CHECK(conf_load(&c, path, &e) < 0 && e.ex == 78);
	CHECK(strstr(e.msg, ":3: unknown key 'ratee' in [capture]") != NULL);
	write_file(path, "[captur]\nrate = 1\n");
	CHECK(conf_load(&c, path, &e) < 0 && e.ex == 78);
	CHECK(strstr(e.msg, ":2: unknown section [captur]") != NULL);
	write_file(path, "spool = 1\nthis is not ini\n");
	CHECK(conf_load(&c, path, &e) < 0 && e.ex == 78);
	CHECK(strstr(e.msg, ":2:") != NULL);
	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	CHECK(conf_load(&c, path, &e) < 0 && e.ex == 78);
}

static void
test_spool(const char *dir)
{
	char path[512], **names;
	struct spool sp, sp2;
	struct err e;
	size_t n;
	uint64_t bytes;
	int fd;

	snprintf(path, sizeof(path), "%s/spool/deep", dir);
	CHECK(spool_open(&sp, path, &e) == 0);
	fd = spool_create_tmp(&sp, "b.wav");
	CHECK(fd >= 0);
	CHECK(write(fd, "xy", 2) == 2);
	close(fd);
	CHECK(spool_create_tmp(&sp, "b.wav") < 0 && errno == EEXIST);
	CHECK(spool_publish(&sp, SPOOL_TMP, "b.wav", SPOOL_SEG, NULL) == 0);
	fd = spool_create_tmp(&sp, "a.wav");
	close(fd);
	CHECK(spool_publish(&sp, SPOOL_TMP, "a.wav", SPOOL_SEG, NULL) == 0);
	fd = spool_create_tmp(&sp, "a.wav");
	close(fd);
	/* never replaces a published file */
	CHECK(spool_publish(&sp, SPOOL_TMP, "a.wav", SPOOL_SEG, NULL) < 0 &&
	    errno == EEXIST);
	CHECK(spool_quarantine(&sp, SPOOL_TMP, "a.wav") == 0);
	fd = spool_create_tmp(&sp, "a.wav");
	close(fd);
	CHECK(spool_quarantine(&sp, SPOOL_TMP, "a.wav") == 0);
	CHECK(spool_list(&sp, SPOOL_CORRUPT, NULL, &names, &n) == 0 && n == 2);
	CHECK_STR(names[0], "a.wav");
	CHECK_STR(names[1], "a.wav.1");
	spool_names_free(names, n);
	CHECK(spool_list(&sp, SPOOL_SEG, ".wav", &names, &n) == 0 && n == 2);
	CHECK_STR(names[0], "a.wav");
	CHECK_STR(names[1], "b.wav");
	spool_names_free(names, n);
	CHECK(spool_usage(&sp, SPOOL_SEG, NULL, &bytes, &n) == 0 &&
	    bytes == 2 && n == 2);
	CHECK(spool_remove(&sp, SPOOL_SEG, "a.wav") == 0);
	CHECK(spool_free_bytes(&sp, &bytes) == 0 && bytes > 0);
	/* the lock is exclusive between opens */
	CHECK(spool_open(&sp2, path, &e) == 0);
	CHECK(spool_lock_busy(&sp2) == 0);
	CHECK(spool_lock(&sp, 0) == 0);
	CHECK(spool_lock_busy(&sp2) == 1);
	CHECK(spool_lock(&sp2, 0) < 0 && errno == EWOULDBLOCK);
	spool_unlock(&sp);
	CHECK(spool_lock(&sp2, 0) == 0);
	spool_close(&sp2);
	/* no reader on the FIFO is not an error */
	CHECK(spool_trigger(&sp, "seg/b.wav") == 0);
	/* a file in place of a state directory */
	spool_close(&sp);
	snprintf(path, sizeof(path), "%s/notdir", dir);
	write_file(path, "x");
	CHECK(spool_open(&sp, path, &e) < 0 && e.ex == 73);
	snprintf(path, sizeof(path), "%s/x.txt", dir);
	CHECK(file_replace(AT_FDCWD, path, "hello", 5, 0644) == 0);
	{
		char *buf;
		size_t l;
		CHECK(file_slurp(AT_FDCWD, path, 100, &buf, &l) == 0 &&
		    l == 5 && strcmp(buf, "hello") == 0);
		free(buf);
		CHECK(file_slurp(AT_FDCWD, path, 2, &buf, &l) < 0 &&
		    errno == EFBIG);
	}
}

/* 1 when path holds exactly text. */
static int
has_text(const char *path, const char *text)
{
	char buf[256];
	FILE *fp = fopen(path, "r");
	size_t n;

	if (fp == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return strcmp(buf, text) == 0;
}

/*
 * A link or a FIFO in place of a spool file is refused and its target
 * left alone; the spool refuses group/other-writable or foreign
 * directories; locks are 0600.
 */
static void
test_spool_safety(const char *dir)
{
	char sp_dir[256], path[512], victim[512], *buf;
	struct spool sp;
	struct stat st;
	struct err e;
	size_t l;
	int fd;

	snprintf(sp_dir, sizeof(sp_dir), "%s/safe", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	write_file(victim, "precious");
	CHECK(spool_open(&sp, sp_dir, &e) == 0);
	CHECK(fstat(sp.dirfd, &st) == 0 && (st.st_mode & 022) == 0);

	/* a link in out/ (rec-upload would send its target) */
	snprintf(path, sizeof(path), "%s/out/x.tar", sp_dir);
	CHECK(symlink(victim, path) == 0);
	CHECK(file_open_regular(sp.fd[SPOOL_OUT], "x.tar", O_RDONLY, 0) < 0 &&
	    errno == ELOOP);
	CHECK(file_slurp(sp.fd[SPOOL_OUT], "x.tar", 100, &buf, &l) < 0 &&
	    errno == ELOOP);
	CHECK(file_open_regular(sp.fd[SPOOL_OUT], "x.tar", O_WRONLY | O_TRUNC,
	    0) < 0 && errno == ELOOP);
	CHECK(spool_create_tmp(&sp, "../out/x.tar") < 0 && errno == EEXIST);
	{
		uint64_t bytes;
		size_t n;
		CHECK(spool_usage(&sp, SPOOL_OUT, NULL, &bytes, &n) == 0 &&
		    n == 0 && bytes == 0);
	}
	/* a FIFO in seg/: refused at once, not a hang */
	snprintf(path, sizeof(path), "%s/seg/y.wav", sp_dir);
	CHECK(mkfifo(path, 0600) == 0);
	CHECK(file_open_regular(sp.fd[SPOOL_SEG], "y.wav", O_RDONLY, 0) < 0 &&
	    errno == EINVAL);
	CHECK(file_open_regular(sp.fd[SPOOL_SEG], ".", O_RDONLY, 0) < 0 &&
	    errno == EISDIR);
	fd = file_open_regular(sp.fd[SPOOL_SEG], "z.wav", O_RDWR | O_CREAT,
	    0640);
	CHECK(fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK) == 0);
	if (fd >= 0)
		close(fd);
	/* a file in place of the trigger FIFO gets no wake-up line */
	snprintf(path, sizeof(path), "%s/trigger", sp_dir);
	CHECK(unlink(path) == 0 && symlink(victim, path) == 0);
	CHECK(spool_trigger(&sp, "seg/a.wav") < 0 && errno == ELOOP);
	CHECK(unlink(path) == 0);
	write_file(path, "");
	CHECK(spool_trigger(&sp, "seg/a.wav") < 0 && errno == EINVAL);
	CHECK(has_text(path, ""));
	CHECK(unlink(path) == 0 && mkfifo(path, 0600) == 0);
	spool_close(&sp);

	/* a link at the lock (recd wrote its pid into the target) */
	snprintf(path, sizeof(path), "%s/lock", sp_dir);
	CHECK(unlink(path) == 0 && symlink(victim, path) == 0);
	CHECK(spool_open(&sp, sp_dir, &e) < 0 && e.ex == 77);
	CHECK(file_open_lock(AT_FDCWD, path) < 0 && errno == ELOOP);
	CHECK(has_text(victim, "precious"));
	/* an old 0640 lock is made 0600: readers could flock it */
	CHECK(unlink(path) == 0);
	write_file(path, "");
	CHECK(chmod(path, 0640) == 0);
	CHECK(spool_open(&sp, sp_dir, &e) == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(chmod(path, 0644) == 0);
	CHECK(spool_lock(&sp, 0) == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	spool_close(&sp);

	/* group- or other-writable spool or state: refused (77) */
	CHECK(chmod(sp_dir, 0770) == 0);
	CHECK(spool_open(&sp, sp_dir, &e) < 0 && e.ex == 77 &&
	    strstr(e.msg, "writable by its group") != NULL);
	CHECK(chmod(sp_dir, 0757) == 0);
	CHECK(spool_open(&sp, sp_dir, &e) < 0 && e.ex == 77 &&
	    strstr(e.msg, "writable by others") != NULL);
	CHECK(chmod(sp_dir, 0750) == 0);
	snprintf(path, sizeof(path), "%s/out", sp_dir);
	CHECK(chmod(path, 01777) == 0);
	CHECK(spool_open(&sp, sp_dir, &e) < 0 && e.ex == 77 &&
	    strstr(e.msg, "/out") != NULL);
	CHECK(chmod(path, 0750) == 0);
	/* a state that is a link leads out of the spool */
	snprintf(path, sizeof(path), "%s/corrupt", sp_dir);
	CHECK(rmdir(path) == 0 && symlink(dir, path) == 0);
	CHECK(spool_open(&sp, sp_dir, &e) < 0 && e.ex == 77);
	CHECK(unlink(path) == 0);
	CHECK(spool_open(&sp, sp_dir, &e) == 0);
	spool_close(&sp);
	/* owned by someone else (needs root to set up) */
	if (geteuid() == 0) {
		CHECK(chown(sp_dir, 4242, 4242) == 0);
		CHECK(spool_open(&sp, sp_dir, &e) < 0 && e.ex == 77 &&
		    strstr(e.msg, "owned by uid 4242") != NULL);
		CHECK(chown(sp_dir, 0, 0) == 0);
		snprintf(path, sizeof(path), "%s/lock", sp_dir);
		CHECK(chown(path, 4242, 4242) == 0);
		CHECK(file_open_lock(AT_FDCWD, path) < 0 && errno == EPERM);
	} else {
		printf("skip: not root, cannot chown to test a foreign spool\n");
	}
	CHECK(has_text(victim, "precious"));
}

/* A secret key echoed by any message is masked in the log line. */
static void
test_log_redacts(const char *dir)
{
	char path[512], buf[512];
	int fd, saved;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/log", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	saved = dup(2);
	CHECK(fd >= 0 && saved >= 0 && dup2(fd, 2) == 2);
	log_init("test_lib");
	log_error("bad recipient \"%s\" in %s", "age-secret-key-1gfpyysjz"
	    "gfpyysjzgfpyysjz", "rec.conf");
	log_warn("x=AGE-SECRET-KEY-1QQQQ, y=AGE-SECRET-KEY-PQ-1ZZZZ");
	CHECK(dup2(saved, 2) == 2);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	CHECK(strncmp(buf, "test_lib: error: bad recipient \"age-secret-key-"
	    "****", strlen("test_lib: error: bad recipient \"age-secret-key-"
	    "****")) == 0);
	CHECK(strstr(buf, "*\" in rec.conf\n") != NULL);
	CHECK(strstr(buf, "gfpyy") == NULL && strstr(buf, "QQQQ") == NULL &&
	    strstr(buf, "ZZZZ") == NULL);
	CHECK(strstr(buf, ", y=AGE-SECRET-KEY-") != NULL);
}

static void
test_strbuf(void)
{
	struct strbuf b = { 0 };
	char big[3000];
	char *p;

	CHECK_STR(strbuf_done(&b), "");
	strbuf_str(&b, "ab");
	strbuf_add(&b, "cdef", 2);
	strbuf_fmt(&b, "-%d-%s", 42, "x");
	CHECK_STR(b.p, "abcd-42-x");
	CHECK(b.len == 9);
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	strbuf_fmt(&b, "%s!", big);
	CHECK(b.len == 9 + sizeof(big));
	CHECK(b.p[b.len - 1] == '!' && b.p[b.len] == '\0');
	p = strbuf_done(&b);
	CHECK(p != NULL && strncmp(p, "abcd-42-xyyy", 12) == 0);
	free(p);
}

int
main(void)
{
	char dir[] = "/tmp/test_lib.XXXXXX", cmd[600];

	if (mkdtemp(dir) == NULL)
		return 2;
	test_parse();
	test_utc();
	test_utc_range();
	test_strbuf();
	test_conf(dir);
	test_spool(dir);
	test_spool_safety(dir);
	test_log_redacts(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 2;
	return check_done();
}
