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

#include "capture.h"
#include "file.h"
#include "guano.h"
#include "log.h"
#include "wav.h"

/* Keys the final chunk sets again; not copied from the first chunk. */
static const char *const final_keys[] = {
	"GUANO|Version", "Length", "REC|Frames", "REC|Gaps",
	"REC|Lost Frames", "REC|Recovered", NULL
};

/* Copy the "Key: Value" lines of text into g, but not final_keys. */
static int
copy_guano(struct guano *g, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl, *colon;
	char key[256], val[1024];
	size_t kl, vl, i;
	int skip;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		colon = memchr(p, ':', (size_t)(nl - p));
		if (colon != NULL && colon > p) {
			kl = (size_t)(colon - p);
			if (kl >= sizeof(key))
				kl = sizeof(key) - 1;
			memcpy(key, p, kl);
			key[kl] = '\0';
			colon++;
			while (colon < nl && *colon == ' ')
				colon++;
			vl = (size_t)(nl - colon);
			while (vl > 0 && (colon[vl - 1] == '\r' ||
			    colon[vl - 1] == ' ' || colon[vl - 1] == '\0'))
				vl--;
			if (vl >= sizeof(val))
				vl = sizeof(val) - 1;
			memcpy(val, colon, vl);
			val[vl] = '\0';
			for (skip = 0, i = 0; final_keys[i]; i++)
				if (strcmp(key, final_keys[i]) == 0)
					skip = 1;
			if (!skip && guano_add(g, key, "%s", val) < 0)
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
 * The gaps the writer journaled in tmp/NAME.gaps before the crash
 * ("off+len,..."), keeping those within the recovered frames; into buf,
 * their sum into *lost. No journal: no gaps were recorded.
 */
static void
journal_gaps(struct cap *c, const char *name, uint64_t frames, char *buf,
    size_t len, uint64_t *lost)
{
	char jn[300], *text = NULL, *p, *tok;
	unsigned long long off, n;
	size_t o = 0;

	buf[0] = '\0';
	*lost = 0;
	snprintf(jn, sizeof(jn), "%s.gaps", name);
	if (file_slurp(c->sp.fd[SPOOL_TMP], jn, len, &text, NULL) < 0)
		return;
	for (tok = strtok_r(text, ",\n", &p); tok != NULL;
	    tok = strtok_r(NULL, ",\n", &p)) {
		if (sscanf(tok, "%llu+%llu", &off, &n) != 2 || off > frames)
			continue;
		o += snprintf(buf + o, len - o, "%s%llu+%llu", o ? "," : "",
		    off, n);
		if (o >= len) {
			buf[len - 1] = '\0';
			break;
		}
		*lost += n;
	}
	free(text);
}

/* Recover tmp/name; 0, or an exit code on an I/O failure. */
static int
recover_one(struct cap *c, const char *name)
{
	struct wav_info wi;
	struct err e;
	struct guano g;
	int fd, rc = 0, have_g = 0;
	char why[600], gaps[8192];

	memset(&wi, 0, sizeof(wi));
	fd = openat(c->sp.fd[SPOOL_TMP], name, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		log_error("cannot open %s/tmp/%s: %s", c->sp.dir, name,
		    strerror(errno));
		return err_ex_for_errno(errno);
	}
	if (wav_parse(fd, &wi, &e) < 0) {
		if (e.ex == EX_IOERR) {
			log_error("cannot read %s/tmp/%s: %s", c->sp.dir, name,
			    e.msg);
			rc = EX_IOERR;
			goto out;
		}
		snprintf(why, sizeof(why), "not a readable segment (%s)",
		    e.msg);
		close(fd);
		fd = -1;
		quarantine(c, name, why);
		goto out;
	}
	if (wi.frames == 0 || wi.guano == NULL) {
		close(fd);
		fd = -1;
		quarantine(c, name, wi.frames == 0 ?
		    "a segment without audio (cut off by a crash)" :
		    "no GUANO metadata");
		goto out;
	}
	if (!wi.finished) {
		uint64_t lost = 0;

		if (guano_init(&g) < 0)
			goto nomem;
		have_g = 1;
		journal_gaps(c, name, wi.frames, gaps, sizeof(gaps), &lost);
		if (copy_guano(&g, wi.guano, wi.guano_len) < 0 ||
		    guano_add(&g, "Length", "%" PRIu64 ".%06" PRIu64,
		    wi.frames / wi.spec.rate,
		    (wi.frames % wi.spec.rate) * 1000000 / wi.spec.rate) < 0 ||
		    guano_add(&g, "REC|Frames", "%" PRIu64, wi.frames) < 0 ||
		    guano_add(&g, "REC|Gaps", "%s", gaps) < 0 ||
		    guano_add(&g, "REC|Lost Frames", "%" PRIu64, lost) < 0 ||
		    guano_add(&g, "REC|Recovered", "true") < 0)
			goto nomem;
		if (wav_finish(fd, wi.data_off, wi.data_len, g.buf, g.len) < 0) {
			log_error("cannot finish %s/tmp/%s: %s", c->sp.dir,
			    name, strerror(errno));
			rc = err_ex_for_errno(errno);
			goto out;
		}
	}
	if (fsync(fd) < 0) {
		log_error("cannot fsync %s/tmp/%s: %s", c->sp.dir, name,
		    strerror(errno));
		rc = EX_IOERR;
		goto out;
	}
	close(fd);
	fd = -1;
	if (spool_publish(&c->sp, SPOOL_TMP, name, SPOOL_SEG, NULL) < 0) {
		if (errno == EEXIST) {
			quarantine(c, name, "its name is taken in seg/");
			goto out;
		}
		log_error("cannot rename %s/tmp/%s to %s/seg/%s: %s",
		    c->sp.dir, name, c->sp.dir, name, strerror(errno));
		rc = err_ex_for_errno(errno);
		goto out;
	}
	log_warn("recovered %s/tmp/%s (%" PRIu64 " frames, left by a "
	    "crash) into seg/", c->sp.dir, name, wi.frames);
	{
		char line[300];

		snprintf(line, sizeof(line), "%s.gaps", name);
		(void)unlinkat(c->sp.fd[SPOOL_TMP], line, 0);

		snprintf(line, sizeof(line), "seg/%s", name);
		spool_trigger(&c->sp, line);
	}
	goto out;
nomem:
	log_error("out of memory");
	rc = EX_OSERR;
out:
	if (have_g)
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
	fd = openat(c->sp.fd[SPOOL_TMP], lk, O_RDONLY | O_CLOEXEC);
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
	char **names = NULL, st[72];
	const char *u, *dot;
	size_t n = 0, i;
	int rc = 0, r;

	if (spool_list(&c->sp, SPOOL_TMP, ".wav", &names, &n) < 0) {
		log_error("cannot list %s/tmp: %s", c->sp.dir, strerror(errno));
		return err_ex_for_errno(errno);
	}
	for (i = 0; i < n; i++) {
		u = strrchr(names[i], '_');
		dot = strrchr(names[i], '.');
		if (u != NULL && dot > u + 1 && (size_t)(dot - u) < sizeof(st)) {
			memcpy(st, u + 1, (size_t)(dot - u - 1));
			st[dot - u - 1] = '\0';
			if (strcmp(st, c->station) != 0 && station_busy(c, st)) {
				log_debug("%s/tmp/%s: station %s is recording; "
				    "left alone", c->sp.dir, names[i], st);
				continue;
			}
		}
		r = recover_one(c, names[i]);
		if (r != 0 && rc == 0)
			rc = r;
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
	return rc;
}
