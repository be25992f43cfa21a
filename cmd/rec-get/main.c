/*
 * rec-get: the samples recorded from --from to --to, back from the
 * store, as one WAV or FLAC (or one file per continuous piece), reading
 * only the manifests and the members it needs.
 */
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "get.h"
#include "log.h"
#include "opt.h"
#include "store.h"
#include "utc.h"
#include "when.h"

static const char usage_text[] =
"usage: rec-get [-hqVv] [--config file] --from time --to time\n"
"               [--station name] [-o file | dir | -] [--format wav | flac]\n"
"               [--gaps silence | split | fail] [--identity file ...]\n"
"               [--timezone zone] [--endpoint url] [--region name]\n"
"               [--bucket name] [--prefix string]\n"
"               [--addressing auto | path | virtual] [--limit-rate size]\n"
"               [--deadline duration]\n";

static noreturn void
usage(int ex)
{
	fputs(usage_text, ex ? stderr : stdout);
	exit(ex);
}

static void
s3_log(int level, const char *msg)
{
	(void)level;
	log_warn("%s", msg);
}

enum { O_FROM, O_TO, O_STATION, O_OUT, O_FORMAT, O_GAPS, O_IDENTITY, O_TZ,
    O_ENDPOINT, O_REGION, O_BUCKET, O_PREFIX, O_ADDR, O_LIMIT, O_DEADLINE };
static const char *const formats[] = { "wav", "flac", NULL };
static const char *const gapses[] = { "silence", "split", "fail", NULL };
static const char *const addrs[] = { "auto", "path", "virtual", NULL };
static struct opt opts[] = {
	[O_FROM] = { .name = "from", .type = OPT_STR },
	[O_TO] = { .name = "to", .type = OPT_STR },
	[O_STATION] = { .name = "station", .type = OPT_STR },
	[O_OUT] = { .name = "output", .shrt = 'o', .type = OPT_STR },
	[O_FORMAT] = { .name = "format", .type = OPT_ENUM,
	    .choices = formats, .desc = "an output format" },
	[O_GAPS] = { .name = "gaps", .type = OPT_ENUM, .choices = gapses,
	    .desc = "a way to handle gaps" },
	[O_IDENTITY] = { .name = "identity", .type = OPT_LIST },
	[O_TZ] = { .name = "timezone", .type = OPT_STR },
	[O_ENDPOINT] = { .name = "endpoint", .type = OPT_STR,
	    .section = "upload", .key = "endpoint" },
	[O_REGION] = { .name = "region", .type = OPT_STR,
	    .section = "upload", .key = "region" },
	[O_BUCKET] = { .name = "bucket", .type = OPT_STR,
	    .section = "upload", .key = "bucket" },
	[O_PREFIX] = { .name = "prefix", .type = OPT_STR,
	    .section = "upload", .key = "prefix" },
	[O_ADDR] = { .name = "addressing", .type = OPT_ENUM,
	    .section = "upload", .key = "addressing", .choices = addrs,
	    .desc = "an addressing style" },
	[O_LIMIT] = { .name = "limit-rate", .type = OPT_SIZE,
	    .section = "upload", .key = "limit-rate" },
	[O_DEADLINE] = { .name = "deadline", .type = OPT_DURATION,
	    .section = "upload", .key = "deadline" },
	{ .name = NULL }
};

/* --from and --to: 64 for a bad time or an empty range. */
static void
times(struct get *g, const char *tz)
{
	struct timespec now;
	const char *f = opts[O_FROM].val, *t = opts[O_TO].val;

	if (f == NULL || t == NULL) {
		log_error("give --from and --to");
		usage(EX_USAGE);
	}
	if (tz != NULL && !when_tz_valid(tz))
		log_die(EX_USAGE, "bad --timezone '%s': not a zone this "
		    "system knows", tz);
	clock_gettime(CLOCK_REALTIME, &now);
	if (when_parse(f, tz, utc_ns(&now), 0, &g->from) == -1)
		log_die(EX_USAGE, "bad --from '%s': %s", f, errno == EDOM ?
		    "that local time does not exist (a daylight-saving gap)" :
		    "not a time (2026-11-28, 2026-11-28T03:15:10.5Z, now-2h)");
	if (when_parse(t, tz, utc_ns(&now), WHEN_END, &g->to) == -1)
		log_die(EX_USAGE, "bad --to '%s': %s", t, errno == EDOM ?
		    "that local time does not exist (a daylight-saving gap)" :
		    "not a time (2026-11-28, 2026-11-28T03:15:10.5Z, now-2h)");
	if (g->to <= g->from)
		log_die(EX_USAGE, "--to %s is not after --from %s", t, f);
}

/* The store: endpoint, bucket, credentials as rec-upload has them. */
static struct s3 *
store(const struct conf *c, struct get *g)
{
	struct s3_conf sc = { 0 };
	uint64_t dl_ms = 0;
	struct timespec t0;
	struct err e;
	struct s3 *s;
	int ai = 0;

	if (opt_str(c, &opts[O_ENDPOINT], NULL, &sc.endpoint, &e) == -1 ||
	    opt_str(c, &opts[O_REGION], NULL, &sc.region, &e) == -1 ||
	    opt_str(c, &opts[O_BUCKET], NULL, &sc.bucket, &e) == -1 ||
	    opt_str(c, &opts[O_PREFIX], "", &g->prefix, &e) == -1 ||
	    opt_enum(c, &opts[O_ADDR], "auto", &ai, &e) == -1 ||
	    opt_size(c, &opts[O_LIMIT], "0", &sc.limit_rate, &e) == -1 ||
	    opt_duration(c, &opts[O_DEADLINE], NULL, &dl_ms, &e) == -1 ||
	    store_tuning(c, &sc, &e) == -1)
		log_die(e.ex, "%s", e.msg);
	store_env(&sc);
	if (sc.bucket == NULL || *sc.bucket == '\0')
		log_die(EX_CONFIG, "no bucket: give --bucket or bucket in "
		    "[upload] of rec.conf");
	sc.addressing = ai == 1 ? S3_ADDR_PATH : ai == 2 ? S3_ADDR_VIRTUAL :
	    S3_ADDR_AUTO;
	g->tmpl = conf_get(c, "upload", "key-template");
	if (dl_ms) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		sc.deadline = t0.tv_sec + (time_t)((dl_ms + 999) / 1000);
	}
	sc.log = s3_log;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		log_die(EX_OSERR, "cannot initialise libcurl");
	if ((s = store_open(c, &sc, NULL, 0, &e)) == NULL)
		log_die(e.ex, "%s", e.msg);
	return s;
}

/* Where the output goes; 64 for combinations that cannot work. */
static void
output(const struct conf *c, struct get *g)
{
	struct err e;
	int fi = 0, gi = 0;

	if (opt_enum(c, &opts[O_FORMAT], "wav", &fi, &e) == -1 ||
	    opt_enum(c, &opts[O_GAPS], "silence", &gi, &e) == -1)
		log_die(e.ex, "%s", e.msg);
	g->flac = fi == 1;
	g->gaps = gi == 1 ? GAPS_SPLIT : gi == 2 ? GAPS_FAIL : GAPS_SILENCE;
	g->out = opts[O_OUT].val;
	if (g->out != NULL && strcmp(g->out, "-") == 0) {
		if (g->flac)
			log_die(EX_USAGE, "-o - writes a WAV stream: no "
			    "--format flac");
		if (g->gaps == GAPS_SPLIT)
			log_die(EX_USAGE, "-o - is one stream: no --gaps "
			    "split");
	}
	if (g->gaps == GAPS_SPLIT) {
		if (g->out == NULL)
			g->out = ".";
		if (mkdir(g->out, 0777) == -1 && errno != EEXIST)
			log_die(EX_CANTCREAT, "cannot create %s: %s", g->out,
			    strerror(errno));
	}
}

/* The default output name: like a segment's, in dir (NULL: the
 * current directory). */
static char *
default_name(const struct get *g, const char *dir)
{
	struct timespec ts = utc_from_ns(g->pieces[0].t0);
	char stamp[40], *s;

	utc_name(&ts, stamp, sizeof stamp);
	if (asprintf(&s, "%s%s%s_%s.%s", dir ? dir : "", dir ? "/" : "",
	    stamp, g->station, g->flac ? "flac" : "wav") < 0)
		log_die(EX_OSERR, "out of memory");
	return s;
}

int
main(int argc, char **argv)
{
	struct opt_common oc = { 0 };
	struct get g = { 0 };
	struct conf *conf = NULL;
	char station[ANAME_STATION_MAX + 1], *defname = NULL;
	const char *tz = NULL;
	struct stat st;
	struct err e;
	int ex = 0;

	log_init(argv[0]);
	g.umask = umask(022);
	umask(g.umask);
	opt_start(argc, argv, opts, 0, &oc, "rec-get", usage_text);
	opt_setup(&conf, &oc, "upload");
	tz = opts[O_TZ].val;
	times(&g, tz);
	if (conf_station(conf, opts[O_STATION].val, station, sizeof station,
	    &e) < 0)
		log_die(e.ex, "%s", e.msg);
	g.station = station;
	output(conf, &g);
	for (size_t i = 0; i < opts[O_IDENTITY].nvals; i++)
		if (age_identities_load(opts[O_IDENTITY].vals[i], &g.ids,
		    &g.nids, &e) == -1)
			log_die(e.ex, "%s", e.msg);
	g.s3 = store(conf, &g);

	if ((ex = plan_list(&g)) != 0)
		goto out;
	if (g.narcs == 0) {
		plan_nearest(&g);
		ex = EX_NOINPUT;
		goto out;
	}
	for (size_t i = 0; i < g.narcs && ex == 0; i++)
		ex = fetch_manifest(&g, &g.arcs[i]);
	if (ex == 0)
		ex = plan_pieces(&g);
	/* every member used, verified, before a sample is written */
	for (size_t i = 0; i < g.npieces && ex == 0; i++)
		ex = fetch_member(&g, &g.arcs[g.pieces[i].arc],
		    g.pieces[i].seg);
	if (ex == 0 && g.out == NULL)
		g.out = defname = default_name(&g, NULL);
	else if (ex == 0 && g.gaps != GAPS_SPLIT && strcmp(g.out, "-") != 0 &&
	    stat(g.out, &st) == 0 && S_ISDIR(st.st_mode))
		g.out = defname = default_name(&g, g.out);
	if (ex == 0)
		ex = cut_write(&g);
	if (ex == 0)
		log_info("fetched %" PRIu64 " bytes from %zu archives",
		    g.fetched, g.narcs);
out:
	for (size_t i = 0; i < g.narcs; i++)
		fetch_close(&g.arcs[i]);
	free(g.arcs);
	free(g.pieces);
	free(defname);
	age_identities_free(g.ids, g.nids);
	s3_free(g.s3);
	curl_global_cleanup();
	opt_free(opts);
	conf_free(conf);
	return ex;
}
