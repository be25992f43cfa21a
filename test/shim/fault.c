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
 * Built without _FILE_OFFSET_BITS so that both open and open64 exist.
 * Paths are those of /proc/self/fd at the time of the call.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static int eio_left = -1;	/* -1: not read yet; -2: unlimited */

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

	if (f == NULL || *f == '\0')
		return;
	n = snprintf(line, sizeof line, "%s %s%s%s\n", what, a, b ? " " : "",
	    b ? b : "");
	if (n < 0 || (size_t)n >= sizeof line)
		goto out;
	fd = real_open(f, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		ssize_t w = write(fd, line, (size_t)n);
		(void)w;
		close(fd);
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
	if (emfile_at(dfd, path)) {
		errno = EMFILE;
		return -1;
	}
	return ((openat_fn)next(name))(dfd, path, flags, mode);
}

static int
do_open(const char *name, const char *path, int flags, mode_t mode)
{
	int (*real)(const char *, int, ...) = next(name);

	if (emfile_at(AT_FDCWD, path)) {
		errno = EMFILE;
		return -1;
	}
	return real(path, flags, mode);
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

	if (eio(fd)) {
		errno = EIO;
		return -1;
	}
	return real(fd, buf, n);
}

ssize_t
pread(int fd, void *buf, size_t n, off_t off)
{
	ssize_t (*real)(int, void *, size_t, off_t) = next("pread");

	if (eio(fd)) {
		errno = EIO;
		return -1;
	}
	return real(fd, buf, n, off);
}

ssize_t
pread64(int fd, void *buf, size_t n, off64_t off)
{
	ssize_t (*real)(int, void *, size_t, off64_t) = next("pread64");

	if (eio(fd)) {
		errno = EIO;
		return -1;
	}
	return real(fd, buf, n, off);
}

ssize_t
readv(int fd, const struct iovec *iov, int cnt)
{
	ssize_t (*real)(int, const struct iovec *, int) = next("readv");

	if (eio(fd)) {
		errno = EIO;
		return -1;
	}
	return real(fd, iov, cnt);
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
