/*
 * rec-upload: send every archive in the spool's out/ to S3-compatible
 * storage, verified end to end with the hashes rec-archive kept beside it,
 * then write a ledger line and only then delete the local copy.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <arpa/inet.h>
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
#include "err.h"
#include "file.h"
#include "hex.h"
#include "ledger.h"
#include "log.h"
#include "opt.h"
#include "parse.h"
#include "s3.h"
#include "spool.h"
#include "sums.h"
#include "upload.h"
#include "store.h"
#include "utc.h"

#define DEF_TEMPLATE	"{prefix}{station}/{YYYY}/{MM}/{DD}/{name}"
#define DEF_STALE_MS	(24ULL * 3600 * 1000)
#define HB_DEADLINE_MS	60000	/* --heartbeat: at most, whatever --deadline */
#define READ_TRIES	3	/* reads of an archive before it is set aside */

/* What upload_one says besides exit statuses: this archive alone is bad. */
#define UP_UNREADABLE	(-2)	/* it or its sidecar cannot be read */
#define UP_MISMATCH	(-3)	/* it is not what its sidecar vouches for */
#define MP_GONE		(-4)	/* send_parts: the resumed upload is gone */

static const char usage_text[] =
    "usage: rec-upload [-hqVv] [--config file] [--spool dir] [--station name]\n"
    "                  [--endpoint url] [--region name] [--bucket name]\n"
    "                  [--prefix string] [--addressing auto | path | virtual]\n"
    "                  [--limit-rate size] [--retry] [--deadline duration]\n"
    "                  [--wait] [--heartbeat]\n";

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* lib/s3 reports retries and clock corrections: worth a warning each. */
static void
s3_log(int level, const char *msg)
{
	(void)level;
	log_warn("%s", msg);
}

/* An s3 error: log it, map it to what the pass does. */
static int
s3_fail(const struct run *r, const char *name, struct err *e)
{
	if (e->ex == EX_IOERR) {	/* lib/s3: reading the local file */
		log_error("%s/out/%s: %s", r->sp.dir, name, e->msg);
		return UP_UNREADABLE;
	}
	if (e->ex == EX_TEMPFAIL)
		log_warn("%s/out/%s kept: %s", r->sp.dir, name, e->msg);
	else
		log_error("%s/out/%s kept: %s", r->sp.dir, name, e->msg);
	return e->ex;
}

static const char *
code_of(struct run *r)
{
	const char *code;

	s3_last(r->s3, NULL, &code);
	return code;
}

/* Does etag look like an MD5 ETag: 32 hex digits, or "32hex-N"? */
static int
etag_md5_shaped(const char *etag)
{
	size_t h = strspn(etag, "0123456789abcdefABCDEF");

	if (h != 32)
		return 0;
	if (etag[32] == '\0')
		return 1;
	return etag[32] == '-' && etag[33] != '\0' &&
	    strspn(etag + 33, "0123456789") == strlen(etag + 33);
}

/*
 * An ETag that is not the MD5 (SSE-KMS and SSE-C objects, which the
 * answer says, and some S3-compatible stores whose ETags are not even
 * MD5-shaped): the store checked our Content-MD5 before it answered, so
 * the bytes are ours.  1 (said once a run) when etag is such an ETag, 0
 * when it is MD5-shaped and not SSE (then a difference is a mismatch).
 */
static int
etag_opaque(struct run *r, const char *etag)
{
	if (etag_md5_shaped(etag) && !s3_last_sse_etag(r->s3))
		return 0;
	if (!r->etag_noted)
		log_info("the store's ETags are not MD5s (e.g. '%s'): relying "
		    "on its Content-MD5 check", etag);
	r->etag_noted = 1;
	return 1;
}

/*
 * s3_put or s3_mp_part failed: only lib/s3's ETag check, on a 2xx answer
 * whose ETag is no MD5?  Then the upload stands.  1 yes, 0 no.  (No ETag
 * at all is no answer: a part needs one for the Complete.)
 */
static int
put_stands(struct run *r, const char *etag, const struct err *e)
{
	long status;

	s3_last(r->s3, &status, NULL);
	return e->ex == EX_DATAERR && status >= 200 && status <= 299 &&
	    etag[0] != '\0' && etag_opaque(r, etag);
}

/*
 * Fill the whole-file hashes of s when its sidecar has none (several
 * parts): hash the archive fd now, streaming.  Only a single PUT of a
 * multi-part sidecar (multipart-threshold > part-size) and the rare
 * s3rver-like ETag checks need them.  0, or UP_UNREADABLE/UP_MISMATCH
 * after logging.
 */
static int
need_whole(const struct run *r, const char *name, int fd, struct sums *s)
{
	struct sums *w = NULL;
	struct err e;

	size_t i;

	if (s->have_whole)
		return 0;
	log_debug("%s/out/%s: hashing the whole archive (the sidecar has part "
	    "hashes only)", r->sp.dir, name);
	/* The bytes must still be those hashed when the archive was
	 * written: check every part against the sidecar first. */
	if (sums_fd(fd, s->part_size, &w, &e) < 0) {
		log_error("cannot hash %s/out/%s: %s", r->sp.dir, name, e.msg);
		return UP_UNREADABLE;
	}
	for (i = 0; w->nparts == s->nparts && i < s->nparts; i++)
		if (memcmp(w->parts[i].md5, s->parts[i].md5, 16) != 0 ||
		    memcmp(w->parts[i].sha256, s->parts[i].sha256, 32) != 0)
			break;
	if (w->size != s->size || w->nparts != s->nparts || i < s->nparts) {
		log_error("%s/out/%s no longer matches its sidecar (changed "
		    "on disk since it was written)", r->sp.dir, name);
		sums_free(w);
		return UP_MISMATCH;
	}
	sums_free(w);
	w = NULL;
	if (sums_fd(fd, s->size ? s->size : 1, &w, &e) < 0) {
		log_error("cannot hash %s/out/%s: %s", r->sp.dir, name, e.msg);
		return UP_UNREADABLE;
	}
	if (w->size != s->size || !w->have_whole) {
		log_error("%s/out/%s changed size while it was hashed",
		    r->sp.dir, name);
		sums_free(w);
		return UP_MISMATCH;
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
 * multipart ETag did not match.  1 yes, 0 no, or need_whole's
 * UP_UNREADABLE/UP_MISMATCH (logged).
 */
static int
is_whole_md5(const struct run *r, const char *name, int fd, struct sums *s,
    const char *etag)
{
	char whole[33];
	int x;

	if (strlen(etag) != 32 || strchr(etag, '-') != NULL)
		return 0;
	if ((x = need_whole(r, name, fd, s)) != 0)
		return x;
	return strcasecmp(etag, hex_encode(s->md5, 16, whole)) == 0;
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
		log_info("%s/out/%s: the upload was completed already (found "
		    "s3://%s/%s with ETag %s)", r->sp.dir, name, r->bucket,
		    key, have);
		snprintf(etag, 80, "%s", have);
		return 1;
	}
	return 0;
}

/*
 * Check the ETag a Complete answered (etag, "" when none: then ours)
 * against want, the multipart ETag of our parts.  0, EX_DATAERR (logged)
 * for an MD5-shaped ETag that is not ours, or need_whole's UP_ codes.
 */
static int
complete_etag(struct run *r, const char *name, int fd, struct sums *s,
    const char *key, const char *want, char etag[80])
{
	int w;

	if (etag[0] == '\0') {
		snprintf(etag, 80, "%s", want);
		return 0;
	}
	if (strcasecmp(etag, want) == 0 || etag_opaque(r, etag))
		return 0;
	/* some stores (s3rver) answer the MD5 of the whole object */
	if ((w = is_whole_md5(r, name, fd, s, etag)) < 0)
		return w;
	if (w == 0) {
		log_error("%s/out/%s kept: the store answered ETag %s for "
		    "s3://%s/%s, expected %s", r->sp.dir, name, etag,
		    r->bucket, key, want);
		return EX_DATAERR;
	}
	return 0;
}

/*
 * Begin the upload of key (m empty: CreateMultipartUpload, then its state
 * file out/sname), or say how far the one in m got.  *fresh is set for a
 * new upload, *all_done when every part of m is done.  0, or an exit
 * status (logged).
 */
static int
mp_begin(struct run *r, const char *name, const struct sums *s,
    const char *key, const char *sname, struct mpstate *m, int *fresh,
    int *all_done)
{
	struct err e;
	size_t i, done = 0;

	if (m->upload_id != NULL) {
		for (i = 0; i < m->nparts; i++)
			done += m->parts[i].etag[0] != '\0';
		log_info("%s/out/%s: resuming upload (%zu of %zu parts done)",
		    r->sp.dir, name, done, m->nparts);
		*all_done = done == m->nparts;
		return 0;
	}
	memset(m, 0, sizeof(*m));
	snprintf(m->key, sizeof(m->key), "%s", key);
	m->part_size = s->part_size;
	m->size = s->size;
	m->nparts = s->nparts;
	if ((m->parts = calloc(s->nparts, sizeof(*m->parts))) == NULL) {
		log_error("out of memory");
		return EX_OSERR;
	}
	for (i = 0; i < s->nparts; i++)
		m->parts[i].number = (int)i + 1;
	if (s3_mp_create(r->s3, key, &m->upload_id, &e) < 0)
		return s3_fail(r, name, &e);
	if (mpstate_write(r, sname, m) < 0) {
		log_error("cannot write %s/out/%s: %s", r->sp.dir, sname,
		    strerror(errno));
		s3_mp_abort(r->s3, key, m->upload_id, &e);
		return EX_IOERR;
	}
	*fresh = 1;
	return 0;
}

/*
 * Send the parts of s that m lacks, noting each in out/sname.  0,
 * MP_GONE when the store forgot an upload we resumed (fresh 0), or an
 * exit status (logged).
 */
static int
send_parts(struct run *r, const char *name, int fd, const struct sums *s,
    const char *key, const char *sname, struct mpstate *m, int fresh)
{
	struct err e;
	size_t i;

	for (i = 0; i < s->nparts; i++) {
		const struct sums_part *p = &s->parts[i];
		char got[80];

		if (m->parts[i].etag[0])
			continue;
		got[0] = '\0';
		if (s3_mp_part(r->s3, key, m->upload_id, (int)i + 1, fd, p->off,
		    p->len, p->md5, p->sha256, got, &e) < 0 &&
		    !put_stands(r, got, &e)) {
			const char *code;
			s3_last(r->s3, NULL, &code);
			if (!fresh && strcmp(code, "NoSuchUpload") == 0) {
				log_info("%s/out/%s: the upload is gone from "
				    "the store: starting over", r->sp.dir, name);
				return MP_GONE;
			}
			return s3_fail(r, name, &e);
		}
		snprintf(m->parts[i].etag, sizeof(m->parts[i].etag), "%s", got);
		if (mpstate_write(r, sname, m) < 0) {
			log_error("cannot write %s/out/%s: %s", r->sp.dir, sname,
			    strerror(errno));
			return EX_IOERR;
		}
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
	int ex = 0, fresh = 0, h, all_done = 0, again = 1;

	snprintf(sname, sizeof(sname), "%s.upload", name);
	if (mpstate_read(r, sname, s->nparts, &m) == 0 &&
	    (strcmp(m.key, key) != 0 || m.part_size != s->part_size ||
	    m.size != s->size)) {
		log_info("%s/out/%s: upload state does not match the archive: "
		    "starting over", r->sp.dir, name);
		if (s3_mp_abort(r->s3, m.key, m.upload_id, &e) < 0)
			log_warn("cannot abort upload of %s: %s", m.key, e.msg);
		mpstate_free(&m);
	}
	/* again: a resumed upload the store forgot starts over, once */
	while (again) {
		again = 0;
		if ((ex = mp_begin(r, name, s, key, sname, &m, &fresh,
		    &all_done)) != 0)
			goto out;
		if ((ex = send_parts(r, name, fd, s, key, sname, &m,
		    fresh)) == MP_GONE) {
			mpstate_free(&m);
			again = 1;
		} else if (ex != 0) {
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
		ex = s3_fail(r, name, &e2);
		if (h == 0 && strcmp(code, "NoSuchUpload") == 0) {
			log_warn("%s/out/%s: the upload is gone and the object "
			    "does not match: starting over next time",
			    r->sp.dir, name);
			spool_remove(&r->sp, SPOOL_OUT, sname);
			ex = EX_TEMPFAIL;
		} else if (h == 0 && e2.ex == EX_PROTOCOL) {
			/* InvalidPart and the like: this upload cannot end */
			log_warn("%s/out/%s: the store refuses to complete the "
			    "upload: starting over next time", r->sp.dir, name);
			s3_mp_abort(r->s3, key, m.upload_id, &e);
			spool_remove(&r->sp, SPOOL_OUT, sname);
			ex = EX_TEMPFAIL;
		}
		goto out;
	}
	ex = complete_etag(r, name, fd, s, key, want, etag);
out:
	mpstate_free(&m);
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

/*
 * The archive's hashes: its sidecar, or (none, or one of another part
 * layout) the archive hashed now.  A sidecar whose size is not the
 * archive's means the archive changed after rec-archive vouched for it:
 * UP_MISMATCH, never uploaded.  0 and *out, or a status after logging.
 */
static int
archive_sums(struct run *r, const char *name, int fd, uint64_t size,
    struct sums **out)
{
	char sname[ANAME_MAX + 16];
	struct sums *s = NULL;
	struct err e;

	snprintf(sname, sizeof(sname), "%s.sums", name);
	if (sums_read(r->sp.fd[SPOOL_OUT], sname, &s, &e) < 0) {
		if (e.ex == EX_IOERR) {
			log_error("%s/out/%s: %s", r->sp.dir, sname, e.msg);
			return UP_UNREADABLE;
		}
		log_info("%s/out/%s: %s; hashing the archive", r->sp.dir, name,
		    e.msg);
	} else if (s->size != size) {
		log_error("%s/out/%s has %" PRIu64 " bytes, its sidecar %s "
		    "vouches for %" PRIu64 " (changed since it was written)",
		    r->sp.dir, name, size, sname, s->size);
		sums_free(s);
		return UP_MISMATCH;
	} else if (s->part_size < SUMS_MIN_PART ||
	    s->nparts > SUMS_MAX_PARTS) {
		log_warn("%s/out/%s: %s has parts S3 cannot take; hashing the "
		    "archive", r->sp.dir, name, sname);
		sums_free(s);
		s = NULL;
	}
	if (s == NULL && sums_fd(fd, sums_part_size(r->part_size, size), &s,
	    &e) < 0) {
		log_error("cannot hash %s/out/%s: %s", r->sp.dir, name, e.msg);
		return UP_UNREADABLE;
	}
	*out = s;
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

	if (!aname_is_archive(name) || aname_parse(name, &an) < 0)
		return 0;	/* not an archive */
	if (make_key(r, name, &an, key, sizeof(key)) < 0) {
		/* the template was checked at start: this name is at fault */
		log_error("%s/out/%s kept: key-template '%s' gives no valid "
		    "key for it", r->sp.dir, name, r->tmpl);
		return EX_DATAERR;
	}
	/* a link or FIFO in out/ is never followed: it is quarantined like
	 * an unreadable archive, and what it points to is never sent */
	if ((fd = file_open_regular(r->sp.fd[SPOOL_OUT], name, O_RDONLY, 0)) < 0 ||
	    fstat(fd, &st) < 0) {
		int se = errno;
		if (se == ENOENT)
			return 0;
		log_error("cannot open %s/out/%s: %s", r->sp.dir, name,
		    strerror(se));
		if (fd >= 0)
			close(fd);
		/* out of descriptors or memory is no fault of this file */
		return se == EMFILE || se == ENFILE || se == ENOMEM ?
		    EX_OSERR : UP_UNREADABLE;
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
	if (r->daily_budget &&
	    r->day_bytes + (uint64_t)st.st_size > r->daily_budget) {
		if (!r->budget_hit)
			log_warn("daily budget reached: %" PRIu64 " of %"
			    PRIu64 " bytes sent today (UTC), out/%s (%jd "
			    "bytes) and the rest kept until tomorrow",
			    r->day_bytes, r->daily_budget, name,
			    (intmax_t)st.st_size);
		r->budget_hit = 1;
		ex = EX_TEMPFAIL;
		goto out;
	}
	if ((ex = archive_sums(r, name, fd, (uint64_t)st.st_size, &s)) != 0)
		goto out;
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
		etag[0] = '\0';
		if (s3_put(r->s3, key, fd, 0, s->size, s->md5, s->sha256, etag,
		    &e) < 0 && !put_stands(r, etag, &e)) {
			ex = s3_fail(r, name, &e);
			goto out;
		}
	} else {
		if ((ex = upload_multipart(r, name, fd, s, key, etag)) != 0)
			goto out;
	}
	*month_bytes += s->size;
	r->day_bytes += s->size;
	ex = commit_finish(r, name, key, s->size, etag, &an);
out:
	sums_free(s);
	close(fd);
	return ex;
}

/* Remember name as failed this run (it is not tried again). */
static void
mark_failed(struct run *r, const char *name)
{
	char **f = realloc(r->failed, (r->nfailed + 1) * sizeof(*f));

	if (f == NULL)
		return;
	r->failed = f;
	if ((f[r->nfailed] = strdup(name)) != NULL)
		r->nfailed++;
}

/*
 * Upload name, reading it again when a read fails (a flaky card); an
 * archive still unreadable, or not what its sidecar vouches for, goes to
 * corrupt/ (65), or is skipped when even that fails (74).  The pass goes
 * on either way: one bad file never stops it.
 */
static int
upload_or_set_aside(struct run *r, const char *name, uint64_t *month)
{
	int x, tries = 0;

	while ((x = upload_one(r, name, month)) == UP_UNREADABLE &&
	    ++tries < READ_TRIES && !stop)
		log_warn("%s/out/%s: read error, trying again (%d of %d)",
		    r->sp.dir, name, tries + 1, READ_TRIES);
	if (x != UP_UNREADABLE && x != UP_MISMATCH)
		return x;
	if (commit_quarantine(r, name) < 0)
		r->skipped = 1;
	return EX_DATAERR;
}

/* Is there an archive among the names (not only sidecars)? */
static int
any_archive(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (aname_is_archive(names[i]))
			return 1;
	return 0;
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
	if ((x = commit_tidy(r)) != 0)
		return x;
	if (spool_list(&r->sp, SPOOL_OUT, NULL, &names, &n) < 0) {
		log_error("cannot list %s/out: %s", r->sp.dir, strerror(errno));
		return EX_IOERR;
	}
	if (!any_archive(names, n)) {
		spool_names_free(names, n);
		return 0;	/* nothing to do, nothing to pay for */
	}
	if ((x = stale_abort(r)) != 0) {
		spool_names_free(names, n);
		return x;
	}
	if (ledger_month_bytes(r->sp.dirfd, time(NULL), &month) < 0)
		log_warn("cannot read %s/ledger: %s (this month's uploads "
		    "are not counted against the budget)", r->sp.dir,
		    strerror(errno));
	if (r->daily_budget &&
	    ledger_day_bytes(r->sp.dirfd, time(NULL), &r->day_bytes) < 0)
		log_warn("cannot read %s/ledger: %s (today's uploads are not "
		    "counted against the daily budget)", r->sp.dir,
		    strerror(errno));
	for (i = 0; i < n && !stop; i++) {
		if (is_failed(r, names[i]))
			continue;
		x = upload_or_set_aside(r, names[i], &month);
		if (x == 0)
			continue;
		/* A fault of this archive alone (refused hashes, a
		 * permanent 4xx for this object): skip it, go on with the
		 * others, and say so in the exit status. */
		if (x == EX_DATAERR || x == EX_PROTOCOL) {
			mark_failed(r, names[i]);
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

/* key of [upload] as a struct opt, given on the command line as flag. */
static struct opt
cfg_opt(const char *flag, const char *key, enum opt_type type)
{
	struct opt o = { .name = key, .type = type, .section = "upload",
	    .key = key };

	o.val = flag;
	o.count = flag != NULL;
	return o;
}

static uint64_t
cfg_size(const struct conf *c, const char *flag, const char *key,
    uint64_t def)
{
	struct opt o = cfg_opt(flag, key, OPT_SIZE);
	struct err e;
	uint64_t x = def;

	if (opt_size(c, &o, NULL, &x, &e) < 0)
		log_die(e.ex, "%s", e.msg);
	return x;
}

static uint64_t
cfg_dur(const struct conf *c, const char *flag, const char *key,
    uint64_t def)
{
	struct opt o = cfg_opt(flag, key, OPT_DURATION);
	struct err e;
	uint64_t x = def;

	if (opt_duration(c, &o, NULL, &x, &e) < 0)
		log_die(e.ex, "%s", e.msg);
	return x;
}

static int
cfg_bool(const struct conf *c, int flag, const char *key)
{
	struct opt o = cfg_opt(NULL, key, OPT_BOOL);
	struct err e;
	int b;

	o.count = flag;
	if (opt_bool(c, &o, 0, &b, &e) < 0)
		log_die(e.ex, "%s", e.msg);
	return b;
}

/*
 * Refuse (78) a prefix, key template or station that gives keys with
 * "." or ".." components, or no key at all, before anything is sent.
 */
static void
check_keys(const struct run *r, const char *f_prefix, const char *f_station)
{
	const struct conf *c = r->conf;
	char key[KEY_MAX];
	struct aname an;

	if (strcmp(r->station, ".") == 0 || strcmp(r->station, "..") == 0) {
		if (f_station)
			log_die(EX_USAGE, "bad --station '%s'", r->station);
		log_die(EX_CONFIG, "%s: bad station name '%s'",
		    conf_where(c, "", "station"), r->station);
	}
	if (has_dot_segment(r->prefix)) {
		if (f_prefix)
			log_die(EX_USAGE, "bad --prefix '%s': it has a '.' or "
			    "'..' component", r->prefix);
		log_die(EX_CONFIG, "%s: bad prefix '%s': it has a '.' or '..' "
		    "component", conf_where(c, "upload", "prefix"), r->prefix);
	}
	if (has_dot_segment(r->tmpl))
		log_die(EX_CONFIG, "%s: bad key-template '%s': it has a '.' or "
		    "'..' component", conf_where(c, "upload", "key-template"),
		    r->tmpl);
	/* the pieces may be fine and their sum not ("a/" + "../{name}") */
	memset(&an, 0, sizeof(an));
	snprintf(an.station, sizeof(an.station), "%s", r->station);
	if (make_key(r, "name", &an, key, sizeof(key)) < 0)
		log_die(EX_CONFIG, "%s: key-template '%s' with prefix '%s' "
		    "gives no valid key (unknown {field}, too long, a '.' or "
		    "'..' component, or a leading '/')",
		    conf_get(c, "upload", "key-template") != NULL ?
		    conf_where(c, "upload", "key-template") : f_prefix ?
		    "--prefix" : conf_where(c, "upload", "prefix"), r->tmpl,
		    r->prefix);
}

/* Is the host of an http[s]:// URL loopback (127/8, ::1, localhost)? */
static int
url_loopback(const char *url)
{
	char host[256];
	const char *a = strstr(url, "://"), *at, *end;
	size_t len;
	struct in_addr v4;
	struct in6_addr v6;

	if (a == NULL)
		return 0;
	a += 3;
	end = a + strcspn(a, "/?#");
	for (at = a; at < end; at++)	/* userinfo@ */
		if (*at == '@')
			a = at + 1;
	if (*a == '[') {
		const char *rb = memchr(a, ']', (size_t)(end - a));
		if (rb == NULL)
			return 0;
		a++;
		end = rb;
	} else {
		const char *colon = memchr(a, ':', (size_t)(end - a));
		if (colon != NULL)
			end = colon;
	}
	len = (size_t)(end - a);
	if (len == 0 || len >= sizeof(host))
		return 0;
	memcpy(host, a, len);
	host[len] = '\0';
	if (strcasecmp(host, "localhost") == 0 ||
	    strcasecmp(host, "localhost.") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, host, &v6) == 1 &&
	    IN6_IS_ADDR_LOOPBACK(&v6);
}

/*
 * Plain http lets anyone on the path answer 200 with the ETag we expect,
 * and the archive is then deleted: refuse it (78) but to loopback (a
 * local gateway or a test server), unless insecure-http says otherwise;
 * then warn on every run.  src names where the endpoint came from.
 */
static void
check_http(const struct conf *c, const char *url, const char *src)
{
	if (url == NULL || strncasecmp(url, "http://", 7) != 0 ||
	    url_loopback(url))
		return;
	if (!cfg_bool(c, 0, "insecure-http"))
		log_die(EX_CONFIG, "%s: plain http endpoint '%s': anyone on "
		    "the path could answer for the store and the archives "
		    "would be deleted (use https, or insecure-http = yes in "
		    "[upload])", src, url);
	log_warn("%s: plain http endpoint '%s' (insecure-http): uploads are "
	    "neither private nor verified against tampering on the way", src,
	    url);
}

/* The command line's flags (NULL / 0: not given). */
struct flags {
	const char *config, *spool, *station, *endpoint, *region, *bucket;
	const char *prefix, *addr, *limit, *deadline;
	int retry, wait, heartbeat;
	struct opt_common oc;
};

/* Parse the command line into f (exits on --help, --version, errors). */
static void
parse_flags(int argc, char **argv, struct flags *f)
{
	enum { O_STATION, O_ENDPOINT, O_REGION, O_BUCKET, O_PREFIX, O_ADDR,
	    O_LIMIT, O_RETRY, O_DEADLINE, O_WAIT, O_HEARTBEAT };
	static struct opt opts[] = {
		[O_STATION] = { .name = "station", .type = OPT_STR },
		[O_ENDPOINT] = { .name = "endpoint", .type = OPT_STR },
		[O_REGION] = { .name = "region", .type = OPT_STR },
		[O_BUCKET] = { .name = "bucket", .type = OPT_STR },
		[O_PREFIX] = { .name = "prefix", .type = OPT_STR },
		[O_ADDR] = { .name = "addressing", .type = OPT_STR },
		[O_LIMIT] = { .name = "limit-rate", .type = OPT_STR },
		[O_RETRY] = { .name = "retry", .type = OPT_BOOL },
		[O_DEADLINE] = { .name = "deadline", .type = OPT_STR },
		[O_WAIT] = { .name = "wait", .type = OPT_BOOL },
		[O_HEARTBEAT] = { .name = "heartbeat", .type = OPT_BOOL },
		{ .name = NULL }
	};
	opt_start(argc, argv, opts, OPT_START_SPOOL, &f->oc, "rec-upload",
	    usage_text);
	f->config = f->oc.config;
	f->spool = f->oc.spool;
	f->station = opts[O_STATION].val;
	f->endpoint = opts[O_ENDPOINT].val;
	f->region = opts[O_REGION].val;
	f->bucket = opts[O_BUCKET].val;
	f->prefix = opts[O_PREFIX].val;
	f->addr = opts[O_ADDR].val;
	f->limit = opts[O_LIMIT].val;
	f->retry = opts[O_RETRY].count > 0;
	f->deadline = opts[O_DEADLINE].val;
	f->wait = opts[O_WAIT].count > 0;
	f->heartbeat = opts[O_HEARTBEAT].count > 0;
}

/* Where to: bucket, keys, station, endpoint, region, addressing. */
static void
where_to(struct run *r, struct s3_conf *sc, const struct flags *f)
{
	const struct conf *c = r->conf;
	struct err e;
	const char *v;

	r->bucket = cfg(c, f->bucket, "bucket");
	if (r->bucket == NULL || *r->bucket == '\0')
		log_die(EX_CONFIG, "no bucket: give --bucket or bucket in "
		    "[upload] of rec.conf");
	r->prefix = cfg(c, f->prefix, "prefix");
	if (r->prefix == NULL)
		r->prefix = "";
	r->tmpl = conf_get(c, "upload", "key-template");
	if (r->tmpl == NULL)
		r->tmpl = DEF_TEMPLATE;
	if (strstr(r->tmpl, "{name}") == NULL)
		log_die(EX_CONFIG, "%s: key-template '%s' lacks {name}",
		    conf_where(c, "upload", "key-template"), r->tmpl);
	if (conf_station(c, f->station, r->station, sizeof(r->station),
	    &e) < 0)
		log_die(e.ex, "%s", e.msg);
	check_keys(r, f->prefix, f->station);
	sc->endpoint = cfg(c, f->endpoint, "endpoint");
	if (f->endpoint != NULL)
		check_http(c, sc->endpoint, "--endpoint");
	else if (sc->endpoint != NULL)
		check_http(c, sc->endpoint, conf_where(c, "upload",
		    "endpoint"));
	else if ((sc->endpoint = getenv("AWS_ENDPOINT_URL")) != NULL)
		check_http(c, sc->endpoint, "AWS_ENDPOINT_URL");
	sc->region = cfg(c, f->region, "region");
	if (sc->region == NULL)
		sc->region = getenv("AWS_REGION");
	if (sc->region == NULL)
		sc->region = getenv("AWS_DEFAULT_REGION");
	sc->bucket = r->bucket;
	v = cfg(c, f->addr, "addressing");
	if (v == NULL || strcmp(v, "auto") == 0)
		sc->addressing = S3_ADDR_AUTO;
	else if (strcmp(v, "path") == 0)
		sc->addressing = S3_ADDR_PATH;
	else if (strcmp(v, "virtual") == 0)
		sc->addressing = S3_ADDR_VIRTUAL;
	else if (f->addr)
		log_die(EX_USAGE, "bad --addressing '%s' (auto, path or "
		    "virtual)", v);
	else
		log_die(EX_CONFIG, "%s: bad addressing '%s' (auto, path or "
		    "virtual)", conf_where(c, "upload", "addressing"), v);
}

/* Part sizes, budget, timeouts, tries. */
static void
tuning(struct run *r, struct s3_conf *sc, const struct flags *f)
{
	const struct conf *c = r->conf;
	struct err e;

	if (store_tuning(c, sc, &e) < 0)
		log_die(e.ex, "%s", e.msg);
	if (sc->resolve != NULL && !s3_resolve_valid(sc->resolve))
		log_die(EX_CONFIG, "%s: bad resolve '%s' (want HOST:PORT:ADDRESS, "
		    "entries separated by blanks)", conf_where(c, "upload",
		    "resolve"), sc->resolve);
	sc->limit_rate = cfg_size(c, f->limit, "limit-rate", 0);
	r->part_size = sums_part_size(cfg_size(c, NULL, "part-size",
	    SUMS_DEF_PART), 0);
	r->threshold = cfg_size(c, NULL, "multipart-threshold", r->part_size);
	if (r->threshold > SUMS_MAX_PART)	/* S3's largest single PUT */
		r->threshold = SUMS_MAX_PART;
	r->budget = cfg_size(c, NULL, "monthly-budget", 0);
	r->daily_budget = cfg_size(c, NULL, "daily-budget", 0);
	r->stale_ms = cfg_dur(c, NULL, "stale-after", DEF_STALE_MS);
}

/*
 * One pass, or with retry passes until nothing is pending, backing off
 * (jittered, doubling to 5 min) and stopping at the deadline (0: none).
 */
static int
run_passes(struct run *r, int retry, time_t deadline, unsigned int seed)
{
	double round = 5;
	int ex;

	for (;;) {
		struct timespec now;
		double wait;

		ex = one_pass(r);
		if (r->nfailed && ex == 0)
			ex = r->skipped ? EX_IOERR : EX_DATAERR;
		if (ex != EX_TEMPFAIL || !retry || stop || r->budget_hit)
			break;
		wait = round * (0.5 + 0.5 * rand_r(&seed) / RAND_MAX);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (deadline && now.tv_sec + (time_t)wait >= deadline) {
			log_warn("deadline reached with archives pending");
			break;
		}
		log_info("archives pending: next round in %.0f s", wait);
		while (wait > 0 && !stop) {
			struct timespec ts = { 0, 200000000 };
			nanosleep(&ts, NULL);
			wait -= 0.2;
		}
		if (round < 300)
			round *= 2;
	}
	return ex;
}

int
main(int argc, char **argv)
{
	struct flags f = { 0 };
	int ex;
	struct conf *conf = NULL;
	struct s3_conf sc = { 0 };
	char source[300];
	struct run r;
	struct err e;
	struct sigaction sa;
	uint64_t deadline_ms;
	struct timespec t0;

	log_init(argv[0]);
	memset(&r, 0, sizeof(r));
	parse_flags(argc, argv, &f);
	opt_setup(&conf, &f.oc, "upload");
	r.conf = conf;

	where_to(&r, &sc, &f);
	tuning(&r, &sc, &f);
	f.retry = cfg_bool(conf, f.retry, "retry");
	f.wait = cfg_bool(conf, f.wait, "wait");
	deadline_ms = cfg_dur(conf, f.deadline, "deadline", 0);
	if (f.heartbeat && (deadline_ms == 0 || deadline_ms > HB_DEADLINE_MS))
		deadline_ms = HB_DEADLINE_MS;	/* a heartbeat is short */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (deadline_ms)
		sc.deadline = t0.tv_sec + (time_t)((deadline_ms + 999) / 1000);
	sc.stop = &stop;
	sc.log = s3_log;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		log_die(EX_OSERR, "cannot initialise libcurl");
	if ((r.s3 = store_open(conf, &sc, source, sizeof(source), &e)) == NULL)
		log_die(e.ex, "%s", e.msg);
	log_debug("credentials from %s", source);
	if (spool_open(&r.sp, conf_spool(conf, f.spool), &e) < 0)
		log_die(e.ex, "%s", e.msg);
	if (f.heartbeat) {	/* no cycle lock: see heartbeat.c */
		ex = heartbeat_send(&r);
		goto out;
	}
	if (spool_lock(&r.sp, f.wait) < 0) {
		spool_lock_err(r.sp.dir, "lock", errno, &e);
		log_error("%s", e.msg);
		ex = e.ex;
		goto out;
	}
	ex = run_passes(&r, f.retry, sc.deadline,
	    (unsigned int)(t0.tv_nsec ^ getpid()));
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
