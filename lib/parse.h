/*
 * parse: the value syntaxes shared by flags and rec.conf.
 * All return 0, or -1 with errno EINVAL (bad syntax) or ERANGE.
 */
#ifndef REC_PARSE_H
#define REC_PARSE_H

#include <stdint.h>

/* Decimal integer in [min, max], no sign tricks, no trailing junk. */
int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Size in bytes: "1234", "64K", "10M", "2G", "1T" (powers of 1024; an
 * optional trailing "B" or "iB" is accepted: "10MiB"). */
int parse_size(const char *s, uint64_t *out);
/* Duration: "90" (seconds), "1.5s", "250ms", "10m", "2h", "7d", and
 * sums like "1h30m"; result in milliseconds. */
int parse_duration_ms(const char *s, uint64_t *out_ms);
/* Boolean: 1/0, yes/no, true/false, on/off. */
int parse_bool(const char *s, int *out);

#endif
