/*
 * rec-capture crash recovery: a segment left in tmp/ by a kill -9 or a
 * power cut gets a correct header from its length and is published into
 * seg/; a file that cannot be read moves to corrupt/. Never deleted.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sysexits.h>
#include <unistd.h>

#include "aname.h"
#include "capture.h"
#include "file.h"
#include "guano.h"
#include "log.h"
#include "segmeta.h"
#include "wav.h"

#define TRIES		3	/* reads of a segment before it is given up */
#define RETRY_MS	200	/* between them */
#define JOURNAL_MAX	(1u << 20)	/* the most a guan chunk holds (wav.c) */

/* Is key (kl bytes) one the final chunk sets again (not copied)? */
static int
final_key(const char *key, size_t kl)
{
	return (kl == 13 && memcmp(key, "GUANO|Version", 13) == 0) ||
	    (kl == 6 && memcmp(key, "Length", 6) == 0) ||
	    segmeta_final_key(key, kl);
}

/* Copy the "Key: Value" lines of text into g, but not the final keys. */
static int
copy_guano(struct guano *g, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl, *colon;
	char *key;
	size_t kl, vl;
	int rc;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		colon = memchr(p, ':', (size_t)(nl - p));
		if (colon != NULL && colon > p &&
		    !final_key(p, (size_t)(colon - p))) {
			kl = (size_t)(colon - p);
			colon++;
			while (colon < nl && *colon == ' ')
				colon++;
			vl = (size_t)(nl - colon);
			while (vl > 0 && (colon[vl - 1] == '\r' ||
			    colon[vl - 1] == ' ' || colon[vl - 1] == '\0'))
				vl--;
			if ((key = strndup(p, kl)) == NULL)
				return -1;
			rc = guano_add(g, key, "%.*s", (int)vl, colon);
			free(key);
			if (rc < 0)
				return -1;
		}
		p = nl + 1;
	}
	return 0;
}

static void
quarantine(struct cap *c, const char *name, const char *why)
{
	if (spool_quarantine(&c->sp, SPOOL_TMP, name) < 0)
		log_error("cannot move %s/tmp/%s to corrupt/: %s", c->sp.dir,
		    name, strerror(errno));
	else
		log_warn("moved %s/tmp/%s to %s/corrupt/: %s", c->sp.dir, name,
		    c->sp.dir, why);
}

/*
 * tmp/name could not be read or written (errnum): one bad file must not
 * stop the recording. A shortage of the process (descriptors, memory,
 * disk space) says nothing about the file: it stays in tmp/ for the next
 * start. Anything else (EIO) moves it to corrupt/, where it is kept.
 * Returns EX_DATAERR (quarantined) or EX_IOERR (left or not movable).
 */
static int
give_up(struct cap *c, const char *name, int errnum)
{
	switch (errnum) {
	case EMFILE: case ENFILE: case ENOMEM: case ENOSPC: case EDQUOT:
		log_error("left %s/tmp/%s for the next start: %s", c->sp.dir,
		    name, strerror(errnum));
		return EX_IOERR;
	}
	if (spool_quarantine(&c->sp, SPOOL_TMP, name) < 0) {
		log_error("cannot move %s/tmp/%s to %s/corrupt/: %s; skipped",
		    c->sp.dir, name, c->sp.dir, strerror(errno));
		return EX_IOERR;
	}
	log_error("moved %s/tmp/%s to %s/corrupt/: %s", c->sp.dir, name,
	    c->sp.dir, strerror(errnum));
	return EX_DATAERR;
}

/*
 * The gaps the writer journaled in tmp/NAME.gaps before the crash
 * ("off+len,..."), those within the recovered frames, into m (with their
 * sum). No journal: no gaps were recorded. 0, or -1 (ENOMEM); a journal
 * that cannot be read is logged and gives no gaps.
 */
static int
journal_gaps(struct cap *c, const char *name, uint64_t frames,
    struct segmeta *m)
{
	struct segmeta all;
	char jn[300], *text = NULL;
	size_t len = 0, i;
	int rc = 0;

	memset(&all, 0, sizeof(all));
	snprintf(jn, sizeof(jn), "%s.gaps", name);
	if (file_slurp(c->sp.fd[SPOOL_TMP], jn, JOURNAL_MAX, &text,
	    &len) < 0) {
		if (errno == ENOMEM)
			return -1;
		if (errno != ENOENT)
			log_warn("cannot read %s/tmp/%s: %s (recovered without "
			    "its gaps)", c->sp.dir, jn, strerror(errno));
		return 0;
	}
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\0'))
		len--;
	if (segmeta_gaps_parse(&all, text, len) < 0) {
		if (errno == ENOMEM)
			rc = -1;
		else
			log_warn("%s/tmp/%s: not a gap list (recovered without "
			    "its gaps)", c->sp.dir, jn);
		goto out;
	}
	for (i = 0; i < all.ngaps; i++)
		if (all.gaps[i].off <= frames &&
		    segmeta_gap_add(m, all.gaps[i].off, all.gaps[i].len) < 0) {
			rc = -1;
			goto out;
		}
out:
	segmeta_free(&all);
	free(text);
	return rc;
}

/*
 * Open and parse tmp/name, TRIES times while reading fails. The fd, or
 * -1 with e (EX_DATAERR: not a segment), errno, and *what ("open" or
 * "read") that failed.
 */
static int
open_parse(struct cap *c, const char *name, struct wav_info *wi,
    struct err *e, const char **what)
{
	int fd, try, se;

	for (try = 1;; try++) {
		*what = "open";
		fd = file_open_regular(c->sp.fd[SPOOL_TMP], name, O_RDWR, 0);
		if (fd < 0 && (errno == ELOOP || errno == EINVAL ||
		    errno == EISDIR)) {
			/* a link or a FIFO: never followed, quarantined */
			err_set(e, EX_DATAERR, "not a regular file: %s",
			    errno == ELOOP ? "a symbolic link" :
			    strerror(errno));
			return -1;
		} else if (fd < 0) {
			se = errno;
			err_sys(e, EX_IOERR, "cannot open");
		} else if (*what = "read", wav_parse(fd, wi, e) == 0) {
			return fd;
		} else {
			se = errno;
			close(fd);
			if (e->ex == EX_DATAERR)
				return -1;
		}
		if (try == TRIES)
			break;
		log_warn("cannot %s %s/tmp/%s (try %d of %d): %s", *what,
		    c->sp.dir, name, try, TRIES, strerror(se));
		usleep(RETRY_MS * 1000);
	}
	errno = se;
	return -1;
}

/*
 * The final GUANO text of a segment a crash left without a complete
 * final chunk: the start-of-segment metadata, with what the PCM and the
 * gap journal say. 0, or -1 (ENOMEM).
 */
static int
final_guano(struct cap *c, const char *name, const struct wav_info *wi,
    struct guano *g)
{
	const char *src = wi->head_guano ? wi->head_guano : wi->guano;
	size_t srclen = wi->head_guano ? wi->head_guano_len : wi->guano_len;
	struct segmeta m;
	uint64_t fr = wi->frames;
	unsigned rate = wi->spec.rate;
	int rc = -1;

	memset(&m, 0, sizeof(m));
	m.frames = fr;
	m.recovered = 1;
	if (guano_init(g) < 0 || journal_gaps(c, name, fr, &m) < 0)
		goto out;
	if (copy_guano(g, src, srclen) < 0 ||
	    guano_add(g, "Length", "%" PRIu64 ".%06" PRIu64, fr / rate,
	    (fr % rate) * 1000000 / rate) < 0 ||
	    segmeta_write(g, &m, SEGMETA_FINAL | SEGMETA_RECOVERED) < 0)
		goto out;
	rc = 0;
out:
	segmeta_free(&m);
	return rc;
}

/*
 * Recover tmp/name: 0 when published (or quarantined as the debris of a
 * crash, holding no audio), EX_DATAERR when quarantined because it could
 * not be read, EX_IOERR when it had to be left where it is.
 */
static int
recover_one(struct cap *c, const char *name)
{
	struct wav_info wi;
	struct err e;
	struct guano g = { NULL, 0, 0 };
	const char *text, *what;
	size_t len;
	int fd, rc = 0;
	char why[600];

	memset(&wi, 0, sizeof(wi));
	fd = open_parse(c, name, &wi, &e, &what);
	if (fd < 0 && e.ex == EX_DATAERR) {
		snprintf(why, sizeof(why), "not a readable segment (%s)",
		    e.msg);
		quarantine(c, name, why);
		return 0;
	}
	if (fd < 0) {
		int se = errno;

		log_error("cannot %s %s/tmp/%s: %s", what, c->sp.dir, name,
		    strerror(se));
		return give_up(c, name, se);
	}
	if (wi.frames == 0 || (wi.guano == NULL && wi.head_guano == NULL)) {
		close(fd);
		fd = -1;
		quarantine(c, name, wi.frames == 0 ?
		    "a segment without audio (cut off by a crash)" :
		    "no GUANO metadata");
		goto out;
	}
	/* A complete final chunk: nothing was lost, keep its metadata. */
	text = wi.guano;
	len = wi.guano_len;
	if (!wi.tail_ok) {
		if (final_guano(c, name, &wi, &g) < 0) {
			log_error("cannot finish %s/tmp/%s: %s", c->sp.dir,
			    name, strerror(ENOMEM));
			rc = give_up(c, name, ENOMEM);
			goto out;
		}
		text = g.buf;
		len = g.len;
	}
	/* Finished again even when it looks finished: wav_finish makes
	 * the same file of a complete one, and a header that a crash
	 * updated in part whole. */
	if (wav_finish(fd, wi.data_off, wi.data_len, text, len) < 0 ||
	    fsync(fd) < 0) {
		int se = errno;

		log_error("cannot finish %s/tmp/%s: %s", c->sp.dir, name,
		    strerror(se));
		close(fd);
		fd = -1;
		rc = give_up(c, name, se);
		goto out;
	}
	close(fd);
	fd = -1;
	if (spool_publish(&c->sp, SPOOL_TMP, name, SPOOL_SEG, NULL) < 0) {
		int se = errno;

		if (se == EEXIST) {
			quarantine(c, name, "its name is taken in seg/");
			goto out;
		}
		log_error("cannot rename %s/tmp/%s to %s/seg/%s: %s",
		    c->sp.dir, name, c->sp.dir, name, strerror(se));
		rc = give_up(c, name, se);
		goto out;
	}
	log_warn("recovered %s/tmp/%s (%" PRIu64 " frames, left by a "
	    "crash) into seg/", c->sp.dir, name, wi.frames);
	snprintf(why, sizeof(why), "%s.gaps", name);
	(void)unlinkat(c->sp.fd[SPOOL_TMP], why, 0);
	snprintf(why, sizeof(why), "seg/%s", name);
	spool_trigger(&c->sp, why);
out:
	guano_free(&g);
	wav_info_free(&wi);
	if (fd >= 0)
		close(fd);
	return rc;
}

/*
 * Is a rec-capture of this station running (holding its lock)? Our own
 * station's lock is held by us: the caller skips that check.
 */
static int
station_busy(struct cap *c, const char *station)
{
	char lk[128];
	int fd, busy = 0;

	snprintf(lk, sizeof(lk), ".capture.%s.lock", station);
	fd = file_open_regular(c->sp.fd[SPOOL_TMP], lk, O_RDONLY, 0);
	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK)
		busy = 1;
	close(fd);
	return busy;
}

int
writer_recover(struct cap *c)
{
	char **names = NULL, st[ANAME_STATION_MAX + 1];
	struct timespec ts;
	size_t n = 0, i;
	int r;

	if (spool_list(&c->sp, SPOOL_TMP, ".wav", &names, &n) < 0) {
		log_error("cannot list %s/tmp: %s", c->sp.dir, strerror(errno));
		return err_ex_for_errno(errno);
	}
	c->recover_ex = 0;
	for (i = 0; i < n; i++) {
		if (aname_seg_parse(names[i], &ts, st) == 0 &&
		    strcmp(st, c->station) != 0 && station_busy(c, st)) {
			log_debug("%s/tmp/%s: station %s is recording; left "
			    "alone", c->sp.dir, names[i], st);
			continue;
		}
		/* EX_IOERR (a file left behind) wins over EX_DATAERR */
		r = recover_one(c, names[i]);
		if (r == EX_IOERR || (r != 0 && c->recover_ex == 0))
			c->recover_ex = r;
	}
	spool_names_free(names, n);
	/* gap journals whose segment was published before a crash */
	if (spool_list(&c->sp, SPOOL_TMP, ".wav.gaps", &names, &n) == 0) {
		for (i = 0; i < n; i++) {
			names[i][strlen(names[i]) - 5] = '\0';
			if (faccessat(c->sp.fd[SPOOL_TMP], names[i], F_OK,
			    0) < 0 && errno == ENOENT) {
				strcat(names[i], ".gaps");
				(void)unlinkat(c->sp.fd[SPOOL_TMP], names[i], 0);
			}
		}
		spool_names_free(names, n);
	}
	return 0;
}
