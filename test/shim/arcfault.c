/*
 * arcfault: an LD_PRELOAD shim for rec-archive's fault tests, for what
 * test/shim/fault.c cannot reach (it is preloaded alone, not with it).
 *   REC_ARC_EMFILE=SUBSTR     openat of a path holding SUBSTR fails with
 *                             EMFILE, once the first
 *   REC_ARC_EMFILE_SKIP=N     N such opens have succeeded (default 0)
 *   REC_ARC_FLIP=SUBSTR       the first pwrite of 4 KiB or more to an fd
 *                             whose path holds SUBSTR writes its middle
 *                             byte inverted (a card that stores other
 *                             bytes than it was given)
 *   REC_ARC_NO_CORRUPT=1      renames and links into a directory named
 *                             corrupt fail with EROFS (quarantine fails)
 *   REC_ARC_EIO=SUBSTR        read/pread of REC_ARC_EIO_MIN bytes or more
 *                             (default 65536) on an fd whose path holds
 *                             SUBSTR fail with EIO: a bad sector in the
 *                             audio while the header reads fine
 * Built without _FILE_OFFSET_BITS so that both the plain and the 64
 * variants exist.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static int opens_seen, flipped;

static void *
next(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

/* The path of fd (or of directory fd dfd), "" when unknown. */
static void
fd_path(int fd, char *path, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, path, len - 1);
	path[n < 0 ? 0 : n] = '\0';
}

static int
emfile(const char *path)
{
	const char *want = getenv("REC_ARC_EMFILE");
	const char *skip = getenv("REC_ARC_EMFILE_SKIP");

	if (want == NULL || *want == '\0' || path == NULL ||
	    strstr(path, want) == NULL)
		return 0;
	return opens_seen++ >= (skip != NULL ? atoi(skip) : 0);
}

#define OPENAT_BODY(realname)						\
	mode_t mode = 0;						\
	if (flags & (O_CREAT | O_TMPFILE)) {				\
		va_list ap;						\
		va_start(ap, flags);					\
		mode = (mode_t)va_arg(ap, int);				\
		va_end(ap);						\
	}								\
	if (emfile(path)) {						\
		errno = EMFILE;						\
		return -1;						\
	}								\
	int (*real)(int, const char *, int, ...) = next(realname);	\
	return real(dfd, path, flags, mode);

int openat(int dfd, const char *path, int flags, ...) { OPENAT_BODY("openat") }
int openat64(int dfd, const char *path, int flags, ...) { OPENAT_BODY("openat64") }

/* 1 when this read of n bytes on fd must fail with EIO. */
static int
eio(int fd, size_t n)
{
	const char *want = getenv("REC_ARC_EIO");
	const char *min = getenv("REC_ARC_EIO_MIN");
	char path[4096];

	if (want == NULL || *want == '\0' ||
	    n < (size_t)(min != NULL ? atol(min) : 65536))
		return 0;
	fd_path(fd, path, sizeof path);
	return strstr(path, want) != NULL;
}

#define READ_BODY(realname, ...)					\
	if (eio(fd, n)) {						\
		errno = EIO;						\
		return -1;						\
	}								\
	return real(__VA_ARGS__);

ssize_t
read(int fd, void *buf, size_t n)
{
	ssize_t (*real)(int, void *, size_t) = next("read");
	READ_BODY("read", fd, buf, n)
}

ssize_t
pread(int fd, void *buf, size_t n, off_t off)
{
	ssize_t (*real)(int, void *, size_t, off_t) = next("pread");
	READ_BODY("pread", fd, buf, n, off)
}

ssize_t
pread64(int fd, void *buf, size_t n, off64_t off)
{
	ssize_t (*real)(int, void *, size_t, off64_t) = next("pread64");
	READ_BODY("pread64", fd, buf, n, off)
}

/* 1 when this write to fd must store other bytes. */
static int
flip(int fd, size_t n)
{
	const char *want = getenv("REC_ARC_FLIP");
	char path[4096];

	if (flipped || want == NULL || *want == '\0' || n < 4096)
		return 0;
	fd_path(fd, path, sizeof path);
	if (strstr(path, want) == NULL)
		return 0;
	flipped = 1;
	return 1;
}

#define PWRITE_BODY(realname, offtype)					\
	ssize_t (*real)(int, const void *, size_t, offtype) =		\
	    next(realname);						\
	if (flip(fd, n)) {						\
		unsigned char *copy = malloc(n);			\
		ssize_t r;						\
		if (copy == NULL) {					\
			errno = ENOMEM;					\
			return -1;					\
		}							\
		memcpy(copy, buf, n);					\
		copy[n / 2] ^= 0xff;					\
		r = real(fd, copy, n, off);				\
		free(copy);						\
		return r;						\
	}								\
	return real(fd, buf, n, off);

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	PWRITE_BODY("pwrite", off_t)
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	PWRITE_BODY("pwrite64", off64_t)
}

/* 1 (errno EROFS) when dfd is a directory named corrupt and the test
 * wants quarantine to fail. */
static int
no_corrupt(int dfd)
{
	const char *v = getenv("REC_ARC_NO_CORRUPT");
	char path[4096];
	size_t l;

	if (v == NULL || strcmp(v, "1") != 0)
		return 0;
	fd_path(dfd, path, sizeof path);
	l = strlen(path);
	if (l < 8 || strcmp(path + l - 8, "/corrupt") != 0)
		return 0;
	errno = EROFS;
	return 1;
}

int
renameat2(int fd1, const char *from, int fd2, const char *to, unsigned fl)
{
	int (*real)(int, const char *, int, const char *, unsigned) =
	    next("renameat2");

	return no_corrupt(fd2) ? -1 : real(fd1, from, fd2, to, fl);
}

int
renameat(int fd1, const char *from, int fd2, const char *to)
{
	int (*real)(int, const char *, int, const char *) = next("renameat");

	return no_corrupt(fd2) ? -1 : real(fd1, from, fd2, to);
}

int
linkat(int fd1, const char *from, int fd2, const char *to, int fl)
{
	int (*real)(int, const char *, int, const char *, int) =
	    next("linkat");

	return no_corrupt(fd2) ? -1 : real(fd1, from, fd2, to, fl);
}
