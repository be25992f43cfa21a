/*
 * clock: the kernel's clock state, the raw and real clocks, and
 * DIR/clock-wait (see clock.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "file.h"
#include "utc.h"

#define NS	1000000000LL

int
clock_state_read(struct clock_state *cs)
{
	struct timex tx;
	int r;

	memset(&tx, 0, sizeof(tx));	/* modes 0: read only */
	memset(cs, 0, sizeof(*cs));
	r = adjtimex(&tx);
	if (r < 0)
		return -1;
	cs->synced = r != TIME_ERROR && !(tx.status & STA_UNSYNC);
	/* esterror and maxerror are in microseconds. */
	cs->est_error_ns = (int64_t)tx.esterror * 1000;
	cs->max_error_ns = (int64_t)tx.maxerror * 1000;
	return 0;
}

int64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

int64_t
clock_offset_ns(clockid_t id)
{
	int64_t a = clock_ns(id), real = clock_ns(CLOCK_REALTIME);
	int64_t b = clock_ns(id);

	return real - (a + (b - a) / 2);
}

int
clockwait_set(int dirfd, int64_t since_ns, int64_t until_ns)
{
	char a[40], b[40], line[96];
	int n;

	n = snprintf(line, sizeof(line), "%s %s\n",
	    utc_iso_ns(since_ns, a, sizeof(a)),
	    utc_iso_ns(until_ns, b, sizeof(b)));
	return file_replace(dirfd, CLOCKWAIT_FILE, line, (size_t)n, 0644);
}

int
clockwait_clear(int dirfd)
{
	if (unlinkat(dirfd, CLOCKWAIT_FILE, 0) < 0 && errno != ENOENT)
		return -1;
	return file_fsync_dir(dirfd, NULL) < 0 ? -1 : 0;
}

int
clockwait_read(int dirfd, int64_t *since_ns, int64_t *until_ns)
{
	char *text, *sp, *nl;
	size_t len;
	int rc = 1;

	*since_ns = *until_ns = 0;
	if (file_slurp(dirfd, CLOCKWAIT_FILE, 4096, &text, &len) < 0)
		return errno == ENOENT ? 0 : -1;
	sp = strchr(text, ' ');
	if (sp != NULL) {
		*sp++ = '\0';
		if ((nl = strchr(sp, '\n')) != NULL)
			*nl = '\0';
	}
	if (sp == NULL || utc_parse_iso_ns(text, since_ns) < 0 ||
	    utc_parse_iso_ns(sp, until_ns) < 0) {
		*since_ns = *until_ns = 0;
		errno = EINVAL;
		rc = -1;
	}
	free(text);
	return rc;
}
