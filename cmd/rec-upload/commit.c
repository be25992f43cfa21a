/*
 * commit: what follows a verified upload, crash-safely, and the tidying
 * of what a killed run left behind.
 *
 * Recipe (each step a named crash point, see upload.h):
 *  1. the object is up and verified (put)
 *  2. one ledger line, fsynced: the commit point (ledger)
 *  3. unlink out/NAME (unlink-archive), out/NAME.sums (unlink-sums),
 *     out/NAME.upload (unlink-upload), and out/NAME.idx last
 *     (unlink-idx), but only when none of the segments it lists is still
 *     in seg/: rec-archive's reconcile needs it to remove them otherwise.
 * A kill before 2 leaves the archive in out/: the next run uploads it
 * again (a multipart state finds the completed object and stops there).
 * A kill after 2 leaves files whose name is in the ledger: commit_tidy
 * removes them at the start of the next pass, no second ledger line.
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

#include "file.h"
#include "idx.h"
#include "ledger.h"
#include "log.h"
#include "upload.h"
#include "utc.h"

static const char *const sidecars[] = { ".sums", ".upload", IDX_SUFFIX };
static const char *const unlink_steps[] = { "unlink-sums", "unlink-upload",
	"unlink-idx" };

void
commit_crash_point(const char *step)
{
	const char *v = getenv("REC_TEST_CRASH");

	if (v != NULL && strcmp(v, step) == 0)
		raise(SIGKILL);
}

/*
 * May out/NAME.idx go?  Only when none of the segments it lists is still
 * in seg/ (else rec-archive's reconcile needs it to remove them).  1 yes,
 * 0 no (also when it cannot be read or parsed: left to rec-archive).
 */
static int
idx_done(struct run *r, const char *idx)
{
	char **segs;
	size_t n, i;
	int rc = 1;

	if (idx_read(r->sp.fd[SPOOL_OUT], idx, &segs, &n) < 0)
		return 0;
	for (i = 0; i < n && rc; i++)
		if (faccessat(r->sp.fd[SPOOL_SEG], segs[i], F_OK,
		    AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT) {
			log_debug("%s/out/%s stays: %s/seg/%s is still there",
			    r->sp.dir, idx, r->sp.dir, segs[i]);
			rc = 0;
		}
	idx_free(segs, n);
	return rc;
}

/*
 * Remove out/name (when has_archive) and its sidecars, in the recipe's
 * order.  0, or EX_IOERR after logging.
 */
static int
commit_remove(struct run *r, const char *name, int has_archive)
{
	char side[ANAME_MAX + 16];
	size_t i;

	if (has_archive) {
		if (spool_remove(&r->sp, SPOOL_OUT, name) < 0 &&
		    errno != ENOENT) {
			log_error("cannot remove %s/out/%s: %s", r->sp.dir,
			    name, strerror(errno));
			return EX_IOERR;
		}
		commit_crash_point("unlink-archive");
	}
	for (i = 0; i < sizeof(sidecars) / sizeof(sidecars[0]); i++) {
		snprintf(side, sizeof(side), "%s%s", name, sidecars[i]);
		if (strcmp(sidecars[i], IDX_SUFFIX) == 0 && !idx_done(r, side))
			continue;
		if (spool_remove(&r->sp, SPOOL_OUT, side) < 0 &&
		    errno != ENOENT) {
			log_error("cannot remove %s/out/%s: %s", r->sp.dir,
			    side, strerror(errno));
			return EX_IOERR;
		}
		commit_crash_point(unlink_steps[i]);
	}
	return 0;
}

int
commit_finish(struct run *r, const char *name, const char *key,
    uint64_t size, const char *etag, const struct aname *an)
{
	struct ledger_entry le = { .key = key, .etag = etag, .name = name,
		.bytes = size, .start = an->start, .end = an->end };

	commit_crash_point("put");
	if (ledger_append(r->sp.dirfd, &le) < 0) {
		log_error("cannot append to %s/ledger: %s (%s kept)",
		    r->sp.dir, strerror(errno), name);
		return EX_IOERR;
	}
	commit_crash_point("ledger");
	log_info("uploaded out/%s as s3://%s/%s (%" PRIu64 " bytes, ETag %s)",
	    name, r->bucket, key, size, etag);
	return commit_remove(r, name, 1);
}

/* An archive name out/ has files of, and whether the archive is there. */
struct base {
	char *name;
	int has;
	uint64_t ledger;	/* its bytes in the ledger, UINT64_MAX: none */
};

static int
base_cmp(const void *a, const void *b)
{
	const struct base *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* The sorted bases of one ledger_find. */
struct found {
	struct base *b;
	size_t n;
};

static int
found_fn(const struct ledger_rec *l, void *arg)
{
	struct found *f = arg;
	struct base key, *hit;

	key.name = (char *)l->name;
	hit = bsearch(&key, f->b, f->n, sizeof(*f->b), base_cmp);
	if (hit != NULL)
		hit->ledger = l->bytes;
	return 0;
}

/*
 * Fill the ledger byte count of each of the n sorted bases (UINT64_MAX
 * when the ledger does not list it).  One read of the ledger.  0, or -1
 * with errno.
 */
static int
ledger_find(struct run *r, struct base *b, size_t n)
{
	struct found f = { b, n };
	size_t i;

	for (i = 0; i < n; i++)
		b[i].ledger = UINT64_MAX;
	return ledger_each(r->sp.dirfd, found_fn, &f);
}

/* The archives out/ has files of, sorted, each once.  -1 with errno. */
static int
tidy_bases(struct run *r, struct base **bases, size_t *nb)
{
	char **names = NULL;
	struct base *b = NULL;
	size_t n = 0, i, k = 0, u = 0;
	int rc = -1;

	if (spool_list(&r->sp, SPOOL_OUT, NULL, &names, &n) < 0)
		return -1;
	if ((b = calloc(n + 1, sizeof(*b))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		struct aname an;
		int len = aname_parse(names[i], &an);
		const char *rest = len > 0 ? names[i] + len : "";

		if (len <= 0 || (*rest && strcmp(rest, ".sums") &&
		    strcmp(rest, ".upload") && strcmp(rest, ".idx")))
			continue;
		if ((b[k].name = strndup(names[i], (size_t)len)) == NULL)
			goto out;
		b[k++].has = *rest == '\0';
	}
	/* "x.tar.gz" sorts between "x.tar" and "x.tar.idx": sort again */
	qsort(b, k, sizeof(*b), base_cmp);
	for (i = 0; i < k; i++) {
		if (u > 0 && strcmp(b[u - 1].name, b[i].name) == 0) {
			b[u - 1].has |= b[i].has;
			free(b[i].name);
			continue;
		}
		b[u++] = b[i];
	}
	k = u;
	rc = 0;
out:
	spool_names_free(names, n);
	if (rc < 0) {
		for (i = 0; i < k; i++)
			free(b[i].name);
		free(b);
		errno = ENOMEM;
		return -1;
	}
	*bases = b;
	*nb = k;
	return 0;
}

int
commit_tidy(struct run *r)
{
	struct base *b = NULL;
	size_t n = 0, i;
	struct stat st;
	int ex = 0;

	if (tidy_bases(r, &b, &n) < 0) {
		log_error("cannot list %s/out: %s", r->sp.dir, strerror(errno));
		return EX_IOERR;
	}
	if (n > 0 && ledger_find(r, b, n) < 0) {
		log_error("cannot read %s/ledger: %s", r->sp.dir,
		    strerror(errno));
		ex = EX_IOERR;
	}
	for (i = 0; i < n && ex == 0; i++) {
		if (b[i].ledger == UINT64_MAX)
			continue;
		if (b[i].has) {
			/* not the archive the ledger names: upload it */
			if (fstatat(r->sp.fd[SPOOL_OUT], b[i].name, &st, 0) < 0 ||
			    (uint64_t)st.st_size != b[i].ledger)
				continue;
			log_info("%s/out/%s: uploaded by an earlier run (in "
			    "the ledger): removing it", r->sp.dir, b[i].name);
		} else {
			log_debug("%s/out/%s: removing what an interrupted run "
			    "left of it (in the ledger)", r->sp.dir, b[i].name);
		}
		ex = commit_remove(r, b[i].name, b[i].has);
	}
	for (i = 0; i < n; i++)
		free(b[i].name);
	free(b);
	return ex;
}

int
commit_quarantine(struct run *r, const char *name)
{
	char side[ANAME_MAX + 16], path[4096];
	size_t i;

	if (spool_quarantine(&r->sp, SPOOL_OUT, name) < 0) {
		log_error("cannot move %s to %s/corrupt/: %s (skipped)",
		    spool_path(&r->sp, SPOOL_OUT, name, path, sizeof(path)),
		    r->sp.dir, strerror(errno));
		return -1;
	}
	log_error("moved %s to %s/corrupt/",
	    spool_path(&r->sp, SPOOL_OUT, name, path, sizeof(path)),
	    r->sp.dir);
	for (i = 0; i < sizeof(sidecars) / sizeof(sidecars[0]); i++) {
		snprintf(side, sizeof(side), "%s%s", name, sidecars[i]);
		if (spool_quarantine(&r->sp, SPOOL_OUT, side) < 0 &&
		    errno != ENOENT)
			log_error("cannot move %s to %s/corrupt/: %s",
			    spool_path(&r->sp, SPOOL_OUT, side, path,
			    sizeof(path)), r->sp.dir, strerror(errno));
	}
	return 0;
}
