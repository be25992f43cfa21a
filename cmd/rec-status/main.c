/*
 * rec-status: print recd's status file (DIR/status) for a person, or as
 * JSON for scripts and monitoring; the exit status says whether recd is
 * running.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "err.h"
#include "file.h"
#include "log.h"
#include "opt.h"
#include "spool.h"
#include "rstatus.h"
#include "status.h"
#include "utc.h"

#define USAGE "usage: rec-status [-hqVv] [--json] [--html file] [--config file]\n" \
    "                  [--spool dir]\n" \
    "       rec-status [-hqVv] --bucket [--json] [--html file] [--config file]\n"

const char *
human_bytes(uint64_t b, char *buf, size_t len)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)b;
	int u = 0;

	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)b);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

const char *
human_secs(int64_t s, char *buf, size_t len)
{
	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 7200)
		snprintf(buf, len, "%lldm%02llds", (long long)s / 60,
		    (long long)s % 60);
	else if (s < 172800)
		snprintf(buf, len, "%lldh%02lldm", (long long)s / 3600,
		    (long long)s / 60 % 60);
	else
		snprintf(buf, len, "%lldd%02lldh", (long long)s / 86400,
		    (long long)s / 3600 % 24);
	return buf;
}

/* "2026-11-28 03:15:00 UTC (12s ago)" or "never". */
const char *
when(int64_t ns, int64_t now, char *buf, size_t len)
{
	char age[32];
	time_t t;
	struct tm tm;

	if (ns == 0) {
		snprintf(buf, len, "never");
		return buf;
	}
	t = (time_t)(ns / 1000000000);
	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d UTC (%s ago)",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, human_secs((now - ns) / 1000000000, age,
	    sizeof(age)));
	return buf;
}

const char *
clock_text(const struct status_clock *c, char *buf, size_t len)
{
	char a[40], b[40];

	if (c->wait_since_ns != 0) {
		utc_iso_ns(c->wait_since_ns, a, sizeof(a));
		utc_iso_ns(c->wait_until_ns, b, sizeof(b));
		snprintf(buf, len, "recording waits for clock sync since %s, "
		    "records anyway at %s", a, b);
	} else if (c->synced > 0 && c->est_error_ns >= 0) {
		snprintf(buf, len, "synced, est. error %.1f ms",
		    (double)c->est_error_ns / 1e6);
	} else if (c->synced > 0) {
		snprintf(buf, len, "synced");
	} else if (c->synced == 0 && c->unsynced_ns != 0) {
		snprintf(buf, len, "not synced since %s",
		    utc_iso_ns(c->unsynced_ns, a, sizeof(a)));
	} else {
		snprintf(buf, len, c->synced == 0 ? "not synced" : "unknown");
	}
	return buf;
}

const char *
hb_clock_text(const struct heartbeat *h, char *buf, size_t len)
{
	struct status_clock c;

	c.synced = h->clock_synced;
	c.est_error_ns = h->est_error_ns;
	c.max_error_ns = h->max_error_ns;
	c.unsynced_ns = h->unsynced_ns;
	c.wait_since_ns = h->wait_since_ns;
	c.wait_until_ns = h->wait_until_ns;
	return clock_text(&c, buf, len);
}

/* A level in dBFS with one decimal, "-inf" for none. */
static const char *
db(double v, char *buf, size_t len)
{
	if (isnan(v) || isinf(v))
		snprintf(buf, len, "-inf");
	else
		snprintf(buf, len, "%.1f", v);
	return buf;
}

const char *
levels_text(const struct status_levels *lv, char *buf, size_t len)
{
	char a[16], b[16], t[40];
	size_t n;
	unsigned c;

	if (lv->channels == 0) {
		snprintf(buf, len, "none");
		return buf;
	}
	n = (size_t)snprintf(buf, len, "%s:", utc_iso_ns(lv->last_ns, t,
	    sizeof(t)));
	for (c = 0; c < lv->channels && n < len; c++)
		n += (size_t)snprintf(buf + n, len - n,
		    "%s ch%u peak %s RMS %s dBFS", c ? "," : "", c + 1,
		    db(lv->last[c].peak, a, sizeof(a)),
		    db(lv->last[c].rms, b, sizeof(b)));
	if (n < len)
		snprintf(buf + n, len - n, "; %zu points in the last hour",
		    lv->npoints);
	return buf;
}

static const char *
exit_str(int code, char *buf, size_t len)
{
	if (code < 0)
		snprintf(buf, len, "-");
	else if (code > 128)
		snprintf(buf, len, "signal %d", code - 128);
	else
		snprintf(buf, len, "exit %d", code);
	return buf;
}

/* alive: 1 recd runs, 0 it does not, -1 unknown (lock_err: why). */
static void
print_human(const struct status *st, int alive, int lock_err, int64_t now)
{
	char a[64], b[64], c[64], x[512];
	int i;

	if (alive > 0)
		printf("recd        %s, pid %ld, up %s\n", st->recd_state,
		    st->recd_pid, human_secs((now - st->recd_started_ns) /
		    1000000000, a, sizeof(a)));
	else if (alive < 0)
		printf("recd        unknown: recd.lock cannot be tested (%s); "
		    "%s when last seen\n", strerror(lock_err), st->recd_state);
	else
		printf("recd        not running (%s when last seen)\n",
		    st->recd_state);
	printf("spool       %s\n", st->spool);
	printf("config      %s\n", st->config[0] ? st->config : "(none)");
	printf("updated     %s\n", when(st->updated_ns, now, a, sizeof(a)));
	for (i = 0; i < STATUS_NCHILDREN; i++) {
		const struct status_child *ch = &st->child[i];
		printf("%-12s%s", status_child_name(i), ch->state);
		if (ch->pid != 0 && alive > 0)
			printf(", pid %ld, up %s", ch->pid,
			    human_secs((now - ch->started_ns) / 1000000000, a,
			    sizeof(a)));
		printf(", %llu %s", (unsigned long long)ch->restarts,
		    i == STATUS_CAPTURE ? "restarts" : "runs");
		if (ch->last_exit >= 0)
			printf(", last %s", exit_str(ch->last_exit, a,
			    sizeof(a)));
		if (ch->note[0] != '\0')
			printf(" (%s)", ch->note);
		putchar('\n');
	}
	if (st->device_lost_ns != 0)
		printf("audio       device lost since %s\n",
		    when(st->device_lost_ns, now, a, sizeof(a)));
	printf("cycle       %s: %llu cycles, last %s, archive %s, upload %s\n",
	    st->cycle.result, (unsigned long long)st->cycle.count,
	    when(st->cycle.ended_ns, now, a, sizeof(a)),
	    exit_str(st->cycle.archive_exit, b, sizeof(b)),
	    exit_str(st->cycle.upload_exit, c, sizeof(c)));
	printf("pending     %llu segments (%s), %llu archives (%s)",
	    (unsigned long long)st->seg_count,
	    human_bytes(st->seg_bytes, a, sizeof(a)),
	    (unsigned long long)st->out_count,
	    human_bytes(st->out_bytes, b, sizeof(b)));
	if (st->corrupt_count > 0)
		printf(", %llu in corrupt/",
		    (unsigned long long)st->corrupt_count);
	putchar('\n');
	printf("loss        %llu overruns, %llu frames lost in %llu segments\n",
	    (unsigned long long)st->overruns,
	    (unsigned long long)st->lost_frames,
	    (unsigned long long)st->segments_seen);
	printf("free        %s\n", human_bytes(st->free_bytes, a, sizeof(a)));
	printf("uploaded    %s\n", when(st->last_upload_ns, now, a, sizeof(a)));
	printf("clock       %s\n", clock_text(&st->clock, x, sizeof(x)));
	printf("levels      %s\n", levels_text(&st->levels, x, sizeof(x)));
	if (st->window_end_ns != 0 && alive > 0)
		printf("schedule    %s %s\n", st->window_start_ns <= now &&
		    now < st->window_end_ns ? "recording until" :
		    "next window at", utc_iso_ns(st->window_start_ns <= now ?
		    st->window_end_ns : st->window_start_ns, a, sizeof(a)));
	if (st->nalarms == 0)
		printf("alarms      none\n");
	for (i = 0; i < (int)st->nalarms; i++) {
		const struct status_alarm *al = &st->alarm[i];

		printf("alarm       %s", al->name);
		if (al->channel)
			printf(" on channel %u", al->channel);
		printf(", raised %s: %s\n", when(al->raised_ns, now, a,
		    sizeof(a)), al->detail);
	}
}

/*
 * Print st as JSON or for a person, with recd's state from its lock:
 * alive 1, 0, or -1 when the lock cannot be tested (lock_err), say
 * unknown, as a user who is not the spool's cannot open the 0600 lock.
 * The exit code: 0 runs, 69 does not, 77/74 unknown.
 */
static int
show(struct status *st, int json, int alive, int lock_err)
{
	struct timespec now;
	char *text = NULL;
	if (alive < 0)
		snprintf(st->recd_state, sizeof(st->recd_state), "unknown");
	else if (!alive && strcmp(st->recd_state, "stopped") != 0)
		snprintf(st->recd_state, sizeof(st->recd_state), "dead");
	clock_gettime(CLOCK_REALTIME, &now);
	if (json) {
		if (status_format(st, &text) < 0) {
			log_error("cannot format the status: %s",
			    strerror(errno));
			return EX_OSERR;
		}
		fputs(text, stdout);
		free(text);
	} else {
		print_human(st, alive, lock_err, utc_ns(&now));
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		log_error("cannot write to stdout: %s", strerror(errno));
		return EX_IOERR;
	}
	return alive > 0 ? 0 : alive == 0 ? EX_UNAVAILABLE :
	    err_ex_for_errno(lock_err);
}

/*
 * The time of --bucket and --html.  Test hook: REC_TEST_NOW (ISO 8601
 * UTC) instead of the clock, for fixtures that cannot use libfaketime
 * (under ASan its start can hang a binary that links libcurl).
 */
static int64_t
now_ns(void)
{
	const char *v = getenv("REC_TEST_NOW");
	struct timespec now;
	int64_t ns;

	if (v != NULL && *v != '\0') {
		if (utc_parse_iso_ns(v, &ns) < 0)
			log_die(EX_USAGE, "bad REC_TEST_NOW '%s'", v);
		return ns;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	return utc_ns(&now);
}

/* --html FILE of the station: the page, and show()'s exit code. */
static int
page(const struct conf *conf, const char *file, struct status *st, int alive,
    int lock_err)
{
	char station[ANAME_STATION_MAX + 1];
	struct err e;

	if (conf_station(conf, NULL, station, sizeof(station), &e) < 0)
		snprintf(station, sizeof(station), "station");
	if (alive < 0)
		snprintf(st->recd_state, sizeof(st->recd_state), "unknown");
	else if (!alive && strcmp(st->recd_state, "stopped") != 0)
		snprintf(st->recd_state, sizeof(st->recd_state), "dead");
	if (html_station(file, station, st, alive, now_ns()) < 0) {
		log_error("cannot write %s: %s", file, strerror(errno));
		return EX_CANTCREAT;
	}
	return alive > 0 ? 0 : alive == 0 ? EX_UNAVAILABLE :
	    err_ex_for_errno(lock_err);
}

int
main(int argc, char **argv)
{
	static struct opt opts[] = {
		{ .name = "json", .type = OPT_BOOL },
		{ .name = "bucket", .type = OPT_BOOL },
		{ .name = "html", .type = OPT_STR },
		{ .name = NULL }
	};
	struct opt_common oc;
	const char *dir;
	struct conf *conf = NULL;
	struct status st;
	struct err e;
	int json, alive, lock_err, fd, rc = EX_SOFTWARE;
	const char *html;

	log_init("rec-status");
	opt_start(argc, argv, opts, OPT_START_SPOOL | OPT_START_TERSE, &oc,
	    "rec-status", USAGE);
	json = opts[0].count > 0;
	opt_setup(&conf, &oc, NULL);
	html = opts[2].val;
	if (opts[1].count > 0) {	/* --bucket: the fleet (bucket.c) */
		if (oc.spool != NULL)
			log_die(EX_USAGE, "--bucket reads the store, not a "
			    "spool: no --spool with it");
		rc = bucket_run(conf, json && html == NULL, html, now_ns());
		goto out;
	}
	dir = conf_spool(conf, oc.spool);
	/* Read only: never create a spool by looking at it. */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		log_error("cannot open %s: %s", dir, strerror(errno));
		rc = errno == ENOENT ? EX_NOINPUT : EX_NOPERM;
		goto out;
	}
	if (status_read(fd, &st, &e) < 0) {
		close(fd);
		if (e.ex == EX_NOINPUT)
			log_error("no status in %s (recd has not run on it)",
			    dir);
		else
			log_error("%s/%s", dir, e.msg);
		rc = e.ex;
		goto out;
	}
	alive = spool_recd_alive(fd);
	lock_err = errno;
	close(fd);
	if (alive < 0)
		log_warn("cannot test the lock %s/recd.lock: %s: whether recd "
		    "runs is unknown", dir, strerror(lock_err));
	if (html != NULL) {	/* the page only (html.c) */
		rc = page(conf, html, &st, alive, lock_err);
		goto out;
	}
	rc = show(&st, json, alive, lock_err);
out:
	conf_free(conf);
	return rc;
}
