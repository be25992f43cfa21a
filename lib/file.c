/*
 * file: full reads/writes, directory fsync, and atomic replace through a
 * tmp file and rename(2), the commit point of everything we publish.
 */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"

int
file_close_fail(int fd)
{
	int saved = errno;

	(void)close(fd);
	errno = saved;
	return -1;
}

/* Write all of buf, at off when off >= 0, else at the file position. */
static int
write_loop(int fd, const void *buf, size_t len, off_t off)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = off < 0 ? write(fd, p, len) : pwrite(fd, p, len, off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		if (off >= 0)
			off += n;
		len -= n;
	}
	return 0;
}

int
file_write_all(int fd, const void *buf, size_t len)
{
	return write_loop(fd, buf, len, -1);
}

int
file_pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	if (off < 0) {
		errno = EINVAL;
		return -1;
	}
	return write_loop(fd, buf, len, off);
}

/* Read until len bytes or EOF, at off when off >= 0. */
static ssize_t
read_loop(int fd, void *buf, size_t len, off_t off)
{
	char *p = buf;
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = off < 0 ? read(fd, p + got, len - got) :
		    pread(fd, p + got, len - got, off + (off_t)got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		got += n;
	}
	return got;
}

ssize_t
file_read_full(int fd, void *buf, size_t len)
{
	return read_loop(fd, buf, len, -1);
}

ssize_t
file_pread_full(int fd, void *buf, size_t len, off_t off)
{
	if (off < 0) {
		errno = EINVAL;
		return -1;
	}
	return read_loop(fd, buf, len, off);
}

int
file_fsync_dir(int dirfd, const char *path)
{
	int fd, rc;

	if (path == NULL)
		return fsync(dirfd);
	fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	if (rc < 0)
		return file_close_fail(fd);
	return close(fd);
}

int
file_replace(int dirfd, const char *name, const void *buf, size_t len,
    mode_t mode)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *slash = strrchr(name, '/');
	int fd = -1, saved;

	if (slash != NULL) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - name), name);
		if (snprintf(tmp, sizeof(tmp), "%.*s/.%s.tmp.%ld",
		    (int)(slash - name), name, slash + 1, (long)getpid()) >=
		    (int)sizeof(tmp)) {
			errno = ENAMETOOLONG;
			return -1;
		}
	} else {
		snprintf(dir, sizeof(dir), ".");
		snprintf(tmp, sizeof(tmp), ".%s.tmp.%ld", name, (long)getpid());
	}
	(void)unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	if (file_write_all(fd, buf, len) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, name) < 0)
		goto fail;
	return file_fsync_dir(dirfd, dir);
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	(void)unlinkat(dirfd, tmp, 0);
	errno = saved;
	return -1;
}

/* errno for an open file that is not regular (see file.h). */
static int
not_regular_errno(mode_t m)
{
	return S_ISDIR(m) ? EISDIR : EINVAL;
}

int
file_open_regular(int dirfd, const char *name, int flags, mode_t mode)
{
	struct stat st;
	int fd;

	/* Look first, so that a FIFO or device is not even opened (opening
	 * one can block or have side effects); fstat after the open is the
	 * check that counts, as the name can change in between. */
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode)) {
			errno = ELOOP;
			return -1;
		}
		if (!S_ISREG(st.st_mode)) {
			errno = not_regular_errno(st.st_mode);
			return -1;
		}
	}
	fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK,
	    mode);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = not_regular_errno(st.st_mode);
		goto fail;
	}
	if (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL,
	    fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		goto fail;
	return fd;
fail:
	return file_close_fail(fd);
}

int
file_open_lock(int dirfd, const char *name)
{
	struct stat st;
	int fd;

	fd = file_open_regular(dirfd, name, O_RDWR | O_CREAT, 0600);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (st.st_uid != geteuid()) {
		errno = EPERM;
		goto fail;
	}
	/* Lock files of older versions were 0640: readable is enough to
	 * flock, so take the group's access away. */
	if ((st.st_mode & 077) != 0 && fchmod(fd, 0600) < 0)
		goto fail;
	return fd;
fail:
	return file_close_fail(fd);
}

int
file_slurp(int dirfd, const char *path, size_t max, char **bufp, size_t *lenp)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	int fd, saved;

	fd = file_open_regular(dirfd, path, O_RDONLY, 0);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	/* compare as uintmax_t: a (size_t) cast wraps a 4 GiB file on
	 * 32-bit systems into a small one */
	if (st.st_size < 0 || (uintmax_t)st.st_size > max) {
		errno = EFBIG;
		goto fail;
	}
	buf = malloc(st.st_size + 1);
	if (buf == NULL)
		goto fail;
	n = file_read_full(fd, buf, st.st_size);
	if (n < 0)
		goto fail;
	buf[n] = '\0';
	close(fd);
	*bufp = buf;
	if (lenp != NULL)
		*lenp = n;
	return 0;
fail:
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	return -1;
}

int
file_mkdirs(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	char *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}
