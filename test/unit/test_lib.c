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
	test_strbuf();
	test_conf(dir);
	test_spool(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 2;
	return check_done();
}
