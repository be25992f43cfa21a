/*
 * rec-upload --heartbeat: one PUT of {prefix}{station}/health.json (lib/
 * heartbeat), made from DIR/status, the spool's own counts and the
 * ledger, and optionally a copy under {prefix}{station}/health/YYYY/MM/
 * DD/.  It takes no cycle lock: a heartbeat never waits for an upload
 * and never makes one wait.  Its bytes go into the ledger, so they count
 * in the monthly budget like an archive's.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "file.h"
#include "heartbeat.h"
#include "ledger.h"
#include "log.h"
#include "status.h"
#include "sums.h"
#include "upload.h"
#include "utc.h"

/* The start of the oldest pending segment or archive (names sort in
 * capture order), 0 when none. */
static int64_t
oldest_pending(struct run *r)
{
	struct timespec ts;
	struct aname an;
	char **names;
	size_t n, i;
	int64_t oldest = 0, t;

	if (spool_list(&r->sp, SPOOL_SEG, ".wav", &names, &n) == 0) {
		for (i = 0; i < n; i++)
			if (aname_seg_parse(names[i], &ts, NULL) == 0)
				break;
		if (i < n)
			oldest = utc_ns(&ts);
		spool_names_free(names, n);
	}
	if (spool_list(&r->sp, SPOOL_OUT, NULL, &names, &n) == 0) {
		for (i = 0; i < n; i++) {
			if (!aname_is_archive(names[i]) ||
			    aname_parse(names[i], &an) < 0)
				continue;
			t = utc_ns(&an.start);
			if (oldest == 0 || t < oldest)
				oldest = t;
			break;
		}
		spool_names_free(names, n);
	}
	return oldest;
}

/* The finished archives in out/ (not their sidecars), and their bytes. */
static void
count_out(struct run *r, struct heartbeat *hb)
{
	char **names;
	size_t n, i;
	struct stat st;

	if (spool_list(&r->sp, SPOOL_OUT, NULL, &names, &n) < 0)
		return;
	for (i = 0; i < n; i++) {
		if (!aname_is_archive(names[i]))
			continue;
		hb->out_count++;
		if (fstatat(r->sp.fd[SPOOL_OUT], names[i], &st,
		    AT_SYMLINK_NOFOLLOW) == 0)
			hb->out_bytes += (uint64_t)st.st_size;
	}
	spool_names_free(names, n);
}

/* Fill hb from DIR/status, the spool and the ledger, at now_ns. */
static void
gather(struct run *r, struct heartbeat *hb, uint64_t interval_ms,
    int64_t now_ns)
{
	struct status st;
	struct clock_state cs;
	struct err e;
	uint64_t b;
	size_t n;
	int have_st, alive;

	heartbeat_init(hb);
	snprintf(hb->station, sizeof(hb->station), "%s", r->station);
	snprintf(hb->version, sizeof(hb->version), "%s", REC_VERSION);
	hb->time_ns = now_ns;
	hb->interval_s = interval_ms / 1000;
	have_st = status_read(r->sp.dirfd, &st, &e) == 0;
	if (!have_st)
		log_debug("%s/%s: %s", r->sp.dir, STATUS_FILE, e.msg);
	alive = spool_recd_alive(r->sp.dirfd);
	if (alive > 0 && have_st) {
		snprintf(hb->recd, sizeof(hb->recd), "%s", st.recd_state);
		hb->uptime_s = st.recd_started_ns ? (now_ns -
		    st.recd_started_ns) / 1000000000 : -1;
	} else if (alive == 0) {
		snprintf(hb->recd, sizeof(hb->recd), "%s", !have_st ||
		    strcmp(st.recd_state, "stopped") == 0 ? "stopped" :
		    "dead");
	}
	if (have_st) {
		snprintf(hb->capture, sizeof(hb->capture), "%s",
		    alive > 0 ? st.child[STATUS_CAPTURE].state : "idle");
		hb->last_upload_ns = st.last_upload_ns;
		hb->overruns = st.overruns;
		hb->lost_frames = st.lost_frames;
		hb->levels = st.levels;
	}
	if (alive > 0 && have_st) {	/* what only a running recd knows */
		hb->unsynced_ns = st.clock.unsynced_ns;
		hb->wait_since_ns = st.clock.wait_since_ns;
		hb->wait_until_ns = st.clock.wait_until_ns;
	}
	snprintf(hb->schedule, sizeof(hb->schedule), "%s",
	    conf_get(r->conf, "capture", "duration") ? "session" :
	    "continuous");
	if (clock_state_read(&cs) == 0) {
		hb->clock_synced = cs.synced;
		hb->est_error_ns = cs.est_error_ns;
		hb->max_error_ns = cs.max_error_ns;
	}
	if (spool_free_bytes(&r->sp, &b) == 0)
		hb->free_bytes = b;
	if (spool_usage(&r->sp, SPOOL_SEG, ".wav", &b, &n) == 0) {
		hb->seg_count = n;
		hb->seg_bytes = b;
	}
	count_out(r, hb);
	if (spool_usage(&r->sp, SPOOL_CORRUPT, NULL, &b, &n) == 0)
		hb->corrupt_count = n;
	hb->oldest_ns = oldest_pending(r);
	hb->budget = r->budget;
	if (ledger_month_bytes(r->sp.dirfd, (time_t)(now_ns / 1000000000),
	    &hb->month_bytes) < 0)
		log_warn("cannot read %s/ledger: %s", r->sp.dir,
		    strerror(errno));
	heartbeat_alarms(hb, have_st ? &st : NULL);
}

/* PUT the bytes of fd (size len) as key and write its ledger line. */
static int
put_one(struct run *r, const char *key, int fd, const struct sums *s,
    int64_t now_ns)
{
	struct ledger_entry le;
	char etag[80];
	struct err e;

	etag[0] = '\0';
	if (s3_put(r->s3, key, fd, 0, s->size, s->md5, s->sha256, etag,
	    &e) < 0) {
		long status;
		s3_last(r->s3, &status, NULL);
		/* a 2xx whose ETag is no MD5 (SSE-KMS): the store checked */
		if (!(e.ex == EX_DATAERR && status >= 200 && status <= 299 &&
		    etag[0] != '\0')) {
			if (e.ex == EX_TEMPFAIL)
				log_warn("heartbeat s3://%s/%s not sent: %s",
				    r->bucket, key, e.msg);
			else
				log_error("heartbeat s3://%s/%s not sent: %s",
				    r->bucket, key, e.msg);
			return e.ex;
		}
	}
	memset(&le, 0, sizeof(le));
	le.key = key;
	le.etag = etag;
	le.name = HEARTBEAT_OBJECT;
	le.bytes = s->size;
	le.start = le.end = utc_from_ns(now_ns);
	if (ledger_append(r->sp.dirfd, &le) < 0) {
		log_error("cannot append to %s/ledger: %s", r->sp.dir,
		    strerror(errno));
		return EX_IOERR;
	}
	log_info("heartbeat sent: s3://%s/%s (%" PRIu64 " bytes)", r->bucket,
	    key, s->size);
	return 0;
}

int
heartbeat_send(struct run *r)
{
	uint64_t interval_ms;
	int history;
	struct heartbeat hb;
	struct timespec now;
	struct sums *s = NULL;
	struct err e;
	char key[KEY_MAX], day[40], *text = NULL;
	int fd = -1, ex;
	size_t len;

	if (heartbeat_conf(r->conf, &interval_ms, &history, &e) < 0) {
		log_error("%s", e.msg);
		return e.ex;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	gather(r, &hb, interval_ms, utc_ns(&now));
	if (heartbeat_format(&hb, &text) < 0) {
		log_error("cannot make the heartbeat: %s", strerror(errno));
		return EX_OSERR;
	}
	len = strlen(text);
	if (r->budget && hb.month_bytes + (history ? 2 * len : len) >
	    r->budget) {
		log_warn("monthly budget reached: %" PRIu64 " of %" PRIu64
		    " bytes sent this month, heartbeat not sent",
		    hb.month_bytes, r->budget);
		ex = EX_TEMPFAIL;
		goto out;
	}
	fd = memfd_create("health.json", MFD_CLOEXEC);
	if (fd < 0 || file_write_all(fd, text, len) < 0) {
		log_error("cannot hold the heartbeat in memory: %s",
		    strerror(errno));
		ex = EX_OSERR;
		goto out;
	}
	if (sums_fd(fd, len ? len : 1, &s, &e) < 0 || !s->have_whole) {
		log_error("cannot hash the heartbeat: %s", e.msg);
		ex = EX_OSERR;
		goto out;
	}
	snprintf(key, sizeof(key), "%s%s/%s", r->prefix, r->station,
	    HEARTBEAT_OBJECT);
	if ((ex = put_one(r, key, fd, s, hb.time_ns)) != 0 || !history)
		goto out;
	/* 2026-11-29T20:15:00.000000Z -> health/2026/11/29/20261129T201500Z.json */
	utc_iso_ns(hb.time_ns, day, sizeof(day));
	snprintf(key, sizeof(key), "%s%s/health/%.4s/%.2s/%.2s/"
	    "%.4s%.2s%.2sT%.2s%.2s%.2sZ.json", r->prefix, r->station,
	    day, day + 5, day + 8, day, day + 5, day + 8, day + 11, day + 14,
	    day + 17);
	ex = put_one(r, key, fd, s, hb.time_ns);
out:
	sums_free(s);
	if (fd >= 0)
		close(fd);
	free(text);
	return ex;
}
