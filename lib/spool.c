/*
 * spool: state directories, publish-by-rename with directory fsync,
 * quarantine, sorted listings, the trigger FIFO and the cycle lock.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sysexits.h>
#include <unistd.h>

#include "file.h"
#include "spool.h"

static const char *state_names[SPOOL_NSTATES] = {
	"tmp", "seg", "out", "corrupt"
};

const char *
spool_state_name(enum spool_state st)
{
	return st < SPOOL_NSTATES ? state_names[st] : "?";
}

/*
 * Refuse a directory that another user could change under us: a link or
 * a FIFO put in place of a spool file would make us overwrite, read or
 * upload something else. It must be ours and not writable by group or
 * others. sub is "" for the spool itself, else "/state".
 */
static int
check_private(int fd, const char *dir, const char *sub, struct err *e)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		err_sys(e, EX_IOERR, "cannot stat %s%s", dir, sub);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		err_set(e, EX_NOPERM, "unsafe spool %s%s: owned by uid %lu, "
		    "not by uid %lu that runs this (chown it, or run as its "
		    "owner)", dir, sub, (unsigned long)st.st_uid,
		    (unsigned long)geteuid());
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		err_set(e, EX_NOPERM, "unsafe spool %s%s: writable by %s "
		    "(mode %04o; chmod go-w it)", dir, sub,
		    st.st_mode & S_IWOTH ? "others" : "its group",
		    (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

/* Create (when missing), open and check the state directories. */
static int
open_states(struct spool *sp, const char *dir, struct err *e)
{
	struct stat st;
	char sub[16];
	int i;

	for (i = 0; i < SPOOL_NSTATES; i++) {
		if (mkdirat(sp->dirfd, state_names[i], 0750) < 0 &&
		    errno != EEXIST) {
			err_sys(e, errno == EACCES ? EX_NOPERM : EX_CANTCREAT,
			    "cannot create %s/%s", dir, state_names[i]);
			return -1;
		}
		/* A state must not lead out of the spool (O_NOFOLLOW with
		 * O_DIRECTORY fails on a link with ENOTDIR, so look first). */
		if (fstatat(sp->dirfd, state_names[i], &st,
		    AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
			err_set(e, EX_NOPERM, "unsafe spool %s: %s is a "
			    "symbolic link", dir, state_names[i]);
			return -1;
		}
		sp->fd[i] = openat(sp->dirfd, state_names[i],
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sp->fd[i] < 0) {
			err_sys(e, EX_CANTCREAT, "cannot open %s/%s", dir,
			    state_names[i]);
			return -1;
		}
		snprintf(sub, sizeof(sub), "/%s", state_names[i]);
		if (check_private(sp->fd[i], dir, sub, e) < 0)
			return -1;
	}
	return 0;
}

int
spool_open(struct spool *sp, const char *dir, struct err *e)
{
	struct stat st;
	int i, fd;

	memset(sp, 0, sizeof(*sp));
	sp->dirfd = sp->lockfd = -1;
	for (i = 0; i < SPOOL_NSTATES; i++)
		sp->fd[i] = -1;
	if (dir == NULL || *dir == '\0') {
		err_set(e, EX_USAGE, "no spool directory given");
		return -1;
	}
	if ((sp->dir = strdup(dir)) == NULL) {
		err_sys(e, EX_OSERR, "cannot open spool %s", dir);
		return -1;
	}
	if (file_mkdirs(dir, 0750) < 0) {
		err_sys(e, errno == EACCES ? EX_NOPERM : EX_CANTCREAT,
		    "cannot create spool %s", dir);
		goto fail;
	}
	/* The spool itself may be a symbolic link (the admin's choice of
	 * path); what it leads to is checked like the states. */
	sp->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sp->dirfd < 0) {
		err_sys(e, EX_CANTCREAT, "cannot open spool %s", dir);
		goto fail;
	}
	if (check_private(sp->dirfd, dir, "", e) < 0 ||
	    open_states(sp, dir, e) < 0)
		goto fail;
	if (mkfifoat(sp->dirfd, "trigger", 0600) < 0 && errno != EEXIST) {
		err_sys(e, EX_CANTCREAT, "cannot create fifo %s/trigger", dir);
		goto fail;
	}
	if (fstatat(sp->dirfd, "trigger", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISFIFO(st.st_mode)) {
		err_set(e, EX_CANTCREAT, "%s/trigger exists and is not a fifo",
		    dir);
		goto fail;
	}
	fd = file_open_lock(sp->dirfd, "lock");
	if (fd < 0) {
		err_sys(e, errno == EACCES || errno == EPERM ||
		    errno == ELOOP ? EX_NOPERM : EX_CANTCREAT,
		    "cannot create %s/lock", dir);
		goto fail;
	}
	close(fd);
	/* Check that we can write, so an unwritable spool fails at start. */
	if (faccessat(sp->fd[SPOOL_TMP], ".", W_OK, AT_EACCESS) < 0) {
		err_sys(e, EX_CANTCREAT, "cannot write to %s/tmp", dir);
		goto fail;
	}
	return 0;
fail:
	spool_close(sp);
	return -1;
}

void
spool_close(struct spool *sp)
{
	int i;

	if (sp->lockfd >= 0)
		close(sp->lockfd);
	for (i = 0; i < SPOOL_NSTATES; i++)
		if (sp->fd[i] >= 0)
			close(sp->fd[i]);
	if (sp->dirfd >= 0)
		close(sp->dirfd);
	free(sp->dir);
	memset(sp, 0, sizeof(*sp));
	sp->dirfd = sp->lockfd = -1;
	for (i = 0; i < SPOOL_NSTATES; i++)
		sp->fd[i] = -1;
}

int
spool_create_tmp(struct spool *sp, const char *name)
{
	/* O_EXCL never follows a link; O_NOFOLLOW says so again. */
	return openat(sp->fd[SPOOL_TMP], name,
	    O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
}

int
spool_publish(struct spool *sp, enum spool_state from, const char *name,
    enum spool_state to, const char *newname)
{
	if (newname == NULL)
		newname = name;
	/* renameat2(RENAME_NOREPLACE) keeps an existing file; fall back
	 * to a link+unlink pair on filesystems without it. */
	if (renameat2(sp->fd[from], name, sp->fd[to], newname,
	    RENAME_NOREPLACE) < 0) {
		if (errno != EINVAL && errno != ENOSYS)
			return -1;
		if (linkat(sp->fd[from], name, sp->fd[to], newname, 0) < 0)
			return -1;
		if (unlinkat(sp->fd[from], name, 0) < 0)
			return -1;
	}
	if (fsync(sp->fd[to]) < 0)
		return -1;
	if (from != to && fsync(sp->fd[from]) < 0)
		return -1;
	return 0;
}

int
spool_quarantine(struct spool *sp, enum spool_state from, const char *name)
{
	char alt[NAME_MAX + 1];
	int i;

	if (spool_publish(sp, from, name, SPOOL_CORRUPT, name) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	for (i = 1; i < 1000; i++) {
		snprintf(alt, sizeof(alt), "%.240s.%d", name, i);
		if (spool_publish(sp, from, name, SPOOL_CORRUPT, alt) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

int
spool_remove(struct spool *sp, enum spool_state st, const char *name)
{
	if (unlinkat(sp->fd[st], name, 0) < 0)
		return -1;
	return fsync(sp->fd[st]);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
spool_list(struct spool *sp, enum spool_state st, const char *suffix,
    char ***names, size_t *n)
{
	DIR *d;
	struct dirent *de;
	char **v = NULL, **nv;
	size_t cnt = 0, cap = 0, sl = suffix ? strlen(suffix) : 0, l;
	int fd, saved;

	*names = NULL;
	*n = 0;
	fd = openat(sp->fd[st], ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		l = strlen(de->d_name);
		if (sl && (l < sl || strcmp(de->d_name + l - sl, suffix) != 0))
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (nv == NULL)
				goto fail;
			v = nv;
		}
		if ((v[cnt] = strdup(de->d_name)) == NULL)
			goto fail;
		cnt++;
	}
	if (errno != 0)
		goto fail;
	closedir(d);
	if (cnt > 1)
		qsort(v, cnt, sizeof(*v), cmp_names);
	*names = v;
	*n = cnt;
	return 0;
fail:
	saved = errno;
	closedir(d);
	spool_names_free(v, cnt);
	errno = saved;
	return -1;
}

void
spool_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

char *
spool_path(const struct spool *sp, enum spool_state st, const char *name,
    char *buf, size_t len)
{
	if (name != NULL)
		snprintf(buf, len, "%s/%s/%s", sp->dir, spool_state_name(st),
		    name);
	else
		snprintf(buf, len, "%s/%s", sp->dir, spool_state_name(st));
	return buf;
}

int
spool_lock(struct spool *sp, int wait)
{
	if (sp->lockfd < 0) {
		sp->lockfd = file_open_lock(sp->dirfd, "lock");
		if (sp->lockfd < 0)
			return -1;
	}
	while (flock(sp->lockfd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

void
spool_lock_err(const char *dir, const char *name, int errnum,
    struct err *e)
{
	switch (errnum) {
	case EWOULDBLOCK:
		err_set(e, EX_TEMPFAIL, "%s/%s is held by another process: "
		    "try again later", dir, name);
		return;
	case EACCES: case EPERM: case ELOOP:
		err_set(e, EX_NOPERM, "cannot lock %s/%s: %s", dir, name,
		    strerror(errnum));
		return;
	default:
		err_set(e, err_ex_for_errno(errnum), "cannot lock %s/%s: %s",
		    dir, name, strerror(errnum));
	}
}

void
spool_unlock(struct spool *sp)
{
	if (sp->lockfd >= 0) {
		(void)flock(sp->lockfd, LOCK_UN);
		close(sp->lockfd);
		sp->lockfd = -1;
	}
}

int
spool_lock_busy(struct spool *sp)
{
	int fd, rc;

	if (sp->lockfd >= 0)
		return 1;	/* we hold it ourselves */
	fd = file_open_lock(sp->dirfd, "lock");
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		rc = 0;
	} else if (errno == EWOULDBLOCK) {
		rc = 1;
	} else {
		rc = -1;
	}
	close(fd);	/* closing drops our lock, if we got it */
	return rc;
}

int
spool_recd_alive(int dirfd)
{
	int fd, held, saved;

	fd = file_open_regular(dirfd, "recd.lock", O_RDONLY, 0);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		held = 0;
		(void)flock(fd, LOCK_UN);
	} else {
		held = errno == EWOULDBLOCK ? 1 : -1;
	}
	saved = errno;
	close(fd);
	errno = saved;
	return held;
}

/*
 * Open DIR/trigger for writing without blocking; a FIFO only, never a
 * file or a link put in its place (EINVAL, ELOOP). -1 with errno ENXIO
 * when nobody reads it.
 */
static int
open_trigger(struct spool *sp)
{
	struct stat st;
	int fd, saved;

	fd = openat(sp->dirfd, "trigger",
	    O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISFIFO(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
spool_trigger(struct spool *sp, const char *line)
{
	char buf[512];
	int fd, n;
	ssize_t w;

	fd = open_trigger(sp);
	if (fd < 0)
		return errno == ENXIO ? 0 : -1;	/* ENXIO: nobody listens */
	n = snprintf(buf, sizeof(buf), "%s\n", line ? line : "");
	if (n >= (int)sizeof(buf)) {
		n = sizeof(buf) - 1;
		buf[n - 1] = '\n';
	}
	w = write(fd, buf, n);
	close(fd);
	if (w < 0 && errno != EAGAIN && errno != EPIPE)
		return -1;
	return 0;
}

int
spool_free_bytes(struct spool *sp, uint64_t *bytes)
{
	struct statvfs vfs;

	if (fstatvfs(sp->dirfd, &vfs) < 0)
		return -1;
	*bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	return 0;
}

int
spool_usage(struct spool *sp, enum spool_state st, const char *suffix,
    uint64_t *bytes, size_t *count)
{
	char **names;
	size_t n, i;
	struct stat s;

	if (spool_list(sp, st, suffix, &names, &n) < 0)
		return -1;
	*bytes = 0;
	*count = 0;
	for (i = 0; i < n; i++) {
		if (fstatat(sp->fd[st], names[i], &s,
		    AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(s.st_mode))
			continue;
		*bytes += s.st_size;
		(*count)++;
	}
	spool_names_free(names, n);
	return 0;
}
