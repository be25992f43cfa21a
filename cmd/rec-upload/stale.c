/*
 * stale.c: abort the multipart uploads a killed run left in the store
 * (ListMultipartUploads, every page, then AbortMultipartUpload) that no
 * state file in out/ refers to and that are older than stale-after.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "file.h"
#include "log.h"
#include "s3.h"
#include "spool.h"
#include "upload.h"

/* Abort pending uploads under our keys that no state file refers to. */
int
stale_abort(struct run *r)
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
			if (mpstate_read(r, names[j], 0, &m) == 0) {
				used = strcmp(m.upload_id, ups[i].upload_id) == 0;
				mpstate_free(&m);
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
