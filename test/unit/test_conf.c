/* Unit tests: lib/conf (rec.conf: keys, sections, typos refused, where). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "conf.h"

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

int
main(void)
{
	char dir[] = "/tmp/test_conf.XXXXXX", cmd[600];

	if (mkdtemp(dir) == NULL)
		return 2;
	test_conf(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 2;
	return check_done();
}
