/*
 * fault: an LD_PRELOAD shim that makes chosen file operations fail, and
 * records the order of durability calls, for the tests of "one bad file
 * never stops a stage" and "fsync before rename".
 *   REC_FAULT_EIO=SUBSTR     read/pread/readv on an fd whose path holds
 *                            SUBSTR fail with EIO
 *   REC_FAULT_EIO_COUNT=N    ... only the first N times in each process
 *   REC_FAULT_EMFILE=SUBSTR  open/openat of a path holding SUBSTR fails
 *                            with EMFILE
 *   REC_FAULT_LOG=FILE       append "fsync PATH", "fdatasync PATH" and
 *                            "rename FROM TO" lines (one write each)
 *   REC_FAULT_HEADS=1        ... and "create PATH" for every open that
 *                            creates, and, when an fd written at offsets
 *                            below 512 is closed (or at exit), "head PATH
 *                            HEX": the first bytes written to it, up to
 *                            512 (write/pwrite/writev only: stdio writes
 *                            from inside libc are not seen)
 *   REC_FAULT_GREP=HEX[,HEX] ... and "match PATH I" the first time a
 *                            single write to an fd holds the I-th (from
 *                            0) byte string (at most 32, each < 256 bytes)
 *   REC_FAULT_COUNT=SUBSTR   ... and "count PATH BYTES" when an fd whose
 *                            path holds SUBSTR is closed (or at exit):
 *                            the bytes read/pread/readv returned on it
 * Built without _FILE_OFFSET_BITS so that both open and open64 exist.
 * Paths are those of /proc/self/fd at the time of the call.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static int eio_left = -1;	/* -1: not read yet; -2: unlimited */

/* Per-fd record of REC_FAULT_HEADS / _GREP / _COUNT, under lock. */
#define NFD	4096
#define HEAD	512
#define NPAT	32
struct track {
	char *path;		/* at the first tracked event */
	unsigned char head[HEAD];
	size_t headlen;		/* bytes of head[] filled, from offset 0 */
	unsigned long long nread;
	unsigned matched;	/* bit i: pattern i seen already */
	int used;
};
static struct track *tracks;
static pthread_mutex_t track_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char *pat[NPAT];
static size_t patlen[NPAT];
static int npat = -1;

static void *
next(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

/* 1 when fd's path holds the substring in env variable var. */
static int
fd_matches(int fd, const char *var)
{
	const char *want = getenv(var);
	char link[64], path[4096];
	ssize_t n;

	if (want == NULL || *want == '\0')
		return 0;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof path - 1);
	if (n < 0)
		return 0;
	path[n] = '\0';
	return strstr(path, want) != NULL;
}

/* 1 when this read on fd must fail with EIO. */
static int
eio(int fd)
{
	if (!fd_matches(fd, "REC_FAULT_EIO"))
		return 0;
	if (eio_left == -1) {
		const char *c = getenv("REC_FAULT_EIO_COUNT");
		eio_left = c != NULL ? atoi(c) : -2;
	}
	if (eio_left == -2)
		return 1;
	if (eio_left == 0)
		return 0;
	eio_left--;
	return 1;
}

static int
emfile(const char *path)
{
	const char *want = getenv("REC_FAULT_EMFILE");

	return want != NULL && *want != '\0' && path != NULL &&
	    strstr(path, want) != NULL;
}

static void
logline(const char *what, const char *a, const char *b)
{
	const char *f = getenv("REC_FAULT_LOG");
	char line[8300];
	int fd, n, se = errno;
	int (*real_open)(const char *, int, ...) = next("open");
	ssize_t (*real_write)(int, const void *, size_t) = next("write");
	int (*real_close)(int) = next("close");

	if (f == NULL || *f == '\0')
		return;
	n = snprintf(line, sizeof line, "%s %s%s%s\n", what, a, b ? " " : "",
	    b ? b : "");
	if (n < 0 || (size_t)n >= sizeof line)
		goto out;
	fd = real_open(f, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		ssize_t w = real_write(fd, line, (size_t)n);
		(void)w;
		real_close(fd);
	}
out:
	errno = se;
}

static void
logfd(const char *what, int fd)
{
	char link[64], path[4096];
	ssize_t n;

	if (getenv("REC_FAULT_LOG") == NULL)
		return;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof path - 1);
	path[n < 0 ? 0 : n] = '\0';
	logline(what, path, NULL);
}

static int
env_on(const char *var)
{
	const char *v = getenv(var);

	return v != NULL && *v != '\0' && getenv("REC_FAULT_LOG") != NULL;
}

/* The record of fd, allocated on first use; NULL if out of range. Called
 * with track_lock held. */
static struct track *
track_of(int fd)
{
	if (fd < 0 || fd >= NFD)
		return NULL;
	if (tracks == NULL && (tracks = calloc(NFD, sizeof *tracks)) == NULL)
		return NULL;
	return &tracks[fd];
}

static void
track_path(struct track *t, int fd)
{
	char link[64], path[4096];
	ssize_t n;

	if (t->path != NULL)
		return;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof path - 1);
	path[n < 0 ? 0 : n] = '\0';
	t->path = strdup(path);
	t->used = 1;
}

/* Log what fd's record holds and forget it. Called with track_lock held. */
static void
track_flush(int fd)
{
	struct track *t = track_of(fd);
	static const char hx[] = "0123456789abcdef";
	char num[32], hex[2 * HEAD + 1];
	size_t i;

	if (t == NULL || !t->used)
		return;
	if (t->headlen > 0) {
		for (i = 0; i < t->headlen; i++) {
			hex[2 * i] = hx[t->head[i] >> 4];
			hex[2 * i + 1] = hx[t->head[i] & 15];
		}
		hex[2 * t->headlen] = '\0';
		logline("head", t->path ? t->path : "?", hex);
	}
	if (t->nread > 0) {
		snprintf(num, sizeof num, "%llu", t->nread);
		logline("count", t->path ? t->path : "?", num);
	}
	free(t->path);
	memset(t, 0, sizeof *t);
}

static int
unhex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse REC_FAULT_GREP once. Called with track_lock held. */
static void
grep_init(void)
{
	const char *v = getenv("REC_FAULT_GREP");
	size_t n;

	if (npat != -1)
		return;
	npat = 0;
	while (v != NULL && *v != '\0' && npat < NPAT) {
		n = strcspn(v, ",");
		if (n >= 2 && n % 2 == 0 && n / 2 < 256 &&
		    (pat[npat] = malloc(n / 2)) != NULL) {
			size_t i;
			for (i = 0; i < n / 2; i++)
				pat[npat][i] = (unsigned char)(unhex(v[2 * i]) *
				    16 + unhex(v[2 * i + 1]));
			patlen[npat++] = n / 2;
		}
		v += n + (v[n] == ',');
	}
}

/* Record n bytes written to fd at offset off (-1: not seekable). */
static void
track_write(int fd, const void *buf, size_t n, off_t off)
{
	struct track *t;
	int heads = env_on("REC_FAULT_HEADS"), greps = env_on("REC_FAULT_GREP");
	int i, se = errno;

	if ((!heads && !greps) || n == 0)
		return;
	pthread_mutex_lock(&track_lock);
	if ((t = track_of(fd)) == NULL)
		goto out;
	if (heads && off >= 0 && off < HEAD && (size_t)off <= t->headlen) {
		size_t k = HEAD - (size_t)off < n ? HEAD - (size_t)off : n;
		track_path(t, fd);
		memcpy(t->head + off, buf, k);
		if ((size_t)off + k > t->headlen)
			t->headlen = (size_t)off + k;
	}
	if (greps) {
		grep_init();
		for (i = 0; i < npat; i++) {
			char num[16];
			if ((t->matched & (1u << i)) ||
			    memmem(buf, n, pat[i], patlen[i]) == NULL)
				continue;
			track_path(t, fd);
			t->matched |= 1u << i;
			snprintf(num, sizeof num, "%d", i);
			logline("match", t->path, num);
		}
	}
out:
	pthread_mutex_unlock(&track_lock);
	errno = se;
}

/* Record r bytes read from fd, if its path holds REC_FAULT_COUNT. */
static void
track_read(int fd, ssize_t r)
{
	struct track *t;
	int se = errno;

	if (r <= 0 || !env_on("REC_FAULT_COUNT") ||
	    !fd_matches(fd, "REC_FAULT_COUNT"))
		return;
	pthread_mutex_lock(&track_lock);
	if ((t = track_of(fd)) != NULL) {
		track_path(t, fd);
		t->nread += (unsigned long long)r;
	}
	pthread_mutex_unlock(&track_lock);
	errno = se;
}

/* A new fd (open, or one whose close we did not see, as fclose's). */
static void
track_open(int fd, const char *how, int flags)
{
	char link[64], path[4096];
	ssize_t n;
	int se = errno;

	if (fd < 0 || tracks == NULL)
		goto created;
	pthread_mutex_lock(&track_lock);
	track_flush(fd);
	pthread_mutex_unlock(&track_lock);
created:
	if (fd >= 0 && (flags & (O_CREAT | O_TMPFILE)) &&
	    env_on("REC_FAULT_HEADS")) {
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		n = readlink(link, path, sizeof path - 1);
		path[n < 0 ? 0 : n] = '\0';
		logline(how, path, NULL);
	}
	errno = se;
}

__attribute__((destructor)) static void
track_exit(void)
{
	int fd;

	if (tracks == NULL)
		return;
	pthread_mutex_lock(&track_lock);
	for (fd = 0; fd < NFD; fd++)
		track_flush(fd);
	pthread_mutex_unlock(&track_lock);
}

int
close(int fd)
{
	int (*real)(int) = next("close");

	if (tracks != NULL) {
		int se = errno;
		pthread_mutex_lock(&track_lock);
		track_flush(fd);
		pthread_mutex_unlock(&track_lock);
		errno = se;
	}
	return real(fd);
}

/* The offset fd is at, or -1 for a pipe or socket. */
static off_t
cur_off(int fd)
{
	int se = errno;
	off_t o;

	if (!env_on("REC_FAULT_HEADS"))
		return -1;
	o = lseek(fd, 0, SEEK_CUR);
	errno = se;
	return o;
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	ssize_t (*real)(int, const void *, size_t) = next("write");
	off_t off = cur_off(fd);
	ssize_t r = real(fd, buf, n);

	if (r > 0)
		track_write(fd, buf, (size_t)r, off);
	return r;
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	ssize_t (*real)(int, const void *, size_t, off_t) = next("pwrite");
	ssize_t r = real(fd, buf, n, off);

	if (r > 0)
		track_write(fd, buf, (size_t)r, off);
	return r;
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	ssize_t (*real)(int, const void *, size_t, off64_t) = next("pwrite64");
	ssize_t r = real(fd, buf, n, off);

	if (r > 0)
		track_write(fd, buf, (size_t)r, (off_t)off);
	return r;
}

ssize_t
writev(int fd, const struct iovec *iov, int cnt)
{
	ssize_t (*real)(int, const struct iovec *, int) = next("writev");
	off_t off = cur_off(fd);
	ssize_t r = real(fd, iov, cnt), left = r;
	int i;

	for (i = 0; i < cnt && left > 0; i++) {
		size_t k = iov[i].iov_len < (size_t)left ? iov[i].iov_len :
		    (size_t)left;
		track_write(fd, iov[i].iov_base, k, off);
		if (off >= 0)
			off += (off_t)k;
		left -= (ssize_t)k;
	}
	return r;
}

/* 1 when opening path (relative to dfd) must fail with EMFILE: the
 * substring is matched against the whole path, so "seg/NAME" also
 * matches an openat(dirfd-of-seg, "NAME"). */
static int
emfile_at(int dfd, const char *path)
{
	char dir[4096], full[8300], link[64];
	ssize_t n;

	if (path == NULL)
		return 0;
	if (path[0] == '/' || (dfd == AT_FDCWD && getcwd(dir, sizeof dir) == NULL))
		return emfile(path);
	if (dfd != AT_FDCWD) {
		snprintf(link, sizeof link, "/proc/self/fd/%d", dfd);
		n = readlink(link, dir, sizeof dir - 1);
		if (n < 0)
			return emfile(path);
		dir[n] = '\0';
	}
	snprintf(full, sizeof full, "%s/%s", dir, path);
	return emfile(full);
}

/* mode is read only when open creates (O_CREAT, O_TMPFILE). */
static mode_t
open_mode(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

typedef int (*openat_fn)(int, const char *, int, ...);

static int
do_openat(const char *name, int dfd, const char *path, int flags, mode_t mode)
{
	int fd;

	if (emfile_at(dfd, path)) {
		errno = EMFILE;
		return -1;
	}
	fd = ((openat_fn)next(name))(dfd, path, flags, mode);
	track_open(fd, "create", flags);
	return fd;
}

static int
do_open(const char *name, const char *path, int flags, mode_t mode)
{
	int (*real)(const char *, int, ...) = next(name);
	int fd;

	if (emfile_at(AT_FDCWD, path)) {
		errno = EMFILE;
		return -1;
	}
	fd = real(path, flags, mode);
	track_open(fd, "create", flags);
	return fd;
}

int
open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = open_mode(flags, ap);
	va_end(ap);
	return do_open("open", path, flags, m);
}

int
open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = open_mode(flags, ap);
	va_end(ap);
	return do_open("open64", path, flags, m);
}

int
openat(int dfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = open_mode(flags, ap);
	va_end(ap);
	return do_openat("openat", dfd, path, flags, m);
}

int
openat64(int dfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = open_mode(flags, ap);
	va_end(ap);
	return do_openat("openat64", dfd, path, flags, m);
}

ssize_t
read(int fd, void *buf, size_t n)
{
	ssize_t (*real)(int, void *, size_t) = next("read");
	ssize_t r;

	if (eio(fd)) {
		errno = EIO;
		return -1;
	}
	r = real(fd, buf, n);
	track_read(fd, r);
	return r;
}

ssize_t
pread(int fd, void *buf, size_t n, off_t off)
{
	ssize_t (*real)(int, void *, size_t, off_t) = next("pread");
	ssize_t r;

	if (eio(fd)) {
		errno = EIO;
		return -1;
	}
	r = real(fd, buf, n, off);
	track_read(fd, r);
	return r;
}

ssize_t
pread64(int fd, void *buf, size_t n, off64_t off)
{
	ssize_t (*real)(int, void *, size_t, off64_t) = next("pread64");
	ssize_t r;

	if (eio(fd)) {
		errno = EIO;
		return -1;
	}
	r = real(fd, buf, n, off);
	track_read(fd, r);
	return r;
}

ssize_t
readv(int fd, const struct iovec *iov, int cnt)
{
	ssize_t (*real)(int, const struct iovec *, int) = next("readv");
	ssize_t r;

	if (eio(fd)) {
		errno = EIO;
		return -1;
	}
	r = real(fd, iov, cnt);
	track_read(fd, r);
	return r;
}

int
fsync(int fd)
{
	int (*real)(int) = next("fsync");

	logfd("fsync", fd);
	return real(fd);
}

int
fdatasync(int fd)
{
	int (*real)(int) = next("fdatasync");

	logfd("fdatasync", fd);
	return real(fd);
}

int
rename(const char *from, const char *to)
{
	int (*real)(const char *, const char *) = next("rename");
	int r = real(from, to);

	if (r == 0)
		logline("rename", from, to);
	return r;
}

int
renameat(int fd1, const char *from, int fd2, const char *to)
{
	int (*real)(int, const char *, int, const char *) = next("renameat");
	int r = real(fd1, from, fd2, to);

	if (r == 0)
		logline("rename", from, to);
	return r;
}

int
renameat2(int fd1, const char *from, int fd2, const char *to, unsigned fl)
{
	int (*real)(int, const char *, int, const char *, unsigned) =
	    next("renameat2");
	int r = real(fd1, from, fd2, to, fl);

	if (r == 0)
		logline("rename", from, to);
	return r;
}
