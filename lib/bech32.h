/*
 * bech32: the Bech32 encoding of BIP-173 (checksum constant 1), as age uses
 * it for "age1..." recipients and "AGE-SECRET-KEY-1..." identities. Unlike
 * BIP-173 there is no 90-character limit (age strings are longer than that
 * for some key types); the caller passes its own limit.
 */
#ifndef REC_BECH32_H
#define REC_BECH32_H

#include <stddef.h>

/*
 * Decode s (all lowercase or all uppercase; hrp, '1', data, 6-char
 * checksum) into the lowercase hrp (hrp_max bytes including NUL) and the
 * 8-bit data (data_max bytes; *data_len is set). The data part is regrouped
 * from 5-bit to 8-bit groups with the padding rules of BIP-173 (at most 4
 * zero padding bits). max_len bounds strlen(s) (0 means 90 as in BIP-173).
 * Returns 0, or a negative BECH32_E* code saying what is wrong.
 */
int bech32_decode(const char *s, size_t max_len, char *hrp, size_t hrp_max,
    unsigned char *data, size_t data_max, size_t *data_len);

/*
 * Encode hrp (lowercase, 1..83 printable US-ASCII chars 33..126) and 8-bit
 * data into out (out_max bytes including NUL), lowercase, or uppercase when
 * upper is set. Returns 0, or BECH32_ETOOLONG when out is too small,
 * BECH32_EHRP for a bad hrp.
 */
int bech32_encode(const char *hrp, const unsigned char *data, size_t len,
    int upper, char *out, size_t out_max);

/* Test-vector level: verify only the checksum of s (5-bit data kept). */
int bech32_verify(const char *s, size_t max_len);

/* A short lowercase message for a BECH32_E* code ("bad checksum"). */
const char *bech32_strerror(int code);

#define BECH32_ETOOLONG	(-1)	/* longer than max_len, or output too small */
#define BECH32_ECHAR	(-2)	/* a character outside 33..126 or the charset */
#define BECH32_ECASE	(-3)	/* mixed upper and lower case */
#define BECH32_ENOSEP	(-4)	/* no '1' separator, empty hrp, short data */
#define BECH32_ECHECKSUM (-5)	/* checksum does not match */
#define BECH32_EPADDING	(-6)	/* non-zero or too much padding in 5->8 bits */
#define BECH32_EHRP	(-7)	/* hrp too long for the caller's buffer */

#endif
