/*
 * hex: the one lowercase hex encoder of rec (digests in sidecars,
 * manifests, SigV4 and ETags).
 */
#ifndef REC_HEX_H
#define REC_HEX_H

#include <stddef.h>

/*
 * Lowercase hex of the n bytes at bin into out, which gets 2n + 1 bytes
 * (NUL-terminated). Returns out. Cannot fail.
 */
char *hex_encode(const void *bin, size_t n, char *out);

#endif
