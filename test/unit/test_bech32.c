/*
 * test_bech32: BIP-173 test vectors (valid and invalid strings), byte
 * decoding with padding rules, encoding round trips, and the age key
 * examples of the age specification.
 */
#include <stdio.h>
#include <string.h>

#include "bech32.h"
#include "check.h"

static const char *valid[] = {
	"A12UEL5L",
	"a12uel5l",
	"an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
	"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
	"11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
	"split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
	"?1ezyfcl",
};

static const struct {
	const char *s;
	int want;
} invalid[] = {
	{ " 1nwldj5", BECH32_ECHAR },		/* hrp char out of range */
	{ "\x7f" "1axkwrx", BECH32_ECHAR },
	{ "\x80" "1eym55h", BECH32_ECHAR },
	{ "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
	  BECH32_ETOOLONG },			/* overall max length */
	{ "pzry9x0s0muk", BECH32_ENOSEP },	/* no separator */
	{ "1pzry9x0s0muk", BECH32_ENOSEP },	/* empty hrp */
	{ "x1b4n0q5v", BECH32_ECHAR },		/* invalid data character */
	{ "li1dgmt3", BECH32_ENOSEP },		/* too short checksum */
	{ "de1lg7wt\xff", BECH32_ECHAR },	/* invalid checksum char */
	{ "A1G7SGD8", BECH32_ECHECKSUM },	/* uppercase hrp in checksum */
	{ "10a06t8", BECH32_ENOSEP },		/* empty hrp */
	{ "1qzzfhee", BECH32_ENOSEP },		/* empty hrp */
	{ "a12UEL5L", BECH32_ECASE },		/* mixed case */
	{ "A12uEL5L", BECH32_ECASE },
	{ "a12uel5m", BECH32_ECHECKSUM },	/* one checksum char off */
	{ "", BECH32_ENOSEP },
};

/* The X25519 identity and recipient of the age specification. */
static const char spec_identity[] =
    "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";
static const char spec_recipient[] =
    "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";

static void
test_vectors(void)
{
	size_t i;

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		int rc = bech32_verify(valid[i], 0);

		if (rc != 0)
			fprintf(stderr, "valid vector %zu: %s\n", i,
			    bech32_strerror(rc));
		CHECK(rc == 0);
	}
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		int rc = bech32_verify(invalid[i].s, 0);

		if (rc != invalid[i].want)
			fprintf(stderr, "invalid vector %zu: got %d want %d\n",
			    i, rc, invalid[i].want);
		CHECK(rc == invalid[i].want);
	}
}

static const unsigned char abcdef_data[20] = {
	0x00, 0x44, 0x32, 0x14, 0xc7, 0x42, 0x54, 0xb6, 0x35, 0xcf,
	0x84, 0x65, 0x3a, 0x56, 0xd7, 0xc6, 0x75, 0xbe, 0x77, 0xdf,
};

static void
test_decode(void)
{
	unsigned char data[128];
	char hrp[100], out[200];
	size_t dl = 99, i;
	int zero = 1;

	/* 82 'q' = 410 bits: 51 zero bytes and 2 zero padding bits. */
	CHECK(bech32_decode(valid[4], 0, hrp, sizeof(hrp), data, sizeof(data),
	    &dl) == 0);
	CHECK_STR(hrp, "1");
	CHECK(dl == 51);
	for (i = 0; i < dl; i++)
		zero &= data[i] == 0;
	CHECK(zero);
	/* 32 values = 160 bits = 20 bytes, no padding. */
	CHECK(bech32_decode(valid[3], 0, hrp, sizeof(hrp), data, sizeof(data),
	    &dl) == 0);
	CHECK_STR(hrp, "abcdef");
	CHECK(dl == 20 && memcmp(data, abcdef_data, 20) == 0);
	/* Checksums valid, padding not (strings from an independent
	 * implementation of the BIP-173 reference code). */
	CHECK(bech32_decode("age1rl6mvun4", 0, hrp, sizeof(hrp), data,
	    sizeof(data), &dl) == BECH32_EPADDING);	/* 2 bits set */
	CHECK(bech32_decode("age1qqqyst3gn", 0, hrp, sizeof(hrp), data,
	    sizeof(data), &dl) == BECH32_EPADDING);	/* 7 bits */
	CHECK(bech32_decode("age1qqqqlpnwam", 0, hrp, sizeof(hrp), data,
	    sizeof(data), &dl) == 0);			/* 4 zero bits */
	CHECK(dl == 2 && data[0] == 0 && data[1] == 0);
	/* Empty data part, uppercase: hrp comes back lowercase. */
	CHECK(bech32_decode("A12UEL5L", 0, hrp, sizeof(hrp), data,
	    sizeof(data), &dl) == 0);
	CHECK_STR(hrp, "a");
	CHECK(dl == 0);
	/* Buffers too small. */
	CHECK(bech32_decode(valid[4], 0, hrp, sizeof(hrp), data, 50, &dl) ==
	    BECH32_ETOOLONG);
	CHECK(bech32_decode(valid[2], 0, hrp, 10, data, sizeof(data), &dl) ==
	    BECH32_EHRP);
	/* Longer than 90 is fine when the caller allows it. */
	memset(data, 0xa5, 64);
	CHECK(bech32_encode("age", data, 64, 0, out, sizeof(out)) == 0);
	CHECK(strlen(out) > 90);
	CHECK(bech32_verify(out, 0) == BECH32_ETOOLONG);
	CHECK(bech32_verify(out, 200) == 0);

	/* The age spec identity is 32 bytes of 0x42. */
	CHECK(bech32_decode(spec_identity, 200, hrp, sizeof(hrp), data,
	    sizeof(data), &dl) == 0);
	CHECK_STR(hrp, "age-secret-key-");
	CHECK(dl == 32);
	zero = 1;
	for (i = 0; i < dl; i++)
		zero &= data[i] == 0x42;
	CHECK(zero);
	CHECK(bech32_verify(spec_recipient, 0) == 0);
}

static void
test_encode(void)
{
	unsigned char data[64], back[64];
	char out[200], hrp[32], bad[200];
	size_t dl, i, n;

	CHECK(bech32_encode("a", NULL, 0, 0, out, sizeof(out)) == 0);
	CHECK_STR(out, "a12uel5l");
	CHECK(bech32_encode("a", NULL, 0, 1, out, sizeof(out)) == 0);
	CHECK_STR(out, "A12UEL5L");
	CHECK(bech32_encode("?", NULL, 0, 0, out, sizeof(out)) == 0);
	CHECK_STR(out, "?1ezyfcl");
	memset(data, 0x42, 32);
	CHECK(bech32_encode("age-secret-key-", data, 32, 1, out,
	    sizeof(out)) == 0);
	CHECK_STR(out, spec_identity);
	/* Output buffer one byte short, bad hrps. */
	CHECK(bech32_encode("age-secret-key-", data, 32, 1, out,
	    strlen(spec_identity)) == BECH32_ETOOLONG);
	CHECK(bech32_encode("", data, 1, 0, out, sizeof(out)) == BECH32_EHRP);
	CHECK(bech32_encode("Age", data, 1, 0, out, sizeof(out)) ==
	    BECH32_EHRP);
	/* Round trips of every length up to 64, and every single-char typo
	 * of one of them is caught by the checksum. */
	for (n = 0; n <= 64; n++) {
		for (i = 0; i < n; i++)
			data[i] = (unsigned char)(i * 37 + n);
		CHECK(bech32_encode("age", data, n, 0, out, sizeof(out)) == 0);
		CHECK(bech32_decode(out, 200, hrp, sizeof(hrp), back,
		    sizeof(back), &dl) == 0);
		CHECK(dl == n && memcmp(back, data, n) == 0);
	}
	CHECK(bech32_encode("age", data, 32, 0, out, sizeof(out)) == 0);
	for (i = 4; out[i] != '\0'; i++) {
		const char *cs = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
		size_t k;
		int all = 1;

		for (k = 0; cs[k] != '\0'; k++) {
			if (cs[k] == out[i])
				continue;
			strcpy(bad, out);
			bad[i] = cs[k];
			all &= bech32_verify(bad, 200) == BECH32_ECHECKSUM;
		}
		CHECK(all);
	}
}

int
main(void)
{
	test_vectors();
	test_decode();
	test_encode();
	return check_done();
}
