/*
 * bech32: BIP-173 Bech32 strings (checksum constant 1) for age keys.
 * Decoding checks the checksum on the fly and regroups 5-bit values into
 * bytes without an intermediate buffer.
 */
#include <stdint.h>
#include <string.h>

#include "bech32.h"

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t
polymod_step(uint32_t chk, unsigned v)
{
	static const uint32_t gen[5] = {
		0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3
	};
	uint32_t top = chk >> 25;
	int i;

	chk = ((chk & 0x1ffffff) << 5) ^ v;
	for (i = 0; i < 5; i++)
		if ((top >> i) & 1)
			chk ^= gen[i];
	return chk;
}

/* Value 0..31 of a lowercase charset character, -1 for any other. */
static int
charval(int c)
{
	const char *p;

	if (c == 0)
		return -1;
	p = strchr(charset, c);
	return p ? (int)(p - charset) : -1;
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Checksum over the expanded hrp (lowercased): high bits, 0, low bits. */
static uint32_t
hrp_checksum(const char *hrp, size_t n)
{
	uint32_t chk = 1;
	size_t i;

	for (i = 0; i < n; i++)
		chk = polymod_step(chk, (unsigned)lower((unsigned char)hrp[i]) >> 5);
	chk = polymod_step(chk, 0);
	for (i = 0; i < n; i++)
		chk = polymod_step(chk, (unsigned)lower((unsigned char)hrp[i]) & 31);
	return chk;
}

/*
 * Common checks of decode and verify; with data != NULL also regroup
 * the data part into bytes.
 */
static int
decode(const char *s, size_t max_len, char *hrp, size_t hrp_max,
    unsigned char *data, size_t data_max, size_t *data_len)
{
	size_t len, sep, i, out = 0;
	int has_lower = 0, has_upper = 0, v;
	uint32_t chk, acc = 0;
	unsigned bits = 0;

	if (max_len == 0)
		max_len = 90;
	len = strlen(s);
	if (len > max_len)
		return BECH32_ETOOLONG;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 33 || c > 126)
			return BECH32_ECHAR;
		if (c >= 'a' && c <= 'z')
			has_lower = 1;
		if (c >= 'A' && c <= 'Z')
			has_upper = 1;
	}
	if (has_lower && has_upper)
		return BECH32_ECASE;
	for (sep = len; sep > 0 && s[sep - 1] != '1'; sep--)
		;
	if (sep == 0)
		return BECH32_ENOSEP;
	sep--;			/* index of the last '1' */
	if (sep == 0 || sep + 7 > len)
		return BECH32_ENOSEP;
	if (hrp != NULL) {
		if (sep + 1 > hrp_max)
			return BECH32_EHRP;
		for (i = 0; i < sep; i++)
			hrp[i] = (char)lower((unsigned char)s[i]);
		hrp[sep] = '\0';
	}
	chk = hrp_checksum(s, sep);
	for (i = sep + 1; i < len; i++) {
		v = charval(lower((unsigned char)s[i]));
		if (v < 0)
			return BECH32_ECHAR;
		chk = polymod_step(chk, (unsigned)v);
		if (data == NULL || i >= len - 6)
			continue;
		acc = (acc << 5 | (unsigned)v) & 0xfff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (out >= data_max)
				return BECH32_ETOOLONG;
			data[out++] = (unsigned char)(acc >> bits);
		}
	}
	if (chk != 1)
		return BECH32_ECHECKSUM;
	if (data != NULL) {
		if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0)
			return BECH32_EPADDING;
		*data_len = out;
	}
	return 0;
}

int
bech32_decode(const char *s, size_t max_len, char *hrp, size_t hrp_max,
    unsigned char *data, size_t data_max, size_t *data_len)
{
	return decode(s, max_len, hrp, hrp_max, data, data_max, data_len);
}

int
bech32_verify(const char *s, size_t max_len)
{
	return decode(s, max_len, NULL, 0, NULL, 0, NULL);
}

int
bech32_encode(const char *hrp, const unsigned char *data, size_t len,
    int upper, char *out, size_t out_max)
{
	size_t hn = strlen(hrp), o = 0, i;
	uint32_t chk, acc = 0;
	unsigned bits = 0, v;

	if (hn < 1 || hn > 83)
		return BECH32_EHRP;
	for (i = 0; i < hn; i++)
		if ((unsigned char)hrp[i] < 33 || (unsigned char)hrp[i] > 126 ||
		    (hrp[i] >= 'A' && hrp[i] <= 'Z'))
			return BECH32_EHRP;
	/* hrp, '1', ceil(len * 8 / 5) data chars, 6 checksum chars, NUL */
	if (out_max < hn + 1 + (len * 8 + 4) / 5 + 6 + 1)
		return BECH32_ETOOLONG;
	chk = hrp_checksum(hrp, hn);
	memcpy(out, hrp, hn);
	o = hn;
	out[o++] = '1';
	for (i = 0; i < len; i++) {
		acc = (acc << 8 | data[i]) & 0xfff;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			v = (acc >> bits) & 31;
			chk = polymod_step(chk, v);
			out[o++] = charset[v];
		}
	}
	if (bits > 0) {
		v = (acc << (5 - bits)) & 31;
		chk = polymod_step(chk, v);
		out[o++] = charset[v];
	}
	for (i = 0; i < 6; i++)
		chk = polymod_step(chk, 0);
	chk ^= 1;
	for (i = 0; i < 6; i++)
		out[o++] = charset[(chk >> (5 * (5 - i))) & 31];
	out[o] = '\0';
	if (upper)
		for (i = 0; i < o; i++)
			if (out[i] >= 'a' && out[i] <= 'z')
				out[i] = (char)(out[i] - 'a' + 'A');
	return 0;
}

const char *
bech32_strerror(int code)
{
	switch (code) {
	case 0:
		return "no error";
	case BECH32_ETOOLONG:
		return "too long";
	case BECH32_ECHAR:
		return "invalid character";
	case BECH32_ECASE:
		return "mixed upper and lower case";
	case BECH32_ENOSEP:
		return "missing separator, prefix or checksum";
	case BECH32_ECHECKSUM:
		return "bad checksum";
	case BECH32_EPADDING:
		return "bad padding";
	case BECH32_EHRP:
		return "bad prefix";
	default:
		return "unknown error";
	}
}
