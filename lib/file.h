/*
 * file: small, careful file operations: full writes and reads that
 * survive EINTR and short counts, directory fsync, and the
 * write-to-tmp-then-rename commit for files other processes read.
 */
#ifndef REC_FILE_H
#define REC_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* close(2) fd keeping errno, for error paths: always returns -1, so
 * `return file_close_fail(fd);` ends a function that failed. */
int file_close_fail(int fd);
/* write(2) all of buf; 0, or -1 with errno (ENOSPC, EIO...). */
int file_write_all(int fd, const void *buf, size_t len);
/* pwrite(2) all of buf at off; 0 or -1 with errno. */
int file_pwrite_all(int fd, const void *buf, size_t len, off_t off);
/* read(2) until len bytes or EOF; bytes read, or -1 with errno. */
ssize_t file_read_full(int fd, void *buf, size_t len);
/* pread(2) until len bytes or EOF; bytes read, or -1 with errno. */
ssize_t file_pread_full(int fd, void *buf, size_t len, off_t off);
/* fsync the directory at path (or dirfd when path is NULL); 0 or -1. */
int file_fsync_dir(int dirfd, const char *path);
/*
 * Atomically replace dir/name (relative to dirfd) with len bytes of buf:
 * write dir/.name.tmp.PID (O_EXCL), fsync, rename, fsync dir.
 * 0, or -1 with errno; the tmp file is removed on failure.
 */
int file_replace(int dirfd, const char *name, const void *buf, size_t len,
    mode_t mode);
/*
 * Read a whole (small) regular file into a NUL-terminated malloc'd buffer,
 * opened like file_open_regular (no symbolic link, no FIFO or device).
 * 0 with *bufp and *lenp set, or -1 with errno (EFBIG above max bytes,
 * ELOOP/EISDIR/EINVAL as file_open_regular).
 */
int file_slurp(int dirfd, const char *path, size_t max, char **bufp,
    size_t *lenp);
/*
 * Open dir/name (relative to dirfd) only when it is a regular file, never
 * through a symbolic link in its last component: for the files of a spool,
 * where a link or a FIFO put in place of a file must not make us read,
 * upload or overwrite something else. flags as for openat(2) (O_NOFOLLOW
 * and O_CLOEXEC are added; O_CREAT may be given, with mode); the open
 * itself does not block on a FIFO or device. Returns the fd, or -1 with
 * errno: ELOOP for a symbolic link, EISDIR for a directory, EINVAL for
 * any other file that is not regular (FIFO, socket, device), else
 * openat's.
 */
int file_open_regular(int dirfd, const char *name, int flags, mode_t mode);
/*
 * Open (creating it with mode 0600) the lock file dir/name for flock(2),
 * with file_open_regular's checks. flock(2) works on a read-only fd, so
 * anyone who can open the file can hold the lock: an existing lock file
 * of ours with any group/other permission is chmod'ed to 0600, and one
 * owned by another user is refused (EPERM). fd, or -1 with errno.
 */
int file_open_lock(int dirfd, const char *name);
/* mkdir -p; 0 or -1 with errno. */
int file_mkdirs(const char *path, mode_t mode);

#endif
