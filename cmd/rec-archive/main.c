/*
 * rec-archive: turn the finished segments in seg/ into archives in out/
 * (POSIX pax tar, optionally FLAC, compressed, age-encrypted), under the
 * spool's cycle lock, crash-safely; or --verify archives.
 */
#include <errno.h>
#include <fcntl.h>
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
#include "opt.h"
#include "parse.h"
#include "segmeta.h"
#include "utc.h"

static const char usage_text[] =
"usage: rec-archive [-hqVv] [--config file] [--spool dir] [--wait]\n"
"                   [--min-count n] [--min-bytes size] [--max-age duration]\n"
"                   [--codec wav | flac] [--flac-level n]\n"
"                   [--compress none | gzip | zstd | xz] [--max-bytes size]\n"
"                   [--recipient recipient ...] [--recipients-file file]\n"
"       rec-archive --verify [-qv] [--identity file] archive ...\n";

static const char *const codecs[] = { "wav", "flac", NULL };

/* The settings of rec-archive: flag, else [archive] in rec.conf. */
enum { O_MIN_COUNT, O_MIN_BYTES, O_MAX_AGE, O_CODEC, O_FLAC_LEVEL,
	O_COMPRESS, O_MAX_BYTES, O_RECIPIENT, O_RECIPIENTS_FILE,
	O_IDENTITY, O_VERIFY, O_WAIT, O_PART_SIZE };
static struct opt opts[] = {
	[O_MIN_COUNT] = { .name = "min-count", .type = OPT_UINT,
	    .section = "archive", .key = "min-count",
	    .min = 1, .max = UINT64_MAX },
	[O_MIN_BYTES] = { .name = "min-bytes", .type = OPT_SIZE,
	    .section = "archive", .key = "min-bytes" },
	[O_MAX_AGE] = { .name = "max-age", .type = OPT_DURATION,
	    .section = "archive", .key = "max-age" },
	[O_CODEC] = { .name = "codec", .type = OPT_ENUM, .section = "archive",
	    .key = "codec",
	    .choices = codecs },
	[O_FLAC_LEVEL] = { .name = "flac-level", .type = OPT_UINT,
	    .section = "archive", .key = "flac-level", .min = 0, .max = 8 },
	[O_COMPRESS] = { .name = "compress", .type = OPT_STR,
	    .section = "archive", .key = "compress" },
	[O_MAX_BYTES] = { .name = "max-bytes", .type = OPT_SIZE,
	    .section = "archive", .key = "max-bytes" },
	[O_RECIPIENT] = { .name = "recipient", .type = OPT_LIST,
	    .section = "archive", .key = NULL },
	[O_RECIPIENTS_FILE] = { .name = "recipients-file", .type = OPT_STR,
	    .section = "archive", .key = NULL },
	[O_IDENTITY] = { .name = "identity", .type = OPT_STR },
	[O_VERIFY] = { .name = "verify", .type = OPT_BOOL },
	[O_WAIT] = { .name = "wait", .type = OPT_BOOL, .section = "archive",
	    .key = "wait" },
	[O_PART_SIZE] = { .name = NULL, .type = OPT_SIZE, .section = "upload",
	    .key = "part-size" },
	{ .name = NULL }
};

/* What the command line said besides the table. */
struct flags {
	const char *spool;
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

/* Log e and exit with its code (for the settings of one run). */
static noreturn void
die_err(const struct err *e)
{
	log_die(e->ex, "%s", e->msg);
}

/* Recipients from flags, else [archive] recipient/recipients-file. */
static void
load_recipients(const struct conf *c, struct opts *o)
{
	struct err e;
	const char *v, *file;
	size_t it = 0;
	const struct opt *rf = &opts[O_RECIPIENTS_FILE];
	int from_flags = opts[O_RECIPIENT].count > 0 || rf->count > 0;

	for (size_t i = 0; i < opts[O_RECIPIENT].nvals; i++) {
		struct age_recipient *r = realloc(o->rs, (o->nrs + 1) *
		    sizeof *r);
		if (r == NULL)
			log_die(EX_OSERR, "out of memory");
		o->rs = r;
		if (age_recipient_parse(opts[O_RECIPIENT].vals[i],
		    &o->rs[o->nrs],
		    &e) == -1)
			log_die(EX_CONFIG, "--recipient: %s", e.msg);
		o->nrs++;
	}
	file = from_flags ? rf->val :
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
			log_die(EX_OSERR, "out of memory");
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

/* Everything from flags and config into o and k; dies on a bad one. */
static void
settings(const struct conf *c, struct opts *o, struct conds *k, int *wait)
{
	struct err e;
	const char *v;
	uint64_t u;
	int r, codec = 0;

	memset(o, 0, sizeof *o);
	memset(k, 0, sizeof *k);
	o->flac_level = 5;
	o->fake_free = -1;
	if ((k->have_count = opt_uint(c, &opts[O_MIN_COUNT], NULL, &k->count,
	    &e)) < 0 ||
	    (k->have_bytes = opt_size(c, &opts[O_MIN_BYTES], NULL, &k->bytes,
	    &e)) < 0 ||
	    (k->have_age = opt_duration(c, &opts[O_MAX_AGE], NULL, &k->age_ms,
	    &e)) < 0 ||
	    opt_enum(c, &opts[O_CODEC], "wav", &codec, &e) < 0 ||
	    opt_uint(c, &opts[O_FLAC_LEVEL], "5", &u, &e) < 0 ||
	    (r = opt_size(c, &opts[O_MAX_BYTES], NULL, &o->max_bytes,
	    &e)) < 0 ||
	    opt_bool(c, &opts[O_WAIT], 0, wait, &e) < 0 ||
	    opt_size(c, &opts[O_PART_SIZE], NULL, &o->part_size, &e) < 0)
		die_err(&e);
	o->flac_level = (unsigned)u;
	o->codec_flac = codec == 1;
	if (o->codec_flac)
		check_flac_channels(c, opts[O_CODEC].count ? "--codec" :
		    conf_where(c, "archive", "codec"));
	if (r && o->max_bytes == 0 && opt_bad(c, &opts[O_MAX_BYTES], "0",
	    "must be more than 0", &e) < 0)
		die_err(&e);
	if (opt_str(c, &opts[O_COMPRESS], NULL, &v, &e) > 0 &&
	    aname_compress_parse(v, &o->compress) == -1 &&
	    opt_bad(c, &opts[O_COMPRESS], v, "use none, gzip, zstd or xz",
	    &e) < 0)
		die_err(&e);
	if ((v = getenv("REC_TEST_FREE_BYTES")) != NULL &&
	    parse_size(v, &u) == 0)
		o->fake_free = (int64_t)u;
	load_recipients(c, o);
}

static void
segs_free_one(struct seg *s)
{
	wav_info_free(&s->wi);
	free(s->m.gaps);
	free(s->m.levels);
	free(s->m.clock.steps);
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
/*
 * What the manifest keeps of a segment's GUANO: sm's gaps, losses, run,
 * levels (taken from sm) and clock, and the place. 0, or -1 out of
 * memory.
 */
static int
to_manifest(struct seg *s, struct segmeta *sm)
{
	if (sm->ngaps > 0) {
		s->m.gaps = calloc(sm->ngaps, sizeof(*s->m.gaps));
		if (s->m.gaps == NULL)
			return -1;
		for (size_t i = 0; i < sm->ngaps; i++) {
			s->m.gaps[i].off = sm->gaps[i].off;
			s->m.gaps[i].len = sm->gaps[i].len;
		}
		s->m.ngaps = sm->ngaps;
	}
	s->m.lost_frames = sm->lost_frames;
	s->m.first_frame = sm->first_frame;
	s->m.recovered = sm->recovered;
	/* the levels, when there is one per channel of the file */
	if (sm->nlevels == s->wi.spec.channels) {
		s->m.levels = sm->levels;
		s->m.nlevels = sm->nlevels;
		sm->levels = NULL;
		sm->nlevels = 0;
	}
	/* how the time was known: the clock keys of its start, the card's
	 * rate and the wall clock's steps */
	if (sm->have & SEGMETA_CLOCK) {
		struct manifest_clock *c = &s->m.clock;

		c->have = 1;
		c->synced = sm->clock_synced;
		c->est_ns = sm->clock_est_ns;
		c->max_ns = sm->clock_max_ns;
		c->have_ppm = (sm->have & SEGMETA_CLOCK_PPM) != 0;
		c->ppm = c->have_ppm ? sm->clock_ppm : 0;
		if (sm->nsteps > 0) {
			c->steps = calloc(sm->nsteps, sizeof(*c->steps));
			if (c->steps == NULL)
				return -1;
			for (size_t i = 0; i < sm->nsteps; i++) {
				c->steps[i].off = sm->steps[i].off;
				c->steps[i].ns = sm->steps[i].ns;
			}
			c->nsteps = sm->nsteps;
		}
	}
	if (strlen(sm->run) < sizeof s->m.run)
		strcpy(s->m.run, sm->run);
	/* too long a place is left out, not cut */
	if (guano_get(s->wi.guano, s->wi.guano_len, "Loc Position",
	    s->m.loc_position, sizeof s->m.loc_position) < 0)
		s->m.loc_position[0] = '\0';
	if (guano_get(s->wi.guano, s->wi.guano_len, "Loc Elevation",
	    s->m.loc_elevation, sizeof s->m.loc_elevation) < 0)
		s->m.loc_elevation[0] = '\0';
	return 0;
}

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
	/* a step is before a frame of the segment, or at its end */
	for (size_t i = 0; i < sm.nsteps; i++) {
		if (sm.steps[i].off > s->wi.frames) {
			snprintf(why, wlen, "GUANO REC|Clock Steps at frame "
			    "%" PRIu64 ", the file holds %" PRIu64,
			    sm.steps[i].off, s->wi.frames);
			goto out;
		}
	}
	if (to_manifest(s, &sm) == -1) {
		log_error("out of memory");
		ret = EX_OSERR;
		goto out;
	}
	ret = 0;
out:
	segmeta_free(&sm);
	if (ret != 0) {
		segs_free_one(s);
		memset(&s->m, 0, sizeof s->m);
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

	settings(c, &o, &k, &wait);
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
	struct opt_common oc;
	struct conf *c = NULL;
	int ret = 0, verify;

	log_init(argv[0]);
	signal(SIGPIPE, SIG_IGN);
	opt_start(argc, argv, opts, OPT_START_SPOOL | OPT_START_OPERANDS, &oc,
	    "rec-archive", usage_text);
	f.spool = oc.spool;
	verify = opts[O_VERIFY].count > 0;
	if (verify != (optind < argc))
		usage();
	opt_setup(&c, &oc, "archive");
	if (verify) {
		for (int i = optind; i < argc; i++) {
			int rc = verify_file(argv[i], opts[O_IDENTITY].val);
			if (rc != 0 && (ret == 0 || rc == EX_DATAERR))
				ret = rc;
		}
	} else {
		ret = run_archive(c, &f);
	}
	conf_free(c);
	opt_free(opts);
	return ret;
}
