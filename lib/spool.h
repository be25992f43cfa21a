/*
 * spool: the directory that connects the rec tools, one subdirectory per
 * state (Maildir/Postfix style), a FIFO to wake the next stage, and the
 * lock that makes the archive+upload cycle single-flight.
 *
 *   DIR/tmp/      files being written (O_EXCL, never read by others)
 *   DIR/seg/      finished segments (rec-capture -> rec-archive)
 *   DIR/out/      finished archives (rec-archive -> rec-upload)
 *   DIR/corrupt/  quarantine: files that failed a check, never deleted
 *   DIR/trigger   FIFO: one line per published file wakes recd
 *   DIR/lock      flock(2)ed for a whole archive or upload run
 *
 * A file is published by spool_publish(): the writer has fsynced it in
 * tmp/; it is renamed into its state and the directories are fsynced.
 *
 * Safety: the spool and its states must belong to the user that runs
 * the tool and not be writable by group or others (spool_open checks),
 * so nobody else can put a link or a FIFO in place of a spool file.
 * Every file of the spool is still opened without following links and
 * only when regular: spool_create_tmp() here, file_open_regular(),
 * file_open_lock() and file_slurp() (lib/file.h) for callers. The locks
 * are 0600: flock(2) works on a read-only fd, so a reader could hold them.
 */
#ifndef REC_SPOOL_H
#define REC_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum spool_state { SPOOL_TMP, SPOOL_SEG, SPOOL_OUT, SPOOL_CORRUPT,
	SPOOL_NSTATES };

struct spool {
	char *dir;			/* as given, malloc'd */
	int dirfd;			/* the spool directory */
	int fd[SPOOL_NSTATES];		/* each state's directory */
	int lockfd;			/* DIR/lock, -1 until spool_lock */
};

/* "tmp", "seg", "out", "corrupt" */
const char *spool_state_name(enum spool_state st);

/*
 * Open the spool at dir, creating it, its state directories, the FIFO
 * and the lock file when missing (mode 0750 / 0600 / 0600; an existing
 * lock file of ours is made 0600). dir itself may be a symbolic link;
 * the states may not. 0, or -1 with e filled: EX_NOPERM (77) when dir
 * or a state directory is not owned by the effective user, is writable
 * by group or others, or a state or the lock is a symbolic link (a
 * permission problem for the admin to fix: the supervisor does not
 * restart on 77); EX_CANTCREAT when it cannot be made; EX_USAGE for an
 * empty dir.
 */
int spool_open(struct spool *sp, const char *dir, struct err *e);
void spool_close(struct spool *sp);

/*
 * Create tmp/name with O_EXCL (mode 0640) and return its fd (O_RDWR,
 * O_CLOEXEC), or -1 with errno (EEXIST when taken, also by a link).
 */
int spool_create_tmp(struct spool *sp, const char *name);

/*
 * Commit: rename state `from`/name to state `to`/newname (newname NULL =
 * same name), then fsync the target directory and, when it differs, the
 * source. Refuses (EEXIST) to replace an existing file. 0 or -1 + errno.
 * The caller has already fsynced the file itself.
 */
int spool_publish(struct spool *sp, enum spool_state from, const char *name,
    enum spool_state to, const char *newname);

/*
 * Move state/name into corrupt/ (adding ".N" when the name is taken
 * there). Never deletes. 0 or -1 with errno.
 */
int spool_quarantine(struct spool *sp, enum spool_state from,
    const char *name);

/* Unlink state/name and fsync the directory; 0 or -1 with errno. */
int spool_remove(struct spool *sp, enum spool_state st, const char *name);

/*
 * The names in a state, sorted (strcmp), without dot files. Names only:
 * an entry may be anything, open it with file_open_regular(). On success
 * *names is a malloc'd array of *n malloc'd strings (spool_names_free).
 * suffix, when not NULL, keeps only the names ending in it.
 */
int spool_list(struct spool *sp, enum spool_state st, const char *suffix,
    char ***names, size_t *n);
void spool_names_free(char **names, size_t n);

/* "DIR/state/name" into buf; returns buf (truncated names are cut). */
char *spool_path(const struct spool *sp, enum spool_state st,
    const char *name, char *buf, size_t len);

/*
 * Take the cycle lock (flock LOCK_EX on DIR/lock, opened with
 * file_open_lock: 0600, no link). wait=0: -1 with errno EWOULDBLOCK
 * when another process holds it; EPERM when the lock file belongs to
 * another user, ELOOP when it is a link. Released by spool_unlock,
 * spool_close or the process's death.
 */
int spool_lock(struct spool *sp, int wait);
/*
 * The one report of a lock of the spool that could not be taken (the
 * cycle lock "lock", or recd's "recd.lock"), from the errno of the
 * attempt, for every tool alike: EWOULDBLOCK is EX_TEMPFAIL "DIR/NAME is
 * held by another process: try again later"; EACCES, EPERM and ELOOP
 * are EX_NOPERM, anything else err_ex_for_errno's, "cannot lock
 * DIR/NAME: strerror". dir is the spool's path as it is to be shown.
 */
void spool_lock_err(const char *dir, const char *name, int errnum,
    struct err *e);
void spool_unlock(struct spool *sp);
/* 1 when some process holds the lock, 0 when free, -1 on error. */
int spool_lock_busy(struct spool *sp);
/*
 * Whether recd runs on the spool whose directory is dirfd: 1 when a
 * process (recd, or a child of it, which keeps it) holds DIR/recd.lock,
 * 0 when nobody does or the file does not exist, -1 with errno when we
 * cannot tell (e.g. ELOOP: a link in its place). The lock, not the pid
 * in the status file: a pid outlives a kill -9 and gets reused. The test
 * is a shared lock taken for a moment, as s6-svok's; a recd that starts
 * meanwhile waits for it.
 */
int spool_recd_alive(int dirfd);

/*
 * Wake the next stage: write line (a newline is added) into the FIFO
 * without blocking. No reader, or a full FIFO, is not an error: the
 * consumers rescan on a timer. 0, or -1 with errno on a real failure
 * (EINVAL or ELOOP when DIR/trigger is not a FIFO: nothing is written).
 * Callers ignore SIGPIPE (a reader may close between open and write).
 */
int spool_trigger(struct spool *sp, const char *line);

/* Bytes available to unprivileged users on the spool's filesystem. */
int spool_free_bytes(struct spool *sp, uint64_t *bytes);

/*
 * Total size in bytes and count of the regular files in a state (dot
 * files and symbolic links skipped).
 */
int spool_usage(struct spool *sp, enum spool_state st, const char *suffix,
    uint64_t *bytes, size_t *count);

#endif
