/*
 * upload.h: what the files of rec-upload share: the run, and the commit
 * of a verified upload (commit.c: ledger, removal, quarantine, tidying).
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

#endif
