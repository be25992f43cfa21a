/*
 * reconcile: bring the spool back to "every segment in seg/ or in
 * exactly one complete archive in out/" after a kill, under the lock.
 *
 * What a kill can leave (see the recipe in write.c):
 *  - tmp/NAME.part, tmp/NAME.flac.part, tmp/NAME.sums, tmp/NAME.idx:
 *    incomplete; the segments are still in seg/. Removed.
 *  - out/NAME.sums without out/NAME: an orphan sidecar. Removed.
 *  - out/NAME.idx without out/NAME, while tmp/NAME.part exists: the
 *    archive was never published. The .idx is removed first (then the
 *    .part with the rest of tmp/), so a second kill cannot make it look
 *    published.
 *  - out/NAME.idx without out/NAME and without tmp/NAME.part: the
 *    archive was published (the rename from tmp/ to out/ is atomic and
 *    tmp/ was fsynced with the .part in it before the .idx existed), and
 *    since then uploaded and deleted. When the ledger says it was
 *    uploaded, its segments still in seg/ are removed; when it does not
 *    (someone deleted it, or the .part), they stay: archiving a segment
 *    twice is better than losing it. Then the .idx goes.
 *  - out/NAME (with out/NAME.idx, or its manifest when it is not
 *    encrypted): segments it holds that are still in seg/ are removed.
 *
 * Archives already uploaded: rec-upload takes the same lock, so it can
 * only run once this run (or its killed predecessor) released it. If an
 * archive run was killed between the commit rename and the removal of
 * the segments, an upload run may take the lock first and upload and
 * delete out/NAME before the next archive run reconciles. That is safe
 * as long as out/NAME.idx outlives out/NAME: rec-upload appends to the
 * ledger, deletes the archive first and the .idx last (or leaves the
 * .idx to us), and the orphan .idx case above removes the segments.
 * Should the .idx be gone as well, the segments stay in seg/ and are
 * archived again: a duplicate, never a loss.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "archive.h"
#include "file.h"
#include "idx.h"
#include "ledger.h"
#include "log.h"

/* The segment names in the manifest of an unencrypted archive. */
static int
manifest_names(struct spool *sp, const char *name, char ***names, size_t *n)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	struct manifest m;
	struct err e;
	char *text = NULL;
	la_int64_t size;
	int ret = -1, fd = -1;

	*names = NULL;
	*n = 0;
	if (a == NULL)
		return -1;
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	/* a link in out/ is not followed (rec-upload quarantines it) */
	fd = file_open_regular(sp->fd[SPOOL_OUT], name, O_RDONLY, 0);
	if (fd == -1 || archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK ||
	    archive_read_next_header(a, &ent) != ARCHIVE_OK ||
	    strcmp(archive_entry_pathname(ent), MANIFEST_NAME) != 0)
		goto out;
	size = archive_entry_size(ent);
	if (size <= 0 || size > MANIFEST_MAX)
		goto out;
	text = malloc((size_t)size);
	if (text == NULL || archive_read_data(a, text, (size_t)size) != size)
		goto out;
	if (manifest_load(text, (size_t)size, &m, &e) == -1)
		goto out;
	*names = calloc(m.nsegs + 1, sizeof **names);
	for (size_t i = 0; *names != NULL && i < m.nsegs; i++) {
		(*names)[i] = strdup(m.segs[i].name);
		if ((*names)[i] == NULL)
			break;
		(*n)++;
	}
	ret = *n == m.nsegs ? 0 : -1;
	manifest_free(&m);
out:
	free(text);
	archive_read_free(a);
	if (fd != -1)
		close(fd);
	return ret;
}

/* Remove the named segments that are still in seg/. */
static int
drop_segments(struct spool *sp, char **names, size_t n, const char *why)
{
	size_t dropped = 0;

	for (size_t i = 0; i < n; i++) {
		if (strchr(names[i], '/') != NULL)
			continue;
		if (unlinkat(sp->fd[SPOOL_SEG], names[i], 0) == 0) {
			dropped++;
			log_debug("removed %s/seg/%s: it is in %s", sp->dir, names[i],
			    why);
		} else if (errno != ENOENT) {
			log_error("cannot remove %s/seg/%s: %s", sp->dir,
			    names[i], strerror(errno));
			return EX_IOERR;
		}
	}
	if (dropped > 0) {
		if (file_fsync_dir(sp->fd[SPOOL_SEG], NULL) == -1) {
			log_error("cannot sync %s/seg: %s", sp->dir,
			    strerror(errno));
			return EX_IOERR;
		}
		log_info("removed %zu segments from seg/ that are already "
		    "in %s (an earlier run was interrupted)", dropped, why);
	}
	return 0;
}

static int
exists(int dirfd, const char *name)
{
	return faccessat(dirfd, name, F_OK, 0) == 0;
}

static int
remove_out(struct spool *sp, const char *name, const char *why)
{
	if (spool_remove(sp, SPOOL_OUT, name) == -1 && errno != ENOENT) {
		log_error("cannot remove %s/out/%s: %s", sp->dir, name,
		    strerror(errno));
		return EX_IOERR;
	}
	log_info("removed %s/out/%s: %s", sp->dir, name, why);
	return 0;
}

int
reconcile(struct spool *sp)
{
	char **names = NULL, **segs;
	size_t n = 0, ns, i;
	int ret = 0, rc;

	if (spool_list(sp, SPOOL_OUT, NULL, &names, &n) == -1) {
		log_error("cannot list %s/out: %s", sp->dir, strerror(errno));
		return EX_IOERR;
	}
	for (i = 0; i < n && ret == 0; i++) {
		struct aname an;
		char base[ANAME_MAX + 1], buf[ANAME_MAX + 32];
		int len = aname_parse(names[i], &an);
		const char *rest;

		if (len < 0 || len > ANAME_MAX)
			continue;
		memcpy(base, names[i], (size_t)len);
		base[len] = '\0';
		rest = names[i] + len;
		if (*rest == '\0') {
			snprintf(buf, sizeof buf, "%s%s", base, IDX_SUFFIX);
			rc = idx_read(sp->fd[SPOOL_OUT], buf, &segs, &ns);
			if (rc == -1 && !an.encrypted)
				rc = manifest_names(sp, base, &segs, &ns);
			if (rc == -1) {
				log_warn("cannot tell which segments %s/out/%s "
				    "holds (no readable %s)", sp->dir, base,
				    buf);
				continue;
			}
			snprintf(buf, sizeof buf, "out/%s", base);
			ret = drop_segments(sp, segs, ns, buf);
			spool_names_free(segs, ns);
		} else if (strcmp(rest, SUMS_SUFFIX) == 0) {
			if (!exists(sp->fd[SPOOL_OUT], base))
				ret = remove_out(sp, names[i],
				    "its archive is not there");
		} else if (strcmp(rest, IDX_SUFFIX) == 0) {
			if (exists(sp->fd[SPOOL_OUT], base))
				continue;
			snprintf(buf, sizeof buf, "%s%s", base, PART_SUFFIX);
			if (exists(sp->fd[SPOOL_TMP], buf)) {
				ret = remove_out(sp, names[i], "its archive "
				    "was never published");
				continue;
			}
			rc = ledger_has(sp->dirfd, base);
			if (rc == -1) {
				log_error("cannot read %s/ledger: %s", sp->dir,
				    strerror(errno));
				ret = EX_IOERR;
				break;
			}
			if (rc == 0) {
				log_warn("%s/out/%s is gone and the ledger "
				    "does not list it: its segments stay in "
				    "seg/", sp->dir, base);
			} else if (idx_read(sp->fd[SPOOL_OUT], names[i], &segs,
			    &ns) == 0) {
				snprintf(buf, sizeof buf, "out/%s (since "
				    "uploaded)", base);
				ret = drop_segments(sp, segs, ns, buf);
				spool_names_free(segs, ns);
			}
			if (ret == 0)
				ret = remove_out(sp, names[i],
				    "its archive was published and is gone");
		}
	}
	spool_names_free(names, n);
	if (ret != 0)
		return ret;

	/* tmp/: our partial files (never rec-capture's) */
	if (spool_list(sp, SPOOL_TMP, NULL, &names, &n) == -1) {
		log_error("cannot list %s/tmp: %s", sp->dir, strerror(errno));
		return EX_IOERR;
	}
	for (i = 0; i < n; i++) {
		struct aname an;
		int len = aname_parse(names[i], &an);
		const char *rest = len < 0 ? "" : names[i] + len;

		if (strcmp(rest, PART_SUFFIX) != 0 &&
		    strcmp(rest, FLAC_PART_SUFFIX) != 0 &&
		    strcmp(rest, SUMS_SUFFIX) != 0 &&
		    strcmp(rest, IDX_SUFFIX) != 0)
			continue;
		if (unlinkat(sp->fd[SPOOL_TMP], names[i], 0) == -1 &&
		    errno != ENOENT) {
			log_error("cannot remove %s/tmp/%s: %s", sp->dir,
			    names[i], strerror(errno));
			ret = EX_IOERR;
			break;
		}
		log_info("removed %s/tmp/%s, left by an interrupted run",
		    sp->dir, names[i]);
	}
	spool_names_free(names, n);
	return ret;
}
