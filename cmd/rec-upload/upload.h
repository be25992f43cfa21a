/*
 * upload.h: what the files of rec-upload share: the run, the key
 * template (key.c), the multipart state file (mpstate.c), the clean-up
 * of stale uploads (stale.c) and the commit of a verified upload
 * (commit.c: ledger, removal, quarantine, tidying).
 */
#ifndef REC_UPLOAD_H
#define REC_UPLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "aname.h"
#include "conf.h"
#include "s3.h"
#include "spool.h"

#define KEY_MAX		1024

struct run {
	struct spool sp;
	struct s3 *s3;
	const struct conf *conf;
	const char *bucket, *prefix, *tmpl;
	char station[ANAME_STATION_MAX + 1];
	uint64_t part_size, threshold, budget;
	uint64_t daily_budget, day_bytes;	/* [upload] daily-budget */
	uint64_t stale_ms;
	char **failed;		/* archives with a data error this run */
	size_t nfailed;
	int budget_hit;
	int skipped;		/* an archive could be neither read nor moved */
	int etag_noted;		/* "the store's ETags are not MD5s" said */
};

/* key.c */

/* Has s a "." or ".." path component (which S3 keys may hold, but
 * which a path-normalising proxy or client resolves into another key)? */
int has_dot_segment(const char *s);

/*
 * Expand r->tmpl for archive name (parsed as an) into key[len]: 0, or -1
 * for an unknown {field}, a key too long, empty, with a leading '/' or a
 * "." or ".." component.
 */
int make_key(const struct run *r, const char *name, const struct aname *an,
    char *key, size_t len);

/* The literal start of every key this station writes (for listing). */
void list_prefix(const struct run *r, char *out, size_t len);

/* mpstate.c: the multipart state, out/<archive>.upload. */
struct mpstate {
	char key[KEY_MAX];
	char *upload_id;
	uint64_t part_size, size;
	struct s3_part *parts;	/* by number - 1; etag "" = not done */
	size_t nparts;
};

void mpstate_free(struct mpstate *m);

/* Write m to out/sname (file_replace: tmp, fsync, rename); 0 or -1. */
int mpstate_write(struct run *r, const char *sname, const struct mpstate *m);

/*
 * Read out/sname into m, with room for nparts parts (0: the part lines
 * must then be absent): 0, or -1 when missing or unusable (m is then
 * empty).  Free with mpstate_free.
 */
int mpstate_read(struct run *r, const char *sname, size_t nparts,
    struct mpstate *m);

/*
 * stale.c: abort the pending uploads under this station's keys that no
 * state file refers to and that started stale-after ago or more.  0, or
 * an exit status after logging (a store that cannot list is no error).
 */
int stale_abort(struct run *r);

/*
 * Test hook: REC_TEST_CRASH=STEP kills the process with SIGKILL at STEP
 * of the commit (put, ledger, unlink-archive, unlink-sums, unlink-upload,
 * unlink-idx), so the crash test reaches every one of them.
 */
void commit_crash_point(const char *step);

/*
 * After a verified upload of out/name: the ledger line, then the local
 * files go (commit_remove).  0, or an exit status after logging.
 */
int commit_finish(struct run *r, const char *name, const char *key,
    uint64_t size, const char *etag, const struct aname *an);

/*
 * Before a pass: finish what a killed run left.  An archive in out/
 * whose ledger line is there (killed after the line) and the sidecars
 * and multipart state of an archive that is gone and in the ledger
 * (killed between the unlinks) are removed.  0, or an exit status.
 */
int commit_tidy(struct run *r);

/*
 * Move out/name and its sidecars (.sums, .idx, .upload) to corrupt/,
 * logging each move.  0 when the archive itself moved, else -1 (logged).
 */
int commit_quarantine(struct run *r, const char *name);

/*
 * heartbeat.c: rec-upload --heartbeat, one PUT of health.json (and its
 * history copy with [health] heartbeat-history); no cycle lock.  0, or
 * an exit status after logging (75: store unreachable or budget used).
 */
int heartbeat_send(struct run *r);

#endif
