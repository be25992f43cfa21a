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
 * and the lock file when missing (mode 0750 / 0640). 0, or -1 with e
 * filled (EX_CANTCREAT when it cannot be made, EX_NOPERM, ...).
 */
int spool_open(struct spool *sp, const char *dir, struct err *e);
void spool_close(struct spool *sp);

/*
 * Create tmp/name with O_EXCL (mode 0640) and return its fd (O_RDWR,
 * O_CLOEXEC), or -1 with errno (EEXIST when taken).
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
 * The names in a state, sorted (strcmp), without dot files. On success
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
 * Take the cycle lock (flock LOCK_EX on DIR/lock). wait=0: -1 with
 * errno EWOULDBLOCK when another process holds it. Released by
 * spool_unlock, spool_close or the process's death.
 */
int spool_lock(struct spool *sp, int wait);
void spool_unlock(struct spool *sp);
/* 1 when some process holds the lock, 0 when free, -1 on error. */
int spool_lock_busy(struct spool *sp);

/*
 * Wake the next stage: write line (a newline is added) into the FIFO
 * without blocking. No reader, or a full FIFO, is not an error: the
 * consumers rescan on a timer. 0, or -1 with errno on a real failure.
 * Callers ignore SIGPIPE (a reader may close between open and write).
 */
int spool_trigger(struct spool *sp, const char *line);

/* Bytes available to unprivileged users on the spool's filesystem. */
int spool_free_bytes(struct spool *sp, uint64_t *bytes);

/* Total size in bytes and count of the files in a state (dot files skipped). */
int spool_usage(struct spool *sp, enum spool_state st, const char *suffix,
    uint64_t *bytes, size_t *count);

#endif
