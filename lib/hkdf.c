/*
 * hkdf: HKDF-SHA-256 (RFC 5869) on libsodium's HMAC-SHA-256. Every
 * intermediate key is wiped before return.
 */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "hkdf.h"

void
hkdf_sha256_extract(unsigned char prk[32], const void *salt, size_t salt_len,
    const void *ikm, size_t ikm_len)
{
	crypto_auth_hmacsha256_state st;

	/* An empty salt is HashLen zeros, which HMAC pads to the same key. */
	crypto_auth_hmacsha256_init(&st, salt, salt_len);
	crypto_auth_hmacsha256_update(&st, ikm, ikm_len);
	crypto_auth_hmacsha256_final(&st, prk);
	sodium_memzero(&st, sizeof(st));
}

int
hkdf_sha256_expand(unsigned char *out, size_t out_len,
    const unsigned char prk[32], const void *info, size_t info_len)
{
	crypto_auth_hmacsha256_state st;
	unsigned char t[32];
	unsigned char ctr;
	size_t done = 0, n;

	if (out_len > 255 * 32) {
		errno = EINVAL;
		return -1;
	}
	for (ctr = 1; done < out_len; ctr++) {
		crypto_auth_hmacsha256_init(&st, prk, 32);
		if (ctr > 1)
			crypto_auth_hmacsha256_update(&st, t, sizeof(t));
		crypto_auth_hmacsha256_update(&st, info, info_len);
		crypto_auth_hmacsha256_update(&st, &ctr, 1);
		crypto_auth_hmacsha256_final(&st, t);
		n = out_len - done < 32 ? out_len - done : 32;
		memcpy(out + done, t, n);
		done += n;
	}
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(t, sizeof(t));
	return 0;
}

int
hkdf_sha256(unsigned char *out, size_t out_len, const void *salt,
    size_t salt_len, const void *ikm, size_t ikm_len, const void *info,
    size_t info_len)
{
	unsigned char prk[32];
	int rc;

	hkdf_sha256_extract(prk, salt, salt_len, ikm, ikm_len);
	rc = hkdf_sha256_expand(out, out_len, prk, info, info_len);
	sodium_memzero(prk, sizeof(prk));
	return rc;
}
