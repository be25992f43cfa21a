/*
 * rec-archive's internals shared by its files: the options, the
 * segments of a run, archive writing (write.c), reconciliation
 * (reconcile.c) and --verify (verify.c).
 */
#ifndef REC_ARCHIVE_H
#define REC_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "age.h"
#include "aname.h"
#include "err.h"
#include "idx.h"
#include "manifest.h"
#include "spool.h"
#include "wav.h"

struct opts {
	int codec_flac;
	unsigned flac_level;
	enum aname_compress compress;
	uint64_t max_bytes;		/* 0: one archive */
	uint64_t part_size;		/* [upload] part-size, 0 = default */
	struct age_recipient *rs;	/* recipients; nrs 0 = no encryption */
	size_t nrs;
	int64_t fake_free;		/* REC_TEST_FREE_BYTES, -1 = unset */
};

/* A finished segment taken from seg/, with its parsed metadata. */
struct seg {
	char name[128];
	char station[ANAME_STATION_MAX + 1];
	struct timespec name_ts;	/* the stamp of its name */
	uint64_t file_size;
	struct wav_info wi;
	struct manifest_seg m;		/* name, start, frames, spec, gaps... */
};

/* The plaintext index beside an archive, out/NAME.idx: lib/idx.h. */
#define SUMS_SUFFIX	".sums"
#define PART_SUFFIX	".part"
#define FLAC_PART_SUFFIX ".flac.part"

/* Tries to read a segment that fails with an I/O error, before it is
 * given up as unreadable (a marginal card sometimes reads on retry). */
#define READ_TRIES	3

/* Internal to write.c: a segment could not be read (READ_TRIES). */
#define SEG_UNREADABLE	(-1)

/*
 * Write one archive of segs[0..n) into out/ (see write.c for the
 * commit recipe) and remove the segments from seg/. 0, or an EX_ code
 * after logging. *bad is n, or the index of the segment whose I/O error
 * (after READ_TRIES) failed this archive: nothing was archived, and the
 * rest may be archived without it.
 */
int archive_write_one(struct spool *sp, const struct opts *o,
    struct seg *segs, size_t n, size_t *bad);

/* Tar header, pax header, padding and manifest entry, per member. */
#define ARCHIVE_MEMBER_OVERHEAD	3072

/* Upper bound of the bytes an archive of segs[0..n) needs on disk. */
uint64_t archive_estimate(const struct opts *o, const struct seg *segs,
    size_t n);

/*
 * Reconcile the spool after a crash (under the lock): orphan sidecars,
 * segments already in an archive, stale partial files in tmp/.
 * 0, or an EX_ code after logging.
 */
int reconcile(struct spool *sp);

/* --verify FILE: 0, or an EX_ code after logging. */
int verify_file(const char *path, const char *identity);

#endif
