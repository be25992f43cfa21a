/*
 * ledger: the spool's record of verified uploads, DIR/ledger. rec-upload
 * appends one line per verified upload (its commit point); rec-archive
 * reads it to know an archive that left out/ was uploaded, rec-capture
 * to name segments after every archive it knows of.
 *
 * One line per upload, "\n"-terminated, 7 fields separated by one tab:
 *   1 time    when the upload was verified, UTC, 2026-11-28T03:20:00Z
 *   2 key     the object key in the bucket
 *   3 bytes   the archive's size, decimal
 *   4 etag    the ETag the store gave (without quotes)
 *   5 start   the archive name's start label, ISO form (lib/utc.h)
 *   6 end     its end label (may be before the start: labels)
 *   7 name    the archive's name in out/ (lib/aname.h); "health.json"
 *             for a heartbeat (rec-upload --heartbeat), labels its time
 * A line with fewer fields is skipped. No field holds a tab or a
 * newline. Lines
 * have no length limit. The file only grows (O_APPEND, fsynced).
 *
 * Every function opens DIR/ledger (relative to the spool's dirfd) with
 * file_open_regular (lib/file.h): a link or FIFO there is refused.
 */
#ifndef REC_LEDGER_H
#define REC_LEDGER_H

#include <stdint.h>
#include <time.h>

#define LEDGER_FILE	"ledger"
#define LEDGER_FIELDS	7

/* One parsed line; the strings point into a buffer of the reader's. */
struct ledger_rec {
	int nfields;			/* at least LEDGER_FIELDS */
	const char *time, *key, *etag, *start, *end;
	uint64_t bytes;
	const char *name;		/* field 7: the archive (or health.json) */
};

/* What ledger_append writes (the time is taken from the clock). */
struct ledger_entry {
	const char *key, *etag, *name;
	uint64_t bytes;
	struct timespec start, end;	/* the archive name's labels */
};

/*
 * Append the line of e and fsync it (creating the ledger, 0640). 0, or
 * -1 with errno: EINVAL when a string holds a tab or a newline, ELOOP or
 * EINVAL when the ledger is not a regular file, else write's/fsync's.
 */
int ledger_append(int dirfd, const struct ledger_entry *e);

/*
 * Call fn for each line with at least 3 fields, in file order, until fn
 * returns non-zero (that value is returned). 0 at the end (also when
 * there is no ledger), or -1 with errno when it cannot be read.
 */
int ledger_each(int dirfd, int (*fn)(const struct ledger_rec *, void *),
    void *arg);

/*
 * The sum of the bytes of the lines whose time is in the UTC month of
 * now, into *bytes. 0, or -1 with errno (*bytes then 0).
 */
int ledger_month_bytes(int dirfd, time_t now, uint64_t *bytes);

/* The same for the UTC day of now. */
int ledger_day_bytes(int dirfd, time_t now, uint64_t *bytes);

/*
 * 1 when a line's field 7 is name (an upload of that archive), 0 when
 * none is (or there is no ledger), -1 with errno on a read error.
 */
int ledger_has(int dirfd, const char *name);

/*
 * The latest label (start or end, whichever is later) of the archives
 * of station the ledger names, in nanoseconds since the epoch, into
 * *ns. 1 when there is one, 0 when none (*ns = INT64_MIN), -1 with
 * errno on a read error.
 */
int ledger_high_water(int dirfd, const char *station, int64_t *ns);

#endif
