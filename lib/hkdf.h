/*
 * hkdf: HKDF-SHA-256 (RFC 5869) on libsodium's HMAC-SHA-256, as the age
 * format uses it for wrap, header and payload keys.
 */
#ifndef REC_HKDF_H
#define REC_HKDF_H

#include <stddef.h>

/* HKDF-Extract: prk = HMAC-SHA-256(salt, ikm); an empty salt is fine. */
void hkdf_sha256_extract(unsigned char prk[32], const void *salt,
    size_t salt_len, const void *ikm, size_t ikm_len);

/*
 * HKDF-Expand of prk with info into out (out_len <= 255 * 32).
 * Returns 0, or -1 (errno EINVAL) when out_len is too large.
 */
int hkdf_sha256_expand(unsigned char *out, size_t out_len,
    const unsigned char prk[32], const void *info, size_t info_len);

/* Extract then expand; the intermediate key is wiped. Returns like expand. */
int hkdf_sha256(unsigned char *out, size_t out_len, const void *salt,
    size_t salt_len, const void *ikm, size_t ikm_len, const void *info,
    size_t info_len);

#endif
