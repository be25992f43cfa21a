/*
 * file: small, careful file operations: full writes and reads that
 * survive EINTR and short counts, directory fsync, and the
 * write-to-tmp-then-rename commit for files other processes read.
 */
#ifndef REC_FILE_H
#define REC_FILE_H

#include <stddef.h>
#include <sys/types.h>

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
 * Read a whole (small) file into a NUL-terminated malloc'd buffer.
 * 0 with *bufp and *lenp set, or -1 with errno (EFBIG above max bytes).
 */
int file_slurp(int dirfd, const char *path, size_t max, char **bufp,
    size_t *lenp);
/* mkdir -p; 0 or -1 with errno. */
int file_mkdirs(const char *path, mode_t mode);

#endif
