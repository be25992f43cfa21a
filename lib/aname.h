/*
 * aname: the names of segments and archives in the spool.
 *   segment:  <start>_<station>.wav                 seg/20261128T031500.000Z_st1.wav
 *   archive:  <start>_<end>_<station>.tar[.gz|.zst|.xz][.age]
 * <start>/<end> are the lib/utc.h name form. rec-capture names segments
 * after the newest name already in the spool, so names sort in capture
 * order even when the clock steps back; an archive's start and end come
 * from its first and last segment's names.
 */
#ifndef REC_ANAME_H
#define REC_ANAME_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define ANAME_STATION_MAX	64
#define ANAME_MAX		200	/* longest archive name + suffixes */

enum aname_compress { ANAME_NONE, ANAME_GZIP, ANAME_ZSTD, ANAME_XZ };

struct aname {
	struct timespec start, end;
	char station[ANAME_STATION_MAX + 1];
	enum aname_compress compress;
	int encrypted;		/* ends in .age */
};

/* "none" "gzip" "zstd" "xz" <-> enum; parse: 0 or -1 (EINVAL). */
int aname_compress_parse(const char *s, enum aname_compress *c);
const char *aname_compress_name(enum aname_compress c);
/* ".gz" ".zst" ".xz" or "" */
const char *aname_compress_ext(enum aname_compress c);

/* Format an archive name into buf; returns buf, or NULL (ERANGE/EINVAL). */
char *aname_format(const struct aname *an, char *buf, size_t len);

/*
 * Parse an archive name at the start of name. Returns the length of the
 * archive name (the rest of name, e.g. ".sums", is the caller's), or -1
 * (EINVAL) when name does not start with one. The station may hold
 * dots, ".tar" and ".wav": the archive name ends after the LAST ".tar"
 * that starts a valid suffix (greedy: ".tar.gz" is compressed, not ".tar"
 * and a rest ".gz"), so the rest must not hold ".tar". The end may be
 * before the start (a clock set back): both are labels, so never take
 * end - start as a duration without a check.
 */
int aname_parse(const char *name, struct aname *an);

/* The later of an's start and end labels, in ns since the epoch (utc_ns):
 * the newest time an archive's name claims, whichever way the clock went. */
int64_t aname_latest_ns(const struct aname *an);

/* 1 when all of name is an archive name (aname_parse takes all of it,
 * nothing such as ".sums" follows), else 0. */
int aname_is_archive(const char *name);

/*
 * Parse a segment name "<start>_<station>.wav" (exactly: the station is
 * all up to the final ".wav"); 0 or -1 (EINVAL). station (when not NULL) gets ANAME_STATION_MAX + 1 bytes.
 */
int aname_seg_parse(const char *name, struct timespec *start, char *station);

#endif
