/*
 * rec-find: what a bucket holds for some stations over a time range.
 * Lists only the date prefixes of the range (lib/catalog), prints the
 * archives and a summary per day, and with --gaps reads each archive's
 * manifest from its first bytes to report the audio lost inside it;
 * --json and --html give the same as a document and as a page.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "age.h"
#include "catalog.h"
#include "conf.h"
#include "find.h"
#include "log.h"
#include "opt.h"
#include "store.h"
#include "utc.h"
#include "when.h"

static const char usage_text[] =
    "usage: rec-find [-hqVv] [--config file] [--station name ...]\n"
    "                [--from time] [--to time] [--timezone zone] [--gaps]\n"
    "                [--identity file ...] [--json] [--html file]\n"
    "                [--presign duration] [--endpoint url] [--region name]\n"
    "                [--bucket name] [--prefix string]\n"
    "                [--addressing auto | path | virtual]\n";

enum { O_STATION, O_FROM, O_TO, O_TZ, O_GAPS, O_IDENTITY, O_JSON, O_HTML,
    O_PRESIGN, O_ENDPOINT, O_REGION, O_BUCKET, O_PREFIX, O_ADDR };

static struct opt opts[] = {
	[O_STATION] = { .name = "station", .type = OPT_LIST },
	[O_FROM] = { .name = "from", .type = OPT_STR },
	[O_TO] = { .name = "to", .type = OPT_STR },
	[O_TZ] = { .name = "timezone", .type = OPT_STR },
	[O_GAPS] = { .name = "gaps", .type = OPT_BOOL },
	[O_IDENTITY] = { .name = "identity", .type = OPT_LIST },
	[O_JSON] = { .name = "json", .type = OPT_BOOL },
	[O_HTML] = { .name = "html", .type = OPT_STR },
	[O_PRESIGN] = { .name = "presign", .type = OPT_DURATION,
	    .desc = "a duration" },
	[O_ENDPOINT] = { .name = "endpoint", .type = OPT_STR,
	    .section = "upload", .key = "endpoint" },
	[O_REGION] = { .name = "region", .type = OPT_STR,
	    .section = "upload", .key = "region" },
	[O_BUCKET] = { .name = "bucket", .type = OPT_STR,
	    .section = "upload", .key = "bucket" },
	[O_PREFIX] = { .name = "prefix", .type = OPT_STR,
	    .section = "upload", .key = "prefix" },
	[O_ADDR] = { .name = "addressing", .type = OPT_ENUM,
	    .section = "upload", .key = "addressing",
	    .choices = (const char *const[]){ "auto", "path", "virtual",
	    NULL } },
	{ .name = NULL }
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
s3_log(int level, const char *msg)
{
	if (level <= 1)
		log_warn("%s", msg);
	else
		log_info("%s", msg);
}

/* Now: the clock, or the test hook REC_TEST_NOW (an ISO time). */
static int64_t
now_ns(void)
{
	const char *t = getenv("REC_TEST_NOW");
	struct timespec ts;
	int64_t ns;

	if (t && *t) {
		if (utc_parse_iso_ns(t, &ns) < 0)
			log_die(EX_USAGE, "bad REC_TEST_NOW '%s'", t);
		return ns;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	return utc_ns(&ts);
}

static int64_t
time_arg(const struct opt *o, const char *tz, int64_t now, int flags)
{
	int64_t ns;

	if (when_parse(o->val, tz, now, flags, &ns) == 0)
		return ns;
	if (errno == EDOM)
		log_die(EX_USAGE, "bad --%s '%s': that local time does not "
		    "exist in %s (the clock skips it)", o->name, o->val, tz);
	log_die(EX_USAGE, "bad --%s '%s' (want 2026-11-28, 2026-11-28T03:15, "
	    "2026-11-28T03:15:10.5Z or now-2h)", o->name, o->val);
}

/* The store from rec.conf's [upload] and the flags, and the credentials. */
static struct s3 *
store(const struct conf *c, const char **bucket, struct err *e)
{
	struct s3_conf sc = { 0 };
	struct s3 *s;
	char source[300];
	int addr;

	if (opt_str(c, &opts[O_ENDPOINT], NULL, &sc.endpoint, e) < 0 ||
	    opt_str(c, &opts[O_REGION], NULL, &sc.region, e) < 0 ||
	    opt_str(c, &opts[O_BUCKET], NULL, &sc.bucket, e) < 0 ||
	    opt_enum(c, &opts[O_ADDR], "auto", &addr, e) < 0 ||
	    store_tuning(c, &sc, e) < 0)
		log_die(e->ex, "%s", e->msg);
	if (sc.bucket == NULL || *sc.bucket == '\0')
		log_die(EX_CONFIG, "no bucket: give --bucket or bucket in "
		    "[upload] of rec.conf");
	store_env(&sc);
	sc.addressing = addr == 1 ? S3_ADDR_PATH : addr == 2 ?
	    S3_ADDR_VIRTUAL : S3_ADDR_AUTO;
	sc.stop = &stop;
	sc.log = s3_log;
	if ((s = store_open(c, &sc, source, sizeof(source), e)) == NULL)
		log_die(e->ex, "%s", e->msg);
	log_debug("credentials from %s", source);
	*bucket = sc.bucket;
	return s;
}

/* A store that does not answer after the retries is unavailable (69). */
static noreturn void
store_die(const struct err *e)
{
	if (e->ex == EX_TEMPFAIL)
		log_die(EX_UNAVAILABLE, "the store does not answer: %s",
		    e->msg);
	log_die(e->ex, "%s", e->msg);
}

/* --gaps: the manifest of every archive; man[i] NULL when unreadable. */
static void
read_manifests(struct find *f, struct s3 *s, const struct age_identity *ids,
    size_t nids, struct manifest **man)
{
	size_t i;

	for (i = 0; i < f->cat.n; i++) {
		struct arc *a = &f->arcs[i];
		struct manifest *m = calloc(1, sizeof(*m));
		uint64_t got = 0;
		struct err e;

		if (m == NULL)
			log_die(EX_OSERR, "out of memory");
		if (catalog_manifest(s, a->ce, ids, nids, m, &got, &e) < 0) {
			free(m);
			if (e.ex == EX_TEMPFAIL)
				store_die(&e);
			log_warn("%s: cannot read its manifest: %s", a->ce->key,
			    e.msg);
			snprintf(a->error, sizeof(a->error), "%s", e.msg);
			continue;
		}
		log_debug("%s: manifest from its first %llu of %llu bytes",
		    a->ce->key, (unsigned long long)got,
		    (unsigned long long)a->ce->size);
		man[i] = m;
		a->have_manifest = 1;
		snprintf(a->codec, sizeof(a->codec), "%s", m->codec);
		a->nsegs = m->nsegs;
		/* the frames of the gaps: where each loss is, the sum that
		 * REC|Lost Frames also says */
		for (size_t k = 0; k < m->nsegs; k++)
			for (size_t g = 0; g < m->segs[k].ngaps; g++)
				a->lost_frames += m->segs[k].gaps[g].len;
		/* a time only as good as an unsynced clock (segments
		 * without a "clock" say nothing) */
		for (size_t k = 0; k < m->nsegs; k++)
			if (m->segs[k].clock.have && !m->segs[k].clock.synced)
				a->unsynced++;
	}
}

/* Nothing in the range: name each station's nearest archives (cheap). */
static void
say_nearest(const struct catalog_query *q, const struct catalog *cat)
{
	size_t i;

	for (i = 0; i < cat->nstations; i++) {
		struct catalog_entry b, a;
		int hb, ha;
		struct err e;
		char tb[32], ta[32];

		if (catalog_nearest(q, cat->stations[i], &b, &hb, &a, &ha,
		    &e) < 0) {
			if (e.ex == EX_TEMPFAIL)
				store_die(&e);
			log_warn("%s: cannot look for the nearest archives: %s",
			    cat->stations[i], e.msg);
			continue;
		}
		if (hb)
			log_info("%s: the nearest archive before the range "
			    "starts %s: %s", cat->stations[i],
			    fmt_time(b.start_ns, tb), b.key);
		if (ha)
			log_info("%s: the nearest archive after the range "
			    "starts %s: %s", cat->stations[i],
			    fmt_time(a.start_ns, ta), a.key);
		if (!hb && !ha)
			log_info("%s: no archives at all", cat->stations[i]);
		free(b.key);
		free(a.key);
	}
}

/* Write the page to path through a temporary file renamed into place. */
static void
write_html(const struct find *f, const char *path)
{
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	FILE *fp;

	if (tmp == NULL)
		log_die(EX_OSERR, "out of memory");
	snprintf(tmp, n, "%s.tmp", path);
	if ((fp = fopen(tmp, "w")) == NULL)
		log_die(EX_CANTCREAT, "cannot create %s: %s", tmp,
		    strerror(errno));
	if (html_write(f, fp) < 0 || fflush(fp) != 0 || fsync(fileno(fp)) < 0) {
		int se = errno;
		fclose(fp);
		unlink(tmp);
		log_die(EX_IOERR, "cannot write %s: %s", tmp, strerror(se));
	}
	if (fclose(fp) != 0 || rename(tmp, path) < 0) {
		int se = errno;
		unlink(tmp);
		log_die(EX_IOERR, "cannot write %s: %s", path, strerror(se));
	}
	free(tmp);
}

/* --from, --to and --timezone into f (exits 64 on a bad range). */
static void
range(struct find *f)
{
	int64_t now = now_ns();
	const char *tz = opts[O_TZ].val;

	if (tz && !when_tz_valid(tz))
		log_die(EX_USAGE, "bad --timezone '%s': not a zone of the "
		    "system's database (e.g. Europe/Berlin)", tz);
	f->to = opts[O_TO].val ? time_arg(&opts[O_TO], tz, now, WHEN_END) :
	    now;
	f->from = opts[O_FROM].val ? time_arg(&opts[O_FROM], tz, now, 0) :
	    f->to - DAY_NS;
	if (f->to <= f->from) {
		char a[32], b[32];
		log_die(EX_USAGE, "--to %s (%s) is not after --from %s (%s)",
		    opts[O_TO].val ? opts[O_TO].val : "now", fmt_time(f->to, b),
		    opts[O_FROM].val ? opts[O_FROM].val : "",
		    fmt_time(f->from, a));
	}
}

int
main(int argc, char **argv)
{
	struct opt_common oc;
	struct conf *conf = NULL;
	struct catalog_query q = { 0 };
	struct find f = { 0 };
	struct age_identity *ids = NULL;
	struct manifest **man = NULL;
	struct sigaction sa;
	struct s3 *s;
	struct err e;
	const char *prefix = NULL;
	uint64_t presign_ms = 0;
	size_t nids = 0, i;
	int ex = 0;

	log_init(argv[0]);
	opt_start(argc, argv, opts, 0, &oc, "rec-find", usage_text);
	opt_setup(&conf, &oc, NULL);

	range(&f);
	for (i = 0; i < opts[O_STATION].nvals; i++)
		if (!conf_station_valid(opts[O_STATION].vals[i]))
			log_die(EX_USAGE, "bad --station '%s'",
			    opts[O_STATION].vals[i]);
	if (opts[O_PRESIGN].count > 0) {
		if (opt_duration(conf, &opts[O_PRESIGN], NULL, &presign_ms,
		    &e) < 0)
			log_die(e.ex, "%s", e.msg);
		if (presign_ms < 1000 || presign_ms > 604800000ull)
			log_die(EX_USAGE, "bad --presign '%s': a link lasts "
			    "1s to 7d", opts[O_PRESIGN].val);
	}
	for (i = 0; i < opts[O_IDENTITY].nvals; i++)
		if (age_identities_load(opts[O_IDENTITY].vals[i], &ids, &nids,
		    &e) < 0)
			log_die(e.ex, "%s", e.msg);
	f.gaps = opts[O_GAPS].count > 0;
	if (opt_str(conf, &opts[O_PREFIX], "", &prefix, &e) < 0)
		log_die(e.ex, "%s", e.msg);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		log_die(EX_OSERR, "cannot initialise libcurl");
	s = store(conf, &f.bucket, &e);

	q.s3 = s;
	q.prefix = prefix;
	q.tmpl = conf_get(conf, "upload", "key-template");
	q.stations = opts[O_STATION].vals;
	q.nstations = opts[O_STATION].nvals;
	q.from_ns = f.from;
	q.to_ns = f.to;
	if (catalog_find(&q, &f.cat, &e) < 0)
		store_die(&e);
	for (i = 0; i < f.cat.nlisted; i++)
		log_debug("listed '%s'", f.cat.listed[i]);
	if ((f.arcs = calloc(f.cat.n + 1, sizeof(*f.arcs))) == NULL ||
	    (man = calloc(f.cat.n + 1, sizeof(*man))) == NULL)
		log_die(EX_OSERR, "out of memory");
	for (i = 0; i < f.cat.n; i++)
		f.arcs[i].ce = &f.cat.v[i];
	if (f.gaps)
		read_manifests(&f, s, ids, nids, man);
	age_identities_free(ids, nids);
	for (i = 0; presign_ms && i < f.cat.n; i++)
		if ((f.arcs[i].url = s3_presign(s, f.cat.v[i].key,
		    (long)(presign_ms / 1000), &e)) == NULL)
			log_die(e.ex, "%s", e.msg);
	if (view_build(&f, man) < 0)
		log_die(EX_OSERR, "out of memory");

	if (opts[O_HTML].val)
		write_html(&f, opts[O_HTML].val);
	if ((opts[O_JSON].count ? json_write(&f, stdout) :
	    text_write(&f, stdout)) < 0 || fflush(stdout) != 0)
		log_die(EX_IOERR, "cannot write the output: %s",
		    strerror(errno));
	if (f.cat.n == 0) {
		char a[32], b[32];
		log_error("no archives between %s and %s%s", fmt_time(f.from,
		    a), fmt_time(f.to, b), f.cat.nstations ? "" :
		    " (no stations found)");
		say_nearest(&q, &f.cat);
		ex = EX_NOINPUT;
	}

	for (i = 0; i < f.cat.n; i++) {
		free(f.arcs[i].url);
		if (man[i]) {
			manifest_free(man[i]);
			free(man[i]);
		}
	}
	free(man);
	free(f.arcs);
	view_free(&f);
	catalog_free(&f.cat);
	s3_free(s);
	curl_global_cleanup();
	opt_free(opts);
	conf_free(conf);
	return ex;
}
