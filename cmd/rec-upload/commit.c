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
#include "log.h"
#include "upload.h"
#include "utc.h"

#define IDX_MAGIC	"rec-idx 1"	/* rec-archive's out/NAME.idx */

static const char *const sidecars[] = { ".sums", ".upload", ".idx" };
static const char *const unlink_steps[] = { "unlink-sums", "unlink-upload",
	"unlink-idx" };

void
commit_crash_point(const char *step)
{
	const char *v = getenv("REC_TEST_CRASH");

	if (v != NULL && strcmp(v, step) == 0)
		raise(SIGKILL);
}

/* Split a ledger line (modified) into at most 7 tab-separated fields. */
static int
ledger_fields(char *line, char *f[7])
{
	char *save = NULL, *p;
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	for (p = strtok_r(line, "\t", &save); p && n < 7;
	    p = strtok_r(NULL, "\t", &save))
		f[n++] = p;
	return n;
}

/* The archive name of a ledger line: its own field, else the key's end
 * (lines written before the field existed). */
static const char *
ledger_name(char *f[7], int n)
{
	const char *b;

	if (n >= 7)
		return f[6];
	b = strrchr(f[1], '/');
	return b ? b + 1 : f[1];
}

uint64_t
ledger_month_bytes(struct run *r)
{
	char *line = NULL, month[8];
	size_t cap = 0;
	uint64_t sum = 0;
	time_t now = time(NULL);
	struct tm tm;
	FILE *fp;
	int fd;

	gmtime_r(&now, &tm);
	strftime(month, sizeof(month), "%Y-%m", &tm);
	if ((fd = openat(r->sp.dirfd, "ledger", O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	if ((fp = fdopen(fd, "r")) == NULL) {
		close(fd);
		return 0;
	}
	while (getline(&line, &cap, fp) != -1) {
		char *f[7];
		if (ledger_fields(line, f) >= 3 &&
		    strncmp(f[0], month, 7) == 0)
			sum += strtoull(f[2], NULL, 10);
	}
	free(line);
	fclose(fp);
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
	if (n < 0 || (size_t)n >= sizeof(line)) {
		errno = ENAMETOOLONG;
		return -1;
	}
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

/*
 * May out/NAME.idx go?  Only when none of the segments it lists is still
 * in seg/ (else rec-archive's reconcile needs it to remove them).  1 yes,
 * 0 no (also when it cannot be read or parsed: left to rec-archive).
 */
static int
idx_done(struct run *r, const char *idx)
{
	char *text = NULL, *line, *save = NULL;
	int rc = 0, ln = 0, ended = 0;

	if (file_slurp(r->sp.fd[SPOOL_OUT], idx, 16u << 20, &text, NULL) < 0)
		return 0;
	for (line = strtok_r(text, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save), ln++) {
		if (ln == 0 ? strcmp(line, IDX_MAGIC) != 0 : ended)
			goto out;
		if (strcmp(line, "end") == 0)
			ended = 1;
		else if (ln > 0 && (strchr(line, '/') != NULL ||
		    faccessat(r->sp.fd[SPOOL_SEG], line, F_OK, 0) == 0 ||
		    errno != ENOENT)) {
			log_debug("out/%s stays: seg/%s is still there", idx,
			    line);
			goto out;
		}
	}
	rc = ended;
out:
	free(text);
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
		if (strcmp(sidecars[i], ".idx") == 0 && !idx_done(r, side))
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
	commit_crash_point("put");
	if (ledger_append(r, key, size, etag, an, name) < 0) {
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

/*
 * Fill the ledger byte count of each of the n sorted bases (UINT64_MAX
 * when the ledger does not list it).  One read of the ledger.  0, or -1
 * with errno.
 */
static int
ledger_find(struct run *r, struct base *b, size_t n)
{
	char *line = NULL;
	size_t cap = 0, i;
	FILE *fp;
	int fd, rc = 0;

	for (i = 0; i < n; i++)
		b[i].ledger = UINT64_MAX;
	if ((fd = openat(r->sp.dirfd, "ledger", O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;
	if ((fp = fdopen(fd, "r")) == NULL) {
		close(fd);
		return -1;
	}
	while (getline(&line, &cap, fp) != -1) {
		char *f[7];
		struct base key, *hit;
		int nf = ledger_fields(line, f);

		if (nf < 3)
			continue;
		key.name = (char *)ledger_name(f, nf);
		hit = bsearch(&key, b, n, sizeof(*b), base_cmp);
		if (hit != NULL)
			hit->ledger = strtoull(f[2], NULL, 10);
	}
	if (ferror(fp))
		rc = -1;
	free(line);
	fclose(fp);
	return rc;
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
			log_info("out/%s: uploaded by an earlier run (in the "
			    "ledger): removing it", b[i].name);
		} else {
			log_debug("out/%s: removing what an interrupted run "
			    "left of it (in the ledger)", b[i].name);
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
