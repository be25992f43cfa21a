/*
 * rec-archive: turn the finished segments in seg/ into archives in out/
 * (POSIX pax tar, optionally FLAC, compressed, age-encrypted), under the
 * spool's cycle lock, crash-safely; or --verify archives.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "conf.h"
#include "file.h"
#include "flacio.h"
#include "guano.h"
#include "log.h"
#include "parse.h"
#include "segmeta.h"
#include "utc.h"

static const char usage_text[] =
"usage: rec-archive [-hqVvw] [--config FILE] [--spool DIR] [--min-count N]\n"
"                   [--min-bytes SIZE] [--max-age DURATION] [--codec wav|flac]\n"
"                   [--flac-level N] [--compress none|gzip|zstd|xz]\n"
"                   [--max-bytes SIZE] [--recipient RECIPIENT]...\n"
"                   [--recipients-file FILE]\n"
"       rec-archive --verify [-qv] [--identity FILE] ARCHIVE...\n"
"\n"
"  -c, --config FILE         rec.conf to read (default $REC_CONFIG, /etc/rec.conf)\n"
"  -d, --spool DIR           the spool (default from the config)\n"
"  -w, --wait                wait for the cycle lock instead of exiting 75\n"
"  -r, --recipient AGE1...   encrypt for this age recipient (repeatable)\n"
"  -R, --recipients-file F   encrypt for the recipients in F\n"
"  -t, --verify              check archives against their manifest\n"
"  -i, --identity FILE       age identity to decrypt with when verifying\n"
"  -v, --verbose; -q, --quiet; -h, --help; -V, --version\n";

enum {
	OPT_MIN_COUNT = 256, OPT_MIN_BYTES, OPT_MAX_AGE, OPT_CODEC,
	OPT_FLAC_LEVEL, OPT_COMPRESS, OPT_MAX_BYTES
};

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "spool", required_argument, NULL, 'd' },
	{ "min-count", required_argument, NULL, OPT_MIN_COUNT },
	{ "min-bytes", required_argument, NULL, OPT_MIN_BYTES },
	{ "max-age", required_argument, NULL, OPT_MAX_AGE },
	{ "codec", required_argument, NULL, OPT_CODEC },
	{ "flac-level", required_argument, NULL, OPT_FLAC_LEVEL },
	{ "compress", required_argument, NULL, OPT_COMPRESS },
	{ "max-bytes", required_argument, NULL, OPT_MAX_BYTES },
	{ "recipient", required_argument, NULL, 'r' },
	{ "recipients-file", required_argument, NULL, 'R' },
	{ "identity", required_argument, NULL, 'i' },
	{ "verify", no_argument, NULL, 't' },
	{ "wait", no_argument, NULL, 'w' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* What the flags said; NULL/0 = not given (the config decides). */
struct flags {
	const char *config, *spool, *min_count, *min_bytes, *max_age;
	const char *codec, *flac_level, *compress, *max_bytes;
	const char **recipients, *recipients_file, *identity;
	size_t nrecipients;
	int verify, wait, verbose, quiet;
};

/* A run's conditions; have_* 0 = not set. */
struct conds {
	int have_count, have_bytes, have_age;
	uint64_t count, bytes, age_ms;
};

static noreturn void
usage(void)
{
	fputs(usage_text, stderr);
	exit(EX_USAGE);
}

/* The flag's value, else the config's [archive] key, else NULL. */
static const char *
pick(const struct conf *c, const char *flag, const char *key,
    const char **where)
{
	if (flag != NULL) {
		static char buf[64];
		snprintf(buf, sizeof buf, "--%s", key);
		*where = buf;
		return flag;
	}
	*where = conf_where(c, "archive", key);
	return conf_get(c, "archive", key);
}

static noreturn void
bad_value(const char *where, const char *what, const char *val, int flag)
{
	log_error("%s: bad %s '%s'", where, what, val);
	exit(flag ? EX_USAGE : EX_CONFIG);
}

/* Recipients from flags, else [archive] recipient/recipients-file. */
static void
load_recipients(const struct conf *c, const struct flags *f, struct opts *o)
{
	struct err e;
	const char *v, *file;
	size_t it = 0;
	int from_flags = f->nrecipients > 0 || f->recipients_file != NULL;

	for (size_t i = 0; i < f->nrecipients; i++) {
		struct age_recipient *r = realloc(o->rs, (o->nrs + 1) *
		    sizeof *r);
		if (r == NULL)
			log_die(EX_SOFTWARE, "out of memory");
		o->rs = r;
		if (age_recipient_parse(f->recipients[i], &o->rs[o->nrs],
		    &e) == -1)
			log_die(EX_CONFIG, "--recipient: %s", e.msg);
		o->nrs++;
	}
	file = from_flags ? f->recipients_file :
	    conf_get(c, "archive", "recipients-file");
	if (file != NULL && age_recipients_load(file, &o->rs, &o->nrs,
	    &e) == -1)
		log_die(e.ex == EX_NOINPUT ? EX_CONFIG : e.ex, "%s", e.msg);
	if (from_flags)
		return;
	while ((v = conf_next(c, "archive", "recipient", &it)) != NULL) {
		struct age_recipient *r = realloc(o->rs, (o->nrs + 1) *
		    sizeof *r);
		if (r == NULL)
			log_die(EX_SOFTWARE, "out of memory");
		o->rs = r;
		if (age_recipient_parse(v, &o->rs[o->nrs], &e) == -1)
			log_die(EX_CONFIG, "%s: %s", conf_where(c, "archive",
			    "recipient"), e.msg);
		o->nrs++;
	}
}

/*
 * codec = flac (set at where) with [capture] channels FLAC cannot hold
 * would fail every run: refuse the configuration instead.
 */
static void
check_flac_channels(const struct conf *c, const char *where)
{
	const char *v = conf_get(c, "capture", "channels");
	char codec_at[256];
	uint64_t ch;

	if (v == NULL || parse_uint(v, 1, UINT64_MAX, &ch) == -1 ||
	    ch <= FLACIO_MAX_CHANNELS)
		return;
	snprintf(codec_at, sizeof codec_at, "%s", where);
	log_die(EX_CONFIG, "%s: codec flac holds at most %d channels, and "
	    "%s: [capture] channels is %" PRIu64 ": use codec wav", codec_at,
	    FLACIO_MAX_CHANNELS, conf_where(c, "capture", "channels"), ch);
}

/* Everything from flags and config into o and k. */
static void
settings(const struct conf *c, const struct flags *f, struct opts *o,
    struct conds *k, int *wait)
{
	const char *v, *w;
	uint64_t u;
	int b;

	memset(o, 0, sizeof *o);
	memset(k, 0, sizeof *k);
	o->flac_level = 5;
	o->fake_free = -1;
	if ((v = pick(c, f->min_count, "min-count", &w)) != NULL) {
		if (parse_uint(v, 1, UINT64_MAX, &k->count) == -1)
			bad_value(w, "count", v, f->min_count != NULL);
		k->have_count = 1;
	}
	if ((v = pick(c, f->min_bytes, "min-bytes", &w)) != NULL) {
		if (parse_size(v, &k->bytes) == -1)
			bad_value(w, "size", v, f->min_bytes != NULL);
		k->have_bytes = 1;
	}
	if ((v = pick(c, f->max_age, "max-age", &w)) != NULL) {
		if (parse_duration_ms(v, &k->age_ms) == -1)
			bad_value(w, "duration", v, f->max_age != NULL);
		k->have_age = 1;
	}
	if ((v = pick(c, f->codec, "codec", &w)) != NULL) {
		if (strcmp(v, "flac") == 0)
			o->codec_flac = 1;
		else if (strcmp(v, "wav") != 0)
			bad_value(w, "codec", v, f->codec != NULL);
	}
	if (o->codec_flac)
		check_flac_channels(c, w);
	if ((v = pick(c, f->flac_level, "flac-level", &w)) != NULL) {
		if (parse_uint(v, 0, 8, &u) == -1)
			bad_value(w, "FLAC level", v, f->flac_level != NULL);
		o->flac_level = (unsigned)u;
	}
	if ((v = pick(c, f->compress, "compress", &w)) != NULL &&
	    aname_compress_parse(v, &o->compress) == -1)
		bad_value(w, "compression", v, f->compress != NULL);
	if ((v = pick(c, f->max_bytes, "max-bytes", &w)) != NULL) {
		if (parse_size(v, &o->max_bytes) == -1 || o->max_bytes == 0)
			bad_value(w, "size", v, f->max_bytes != NULL);
	}
	*wait = f->wait;
	if (!f->wait && (v = conf_get(c, "archive", "wait")) != NULL) {
		if (parse_bool(v, &b) == -1)
			bad_value(conf_where(c, "archive", "wait"), "boolean",
			    v, 0);
		*wait = b;
	}
	if ((v = conf_get(c, "upload", "part-size")) != NULL &&
	    parse_size(v, &o->part_size) == -1)
		bad_value(conf_where(c, "upload", "part-size"), "size", v, 0);
	if ((v = getenv("REC_TEST_FREE_BYTES")) != NULL &&
	    parse_size(v, &u) == 0)
		o->fake_free = (int64_t)u;
	load_recipients(c, f, o);
}

static void
segs_free_one(struct seg *s)
{
	wav_info_free(&s->wi);
	free(s->m.gaps);
}

static void
segs_free(struct seg *segs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		segs_free_one(&segs[i]);
	free(segs);
}

/*
 * Read one segment's metadata into s. 0; 1 when the segment is bad
 * (why says so: it goes to corrupt/); 2 when it cannot be read (why
 * says why: worth another try); or an EX_ code after logging.
 */
static int
load_segment(struct spool *sp, const char *name, struct seg *s,
    char *why, size_t wlen)
{
	char val[256];
	struct timespec name_ts;
	struct segmeta sm;
	struct stat st;
	struct err e;
	int fd, ret = 1;

	memset(s, 0, sizeof *s);
	memset(&sm, 0, sizeof sm);
	snprintf(s->name, sizeof s->name, "%s", name);
	snprintf(s->m.name, sizeof s->m.name, "%s", name);
	if (strlen(name) >= sizeof s->name ||
	    aname_seg_parse(name, &name_ts, s->station) == -1) {
		snprintf(why, wlen, "not a segment name");
		return 1;
	}
	s->name_ts = name_ts;
	/* a link or a FIFO is never followed: it goes to corrupt/ */
	fd = file_open_regular(sp->fd[SPOOL_SEG], name, O_RDONLY, 0);
	if (fd == -1 && (errno == ELOOP || errno == EINVAL ||
	    errno == EISDIR)) {
		snprintf(why, wlen, "not a regular file (%s)", errno == ELOOP ?
		    "a symbolic link" : strerror(errno));
		return 1;
	}
	if (fd == -1 || fstat(fd, &st) == -1) {
		/* EIO is the file's problem; EMFILE and the like the run's */
		int se = errno;
		if (fd != -1)
			close(fd);
		if (se == EIO) {
			snprintf(why, wlen, "%s", strerror(se));
			return 2;
		}
		log_error("cannot open %s/seg/%s: %s", sp->dir, name,
		    strerror(se));
		return err_ex_for_errno(se);
	}
	s->file_size = (uint64_t)st.st_size;
	if (wav_parse(fd, &s->wi, &e) == -1) {
		close(fd);
		snprintf(why, wlen, "%s", e.msg);
		if (e.ex == EX_DATAERR)
			return 1;
		if (e.ex == EX_IOERR)
			return 2;
		log_error("cannot read %s/seg/%s: %s", sp->dir, name, e.msg);
		return e.ex;
	}
	close(fd);
	if (!s->wi.finished) {
		snprintf(why, wlen, "not a finished WAV file (truncated?)");
		goto out;
	}
	if (s->wi.guano == NULL) {
		snprintf(why, wlen, "no GUANO metadata");
		goto out;
	}
	if (guano_get(s->wi.guano, s->wi.guano_len, "Timestamp", val,
	    sizeof val) < 0 || utc_parse_iso(val, &s->m.start) == -1) {
		snprintf(why, wlen, "no or bad GUANO Timestamp");
		goto out;
	}
	s->m.frames = s->wi.frames;
	s->m.spec = s->wi.spec;
	if (segmeta_read(s->wi.guano, s->wi.guano_len, &sm, &e) == -1) {
		if (e.ex == EX_DATAERR) {
			snprintf(why, wlen, "%s", e.msg);
			goto out;
		}
		log_error("cannot read %s/seg/%s: %s", sp->dir, name, e.msg);
		ret = e.ex;
		goto out;
	}
	if (sm.frames != 0 && sm.frames != s->wi.frames) {
		snprintf(why, wlen, "GUANO says %" PRIu64 " frames, the file "
		    "holds %" PRIu64, sm.frames, s->wi.frames);
		goto out;
	}
	if (sm.ngaps > 0) {
		s->m.gaps = calloc(sm.ngaps, sizeof(*s->m.gaps));
		if (s->m.gaps == NULL) {
			log_error("out of memory");
			ret = EX_OSERR;
			goto out;
		}
		for (size_t i = 0; i < sm.ngaps; i++) {
			s->m.gaps[i].off = sm.gaps[i].off;
			s->m.gaps[i].len = sm.gaps[i].len;
		}
		s->m.ngaps = sm.ngaps;
	}
	s->m.lost_frames = sm.lost_frames;
	s->m.first_frame = sm.first_frame;
	s->m.recovered = sm.recovered;
	if (strlen(sm.run) < sizeof s->m.run)
		strcpy(s->m.run, sm.run);
	ret = 0;
out:
	segmeta_free(&sm);
	if (ret != 0) {
		wav_info_free(&s->wi);
		free(s->m.gaps);
		s->m.gaps = NULL;
	}
	return ret;
}

/*
 * Move seg/name to corrupt/ for why (*quarantined counted); when it
 * cannot be moved either, it stays in seg/ (*skipped counted). Either
 * way this run goes on without it.
 */
static void
give_up(struct spool *sp, const char *name, const char *why,
    int *quarantined, int *skipped)
{
	if (spool_quarantine(sp, SPOOL_SEG, name) == -1) {
		log_error("cannot move %s/seg/%s to %s/corrupt/: %s; skipped "
		    "(%s)", sp->dir, name, sp->dir, strerror(errno), why);
		(*skipped)++;
		return;
	}
	log_error("moved %s/seg/%s to corrupt/: %s", sp->dir, name, why);
	(*quarantined)++;
}

/*
 * The segments in seg/, bad ones quarantined (*quarantined counts them,
 * *skipped those that could neither be read nor moved). 0, or an EX_
 * code after logging.
 */
static int
collect(struct spool *sp, struct seg **segsp, size_t *np, int *quarantined,
    int *skipped)
{
	char **names, why[600], what[700];
	size_t n, cnt = 0;
	struct seg *segs;
	int ret = 0;

	*segsp = NULL;
	*np = 0;
	if (spool_list(sp, SPOOL_SEG, ".wav", &names, &n) == -1) {
		log_error("cannot list %s/seg: %s", sp->dir, strerror(errno));
		return EX_IOERR;
	}
	segs = calloc(n + 1, sizeof *segs);
	if (segs == NULL) {
		spool_names_free(names, n);
		log_error("out of memory");
		return EX_OSERR;
	}
	for (size_t i = 0; i < n; i++) {
		int rc = 2;

		for (int t = 0; t < READ_TRIES && rc == 2; t++)
			rc = load_segment(sp, names[i], &segs[cnt], why,
			    sizeof why);
		if (rc == 0) {
			cnt++;
			continue;
		}
		if (rc != 1 && rc != 2) {
			ret = rc;
			break;
		}
		if (rc == 2)
			snprintf(what, sizeof what, "unreadable after %d "
			    "tries: %s", READ_TRIES, why);
		else
			snprintf(what, sizeof what, "%s", why);
		give_up(sp, names[i], what, quarantined, skipped);
	}
	spool_names_free(names, n);
	if (ret != 0) {
		segs_free(segs, cnt);
		return ret;
	}
	*segsp = segs;
	*np = cnt;
	return 0;
}

/* 1 when a condition is met (or none is given). */
static int
conditions_met(const struct conds *k, const struct seg *segs, size_t n)
{
	uint64_t bytes = 0;
	struct timespec now;

	if (n == 0)
		return 0;
	if (!k->have_count && !k->have_bytes && !k->have_age)
		return 1;
	if (k->have_count && n >= k->count)
		return 1;
	for (size_t i = 0; i < n; i++)
		bytes += segs[i].file_size;
	if (k->have_bytes && bytes >= k->bytes)
		return 1;
	clock_gettime(CLOCK_REALTIME, &now);
	if (k->have_age && utc_ns(&now) - utc_ns(&segs[0].m.start) >
	    (int64_t)k->age_ms * 1000000)
		return 1;
	log_debug("no condition met: %zu segments, %" PRIu64 " bytes", n,
	    bytes);
	return 0;
}

/* Length of the next archive's run of segments starting at segs[0]. */
static size_t
next_run(const struct opts *o, const struct seg *segs, size_t n)
{
	size_t k = 1;

	uint64_t size = 4096 + segs[0].file_size + ARCHIVE_MEMBER_OVERHEAD;

	/* the segments' bytes bound the archive's: FLAC and compression
	 * only shrink them */
	while (k < n && strcmp(segs[k].station, segs[0].station) == 0) {
		size += segs[k].file_size + ARCHIVE_MEMBER_OVERHEAD;
		/* age: a 16-byte tag per 64 KiB chunk, and its header */
		if (o->max_bytes != 0 && size + (o->nrs > 0 ?
		    size / 4096 + 1024 * o->nrs : 0) > o->max_bytes)
			break;
		k++;
	}
	return k;
}

/*
 * Test hook: REC_TEST_HOLD=FIFO: with the lock held, open FIFO and read
 * it to its end, so a test knows when this run holds the lock (its open
 * for writing returns) and decides when it goes on (it closes the FIFO).
 */
static void
hold_hook(void)
{
	const char *path = getenv("REC_TEST_HOLD");
	char buf[64];
	int fd;

	if (path == NULL || (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	while (read(fd, buf, sizeof buf) > 0)
		;
	close(fd);
}

static int
run_archive(const struct conf *c, const struct flags *f)
{
	struct spool sp;
	struct opts o;
	struct conds k;
	struct seg *segs = NULL;
	struct err e;
	size_t n = 0, i, made = 0;
	int wait, ret, quarantined = 0, skipped = 0;
	uint64_t need = 0, avail;

	settings(c, f, &o, &k, &wait);
	if (spool_open(&sp, conf_spool(c, f->spool), &e) == -1)
		log_die(e.ex, "%s", e.msg);
	if (spool_lock(&sp, wait) == -1) {
		spool_lock_err(sp.dir, "lock", errno, &e);
		log_error("%s", e.msg);
		ret = e.ex;
		goto out;
	}
	hold_hook();
	ret = reconcile(&sp);
	if (ret != 0)
		goto out;
	ret = collect(&sp, &segs, &n, &quarantined, &skipped);
	if (ret != 0)
		goto out;
	if (!conditions_met(&k, segs, n))
		goto out;

	/* room for the biggest archive of this run, before starting any */
	for (i = 0; i < n; ) {
		size_t r = next_run(&o, segs + i, n - i);
		uint64_t est = archive_estimate(&o, segs + i, r);
		if (est > need)
			need = est;
		i += r;
	}
	if (o.fake_free >= 0)
		avail = (uint64_t)o.fake_free;
	else if (spool_free_bytes(&sp, &avail) == -1) {
		log_error("cannot stat %s: %s", sp.dir, strerror(errno));
		ret = EX_IOERR;
		goto out;
	}
	if (avail < need) {
		log_error("not enough free space in %s: an archive needs up "
		    "to %" PRIu64 " bytes, %" PRIu64 " are free; nothing "
		    "archived", sp.dir, need, avail);
		ret = EX_TEMPFAIL;
		goto out;
	}
	for (i = 0; i < n; ) {
		size_t r = next_run(&o, segs + i, n - i), bad;
		ret = archive_write_one(&sp, &o, segs + i, r, &bad);
		if (ret != 0 && bad < r) {
			/* one unreadable segment: the rest go on without it */
			struct seg *s = &segs[i + bad];
			give_up(&sp, s->name, "unreadable", &quarantined,
			    &skipped);
			segs_free_one(s);
			memmove(s, s + 1, (n - (i + bad) - 1) * sizeof *s);
			n--;
			ret = 0;
			continue;
		}
		if (ret != 0)
			goto out;
		made++;
		i += r;
	}
	log_debug("%zu archives from %zu segments", made, n);
out:
	if (ret == 0 && quarantined > 0) {
		log_error("%d segment%s moved to %s/corrupt/", quarantined,
		    quarantined == 1 ? "" : "s", sp.dir);
		ret = EX_DATAERR;
	}
	/* a file left in seg/ unread outweighs one safe in corrupt/ */
	if ((ret == 0 || ret == EX_DATAERR) && skipped > 0) {
		log_error("%d unreadable segment%s left in %s/seg/", skipped,
		    skipped == 1 ? "" : "s", sp.dir);
		ret = EX_IOERR;
	}
	segs_free(segs, n);
	free(o.rs);
	spool_close(&sp);
	return ret;
}

int
main(int argc, char **argv)
{
	struct flags f;
	struct conf *c = NULL;
	struct err e;
	int ch, ret = 0;
	const char *v;

	log_init(argv[0]);
	signal(SIGPIPE, SIG_IGN);
	memset(&f, 0, sizeof f);
	f.recipients = calloc((size_t)argc + 1, sizeof *f.recipients);
	if (f.recipients == NULL)
		log_die(EX_SOFTWARE, "out of memory");
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:d:r:R:i:twvqhV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c': f.config = optarg; break;
		case 'd': f.spool = optarg; break;
		case OPT_MIN_COUNT: f.min_count = optarg; break;
		case OPT_MIN_BYTES: f.min_bytes = optarg; break;
		case OPT_MAX_AGE: f.max_age = optarg; break;
		case OPT_CODEC: f.codec = optarg; break;
		case OPT_FLAC_LEVEL: f.flac_level = optarg; break;
		case OPT_COMPRESS: f.compress = optarg; break;
		case OPT_MAX_BYTES: f.max_bytes = optarg; break;
		case 'r': f.recipients[f.nrecipients++] = optarg; break;
		case 'R': f.recipients_file = optarg; break;
		case 'i': f.identity = optarg; break;
		case 't': f.verify = 1; break;
		case 'w': f.wait = 1; break;
		case 'v': f.verbose = 1; break;
		case 'q': f.quiet = 1; break;
		case 'h':
			fputs(usage_text, stdout);
			free(f.recipients);
			return 0;
		case 'V':
			printf("rec-archive %s\n", REC_VERSION);
			free(f.recipients);
			return 0;
		default:
			free(f.recipients);
			return log_bad_option(ch, argv);
		}
	}
	if (f.verify != (optind < argc))
		usage();
	if (conf_load(&c, f.config, &e) == -1)
		log_die(e.ex, "%s", e.msg);
	if (!f.verbose && (v = conf_get(c, "archive", "verbose")) != NULL)
		parse_bool(v, &f.verbose);
	if (!f.quiet && (v = conf_get(c, "archive", "quiet")) != NULL)
		parse_bool(v, &f.quiet);
	log_set_level(f.verbose ? LOG_LVL_DEBUG : f.quiet ? LOG_LVL_WARN :
	    LOG_LVL_INFO);
	if (f.verify) {
		for (int i = optind; i < argc; i++) {
			int rc = verify_file(argv[i], f.identity);
			if (rc != 0 && (ret == 0 || rc == EX_DATAERR))
				ret = rc;
		}
	} else {
		ret = run_archive(c, &f);
	}
	conf_free(c);
	free(f.recipients);
	return ret;
}
