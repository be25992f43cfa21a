/*
 * aname: the names of segments and archives in the spool.
 *   segment:  <start>_<station>.wav                 seg/20261128T031500.000Z_st1.wav
 *   archive:  <start>_<end>_<station>.tar[.gz|.zst|.xz][.age]
 * <start>/<end> are the lib/utc.h name form, so names sort by time.
 */
#ifndef REC_ANAME_H
#define REC_ANAME_H

#include <stddef.h>
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
 * (EINVAL) when name does not start with one. A name ends at the end of
 * the string or before the first '.' that is not a known suffix.
 */
int aname_parse(const char *name, struct aname *an);

/*
 * Parse a segment name "<start>_<station>.wav" (exactly); 0 or -1
 * (EINVAL). station (when not NULL) gets ANAME_STATION_MAX + 1 bytes.
 */
int aname_seg_parse(const char *name, struct timespec *start, char *station);

#endif
