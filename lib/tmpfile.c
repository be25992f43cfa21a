/*
 * tmpfile: a file in a spool's tmp/ that is either committed into a
 * state or rolled back, with one cleanup call that is right in any
 * state (the contract is in tmpfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "tmpfile.h"

void
tmpfile_init(struct tmpfile *t)
{
	t->sp = NULL;
	t->active = 0;
	t->fd = -1;
	t->name[0] = '\0';
}

int
tmpfile_create(struct tmpfile *t, struct spool *sp, const char *name)
{
	size_t len = strlen(name);

	if (t->active) {
		errno = EINVAL;
		return -1;
	}
	tmpfile_init(t);
	if (len >= sizeof(t->name)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((t->fd = spool_create_tmp(sp, name)) < 0)
		return -1;
	memcpy(t->name, name, len + 1);
	t->sp = sp;
	t->active = 1;
	return 0;
}

int
tmpfile_sync(struct tmpfile *t)
{
	if (!t->active || t->fd < 0) {
		errno = EBADF;
		return -1;
	}
	return fsync(t->fd);
}

int
tmpfile_close(struct tmpfile *t)
{
	int fd = t->fd;

	if (!t->active || fd < 0)
		return 0;
	t->fd = -1;
	if (close(fd) < 0 && errno != EINTR)
		return -1;
	return 0;
}

int
tmpfile_commit(struct tmpfile *t, enum spool_state to, const char *newname)
{
	if (!t->active) {
		errno = EINVAL;
		return -1;
	}
	if (tmpfile_close(t) < 0)
		return -1;
	if (spool_publish(t->sp, SPOOL_TMP, t->name, to, newname) < 0)
		return -1;
	tmpfile_init(t);
	return 0;
}

void
tmpfile_rollback(struct tmpfile *t)
{
	int se = errno;

	if (!t->active)
		return;
	if (t->fd >= 0)
		close(t->fd);
	unlinkat(t->sp->fd[SPOOL_TMP], t->name, 0);
	tmpfile_init(t);
	errno = se;
}
