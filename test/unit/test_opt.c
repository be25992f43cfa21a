/*
 * test_opt: lib/opt, the options layer: the shared block, short letters
 * only where a table gives them, resolution flag > environment > rec.conf
 * > default, the origin of a bad value (64 flag, 78 FILE:LINE), and the
 * one verbosity rule (-q beats verbose = yes in the file).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "check.h"
#include "conf.h"
#include "log.h"
#include "opt.h"

static const char *const codecs[] = { "wav", "flac", NULL };

enum { O_RATE, O_SIZE, O_AGE, O_CODEC, O_WAIT, O_LIST, O_NAME, O_ENVED };
static struct opt tab[] = {
	[O_RATE] = { .name = "rate", .shrt = 'r', .type = OPT_UINT,
	    .section = "capture", .key = "rate", .min = 1, .max = 768000 },
	[O_SIZE] = { .name = "min-bytes", .type = OPT_SIZE,
	    .section = "archive", .key = "min-bytes" },
	[O_AGE] = { .name = "max-age", .type = OPT_DURATION,
	    .section = "archive", .key = "max-age" },
	[O_CODEC] = { .name = "codec", .type = OPT_ENUM, .section = "archive",
	    .key = "codec", .choices = codecs },
	[O_WAIT] = { .name = "wait", .type = OPT_BOOL, .section = "archive",
	    .key = "wait" },
	[O_LIST] = { .name = "recipient", .type = OPT_LIST },
	[O_NAME] = { .name = "station", .type = OPT_STR },
	[O_ENVED] = { .type = OPT_STR, .section = "upload", .key = "region",
	    .env = "TEST_OPT_REGION" },
	{ .name = NULL }
};

/* Parse a NULL-terminated argument list. */
static int
parse(struct opt_common *oc, struct err *e, ...)
{
	static char *argv[32];
	va_list ap;
	int argc = 0;

	va_start(ap, e);
	argv[argc++] = (char *)"test_opt";
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	opt_free(tab);
	return opt_parse(argc, argv, tab, 1, oc, e);
}

static struct conf *
load(const char *text)
{
	static char path[] = "test_opt.conf";
	struct conf *c = NULL;
	struct err e;
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return NULL;
	fputs(text, f);
	fclose(f);
	if (conf_load(&c, path, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return NULL;
	}
	return c;
}

static void
test_parse(void)
{
	struct opt_common oc;
	struct err e;

	CHECK(parse(&oc, &e, "-r", "8000", "--config", "x.conf", "--spool",
	    "sp", "-qq", "--wait", "--recipient", "a", "--recipient", "b",
	    "--station", "s1", (char *)NULL) == OPT_RUN);
	CHECK_STR(tab[O_RATE].val, "8000");
	CHECK_STR(oc.config, "x.conf");
	CHECK_STR(oc.spool, "sp");
	CHECK(oc.quiet == 2 && oc.verbose == 0);
	CHECK(tab[O_WAIT].count == 1);
	CHECK(tab[O_LIST].nvals == 2);
	CHECK_STR(tab[O_LIST].vals[1], "b");
	CHECK_STR(tab[O_NAME].val, "s1");
	CHECK(parse(&oc, &e, "-h", (char *)NULL) == OPT_HELP);
	CHECK(parse(&oc, &e, "--help", (char *)NULL) == OPT_HELP);
	CHECK(parse(&oc, &e, "-V", (char *)NULL) == OPT_VERSION);
	CHECK(parse(&oc, &e, "--version", (char *)NULL) == OPT_VERSION);
	/* errors are usage errors that name the option */
	CHECK(parse(&oc, &e, "--bogus", (char *)NULL) == -1);
	CHECK(e.ex == EX_USAGE && strstr(e.msg, "'--bogus'") != NULL);
	CHECK(parse(&oc, &e, "-x", (char *)NULL) == -1);
	CHECK(e.ex == EX_USAGE && strstr(e.msg, "'-x'") != NULL);
	CHECK(parse(&oc, &e, "--min-bytes", (char *)NULL) == -1);
	CHECK(e.ex == EX_USAGE && strstr(e.msg, "needs a value") != NULL);
	/* no short letter unless the table gives one */
	CHECK(parse(&oc, &e, "-c", "x", (char *)NULL) == -1);
	CHECK(parse(&oc, &e, "-d", "sp", (char *)NULL) == -1);
	/* the shared block has no short letters but -q -v -h -V */
	CHECK(parse(&oc, &e, "-C", "x", (char *)NULL) == -1);
	opt_free(tab);
}

static void
test_getters(void)
{
	struct opt_common oc;
	struct err e;
	struct conf *c = load("[capture]\nrate = 44100\n[archive]\n"
	    "min-bytes = 10M\nmax-age = soon\ncodec = flac\nwait = yes\n"
	    "[upload]\nregion = from-file\n");
	uint64_t u;
	const char *s;
	int i;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK(parse(&oc, &e, (char *)NULL) == OPT_RUN);
	/* rec.conf over the default */
	CHECK(opt_uint(c, &tab[O_RATE], "48000", &u, &e) == 1 && u == 44100);
	CHECK(opt_size(c, &tab[O_SIZE], NULL, &u, &e) == 1 &&
	    u == 10 << 20);
	CHECK(opt_enum(c, &tab[O_CODEC], "wav", &i, &e) == 1 && i == 1);
	CHECK(opt_bool(c, &tab[O_WAIT], 0, &i, &e) == 1 && i == 1);
	/* a bad value in the file: 78 with FILE:LINE */
	CHECK(opt_duration(c, &tab[O_AGE], NULL, &u, &e) == -1);
	CHECK(e.ex == EX_CONFIG);
	CHECK(strstr(e.msg, "test_opt.conf:5: bad max-age 'soon'") != NULL);
	/* the default, without file or flag */
	CHECK(opt_uint(NULL, &tab[O_RATE], "48000", &u, &e) == 0 &&
	    u == 48000);
	u = 7;
	CHECK(opt_size(NULL, &tab[O_SIZE], NULL, &u, &e) == 0 && u == 7);
	/* the flag over the file; a bad flag: 64 naming it */
	CHECK(parse(&oc, &e, "-r", "8000", "--max-age", "1h", "--codec",
	    "mp3", (char *)NULL) == OPT_RUN);
	CHECK(opt_uint(c, &tab[O_RATE], "48000", &u, &e) == 1 && u == 8000);
	CHECK(opt_duration(c, &tab[O_AGE], NULL, &u, &e) == 1 &&
	    u == 3600000);
	CHECK(opt_enum(c, &tab[O_CODEC], "wav", &i, &e) == -1);
	CHECK(e.ex == EX_USAGE);
	CHECK(strstr(e.msg, "bad --codec 'mp3': use wav or flac") != NULL);
	CHECK(parse(&oc, &e, "-r", "0", (char *)NULL) == OPT_RUN);
	CHECK(opt_uint(c, &tab[O_RATE], "48000", &u, &e) == -1 &&
	    e.ex == EX_USAGE && strstr(e.msg, "--rate") != NULL);
	/* the environment between the flag and the file */
	CHECK(opt_str(c, &tab[O_ENVED], "x", &s, &e) == 1);
	CHECK_STR(s, "from-file");
	setenv("TEST_OPT_REGION", "from-env", 1);
	CHECK(opt_str(c, &tab[O_ENVED], "x", &s, &e) == 1);
	CHECK_STR(s, "from-env");
	unsetenv("TEST_OPT_REGION");
	/* opt_bad names the origin of the value */
	CHECK(opt_bad(c, &tab[O_SIZE], "10M", "too small", &e) == -1);
	CHECK(e.ex == EX_CONFIG && strstr(e.msg, "test_opt.conf:4: bad "
	    "min-bytes '10M': too small") != NULL);
	opt_free(tab);
	conf_free(c);
}

static void
test_level(void)
{
	struct opt_common oc = { 0 };
	struct conf *vy = load("[archive]\nverbose = yes\n");
	struct conf *qy = load("[archive]\nquiet = yes\n");
	struct conf *bad = load("[archive]\nverbose = perhaps\n");
	enum log_level l;
	struct err e;

	CHECK(vy != NULL && qy != NULL && bad != NULL);
	CHECK(opt_level(NULL, "archive", &oc, &l, &e) == 0 &&
	    l == LOG_LVL_INFO);
	CHECK(opt_level(vy, "archive", &oc, &l, &e) == 0 &&
	    l == LOG_LVL_DEBUG);
	CHECK(opt_level(qy, "archive", &oc, &l, &e) == 0 &&
	    l == LOG_LVL_WARN);
	CHECK(opt_level(bad, "archive", &oc, &l, &e) == -1 &&
	    e.ex == EX_CONFIG && strstr(e.msg, "test_opt.conf:2") != NULL);
	/* a flag decides alone: -q with verbose = yes is quiet */
	oc.quiet = 1;
	CHECK(opt_level(vy, "archive", &oc, &l, &e) == 0 &&
	    l == LOG_LVL_WARN);
	CHECK(opt_level(bad, "archive", &oc, &l, &e) == 0 &&
	    l == LOG_LVL_WARN);
	oc.quiet = 0;
	oc.verbose = 1;
	CHECK(opt_level(qy, "archive", &oc, &l, &e) == 0 &&
	    l == LOG_LVL_DEBUG);
	/* a tool without a section: the file has no say */
	oc.verbose = 0;
	CHECK(opt_level(vy, NULL, &oc, &l, &e) == 0 && l == LOG_LVL_INFO);
	conf_free(vy);
	conf_free(qy);
	conf_free(bad);
}

int
main(void)
{
	log_init("test_opt");
	test_parse();
	test_getters();
	test_level();
	unlink("test_opt.conf");
	return check_done();
}
