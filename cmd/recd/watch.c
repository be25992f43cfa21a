/*
 * What recd looks at and reports (Postfix master's status files): the
 * spool's counts, the loss rec-capture recorded in the segments it
 * published, and DIR/status, written at most once a second.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aname.h"
#include "devlost.h"
#include "err.h"
#include "file.h"
#include "recd.h"
#include "segmeta.h"
#include "wav.h"

void
mark_dirty(void)
{
	R.status_dirty = 1;
}

/* The finished archives in out/ (not their .sums/.idx/.upload files):
 * their count, and their bytes into *bytes when not NULL. */
size_t
out_archives(uint64_t *bytes)
{
	struct stat sb;
	char **names;
	size_t n, i, count = 0;

	if (bytes != NULL)
		*bytes = 0;
	if (spool_list(&R.sp, SPOOL_OUT, NULL, &names, &n) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (!aname_is_archive(names[i]))
			continue;
		count++;
		if (bytes != NULL && fstatat(R.sp.fd[SPOOL_OUT], names[i], &sb,
		    0) == 0)
			*bytes += (uint64_t)sb.st_size;
	}
	spool_names_free(names, n);
	return count;
}

void
refresh_counts(void)
{
	uint64_t b;
	size_t n;

	if (spool_usage(&R.sp, SPOOL_SEG, ".wav", &b, &n) == 0) {
		R.st.seg_count = n;
		R.st.seg_bytes = b;
	}
	R.st.out_count = out_archives(&R.st.out_bytes);
	if (spool_usage(&R.sp, SPOOL_CORRUPT, NULL, &b, &n) == 0)
		R.st.corrupt_count = n;
	if (spool_free_bytes(&R.sp, &b) == 0)
		R.st.free_bytes = b;
	health_spool();
	health_clock();
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add the loss one segment's GUANO records to the status; its levels to
 * the alarms. */
static void
count_loss(const char *name)
{
	char path[PATH_MAX];
	struct wav_info wi;
	struct segmeta m;
	struct err e;
	int fd;

	spool_path(&R.sp, SPOOL_SEG, name, path, sizeof(path));
	/* a regular file only: a link or FIFO put in seg/ is not read */
	fd = file_open_regular(R.sp.fd[SPOOL_SEG], name, O_RDONLY, 0);
	if (fd < 0)
		return;		/* archived in the meantime */
	if (wav_parse(fd, &wi, &e) == 0) {
		memset(&m, 0, sizeof(m));
		if (wi.guano == NULL)
			;
		else if (segmeta_read(wi.guano, wi.guano_len, &m, &e) < 0)
			log_warn("%s: %s (its loss is not counted)", path,
			    e.msg);
		else {
			if (m.lost_frames > 0) {
				R.st.lost_frames += m.lost_frames;
				log_warn("%s: %llu frames lost", path,
				    (unsigned long long)m.lost_frames);
			}
			R.st.overruns += m.ngaps;	/* one per overrun */
			health_segment(name, &m, wi.spec.rate, wi.frames);
		}
		segmeta_free(&m);
		wav_info_free(&wi);
	}
	close(fd);
}

/* Whether rec-capture waits for its device (DIR/device-lost): only
 * while it runs, a kill -9 may leave the file behind. */
static void
check_device(void)
{
	int64_t since = 0;

	if (CAPTURE->state == ST_RUNNING &&
	    devlost_read(R.sp.dirfd, &since) < 0)
		log_warn("cannot read %s/%s: %s", R.spooldir, DEVLOST_FILE,
		    strerror(errno));
	if (since != R.st.device_lost_ns) {
		R.st.device_lost_ns = since;
		mark_dirty();
	}
}

/*
 * Read the GUANO of segments published since the last look and add up
 * the loss rec-capture recorded in them (overruns, lost frames). New
 * means not in the last listing, not a later name: a clock set back
 * gives earlier names.
 */
void
scan_segments(void)
{
	char **names;
	size_t n, i;

	if (spool_list(&R.sp, SPOOL_SEG, ".wav", &names, &n) < 0)
		return;
	for (i = 0; i < n; i++) {
		if (R.nseg_known > 0 && bsearch(&names[i], R.seg_known,
		    R.nseg_known, sizeof(char *), cmp_name) != NULL)
			continue;
		R.st.segments_seen++;
		mark_dirty();
		count_loss(names[i]);
	}
	spool_names_free(R.seg_known, R.nseg_known);
	R.seg_known = names;
	R.nseg_known = n;
	check_device();
}

static void
put_status(void)
{
	if (status_write(R.sp.dirfd, &R.st) < 0)
		log_warn("cannot write %s/%s: %s", R.spooldir, STATUS_FILE,
		    strerror(errno));
}

/* Write DIR/status when something changed, at most once a second. */
void
write_status(int64_t now, int force)
{
	if (!force && (!R.status_dirty || now - R.status_last < STATUS_MIN_MS))
		return;
	refresh_counts();
	R.st.updated_ns = real_ns();
	snprintf(R.st.recd_state, sizeof(R.st.recd_state), "%s",
	    R.mode == MODE_RUN ? "running" : R.mode == MODE_DRAIN ?
	    "draining" : "stopping");
	R.st.window_start_ns = R.set.sched && R.mode == MODE_RUN ?
	    R.win.start * 1000000000 : 0;
	R.st.window_end_ns = R.st.window_start_ns ? R.win.end * 1000000000 : 0;
	put_status();
	R.status_last = now;
	R.status_dirty = 0;
}

/* The last status: recd stopped, no child runs. */
void
write_final_status(void)
{
	int i;

	write_status(mono_ms(), 1);
	snprintf(R.st.recd_state, sizeof(R.st.recd_state), "stopped");
	R.st.updated_ns = real_ns();
	for (i = 0; i < STATUS_NCHILDREN; i++)
		if (strcmp(R.st.child[i].state, "running") == 0 ||
		    strcmp(R.st.child[i].state, "stopping") == 0)
			snprintf(R.st.child[i].state,
			    sizeof(R.st.child[i].state), "idle");
	refresh_counts();
	put_status();
}
