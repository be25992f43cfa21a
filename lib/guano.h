/*
 * guano: GUANO metadata text (https://guano-md.org), the bioacoustics
 * convention for metadata inside WAV files: UTF-8 lines "Key: Value",
 * "GUANO|Version: 1.0" first, namespaced keys "NS|Key". rec's own keys
 * use the namespace "REC" (see man/rec-spool.5).
 */
#ifndef REC_GUANO_H
#define REC_GUANO_H

#include <stddef.h>

struct guano {
	char *buf;		/* NUL-terminated text, malloc'd */
	size_t len, cap;
};

/* Start a GUANO text with "GUANO|Version: 1.0"; 0 or -1 (ENOMEM). */
int guano_init(struct guano *g);
/* Append "key: value\n" (value printf-formatted; newlines in it are
 * replaced by spaces); 0 or -1 (ENOMEM). */
int guano_add(struct guano *g, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void guano_free(struct guano *g);

/*
 * Find key in GUANO text (len bytes, need not be NUL-terminated) and
 * copy its value (trimmed) into val. Returns the value's length, or -1
 * when absent (or ERANGE when it does not fit).
 */
int guano_get(const char *text, size_t len, const char *key, char *val,
    size_t vlen);

/*
 * Find key in GUANO text like guano_get, without a copy: a pointer to
 * its value (trimmed, *vlen bytes, not NUL-terminated) inside text, or
 * NULL (ENOENT) when absent. For values of any length.
 */
const char *guano_find(const char *text, size_t len, const char *key,
    size_t *vlen);

#endif
