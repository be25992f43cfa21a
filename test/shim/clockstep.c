/*
 * clockstep: an LD_PRELOAD shim that steps the wall clock and sets what
 * the kernel says of it, for the tests of "time you can trust": a clock
 * stepped back or forward by hours, a clock not synced yet. Nothing else
 * moves: CLOCK_MONOTONIC and CLOCK_MONOTONIC_RAW stay the kernel's, as
 * on a machine whose clock NTP steps.
 *   REC_CLOCKSTEP=FILE  FILE holds lines "offset SECONDS" (added to
 *       CLOCK_REALTIME, gettimeofday and time; may be negative and have
 *       a fraction), "synced 0|1", "esterror US", "maxerror US" (what
 *       adjtimex, ntp_adjtime and clock_adjtime report when they only
 *       read); a line that is absent leaves that part real. FILE is read
 *       again when its modification time or size changes, at most every
 *       2 ms; a test steps the clock by replacing FILE (write a temp
 *       file and rename it).
 * Built without _FILE_OFFSET_BITS like the other shims.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#define NS	1000000000LL

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int (*real_gettime)(clockid_t, struct timespec *);
static int (*real_adjtimex)(struct timex *);
static int (*real_clock_adjtime)(clockid_t, struct timex *);
static int64_t offset_ns, last_check;
static int synced = -1;			/* -1: the kernel's */
static long esterror = -1, maxerror = -1;
static struct stat seen;

/*
 * Read the file without stdio or malloc: a sanitizer's allocator may
 * read the clock while it initializes, and a malloc from here would
 * then wait for itself.
 */
static void
load(const char *path)
{
	char buf[512], *p, *end;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return;
	buf[n] = '\0';
	offset_ns = 0;
	synced = -1;
	esterror = maxerror = -1;
	for (p = buf; *p != '\0'; p = *end ? end + 1 : end) {
		if ((end = strchr(p, '\n')) == NULL)
			end = p + strlen(p);
		if (strncmp(p, "offset ", 7) == 0) {
			double d = strtod(p + 7, NULL);

			offset_ns = (int64_t)(d * NS + (d < 0 ? -0.5 : 0.5));
		} else if (strncmp(p, "synced ", 7) == 0) {
			synced = strtol(p + 7, NULL, 10) != 0;
		} else if (strncmp(p, "esterror ", 9) == 0) {
			esterror = strtol(p + 9, NULL, 10);
		} else if (strncmp(p, "maxerror ", 9) == 0) {
			maxerror = strtol(p + 9, NULL, 10);
		}
	}
}

/*
 * Read REC_CLOCKSTEP again when it changed (at most every 2 ms). Never
 * inside itself on one thread (a call it makes could read the clock).
 */
static __thread int inside;

static void
refresh(void)
{
	const char *path = getenv("REC_CLOCKSTEP");
	struct timespec now;
	struct stat st;
	int64_t m;

	if (real_gettime == NULL)
		real_gettime = (int (*)(clockid_t, struct timespec *))
		    dlsym(RTLD_NEXT, "clock_gettime");
	if (path == NULL || real_gettime == NULL || inside)
		return;
	inside = 1;
	real_gettime(CLOCK_MONOTONIC, &now);
	m = (int64_t)now.tv_sec * NS + now.tv_nsec;
	pthread_mutex_lock(&mu);
	if (last_check == 0 || m - last_check >= 2000000) {
		last_check = m;
		if (stat(path, &st) == 0 && (st.st_mtim.tv_sec !=
		    seen.st_mtim.tv_sec || st.st_mtim.tv_nsec !=
		    seen.st_mtim.tv_nsec || st.st_size != seen.st_size ||
		    st.st_ino != seen.st_ino)) {
			seen = st;
			load(path);
		}
	}
	pthread_mutex_unlock(&mu);
	inside = 0;
}

static int
is_real(clockid_t id)
{
	return id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE;
}

int
clock_gettime(clockid_t id, struct timespec *ts)
{
	int64_t t;
	int r;

	/* only the wall clock reads the file: ASan's allocator reads
	 * CLOCK_MONOTONIC while it holds its lock, so nothing here may
	 * wait for it then */
	if (is_real(id))
		refresh();
	else if (real_gettime == NULL)
		real_gettime = (int (*)(clockid_t, struct timespec *))
		    dlsym(RTLD_NEXT, "clock_gettime");
	if (real_gettime == NULL)
		return -1;
	r = real_gettime(id, ts);
	if (r == 0 && is_real(id) && offset_ns != 0) {
		t = (int64_t)ts->tv_sec * NS + ts->tv_nsec + offset_ns;
		ts->tv_sec = (time_t)(t / NS);
		ts->tv_nsec = (long)(t % NS);
		if (ts->tv_nsec < 0) {
			ts->tv_nsec += NS;
			ts->tv_sec--;
		}
	}
	return r;
}

int
gettimeofday(struct timeval *tv, void *tz)
{
	struct timespec ts;

	(void)tz;
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return -1;
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}

time_t
time(time_t *t)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (t != NULL)
		*t = ts.tv_sec;
	return ts.tv_sec;
}

/* What a read-only call reports: the kernel's, with the file's parts. */
static int
fake(struct timex *tx, int r)
{
	if (r < 0 || tx->modes != 0)
		return r;
	refresh();
	if (esterror >= 0)
		tx->esterror = esterror;
	if (maxerror >= 0)
		tx->maxerror = maxerror;
	if (synced == 1) {
		tx->status &= ~STA_UNSYNC;
		return r == TIME_ERROR ? TIME_OK : r;
	}
	if (synced == 0) {
		tx->status |= STA_UNSYNC;
		return TIME_ERROR;
	}
	return r;
}

int
adjtimex(struct timex *tx)
{
	int modes = tx->modes;

	if (real_adjtimex == NULL)
		real_adjtimex = (int (*)(struct timex *))dlsym(RTLD_NEXT,
		    "adjtimex");
	if (real_adjtimex == NULL)
		return -1;
	tx->modes = modes;
	return fake(tx, real_adjtimex(tx));
}

int
ntp_adjtime(struct timex *tx)
{
	return adjtimex(tx);
}

int
clock_adjtime(clockid_t id, struct timex *tx)
{
	if (real_clock_adjtime == NULL)
		real_clock_adjtime = (int (*)(clockid_t, struct timex *))
		    dlsym(RTLD_NEXT, "clock_adjtime");
	if (real_clock_adjtime == NULL)
		return -1;
	if (!is_real(id))
		return real_clock_adjtime(id, tx);
	return fake(tx, real_clock_adjtime(id, tx));
}
