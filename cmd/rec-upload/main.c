/*
 * rec-upload: send every archive in the spool's out/ to S3-compatible
 * storage, verified end to end with the hashes rec-archive kept beside it,
 * then write a ledger line and only then delete the local copy.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "aname.h"
#include "conf.h"
#include "cred.h"
#include "err.h"
#include "file.h"
#include "log.h"
#include "parse.h"
#include "s3.h"
#include "spool.h"
#include "sums.h"
#include "utc.h"

#define DEF_TEMPLATE	"{prefix}{station}/{YYYY}/{MM}/{DD}/{name}"
#define DEF_STALE_MS	(24ULL * 3600 * 1000)
#define KEY_MAX		1024

static const char usage_text[] =
    "usage: rec-upload [-qv] [--config FILE] [--spool DIR] [--station NAME]\n"
    "                  [--endpoint URL] [--region NAME] [--bucket NAME]\n"
    "                  [--prefix STRING] [--addressing auto|path|virtual]\n"
    "                  [--limit-rate BYTES] [--retry] [--deadline DURATION]\n"
    "                  [--wait]\n"
    "       rec-upload --help | --version\n";

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct run {
	struct spool sp;
	struct s3 *s3;
	const struct conf *conf;
	const char *bucket, *prefix, *tmpl;
	char station[ANAME_STATION_MAX + 1];
	uint64_t part_size, threshold, budget;
	uint64_t stale_ms;
	char **failed;		/* archives with a data error this run */
	size_t nfailed;
	int budget_hit;
};

static noreturn void
usage(int ex)
{
	fputs(usage_text, ex ? stderr : stdout);
	exit(ex);
}

/* lib/s3 reports retries and clock corrections: worth a warning each. */
static void
s3_log(int level, const char *msg)
{
	(void)level;
	log_warn("%s", msg);
}

/* Expand the key template for archive name (parsed as an). */
static int
make_key(const struct run *r, const char *name, const struct aname *an,
    char *key, size_t len)
{
	const char *t = r->tmpl;
	struct tm tm;
	size_t o = 0;

	gmtime_r(&an->start.tv_sec, &tm);
	while (*t) {
		char val[KEY_MAX];
		const char *v = NULL;
		size_t n;

		if (*t == '{') {
			const char *end = strchr(t, '}');
			size_t vl = end ? (size_t)(end - t - 1) : 0;
			if (end == NULL)
				return -1;
			if (vl == 6 && strncmp(t + 1, "prefix", 6) == 0)
				v = r->prefix;
			else if (vl == 7 && strncmp(t + 1, "station", 7) == 0)
				v = an->station;
			else if (vl == 4 && strncmp(t + 1, "name", 4) == 0)
				v = name;
			else if (vl == 4 && strncmp(t + 1, "YYYY", 4) == 0)
				v = (snprintf(val, sizeof(val), "%04d",
				    tm.tm_year + 1900), val);
			else if (vl == 2 && strncmp(t + 1, "MM", 2) == 0)
				v = (snprintf(val, sizeof(val), "%02d",
				    tm.tm_mon + 1), val);
			else if (vl == 2 && strncmp(t + 1, "DD", 2) == 0)
				v = (snprintf(val, sizeof(val), "%02d",
				    tm.tm_mday), val);
			else if (vl == 2 && strncmp(t + 1, "hh", 2) == 0)
				v = (snprintf(val, sizeof(val), "%02d",
				    tm.tm_hour), val);
			else
				return -1;
			t = end + 1;
		} else {
			val[0] = *t++;
			val[1] = '\0';
			v = val;
		}
		n = strlen(v);
		if (o + n + 1 > len)
			return -1;
		memcpy(key + o, v, n);
		o += n;
	}
	key[o] = '\0';
	return o > 0 && key[0] != '/' ? 0 : -1;
}

/* The literal start of every key this station writes (for listing). */
static void
list_prefix(const struct run *r, char *out, size_t len)
{
	const char *t = r->tmpl;
	size_t o = 0;

	while (*t && o + 1 < len) {
		const char *v = NULL;
		if (strncmp(t, "{prefix}", 8) == 0) {
			v = r->prefix;
			t += 8;
		} else if (strncmp(t, "{station}", 9) == 0) {
			v = r->station;
			t += 9;
		} else if (*t == '{') {
			break;
		} else {
			out[o++] = *t++;
			continue;
		}
		o += (size_t)snprintf(out + o, len - o, "%s", v);
		if (o >= len)
			o = len - 1;
	}
	out[o] = '\0';
}

/* Bytes of the ledger lines of this UTC month. */
static uint64_t
ledger_month_bytes(struct run *r)
{
	char *buf = NULL, *line, *save = NULL, month[8];
	uint64_t sum = 0;
	time_t now = time(NULL);
	struct tm tm;
	size_t len;

	gmtime_r(&now, &tm);
	strftime(month, sizeof(month), "%Y-%m", &tm);
	if (file_slurp(r->sp.dirfd, "ledger", 64 << 20, &buf, &len) < 0)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		char *f[6], *s2 = NULL, *p;
		int n = 0;
		for (p = strtok_r(line, "\t", &s2); p && n < 6;
		    p = strtok_r(NULL, "\t", &s2))
			f[n++] = p;
		if (n >= 3 && strncmp(f[0], month, 7) == 0)
			sum += strtoull(f[2], NULL, 10);
	}
	free(buf);
	return sum;
}

/*
 * One line per verified upload, tab-separated: time, key, bytes, ETag,
 * start and end of the archive, and its name in out/ (the key need not
 * end in it: key-template).
 */
static int
ledger_append(struct run *r, const char *key, uint64_t bytes,
    const char *etag, const struct aname *an, const char *name)
{
	char line[KEY_MAX + ANAME_MAX + 256], now_s[32], st[32], en[32];
	time_t now = time(NULL);
	struct tm tm;
	int fd, n, rc = -1;

	gmtime_r(&now, &tm);
	strftime(now_s, sizeof(now_s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "%s\t%s\t%" PRIu64 "\t%s\t%s\t%s"
	    "\t%s\n", now_s, key, bytes, etag,
	    utc_iso(&an->start, st, sizeof(st)),
	    utc_iso(&an->end, en, sizeof(en)), name);
	fd = openat(r->sp.dirfd, "ledger", O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC, 0640);
	if (fd < 0)
		return -1;
	if (file_write_all(fd, line, (size_t)n) == 0 && fsync(fd) == 0)
		rc = 0;
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

/* The multipart state, out/<archive>.upload. */
struct mpstate {
	char key[KEY_MAX];
	char *upload_id;
	uint64_t part_size, size;
	struct s3_part *parts;	/* by number - 1; etag "" = not done */
	size_t nparts;
};

static void
mp_free(struct mpstate *m)
{
	free(m->upload_id);
	free(m->parts);
	memset(m, 0, sizeof(*m));
}

static int
mp_write(struct run *r, const char *sname, const struct mpstate *m)
{
	size_t cap = 512 + m->nparts * 100, o = 0, i;
	char *buf = malloc(cap);
	int rc;

	if (buf == NULL)
		return -1;
	o += (size_t)snprintf(buf + o, cap - o, "rec-upload 1\nkey %s\n"
	    "upload-id %s\npart-size %" PRIu64 "\nsize %" PRIu64 "\n",
	    m->key, m->upload_id, m->part_size, m->size);
	for (i = 0; i < m->nparts && o < cap; i++)
		if (m->parts[i].etag[0])
			o += (size_t)snprintf(buf + o, cap - o, "part %d %s\n",
			    m->parts[i].number, m->parts[i].etag);
	if (o < cap)
		o += (size_t)snprintf(buf + o, cap - o, "end\n");
	if (o >= cap) {
		free(buf);
		errno = ENOMEM;
		return -1;
	}
	rc = file_replace(r->sp.fd[SPOOL_OUT], sname, buf, o, 0640);
	free(buf);
	return rc;
}

/* Read the state; 0 ok, -1 missing or unusable (then m is empty). */
static int
mp_read(struct run *r, const char *sname, size_t nparts, struct mpstate *m)
{
	char *buf = NULL, *line, *save = NULL;
	int ended = 0, lineno = 0;

	memset(m, 0, sizeof(*m));
	if (file_slurp(r->sp.fd[SPOOL_OUT], sname, 4 << 20, &buf, NULL) < 0)
		return -1;
	if ((m->parts = calloc(nparts ? nparts : 1, sizeof(*m->parts))) == NULL)
		goto bad;
	m->nparts = nparts;
	for (size_t i = 0; i < nparts; i++)
		m->parts[i].number = (int)i + 1;
	for (line = strtok_r(buf, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save), lineno++) {
		if (lineno == 0) {
			if (strcmp(line, "rec-upload 1") != 0)
				goto bad;
		} else if (strncmp(line, "key ", 4) == 0) {
			snprintf(m->key, sizeof(m->key), "%s", line + 4);
		} else if (strncmp(line, "upload-id ", 10) == 0) {
			free(m->upload_id);
			m->upload_id = strdup(line + 10);
		} else if (strncmp(line, "part-size ", 10) == 0) {
			m->part_size = strtoull(line + 10, NULL, 10);
		} else if (strncmp(line, "size ", 5) == 0) {
			m->size = strtoull(line + 5, NULL, 10);
		} else if (strncmp(line, "part ", 5) == 0) {
			char *sp2;
			unsigned long n = strtoul(line + 5, &sp2, 10);
			if (n < 1 || n > nparts || *sp2 != ' ')
				goto bad;
			snprintf(m->parts[n - 1].etag,
			    sizeof(m->parts[n - 1].etag), "%s", sp2 + 1);
		} else if (strcmp(line, "end") == 0) {
			ended = 1;
		} else {
			goto bad;
		}
	}
	if (!ended || m->upload_id == NULL || !*m->upload_id || !m->key[0])
		goto bad;
	free(buf);
	return 0;
bad:
	free(buf);
	mp_free(m);
	return -1;
}

/* After a verified upload: ledger line, then delete the local files. */
static int
finish(struct run *r, const char *name, const char *key, uint64_t size,
    const char *etag, const struct aname *an)
{
	char side[ANAME_MAX + 16];
	const char *ext[] = { ".sums", ".upload" };
	size_t i;

	if (ledger_append(r, key, size, etag, an, name) < 0) {
		log_error("cannot append to %s/ledger: %s (%s kept)",
		    r->sp.dir, strerror(errno), name);
		return EX_IOERR;
	}
	log_info("uploaded out/%s as s3://%s/%s (%" PRIu64 " bytes, ETag %s)",
	    name, r->bucket, key, size, etag);
	if (spool_remove(&r->sp, SPOOL_OUT, name) < 0) {
		log_error("cannot remove %s/out/%s: %s", r->sp.dir, name,
		    strerror(errno));
		return EX_IOERR;
	}
	for (i = 0; i < 2; i++) {
		snprintf(side, sizeof(side), "%s%s", name, ext[i]);
		if (spool_remove(&r->sp, SPOOL_OUT, side) < 0 &&
		    errno != ENOENT) {
			log_error("cannot remove %s/out/%s: %s", r->sp.dir,
			    side, strerror(errno));
			return EX_IOERR;
		}
	}
	return 0;
}

/* An s3 error: log it, map it to what the pass does. */
static int
s3_fail(const char *name, struct err *e)
{
	if (e->ex == EX_TEMPFAIL)
		log_warn("out/%s kept: %s", name, e->msg);
	else
		log_error("out/%s kept: %s", name, e->msg);
	return e->ex;
}

static const char *
code_of(struct run *r)
{
	const char *code;

	s3_last(r->s3, NULL, &code);
	return code;
}

/*
 * Fill the whole-file hashes of s when its sidecar has none (several
 * parts): hash the archive fd now, streaming.  Only a single PUT of a
 * multi-part sidecar (multipart-threshold > part-size) and the rare
 * s3rver-like ETag checks need them.  0, or an exit status after logging.
 */
static int
need_whole(const struct run *r, const char *name, int fd, struct sums *s)
{
	struct sums *w = NULL;
	struct err e;

	size_t i;

	if (s->have_whole)
		return 0;
	log_debug("out/%s: hashing the whole archive (the sidecar has part "
	    "hashes only)", name);
	/* The bytes must still be those hashed when the archive was
	 * written: check every part against the sidecar first. */
	if (sums_fd(fd, s->part_size, &w, &e) < 0) {
		log_error("cannot hash %s/out/%s: %s", r->sp.dir, name, e.msg);
		return EX_IOERR;
	}
	for (i = 0; w->nparts == s->nparts && i < s->nparts; i++)
		if (memcmp(w->parts[i].md5, s->parts[i].md5, 16) != 0 ||
		    memcmp(w->parts[i].sha256, s->parts[i].sha256, 32) != 0)
			break;
	if (w->size != s->size || w->nparts != s->nparts || i < s->nparts) {
		log_error("%s/out/%s kept: it no longer matches its sidecar "
		    "(changed on disk since it was written)", r->sp.dir, name);
		sums_free(w);
		return EX_DATAERR;
	}
	sums_free(w);
	w = NULL;
	if (sums_fd(fd, s->size ? s->size : 1, &w, &e) < 0) {
		log_error("cannot hash %s/out/%s: %s", r->sp.dir, name, e.msg);
		return EX_IOERR;
	}
	if (w->size != s->size || !w->have_whole) {
		log_error("out/%s kept: it changed size while it was hashed",
		    name);
		sums_free(w);
		return EX_IOERR;
	}
	memcpy(s->md5, w->md5, sizeof(s->md5));
	memcpy(s->sha256, w->sha256, sizeof(s->sha256));
	s->have_whole = 1;
	sums_free(w);
	return 0;
}

/*
 * Is etag the plain MD5 of the whole archive (what s3rver-like stores
 * answer for a multipart upload)?  The MD5 is hashed only now, when the
 * multipart ETag did not match.  1 yes, 0 no, -1 cannot tell (logged).
 */
static int
is_whole_md5(const struct run *r, const char *name, int fd, struct sums *s,
    const char *etag)
{
	char whole[33];

	if (strlen(etag) != 32 || strchr(etag, '-') != NULL)
		return 0;
	if (need_whole(r, name, fd, s) != 0)
		return -1;
	return strcasecmp(etag, sums_hex(s->md5, 16, whole)) == 0;
}

/*
 * Is the object already there with our bytes (size, and ETag the
 * multipart one or the whole MD5)?  1 yes (etag filled), 0 no, -1 cannot
 * tell.
 */
static int
settled(struct run *r, const char *name, const char *key, int fd,
    struct sums *s, const char *want, char etag[80])
{
	char have[80];
	uint64_t size = 0;
	struct err e;
	int h;

	h = s3_head(r->s3, key, &size, have, &e);
	if (h < 0) {
		log_warn("cannot check s3://%s/%s: %s", r->bucket, key, e.msg);
		return -1;
	}
	if (h == 1 && size == s->size && strcasecmp(have, want) != 0) {
		int w = is_whole_md5(r, name, fd, s, have);
		if (w < 0)
			return -1;
		h = w;
	}
	if (h == 1 && size == s->size) {
		log_info("out/%s: the upload was completed already (found "
		    "s3://%s/%s with ETag %s)", name, r->bucket, key, have);
		snprintf(etag, 80, "%s", have);
		return 1;
	}
	return 0;
}

/* Multipart upload with resume; 0 and etag filled when done. */
static int
upload_multipart(struct run *r, const char *name, int fd,
    struct sums *s, const char *key, char etag[80])
{
	char sname[ANAME_MAX + 16], want[64];
	struct mpstate m;
	struct err e;
	size_t i;
	int ex = 0, fresh = 0, h, all_done = 0;

	snprintf(sname, sizeof(sname), "%s.upload", name);
	if (mp_read(r, sname, s->nparts, &m) == 0 &&
	    (strcmp(m.key, key) != 0 || m.part_size != s->part_size ||
	    m.size != s->size)) {
		log_info("out/%s: upload state does not match the archive: "
		    "starting over", name);
		if (s3_mp_abort(r->s3, m.key, m.upload_id, &e) < 0)
			log_warn("cannot abort upload of %s: %s", m.key, e.msg);
		mp_free(&m);
	}
start:
	if (m.upload_id == NULL) {
		memset(&m, 0, sizeof(m));
		snprintf(m.key, sizeof(m.key), "%s", key);
		m.part_size = s->part_size;
		m.size = s->size;
		m.nparts = s->nparts;
		if ((m.parts = calloc(s->nparts, sizeof(*m.parts))) == NULL) {
			log_error("out of memory");
			return EX_OSERR;
		}
		for (i = 0; i < s->nparts; i++)
			m.parts[i].number = (int)i + 1;
		if (s3_mp_create(r->s3, key, &m.upload_id, &e) < 0) {
			ex = s3_fail(name, &e);
			goto out;
		}
		if (mp_write(r, sname, &m) < 0) {
			log_error("cannot write %s/out/%s: %s", r->sp.dir, sname,
			    strerror(errno));
			s3_mp_abort(r->s3, key, m.upload_id, &e);
			ex = EX_IOERR;
			goto out;
		}
		fresh = 1;
	} else {
		size_t done = 0;
		for (i = 0; i < m.nparts; i++)
			done += m.parts[i].etag[0] != '\0';
		log_info("out/%s: resuming upload (%zu of %zu parts done)",
		    name, done, m.nparts);
		all_done = done == m.nparts;
	}
	for (i = 0; i < s->nparts; i++) {
		const struct sums_part *p = &s->parts[i];
		char got[80];

		if (m.parts[i].etag[0])
			continue;
		if (s3_mp_part(r->s3, key, m.upload_id, (int)i + 1, fd, p->off,
		    p->len, p->md5, p->sha256, got, &e) < 0) {
			const char *code;
			s3_last(r->s3, NULL, &code);
			if (!fresh && strcmp(code, "NoSuchUpload") == 0) {
				log_info("out/%s: the upload is gone from the "
				    "store: starting over", name);
				mp_free(&m);
				goto start;
			}
			ex = s3_fail(name, &e);
			goto out;
		}
		snprintf(m.parts[i].etag, sizeof(m.parts[i].etag), "%s", got);
		if (mp_write(r, sname, &m) < 0) {
			log_error("cannot write %s/out/%s: %s", r->sp.dir, sname,
			    strerror(errno));
			ex = EX_IOERR;
			goto out;
		}
	}
	sums_multipart_etag(s, want, sizeof(want));
	if (all_done && (h = settled(r, name, key, fd, s, want, etag)) > 0) {
		/* a Complete whose answer was lost: tidy up, done */
		s3_mp_abort(r->s3, key, m.upload_id, &e);
		goto out;
	}
	if (s3_mp_complete(r->s3, key, m.upload_id, m.parts, m.nparts, etag,
	    &e) < 0) {
		struct err e2 = e;
		char code[64];

		snprintf(code, sizeof(code), "%s", code_of(r));
		/*
		 * Completed by a try whose answer was lost?  RGW then says
		 * NoSuchUpload, others an error: check the object.
		 */
		if ((h = settled(r, name, key, fd, s, want, etag)) > 0)
			goto out;
		ex = s3_fail(name, &e2);
		if (h == 0 && strcmp(code, "NoSuchUpload") == 0) {
			log_warn("out/%s: the upload is gone and the object "
			    "does not match: starting over next time", name);
			spool_remove(&r->sp, SPOOL_OUT, sname);
			ex = EX_TEMPFAIL;
		} else if (h == 0 && e2.ex == EX_PROTOCOL) {
			/* InvalidPart and the like: this upload cannot end */
			log_warn("out/%s: the store refuses to complete the "
			    "upload: starting over next time", name);
			s3_mp_abort(r->s3, key, m.upload_id, &e);
			spool_remove(&r->sp, SPOOL_OUT, sname);
			ex = EX_TEMPFAIL;
		}
		goto out;
	}
	if (etag[0] == '\0') {
		snprintf(etag, 80, "%s", want);
	} else if (strcasecmp(etag, want) != 0) {
		/* some stores (s3rver) answer the MD5 of the whole object */
		int w = is_whole_md5(r, name, fd, s, etag);
		if (w < 0) {
			ex = EX_IOERR;
		} else if (w == 0) {
			log_error("out/%s kept: the store answered ETag %s for "
			    "s3://%s/%s, expected %s", name, etag, r->bucket,
			    key, want);
			ex = EX_DATAERR;
		}
	}
out:
	mp_free(&m);
	return ex;
}

/* Abort pending uploads under our keys that no state file refers to. */
static int
abort_stale(struct run *r)
{
	struct s3_upload *ups = NULL;
	char pfx[KEY_MAX], **names = NULL, want[96];
	const char *base;
	size_t n = 0, nn = 0, i, j;
	struct err e;
	time_t now = time(NULL) + s3_clock_skew(r->s3);
	int ex = 0;

	snprintf(want, sizeof(want), "_%s.", r->station);
	list_prefix(r, pfx, sizeof(pfx));
	if (s3_mp_list(r->s3, pfx, &ups, &n, &e) < 0) {
		long st;
		s3_last(r->s3, &st, NULL);
		if (st == 501) {
			log_debug("the store cannot list pending uploads");
			return 0;
		}
		if (e.ex == EX_CONFIG) {
			log_error("%s", e.msg);
			return e.ex;
		}
		if (e.ex == EX_NOPERM) {
			/* a key allowed to upload but not to list: the
			 * clean-up is only tidying, the uploads go on */
			log_warn("cannot list pending uploads under s3://%s/%s "
			    "(no stale uploads are aborted): %s", r->bucket,
			    pfx, e.msg);
			return 0;
		}
		log_warn("cannot list pending uploads under s3://%s/%s: %s",
		    r->bucket, pfx, e.msg);
		return e.ex == EX_TEMPFAIL ? EX_TEMPFAIL : 0;
	}
	if (n == 0)
		goto out;
	if (spool_list(&r->sp, SPOOL_OUT, ".upload", &names, &nn) < 0) {
		ex = EX_IOERR;
		goto out;
	}
	for (i = 0; i < n; i++) {
		int used = 0;
		for (j = 0; j < nn && !used; j++) {
			struct mpstate m;
			if (mp_read(r, names[j], 0, &m) == 0) {
				used = strcmp(m.upload_id, ups[i].upload_id) == 0;
				mp_free(&m);
			} else {
				/* unreadable part lines: compare the raw file */
				char *buf = NULL;
				if (file_slurp(r->sp.fd[SPOOL_OUT], names[j],
				    4 << 20, &buf, NULL) == 0)
					used = strstr(buf, ups[i].upload_id)
					    != NULL;
				free(buf);
			}
		}
		if (used)
			continue;
		/* only this station's archives, and only those surely
		 * older than stale-after (an unknown or future start, from
		 * a clock that is off, is not stale) */
		base = strrchr(ups[i].key, '/');
		base = base ? base + 1 : ups[i].key;
		if (strstr(base, want) == NULL || ups[i].initiated <= 0 ||
		    now < ups[i].initiated ||
		    (uint64_t)(now - ups[i].initiated) < r->stale_ms / 1000)
			continue;
		if (s3_mp_abort(r->s3, ups[i].key, ups[i].upload_id, &e) < 0)
			log_warn("cannot abort stale upload of s3://%s/%s: %s",
			    r->bucket, ups[i].key, e.msg);
		else
			log_info("aborted stale upload of s3://%s/%s",
			    r->bucket, ups[i].key);
	}
out:
	spool_names_free(names, nn);
	s3_uploads_free(ups, n);
	return ex;
}

static int
is_failed(const struct run *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nfailed; i++)
		if (strcmp(r->failed[i], name) == 0)
			return 1;
	return 0;
}

/* Upload one archive; 0 when it is up and gone from out/. */
static int
upload_one(struct run *r, const char *name, uint64_t *month_bytes)
{
	char sname[ANAME_MAX + 16], key[KEY_MAX], etag[80];
	struct sums *s = NULL;
	struct aname an;
	struct stat st;
	struct err e;
	int fd, ex = 0;

	if (aname_parse(name, &an) < 0 || (size_t)aname_parse(name, &an) !=
	    strlen(name))
		return 0;	/* not an archive */
	if (make_key(r, name, &an, key, sizeof(key)) < 0) {
		log_error("bad key-template '%s' for %s", r->tmpl, name);
		return EX_CONFIG;
	}
	if ((fd = openat(r->sp.fd[SPOOL_OUT], name, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fstat(fd, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		log_error("cannot open %s/out/%s: %s", r->sp.dir, name,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return EX_IOERR;
	}
	if (r->budget && *month_bytes + (uint64_t)st.st_size > r->budget) {
		if (!r->budget_hit)
			log_warn("monthly budget reached: %" PRIu64 " of %"
			    PRIu64 " bytes sent this month, out/%s (%jd bytes)"
			    " and the rest kept until next month",
			    *month_bytes, r->budget, name,
			    (intmax_t)st.st_size);
		r->budget_hit = 1;
		ex = EX_TEMPFAIL;
		goto out;
	}
	snprintf(sname, sizeof(sname), "%s.sums", name);
	if (sums_read(r->sp.fd[SPOOL_OUT], sname, &s, &e) < 0 ||
	    s->size != (uint64_t)st.st_size || s->part_size < SUMS_MIN_PART ||
	    s->nparts > SUMS_MAX_PARTS) {
		uint64_t ps = sums_part_size(r->part_size, (uint64_t)st.st_size);
		if (s == NULL)
			log_info("out/%s: %s; hashing the archive", name, e.msg);
		else
			log_warn("out/%s: %s does not fit the archive; hashing "
			    "the archive", name, sname);
		sums_free(s);
		s = NULL;
		if (sums_fd(fd, ps, &s, &e) < 0) {
			log_error("cannot hash %s/out/%s: %s", r->sp.dir, name,
			    e.msg);
			ex = EX_IOERR;
			goto out;
		}
	}
	if (s->size <= r->threshold || s->nparts <= 1) {
		char *u;
		/* a leftover multipart state: abort it */
		snprintf(sname, sizeof(sname), "%s.upload", name);
		if (file_slurp(r->sp.fd[SPOOL_OUT], sname, 4 << 20, &u, NULL) == 0) {
			free(u);
			spool_remove(&r->sp, SPOOL_OUT, sname);
		}
		/* one PUT of a multi-part sidecar needs the whole hashes */
		if ((ex = need_whole(r, name, fd, s)) != 0)
			goto out;
		if (s3_put(r->s3, key, fd, 0, s->size, s->md5, s->sha256, etag,
		    &e) < 0) {
			ex = s3_fail(name, &e);
			goto out;
		}
	} else {
		if ((ex = upload_multipart(r, name, fd, s, key, etag)) != 0)
			goto out;
	}
	*month_bytes += s->size;
	ex = finish(r, name, key, s->size, etag, &an);
out:
	sums_free(s);
	close(fd);
	return ex;
}

/* One pass over out/: the worst exit status. */
static int
one_pass(struct run *r)
{
	char **names = NULL;
	size_t n = 0, i;
	uint64_t month;
	int ex = 0, x;

	r->budget_hit = 0;
	if (spool_list(&r->sp, SPOOL_OUT, NULL, &names, &n) < 0) {
		log_error("cannot list %s/out: %s", r->sp.dir, strerror(errno));
		return EX_IOERR;
	}
	if (n == 0)
		return 0;	/* nothing to do, nothing to pay for */
	if ((x = abort_stale(r)) != 0) {
		spool_names_free(names, n);
		return x;
	}
	month = ledger_month_bytes(r);
	for (i = 0; i < n && !stop; i++) {
		if (is_failed(r, names[i]))
			continue;
		x = upload_one(r, names[i], &month);
		if (x == 0)
			continue;
		/* A fault of this archive alone (refused hashes, a
		 * permanent 4xx for this object): skip it, go on with the
		 * others, and say so in the exit status. */
		if (x == EX_DATAERR || x == EX_PROTOCOL) {
			char **f = realloc(r->failed, (r->nfailed + 1) *
			    sizeof(*f));
			if (f != NULL && (f[r->nfailed] = strdup(names[i]))) {
				r->failed = f;
				r->nfailed++;
			} else if (f != NULL) {
				r->failed = f;
			}
			continue;
		}
		if (x == EX_NOPERM || x == EX_CONFIG || x == EX_IOERR ||
		    x == EX_OSERR) {
			ex = x;
			break;
		}
		ex = EX_TEMPFAIL;
		if (r->budget_hit)
			continue;	/* a smaller one may still fit */
		break;		/* the store is unreachable: stop this pass */
	}
	if (stop && ex == 0)
		ex = EX_TEMPFAIL;
	spool_names_free(names, n);
	return ex;
}

static const char *
cfg(const struct conf *c, const char *flag, const char *key)
{
	return flag ? flag : conf_get(c, "upload", key);
}

static uint64_t
cfg_size(const struct conf *c, const char *flag, const char *key,
    uint64_t def)
{
	const char *v = cfg(c, flag, key);
	uint64_t x;

	if (v == NULL)
		return def;
	if (parse_size(v, &x) < 0) {
		if (flag)
			log_die(EX_USAGE, "bad --%s '%s'", key, v);
		log_die(EX_CONFIG, "%s: bad %s '%s'",
		    conf_where(c, "upload", key), key, v);
	}
	return x;
}

static uint64_t
cfg_dur(const struct conf *c, const char *flag, const char *key,
    uint64_t def)
{
	const char *v = cfg(c, flag, key);
	uint64_t x;

	if (v == NULL)
		return def;
	if (parse_duration_ms(v, &x) < 0) {
		if (flag)
			log_die(EX_USAGE, "bad --%s '%s'", key, v);
		log_die(EX_CONFIG, "%s: bad %s '%s'",
		    conf_where(c, "upload", key), key, v);
	}
	return x;
}

static int
cfg_bool(const struct conf *c, int flag, const char *key)
{
	const char *v = conf_get(c, "upload", key);
	int b;

	if (flag)
		return 1;
	if (v == NULL)
		return 0;
	if (parse_bool(v, &b) < 0)
		log_die(EX_CONFIG, "%s: bad %s '%s'",
		    conf_where(c, "upload", key), key, v);
	return b;
}

int
main(int argc, char **argv)
{
	enum { O_CONFIG = 256, O_SPOOL, O_STATION, O_ENDPOINT, O_REGION,
	    O_BUCKET, O_PREFIX, O_ADDR, O_LIMIT, O_RETRY, O_DEADLINE, O_WAIT,
	    O_HELP, O_VERSION };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, O_CONFIG },
		{ "spool", required_argument, NULL, O_SPOOL },
		{ "station", required_argument, NULL, O_STATION },
		{ "endpoint", required_argument, NULL, O_ENDPOINT },
		{ "region", required_argument, NULL, O_REGION },
		{ "bucket", required_argument, NULL, O_BUCKET },
		{ "prefix", required_argument, NULL, O_PREFIX },
		{ "addressing", required_argument, NULL, O_ADDR },
		{ "limit-rate", required_argument, NULL, O_LIMIT },
		{ "retry", no_argument, NULL, O_RETRY },
		{ "deadline", required_argument, NULL, O_DEADLINE },
		{ "wait", no_argument, NULL, O_WAIT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, O_HELP },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	const char *f_config = NULL, *f_spool = NULL, *f_station = NULL;
	const char *f_endpoint = NULL, *f_region = NULL, *f_bucket = NULL;
	const char *f_prefix = NULL, *f_addr = NULL, *f_limit = NULL;
	const char *f_deadline = NULL, *v;
	int f_retry = 0, f_wait = 0, f_q = 0, f_v = 0, c, ex;
	struct conf *conf = NULL;
	struct s3_conf sc = { 0 };
	struct cred cr;
	struct run r;
	struct err e;
	struct sigaction sa;
	uint64_t deadline_ms, timeout_ms, tries;
	struct timespec t0;

	log_init(argv[0]);
	memset(&r, 0, sizeof(r));
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":qv", longopts, NULL)) != -1) {
		switch (c) {
		case O_CONFIG: f_config = optarg; break;
		case O_SPOOL: f_spool = optarg; break;
		case O_STATION: f_station = optarg; break;
		case O_ENDPOINT: f_endpoint = optarg; break;
		case O_REGION: f_region = optarg; break;
		case O_BUCKET: f_bucket = optarg; break;
		case O_PREFIX: f_prefix = optarg; break;
		case O_ADDR: f_addr = optarg; break;
		case O_LIMIT: f_limit = optarg; break;
		case O_RETRY: f_retry = 1; break;
		case O_DEADLINE: f_deadline = optarg; break;
		case O_WAIT: f_wait = 1; break;
		case 'q': f_q = 1; break;
		case 'v': f_v = 1; break;
		case O_HELP: usage(0);
		case O_VERSION:
			printf("rec-upload %s\n", REC_VERSION);
			return 0;
		default: return log_bad_option(c, argv);
		}
	}
	if (optind != argc) {
		log_error("unexpected argument '%s'", argv[optind]);
		usage(EX_USAGE);
	}
	if (conf_load(&conf, f_config, &e) < 0)
		log_die(e.ex, "%s", e.msg);
	r.conf = conf;
	if (f_q || cfg_bool(conf, 0, "quiet"))
		log_set_level(LOG_LVL_WARN);
	if (f_v || cfg_bool(conf, 0, "verbose"))
		log_set_level(LOG_LVL_DEBUG);

	/* where to */
	r.bucket = cfg(conf, f_bucket, "bucket");
	if (r.bucket == NULL || *r.bucket == '\0')
		log_die(EX_CONFIG, "no bucket: give --bucket or bucket in "
		    "[upload] of rec.conf");
	r.prefix = cfg(conf, f_prefix, "prefix");
	if (r.prefix == NULL)
		r.prefix = "";
	r.tmpl = conf_get(conf, "upload", "key-template");
	if (r.tmpl == NULL)
		r.tmpl = DEF_TEMPLATE;
	if (strstr(r.tmpl, "{name}") == NULL)
		log_die(EX_CONFIG, "%s: key-template '%s' lacks {name}",
		    conf_where(conf, "upload", "key-template"), r.tmpl);
	if (conf_station(conf, f_station, r.station, sizeof(r.station), &e) < 0)
		log_die(e.ex, "%s", e.msg);
	sc.endpoint = cfg(conf, f_endpoint, "endpoint");
	if (sc.endpoint == NULL)
		sc.endpoint = getenv("AWS_ENDPOINT_URL");
	sc.region = cfg(conf, f_region, "region");
	if (sc.region == NULL)
		sc.region = getenv("AWS_REGION");
	if (sc.region == NULL)
		sc.region = getenv("AWS_DEFAULT_REGION");
	sc.bucket = r.bucket;
	v = cfg(conf, f_addr, "addressing");
	if (v == NULL || strcmp(v, "auto") == 0)
		sc.addressing = S3_ADDR_AUTO;
	else if (strcmp(v, "path") == 0)
		sc.addressing = S3_ADDR_PATH;
	else if (strcmp(v, "virtual") == 0)
		sc.addressing = S3_ADDR_VIRTUAL;
	else if (f_addr)
		log_die(EX_USAGE, "bad --addressing '%s' (auto, path or "
		    "virtual)", v);
	else
		log_die(EX_CONFIG, "%s: bad addressing '%s' (auto, path or "
		    "virtual)", conf_where(conf, "upload", "addressing"), v);
	sc.ca_file = conf_get(conf, "upload", "ca-file");
	sc.limit_rate = cfg_size(conf, f_limit, "limit-rate", 0);
	r.part_size = sums_part_size(cfg_size(conf, NULL, "part-size",
	    SUMS_DEF_PART), 0);
	r.threshold = cfg_size(conf, NULL, "multipart-threshold", r.part_size);
	if (r.threshold > SUMS_MAX_PART)	/* S3's largest single PUT */
		r.threshold = SUMS_MAX_PART;
	r.budget = cfg_size(conf, NULL, "monthly-budget", 0);
	r.stale_ms = cfg_dur(conf, NULL, "stale-after", DEF_STALE_MS);
	timeout_ms = cfg_dur(conf, NULL, "timeout", 30000);
	sc.timeout = timeout_ms < 1000 ? 1 : (long)(timeout_ms / 1000);
	v = conf_get(conf, "upload", "max-tries");
	tries = 8;
	if (v != NULL && parse_uint(v, 1, 1000, &tries) < 0)
		log_die(EX_CONFIG, "%s: bad max-tries '%s'",
		    conf_where(conf, "upload", "max-tries"), v);
	sc.max_tries = (int)tries;
	f_retry = cfg_bool(conf, f_retry, "retry");
	f_wait = cfg_bool(conf, f_wait, "wait");
	deadline_ms = cfg_dur(conf, f_deadline, "deadline", 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (deadline_ms)
		sc.deadline = t0.tv_sec + (time_t)((deadline_ms + 999) / 1000);
	sc.stop = &stop;
	sc.log = s3_log;

	if (cred_load(&cr, conf_get(conf, "upload", "credentials-file"),
	    conf_get(conf, "upload", "profile"), &e) < 0)
		log_die(e.ex, "%s", e.msg);
	sc.access_key = cr.access_key;
	sc.secret_key = cr.secret_key;
	sc.session_token = cr.session_token;
	log_debug("credentials from %s", cr.source);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		log_die(EX_OSERR, "cannot initialise libcurl");
	r.s3 = s3_new(&sc, &e);
	cred_free(&cr);
	if (r.s3 == NULL)
		log_die(e.ex, "%s", e.msg);
	if (spool_open(&r.sp, conf_spool(conf, f_spool), &e) < 0)
		log_die(e.ex, "%s", e.msg);
	if (spool_lock(&r.sp, f_wait) < 0) {
		if (errno == EWOULDBLOCK) {
			log_info("%s/lock is held by another run: try later",
			    r.sp.dir);
			ex = EX_TEMPFAIL;
			goto out;
		}
		log_error("cannot lock %s/lock: %s", r.sp.dir, strerror(errno));
		ex = EX_IOERR;
		goto out;
	}
	{
		double round = 5;
		unsigned int seed = (unsigned int)(t0.tv_nsec ^ getpid());
		for (;;) {
			struct timespec now;
			double wait;

			ex = one_pass(&r);
			if (r.nfailed && ex == 0)
				ex = EX_DATAERR;
			if (ex != EX_TEMPFAIL || !f_retry || stop ||
			    r.budget_hit)
				break;
			wait = round * (0.5 + 0.5 * rand_r(&seed) / RAND_MAX);
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (deadline_ms && now.tv_sec + (time_t)wait >=
			    sc.deadline) {
				log_warn("deadline reached with archives "
				    "pending");
				break;
			}
			log_info("archives pending: next round in %.0f s",
			    wait);
			while (wait > 0 && !stop) {
				struct timespec ts = { 0, 200000000 };
				nanosleep(&ts, NULL);
				wait -= 0.2;
			}
			if (round < 300)
				round *= 2;
		}
	}
	if (ex == EX_TEMPFAIL)
		log_info("archives remain in %s/out: try again later",
		    r.sp.dir);
out:
	spool_close(&r.sp);
	s3_free(r.s3);
	curl_global_cleanup();
	for (size_t i = 0; i < r.nfailed; i++)
		free(r.failed[i]);
	free(r.failed);
	conf_free(conf);
	return ex;
}
