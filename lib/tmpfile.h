/*
 * tmpfile: one file being written in a spool's tmp/, that ends either
 * committed (renamed into a state) or rolled back (unlinked), never
 * half way: the spool discipline of lib/spool.h as an object, after
 * git's tempfile.h. It replaces "have it" flags per file: a caller keeps
 * one struct tmpfile per file it writes and calls tmpfile_rollback() on
 * every one of them in its cleanup, whatever happened before.
 *
 * Life of a tmpfile:
 *
 *   inactive --tmpfile_create--> active, fd open
 *   active, fd open --tmpfile_close--> active, fd closed
 *   active --tmpfile_commit--> inactive (the file is STATE/newname)
 *   any --tmpfile_rollback--> inactive (tmp/name is gone)
 *
 * A struct tmpfile that is zeroed, or set with TMPFILE_INIT or
 * tmpfile_init(), is inactive. "active" means: tmp/name exists and is
 * ours to remove. The file is made with O_EXCL (spool_create_tmp), so
 * it is never someone else's file, nor one reached through a link.
 *
 * Order: the caller writes t->fd and fsyncs it (tmpfile_sync) when it
 * chooses; tmpfile_commit() then closes the fd and calls
 * spool_publish(): rename (never over an existing file), fsync the
 * target directory, fsync tmp/. No step is reordered or added, so a
 * caller's crash points and fsync order stay where it put them.
 *
 * There is no atexit or signal cleanup: a process killed while a
 * tmpfile is active leaves tmp/name behind, and the owner of that name
 * removes it on its next run (rec-archive: reconcile.c). Not thread-safe.
 * No printing, no exit: 0, or -1 with errno.
 */
#ifndef REC_TMPFILE_H
#define REC_TMPFILE_H

#include <limits.h>

#include "spool.h"

struct tmpfile {
	struct spool *sp;		/* not owned; NULL while inactive */
	int active;			/* tmp/name exists and is ours */
	int fd;				/* O_RDWR, -1 once closed */
	char name[NAME_MAX + 1];	/* in tmp/ */
};

#define TMPFILE_INIT	{ NULL, 0, -1, "" }

/* Make t inactive (as TMPFILE_INIT). */
void tmpfile_init(struct tmpfile *t);

/*
 * Create tmp/name with O_EXCL (spool_create_tmp: mode 0640, no link
 * followed) and make t active with its fd in t->fd. sp must outlive t's
 * active life. 0, or -1 with errno and t inactive: EEXIST when the name
 * is taken, ENAMETOOLONG when it does not fit t->name, EINVAL when t is
 * active already.
 */
int tmpfile_create(struct tmpfile *t, struct spool *sp, const char *name);

/* fsync(2) t->fd. 0, or -1 with errno (EBADF when it is closed). */
int tmpfile_sync(struct tmpfile *t);

/*
 * Close t->fd; the file stays in tmp/ and t stays active. 0 (also when
 * it was closed already), or -1 with close(2)'s errno: the fd is
 * released all the same (Linux), and EINTR counts as success.
 */
int tmpfile_close(struct tmpfile *t);

/*
 * Commit: close t->fd if still open, then spool_publish() tmp/name to
 * state to as newname (NULL: the same name). The caller has fsynced the
 * file (tmpfile_sync) if it wants it durable. 0 and t inactive, or -1
 * with errno and t still active, for tmpfile_rollback(): EEXIST when
 * newname is taken (nothing was moved), EINVAL when t is inactive. A
 * directory fsync that fails after the rename also gives -1: the file is
 * in its state then, and a rollback finds no tmp/name and leaves it be.
 */
int tmpfile_commit(struct tmpfile *t, enum spool_state to,
    const char *newname);

/*
 * Roll back: close t->fd if open and unlink tmp/name if t is active
 * (no directory fsync: a file that comes back after a crash is a stale
 * tmp file, removed as any other). Safe in every state and any number
 * of times; does nothing once t is inactive (after a commit, a rollback
 * or a failed create). errno is kept, so it fits an error path.
 */
void tmpfile_rollback(struct tmpfile *t);

#endif
