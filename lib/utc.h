/*
 * utc: the UTC time formats of rec's file names and metadata.
 *   name form:  20261128T031500.123Z       (segment and archive names)
 *   ISO form:   2026-11-28T03:15:00.123456Z (GUANO Timestamp, manifests)
 */
#ifndef REC_UTC_H
#define REC_UTC_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define UTC_NAME_LEN	20	/* strlen("20261128T031500.123Z") */

/* Format ts (UTC, milliseconds truncated) into buf (>= 21 bytes). */
char *utc_name(const struct timespec *ts, char *buf, size_t len);
/* ISO 8601 with microseconds and 'Z' into buf (>= 28 bytes). */
char *utc_iso(const struct timespec *ts, char *buf, size_t len);
/*
 * Parse the name form at the start of s (the rest is ignored);
 * 0, or -1 with errno EINVAL.
 */
int utc_parse_name(const char *s, struct timespec *ts);
/* Parse the ISO form (fraction optional, 'Z' or +00:00); 0 or -1. */
int utc_parse_iso(const char *s, struct timespec *ts);
/* Nanoseconds since the epoch. */
int64_t utc_ns(const struct timespec *ts);
struct timespec utc_from_ns(int64_t ns);

#endif
