/*
 * strbuf: a growing NUL-terminated byte buffer for building requests,
 * canonical strings and answer bodies. An allocation failure is
 * remembered (oom) and frees the buffer; later appends do nothing, so a
 * caller checks once, at the end (strbuf_done).
 */
#ifndef REC_STRBUF_H
#define REC_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *p;		/* NUL-terminated once anything was added */
	size_t len, cap;
	int oom;		/* an allocation failed: p is NULL */
};

/* Append n bytes of s. */
void strbuf_add(struct strbuf *b, const void *s, size_t n);
/* Append the string s. */
void strbuf_str(struct strbuf *b, const char *s);
/* Append printf-formatted text. */
void strbuf_fmt(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The string (the caller owns it; "" when nothing was added), or NULL
 * with errno ENOMEM when an allocation failed. */
char *strbuf_done(struct strbuf *b);

#endif
