/*
 * jsonf: the lenient jansson field helpers shared by the files rec reads
 * back from older or newer writers (lib/status, lib/heartbeat): a member
 * of the wrong type or missing reads as "unknown" (0 or ""), never as an
 * error, except a time that is there but malformed.
 * Times are int64_t nanoseconds since the epoch (lib/utc.h), 0 = unset.
 */
#ifndef REC_JSONF_H
#define REC_JSONF_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/*
 * Parse text (len bytes) as a JSON object whose integer "version" is
 * version: the root (the caller json_decrefs it), or NULL with e filled,
 * EX_DATAERR "not JSON: line N: why" or "not a version V WHAT".
 */
json_t *jsonf_load(const char *text, size_t len, int version,
    const char *what, struct err *e);
/*
 * A new JSON value for the time ns: its ISO string (utc_iso_ns), or
 * null for 0. NULL when out of memory; the caller owns the reference.
 */
json_t *jsonf_time(int64_t ns);
/* o[key] as an unsigned integer: 0 when absent, not an integer or <= 0. */
uint64_t jsonf_get_uint(json_t *o, const char *key);
/*
 * Copy the string o[key] into buf (len bytes, truncated, always
 * terminated when len > 0); "" when absent or not a string.
 */
void jsonf_get_str(json_t *o, const char *key, char *buf, size_t len);
/*
 * Read the ISO time o[key] into *ns: 0 and *ns = 0 when absent or null;
 * -1 and *ns = 0 when not a string, malformed or out of the int64
 * nanosecond range (1677..2262).
 */
int jsonf_get_time(json_t *o, const char *key, int64_t *ns);

#endif
