/*
 * test_age: HKDF-SHA-256 (RFC 5869 vectors), age key parsing and key
 * files, encrypt/decrypt round trips of many sizes and read/write patterns,
 * several recipients, wrong identities, truncation at every chunk boundary,
 * every flipped byte of a small file, malformed headers, I/O errors.
 * Interoperability with the stock age tool is test/t/0500-age-interop.sh.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <sodium.h>

#include "age.h"
#include "check.h"
#include "hkdf.h"

/* ---- helpers ---- */

static uint32_t rng = 12345;

static uint32_t
rnd(uint32_t n)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 8) % n;
}

struct mem {
	unsigned char *p;
	size_t len, cap;
	size_t fail_at;		/* fail a write that goes past this; 0 never */
};

static int
mem_write(void *ctx, const void *buf, size_t len)
{
	struct mem *m = ctx;

	if (m->fail_at && m->len + len > m->fail_at) {
		errno = ENOSPC;
		return -1;
	}
	if (m->len + len > m->cap) {
		size_t cap = m->cap ? m->cap : 4096;
		unsigned char *p;

		while (cap < m->len + len)
			cap *= 2;
		p = realloc(m->p, cap);
		if (p == NULL)
			return -1;
		m->p = p;
		m->cap = cap;
	}
	memcpy(m->p + m->len, buf, len);
	m->len += len;
	return 0;
}

struct src {
	const unsigned char *p;
	size_t len, pos;
	size_t maxread;		/* random short reads up to this; 0 = all */
	size_t fail_at;		/* EIO once pos reaches this; 0 never */
};

static ssize_t
src_read(void *ctx, void *buf, size_t len)
{
	struct src *s = ctx;
	size_t n = s->len - s->pos;

	if (s->fail_at && s->pos >= s->fail_at) {
		errno = EIO;
		return -1;
	}
	if (n > len)
		n = len;
	if (s->maxread && n > 0)
		n = 1 + rnd((uint32_t)(n < s->maxread ? n : s->maxread));
	memcpy(buf, s->p + s->pos, n);
	s->pos += n;
	return (ssize_t)n;
}

/* Encrypt p[0..len) in pieces of 1..piece bytes (0: all at once). */
static int
encrypt_mem(const struct age_recipient *rs, size_t n, const unsigned char *p,
    size_t len, size_t piece, struct mem *out)
{
	struct age_enc *a;
	struct err e;
	size_t off = 0, k;
	int rc = -1;

	a = age_enc_new(rs, n, mem_write, out, &e);
	if (a == NULL) {
		fprintf(stderr, "age_enc_new: %s\n", e.msg);
		return -1;
	}
	while (off < len) {
		k = piece ? 1 + rnd((uint32_t)piece) : len;
		if (k > len - off)
			k = len - off;
		if (age_enc_write(a, p + off, k, &e) < 0)
			goto out;
		off += k;
	}
	if (age_enc_finish(a, &e) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		fprintf(stderr, "encrypt: %s\n", e.msg);
	age_enc_free(a);
	return rc;
}

/*
 * Decrypt c[0..len) with short reads up to maxread and a read buffer of
 * bufsz; the plaintext goes to out. 0 at a verified end, -1 with e set.
 */
static int
decrypt_mem(const struct age_identity *ids, size_t n, const unsigned char *c,
    size_t len, size_t maxread, size_t bufsz, struct mem *out, struct err *e)
{
	struct src s = { c, len, 0, maxread, 0 };
	struct age_dec *d;
	unsigned char *buf;
	ssize_t k;
	int rc = -1;

	buf = malloc(bufsz);
	if (buf == NULL)
		return -1;
	d = age_dec_new(ids, n, src_read, &s, e);
	if (d == NULL)
		goto out;
	while ((k = age_dec_read(d, buf, bufsz, e)) > 0)
		if (mem_write(out, buf, (size_t)k) < 0)
			goto out;
	if (k == 0)
		rc = 0;
out:
	age_dec_free(d);
	free(buf);
	return rc;
}

static int
check_mem(const unsigned char *c, size_t len, struct err *e)
{
	struct src s = { c, len, 0, 0, 0 };

	return age_check_structure(src_read, &s, e);
}

/* Length of the header (through the MAC line) of an age file. */
static size_t
header_len(const unsigned char *c, size_t len)
{
	const unsigned char *p = memmem(c, len, "\n--- ", 5);

	return p ? (size_t)(p - c) + 5 + 43 + 1 : 0;
}

static void
new_identity(struct age_identity *id, struct age_recipient *r)
{
	randombytes_buf(id->sk, sizeof(id->sk));
	age_identity_to_recipient(id, r);
}

static int
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int
hexeq(const unsigned char *b, size_t n, const char *hex)
{
	char buf[512];

	sodium_bin2hex(buf, sizeof(buf), b, n);
	if (strcmp(buf, hex) != 0) {
		fprintf(stderr, "got  %s\nwant %s\n", buf, hex);
		return 0;
	}
	return 1;
}

/* ---- HKDF ---- */

static void
test_hkdf(void)
{
	unsigned char ikm[80], salt[80], info[80], prk[32], okm[82];
	size_t i;

	/* RFC 5869 A.1 */
	memset(ikm, 0x0b, 22);
	for (i = 0; i < 13; i++)
		salt[i] = (unsigned char)i;
	for (i = 0; i < 10; i++)
		info[i] = (unsigned char)(0xf0 + i);
	hkdf_sha256_extract(prk, salt, 13, ikm, 22);
	CHECK(hexeq(prk, 32, "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3"
	    "122ec844ad7c2b3e5"));
	CHECK(hkdf_sha256(okm, 42, salt, 13, ikm, 22, info, 10) == 0);
	CHECK(hexeq(okm, 42, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c"
	    "5db02d56ecc4c5bf34007208d5b887185865"));
	/* RFC 5869 A.2: 80-byte inputs, 82-byte output. */
	for (i = 0; i < 80; i++) {
		ikm[i] = (unsigned char)i;
		salt[i] = (unsigned char)(0x60 + i);
		info[i] = (unsigned char)(0xb0 + i);
	}
	hkdf_sha256_extract(prk, salt, 80, ikm, 80);
	CHECK(hexeq(prk, 32, "06a6b88c5853361a06104c9ceb35b45cef76001490467101"
	    "4a193f40c15fc244"));
	CHECK(hkdf_sha256_expand(okm, 82, prk, info, 80) == 0);
	CHECK(hexeq(okm, 82, "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8"
	    "a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8"
	    "367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"));
	/* RFC 5869 A.3: empty salt and info. */
	memset(ikm, 0x0b, 22);
	hkdf_sha256_extract(prk, "", 0, ikm, 22);
	CHECK(hexeq(prk, 32, "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377"
	    "ac434c1c293ccb04"));
	CHECK(hkdf_sha256(okm, 42, "", 0, ikm, 22, "", 0) == 0);
	CHECK(hexeq(okm, 42, "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879e"
	    "c3454e5f3c738d2d9d201395faa4b61a96c8"));
	errno = 0;
	CHECK(hkdf_sha256_expand(okm, 255 * 32 + 1, prk, "", 0) == -1 &&
	    errno == EINVAL);
}

/* ---- keys and key files ---- */

static const char spec_identity[] =
    "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";
static const char spec_recipient[] =
    "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";

static void
test_keys(void)
{
	struct age_recipient r, r2;
	struct age_identity *ids = NULL;
	size_t n = 0;
	struct err e;
	char s[100], up[100];
	size_t i;

	/* The specification's example pair: identity file -> recipient. */
	CHECK(write_file("age-spec.key", "# created: spec\n"
	    "# public key: age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj\n"
	    "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX\n")
	    == 0);
	CHECK(age_identities_load("age-spec.key", &ids, &n, &e) == 0);
	CHECK(n == 1);
	if (n == 1) {
		age_identity_to_recipient(&ids[0], &r);
		age_recipient_format(&r, s);
		CHECK_STR(s, spec_recipient);
	}
	age_identities_free(ids, n);
	CHECK(age_recipient_parse(spec_recipient, &r2, &e) == 0);
	CHECK(memcmp(r.pk, r2.pk, 32) == 0);
	/* All uppercase is valid Bech32 too. */
	for (i = 0; spec_recipient[i]; i++)
		up[i] = (char)(spec_recipient[i] >= 'a' &&
		    spec_recipient[i] <= 'z' ? spec_recipient[i] - 32 :
		    spec_recipient[i]);
	up[i] = '\0';
	CHECK(age_recipient_parse(up, &r2, &e) == 0);
	CHECK(memcmp(r.pk, r2.pk, 32) == 0);

	/* A typo anywhere is a configuration error naming the checksum. */
	for (i = 5; spec_recipient[i]; i++) {
		strcpy(s, spec_recipient);
		s[i] = s[i] == 'q' ? 'p' : 'q';
		e.ex = 0;
		CHECK(age_recipient_parse(s, &r2, &e) == -1 &&
		    e.ex == EX_CONFIG);
		CHECK(strstr(e.msg, "checksum") != NULL);
	}
	strcpy(s, spec_recipient);
	s[10] = '\0';			/* cut short */
	CHECK(age_recipient_parse(s, &r2, &e) == -1 && e.ex == EX_CONFIG);
	CHECK(age_recipient_parse("", &r2, &e) == -1 && e.ex == EX_CONFIG);
	CHECK(age_recipient_parse("age1", &r2, &e) == -1 && e.ex == EX_CONFIG);
	CHECK(age_recipient_parse("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI",
	    &r2, &e) == -1 && e.ex == EX_CONFIG);
	CHECK(strstr(e.msg, "SSH") != NULL);
	/* An identity where a recipient belongs: refused, not echoed. */
	CHECK(age_recipient_parse(spec_identity, &r2, &e) == -1 &&
	    e.ex == EX_CONFIG && strstr(e.msg, "GFPYY") == NULL);
	/* Valid Bech32, wrong hrp (BIP-173 vector) or wrong length. */
	CHECK(age_recipient_parse("a12uel5l", &r2, &e) == -1 &&
	    e.ex == EX_CONFIG);
	CHECK(age_recipient_parse("age1qqqqlpnwam", &r2, &e) == -1 &&
	    e.ex == EX_CONFIG && strstr(e.msg, "length") != NULL);
	/* Mixed case. */
	strcpy(s, spec_recipient);
	s[6] = 'V';
	CHECK(age_recipient_parse(s, &r2, &e) == -1 && e.ex == EX_CONFIG);
	/* A low-order point (all zero) is not a public key. */
	memset(r2.pk, 0, 32);
	age_recipient_format(&r2, s);
	CHECK(age_recipient_parse(s, &r2, &e) == -1 && e.ex == EX_CONFIG);
}

/*
 * A secret key pasted as a recipient, however wrapped (quotes, blanks,
 * lower case, a prefix): refused as a secret key, and no part of the key
 * is in the message.
 */
static void
test_secret_as_recipient(void)
{
	struct age_recipient r, *rs = NULL;
	char in[200], low[100], text[300];
	static const char *const wrap[][2] = { { "\"", "\"" }, { " ", "" },
	    { "'", "'" }, { "", "\"" }, { "x", "" }, { "recipient=", "" },
	    { "age1", "" }, { "ssh-ed25519 ", "" }, { "\t", " " } };
	size_t i, nr = 0;
	struct err e;

	for (i = 0; spec_identity[i]; i++)
		low[i] = (char)(spec_identity[i] >= 'A' &&
		    spec_identity[i] <= 'Z' ? spec_identity[i] + 32 :
		    spec_identity[i]);
	low[i] = '\0';
	for (i = 0; i < sizeof(wrap) / sizeof(wrap[0]); i++) {
		snprintf(in, sizeof(in), "%s%s%s", wrap[i][0], spec_identity,
		    wrap[i][1]);
		memset(&e, 0, sizeof(e));
		CHECK(age_recipient_parse(in, &r, &e) == -1 &&
		    e.ex == EX_CONFIG);
		CHECK(strstr(e.msg, "GFPYY") == NULL);
		CHECK(strstr(e.msg, "secret key") != NULL);
		snprintf(in, sizeof(in), "%s%s%s", wrap[i][0], low,
		    wrap[i][1]);
		memset(&e, 0, sizeof(e));
		CHECK(age_recipient_parse(in, &r, &e) == -1 &&
		    e.ex == EX_CONFIG);
		CHECK(strcasestr(e.msg, "GFPYY") == NULL);
		CHECK(strstr(e.msg, "secret key") != NULL);
	}
	/* the same in a recipients file: the line is named, not echoed */
	snprintf(text, sizeof(text), "%s\n  \"%s\"\n", spec_recipient, low);
	CHECK(write_file("r-quoted", text) == 0);
	CHECK(age_recipients_load("r-quoted", &rs, &nr, &e) == -1 &&
	    e.ex == EX_CONFIG);
	CHECK(strstr(e.msg, "r-quoted:2:") != NULL);
	CHECK(strcasestr(e.msg, "GFPYY") == NULL);
	free(rs);
	unlink("r-quoted");
	/* other bad input is quoted, control characters as '?' */
	CHECK(age_recipient_parse("age1\033[2Jx", &r, &e) == -1);
	CHECK(strchr(e.msg, '\033') == NULL && strstr(e.msg, "?[2J") != NULL);
}

static void
test_key_files(void)
{
	struct age_recipient *rs = NULL;
	struct age_identity *ids = NULL;
	size_t nr = 0, ni = 0;
	struct err e;
	char text[1000], bad[200];

	snprintf(text, sizeof(text), "# owner keys\n\n%s\r\n  %s  \n"
	    "# end\n", spec_recipient, spec_recipient);
	CHECK(write_file("r-ok", text) == 0);
	CHECK(age_recipients_load("r-ok", &rs, &nr, &e) == 0 && nr == 2);
	CHECK(age_recipients_load("r-ok", &rs, &nr, &e) == 0 && nr == 4);
	free(rs);
	rs = NULL;
	nr = 0;

	strcpy(bad, spec_recipient);
	bad[20] = bad[20] == 'x' ? 'y' : 'x';
	snprintf(text, sizeof(text), "# keys\n%s\n\n%s\n", spec_recipient,
	    bad);
	CHECK(write_file("r-typo", text) == 0);
	CHECK(age_recipients_load("r-typo", &rs, &nr, &e) == -1 &&
	    e.ex == EX_CONFIG);
	CHECK(strstr(e.msg, "r-typo:4:") != NULL);
	CHECK(strstr(e.msg, "checksum") != NULL);
	free(rs);
	rs = NULL;
	nr = 0;

	CHECK(write_file("r-empty", "# nothing\n\n") == 0);
	CHECK(age_recipients_load("r-empty", &rs, &nr, &e) == -1 &&
	    e.ex == EX_CONFIG && nr == 0);
	CHECK(age_recipients_load("r-missing", &rs, &nr, &e) == -1 &&
	    e.ex == EX_NOINPUT && strstr(e.msg, "r-missing") != NULL);
	snprintf(text, sizeof(text), "%s\n", spec_identity);
	CHECK(write_file("r-secret", text) == 0);
	CHECK(age_recipients_load("r-secret", &rs, &nr, &e) == -1 &&
	    e.ex == EX_CONFIG);
	free(rs);

	/* Identity files: errors name file:line but never the key. */
	strcpy(bad, spec_identity);
	bad[30] = bad[30] == 'Q' ? 'P' : 'Q';
	snprintf(text, sizeof(text), "# created\n%s\n", bad);
	CHECK(write_file("i-typo", text) == 0);
	CHECK(age_identities_load("i-typo", &ids, &ni, &e) == -1 &&
	    e.ex == EX_CONFIG && ni == 0);
	CHECK(strstr(e.msg, "i-typo:2:") != NULL);
	CHECK(strstr(e.msg, "GFPYY") == NULL);
	CHECK(write_file("i-recipient", spec_recipient) == 0);
	CHECK(age_identities_load("i-recipient", &ids, &ni, &e) == -1 &&
	    e.ex == EX_CONFIG);
	CHECK(write_file("i-empty", "# created\n") == 0);
	CHECK(age_identities_load("i-empty", &ids, &ni, &e) == -1 &&
	    e.ex == EX_CONFIG);
	CHECK(write_file("i-enc", "age-encryption.org/v1\n-> scrypt x 18\n")
	    == 0);
	CHECK(age_identities_load("i-enc", &ids, &ni, &e) == -1 &&
	    e.ex == EX_CONFIG);
	CHECK(age_identities_load("i-missing", &ids, &ni, &e) == -1 &&
	    e.ex == EX_NOINPUT);
	snprintf(text, sizeof(text), "%s\n%s\n", spec_identity,
	    spec_identity);
	CHECK(write_file("i-two", text) == 0);
	CHECK(age_identities_load("i-two", &ids, &ni, &e) == 0 && ni == 2);
	age_identities_free(ids, ni);
	unlink("age-spec.key");
	unlink("r-ok");
	unlink("r-typo");
	unlink("r-empty");
	unlink("r-secret");
	unlink("i-typo");
	unlink("i-recipient");
	unlink("i-empty");
	unlink("i-enc");
	unlink("i-two");
}

/* ---- round trips ---- */

static void
test_roundtrip(void)
{
	static const size_t sizes[] = {
		0, 1, 100, 65535, 65536, 65537, 131071, 131072, 131073,
		3 * 65536, 1000000, 1 << 20
	};
	static const size_t pieces[] = { 0, 1000, 70000, 200000 };
	struct age_identity id;
	struct age_recipient r;
	unsigned char *plain;
	size_t i, j, maxlen = 1 << 20;
	struct err e;

	new_identity(&id, &r);
	plain = malloc(maxlen);
	randombytes_buf(plain, maxlen);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (j = 0; j < sizeof(pieces) / sizeof(pieces[0]); j++) {
			struct mem c = { 0 }, p = { 0 };
			size_t len = sizes[i], chunks, hl;
			int ok;

			CHECK(encrypt_mem(&r, 1, plain, len, pieces[j], &c)
			    == 0);
			hl = header_len(c.p, c.len);
			chunks = len == 0 ? 1 : (len + 65535) / 65536;
			CHECK(hl > 0 && c.len == hl + 16 + len + 16 * chunks);
			CHECK(c.len == age_encrypted_size(len, 1));
			CHECK(check_mem(c.p, c.len, &e) == 0);
			/* Short reads and a small buffer, then whole reads
			 * into a buffer that takes chunks directly. */
			ok = decrypt_mem(&id, 1, c.p, c.len, j * 9000 + 1,
			    j % 2 ? 100 : 4096, &p, &e) == 0;
			if (!ok)
				fprintf(stderr, "size %zu piece %zu: %s\n", len,
				    pieces[j], e.msg);
			CHECK(ok && p.len == len &&
			    (len == 0 || memcmp(p.p, plain, len) == 0));
			p.len = 0;
			CHECK(decrypt_mem(&id, 1, c.p, c.len, 0, 3 * 65536,
			    &p, &e) == 0 && p.len == len &&
			    (len == 0 || memcmp(p.p, plain, len) == 0));
			free(c.p);
			free(p.p);
		}
	}
	free(plain);
	sodium_memzero(&id, sizeof(id));
}

static void
test_recipients(void)
{
	struct age_identity id[4], pair[2];
	struct age_recipient r[4];
	unsigned char plain[5000];
	struct mem c = { 0 }, p;
	struct err e;
	size_t i;

	for (i = 0; i < 4; i++)
		new_identity(&id[i], &r[i]);
	randombytes_buf(plain, sizeof(plain));
	CHECK(encrypt_mem(r, 3, plain, sizeof(plain), 0, &c) == 0);
	CHECK(c.len == age_encrypted_size(sizeof(plain), 3));
	for (i = 0; i < 3; i++) {
		memset(&p, 0, sizeof(p));
		CHECK(decrypt_mem(&id[i], 1, c.p, c.len, 0, 65536, &p, &e)
		    == 0 && p.len == sizeof(plain) &&
		    memcmp(p.p, plain, sizeof(plain)) == 0);
		free(p.p);
	}
	/* Not a recipient: a clear "no identity" error, not bad data. */
	memset(&p, 0, sizeof(p));
	CHECK(decrypt_mem(&id[3], 1, c.p, c.len, 0, 65536, &p, &e) == -1 &&
	    e.ex == EX_NOPERM && p.len == 0);
	free(p.p);
	/* The matching identity second in the list. */
	pair[0] = id[3];
	pair[1] = id[2];
	memset(&p, 0, sizeof(p));
	CHECK(decrypt_mem(pair, 2, c.p, c.len, 0, 65536, &p, &e) == 0 &&
	    p.len == sizeof(plain));
	free(p.p);
	/* Fresh ephemeral keys, file key and nonce every time. */
	{
		struct mem c2 = { 0 };

		CHECK(encrypt_mem(r, 3, plain, sizeof(plain), 0, &c2) == 0);
		CHECK(c2.len == c.len && memcmp(c2.p, c.p, c.len) != 0);
		free(c2.p);
	}
	free(c.p);
	sodium_memzero(id, sizeof(id));
	sodium_memzero(pair, sizeof(pair));
}

/* Decryption of c[0..len) must fail with one of the given codes. */
static int
refused(const struct age_identity *id, const unsigned char *c, size_t len,
    int ex1, int ex2, struct err *e)
{
	struct mem p = { 0 };
	int rc;

	e->ex = 0;
	rc = decrypt_mem(id, 1, c, len, 0, 65536, &p, e);
	free(p.p);
	return rc == -1 && (e->ex == ex1 || e->ex == ex2);
}

static void
test_truncation(void)
{
	struct age_identity id;
	struct age_recipient r;
	size_t len = 3 * 65536 + 100, hl, k, cut, i;
	unsigned char *plain, *big;
	struct mem c = { 0 };
	struct err e;

	new_identity(&id, &r);
	plain = malloc(len);
	randombytes_buf(plain, len);
	CHECK(encrypt_mem(&r, 1, plain, len, 0, &c) == 0);
	hl = header_len(c.p, c.len);
	/* Every chunk boundary (a legal length for STREAM, so only the
	 * decryption can tell), and a byte either side of it. */
	for (k = 0; k <= 3; k++) {
		cut = hl + 16 + k * 65552;
		CHECK(refused(&id, c.p, cut, EX_DATAERR, EX_DATAERR, &e));
		CHECK(strstr(e.msg, "truncated") != NULL);
		CHECK(refused(&id, c.p, cut + 1, EX_DATAERR, EX_DATAERR, &e));
		CHECK(refused(&id, c.p, cut - 1, EX_DATAERR, EX_DATAERR, &e));
		/* One byte into a chunk is never a plausible length; one
		 * byte short of a boundary is (a final 65535-byte chunk). */
		CHECK(check_mem(c.p, cut + 1, &e) == -1);
		CHECK(check_mem(c.p, cut - 1, &e) == (k == 0 ? -1 : 0));
	}
	/* In the header, the nonce and the last chunk. */
	for (cut = 0; cut < hl + 16; cut += 7) {
		CHECK(refused(&id, c.p, cut, EX_DATAERR, EX_DATAERR, &e));
		CHECK(check_mem(c.p, cut, &e) == -1);
	}
	for (cut = c.len - 20; cut < c.len; cut++)
		CHECK(refused(&id, c.p, cut, EX_DATAERR, EX_DATAERR, &e));
	for (i = 0; i < 50; i++) {
		cut = hl + rnd((uint32_t)(c.len - hl));
		CHECK(refused(&id, c.p, cut, EX_DATAERR, EX_DATAERR, &e));
	}
	/* Trailing data: one byte, an empty "chunk", a whole chunk. */
	big = malloc(c.len + 65552);
	memcpy(big, c.p, c.len);
	memset(big + c.len, 0, 65552);
	CHECK(refused(&id, big, c.len + 1, EX_DATAERR, EX_DATAERR, &e));
	CHECK(refused(&id, big, c.len + 16, EX_DATAERR, EX_DATAERR, &e));
	CHECK(refused(&id, big, c.len + 65552, EX_DATAERR, EX_DATAERR, &e));
	free(big);
	free(c.p);

	/* A payload of exactly one full chunk: its final chunk is full;
	 * appending an empty chunk (16 bytes) is not allowed. */
	memset(&c, 0, sizeof(c));
	CHECK(encrypt_mem(&r, 1, plain, 65536, 0, &c) == 0);
	hl = header_len(c.p, c.len);
	CHECK(c.len == hl + 16 + 65552);
	CHECK(check_mem(c.p, c.len, &e) == 0);
	big = malloc(c.len + 16);
	memcpy(big, c.p, c.len);
	memset(big + c.len, 0, 16);
	CHECK(check_mem(big, c.len + 16, &e) == -1);
	CHECK(refused(&id, big, c.len + 16, EX_DATAERR, EX_DATAERR, &e));
	CHECK(strstr(e.msg, "trailing") != NULL);
	free(big);
	free(c.p);
	free(plain);
	sodium_memzero(&id, sizeof(id));
}

static void
test_flips(void)
{
	struct age_identity id[2];
	struct age_recipient r[2];
	unsigned char plain[1000], *big;
	struct mem c = { 0 };
	size_t i, bad = 0, blen = 4 * 65536 + 3;
	struct err e;

	new_identity(&id[0], &r[0]);
	new_identity(&id[1], &r[1]);
	randombytes_buf(plain, sizeof(plain));
	CHECK(encrypt_mem(r, 2, plain, sizeof(plain), 0, &c) == 0);
	/* Every byte of the file, two different bit flips each. */
	for (i = 0; i < c.len; i++) {
		c.p[i] ^= 0x01;
		if (!refused(&id[1], c.p, c.len, EX_DATAERR, EX_NOPERM, &e)) {
			fprintf(stderr, "flip 0x01 at %zu accepted\n", i);
			bad++;
		}
		c.p[i] ^= 0x81;
		if (!refused(&id[1], c.p, c.len, EX_DATAERR, EX_NOPERM, &e)) {
			fprintf(stderr, "flip 0x80 at %zu accepted\n", i);
			bad++;
		}
		c.p[i] ^= 0x80;
	}
	CHECK(bad == 0);
	CHECK(refused(&id[1], c.p, c.len, -1, -1, &e) == 0);	/* intact */
	free(c.p);

	/* A larger file: random positions in every chunk and every tag. */
	big = malloc(blen);
	randombytes_buf(big, blen);
	memset(&c, 0, sizeof(c));
	CHECK(encrypt_mem(r, 1, big, blen, 0, &c) == 0);
	bad = 0;
	for (i = 0; i < 200; i++) {
		size_t at = header_len(c.p, c.len) + rnd((uint32_t)(c.len -
		    header_len(c.p, c.len)));

		if (i < 5)	/* the last byte of each tag */
			at = header_len(c.p, c.len) + 16 + i * 65552 - 1 +
			    (i < 4 ? 65552 : 3 + 16);
		if (at >= c.len)
			at = c.len - 1;
		c.p[at] ^= 0x10;
		bad += !refused(&id[0], c.p, c.len, EX_DATAERR, EX_DATAERR, &e);
		c.p[at] ^= 0x10;
	}
	CHECK(bad == 0);
	free(c.p);
	free(big);
	sodium_memzero(id, sizeof(id));
}

/* Replace the first "from" in a copy of c with "to"; caller frees. */
static unsigned char *
edit(const struct mem *c, const char *from, const char *to, size_t *len)
{
	unsigned char *p = memmem(c->p, c->len, from, strlen(from)), *out;
	size_t at, fl = strlen(from), tl = strlen(to);

	if (p == NULL)
		return NULL;
	at = (size_t)(p - c->p);
	out = malloc(c->len - fl + tl);
	memcpy(out, c->p, at);
	memcpy(out + at, to, tl);
	memcpy(out + at + tl, c->p + at + fl, c->len - at - fl);
	*len = c->len - fl + tl;
	return out;
}

static void
test_headers(void)
{
	struct age_identity id;
	struct age_recipient r;
	unsigned char plain[300], *m;
	struct mem c = { 0 };
	char share[44], mac[44], line[200], nc[44];
	const char *h;
	size_t len, i;
	struct err e;
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct {
		const char *from, *to;
	} bad[16];
	size_t nbad = 0;

	new_identity(&id, &r);
	randombytes_buf(plain, sizeof(plain));
	CHECK(encrypt_mem(&r, 1, plain, sizeof(plain), 0, &c) == 0);
	h = (const char *)c.p;
	memcpy(share, h + 22 + 10, 43);
	share[43] = '\0';
	memcpy(mac, h + header_len(c.p, c.len) - 44, 43);
	mac[43] = '\0';
	/* The same share with non-zero padding bits: not canonical. */
	strcpy(nc, share);
	nc[42] = b64[(strchr(b64, nc[42]) - b64) | 1];

	bad[nbad].from = "age-encryption.org/v1\n";
	bad[nbad++].to = "age-encryption.org/v2\n";
	bad[nbad].from = "-> X25519 ";
	bad[nbad++].to = "-> X25519  ";		/* empty argument */
	bad[nbad].from = "-> X25519 ";
	bad[nbad++].to = "-> X25519 extra ";	/* three arguments */
	bad[nbad].from = share;
	bad[nbad++].to = "AAAA";		/* share too short */
	bad[nbad].from = share;
	bad[nbad++].to = nc;			/* non-canonical base64 */
	bad[nbad].from = "\n---";
	bad[nbad++].to = "\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAA\n---";			/* 65-column body line */
	bad[nbad].from = "\n---";
	bad[nbad++].to = "=\n---";		/* padding character */
	bad[nbad].from = "--- ";
	bad[nbad++].to = "---";			/* no space before the MAC */
	bad[nbad].from = mac;
	bad[nbad++].to = "AAAA";		/* MAC too short */
	bad[nbad].from = "\n---";
	bad[nbad++].to = "\nhello\n---";	/* unknown line */
	bad[nbad].from = "age-encryption.org/v1\n";
	bad[nbad++].to = "-----BEGIN AGE ENCRYPTED FILE-----\n";
	bad[nbad].from = "\n-> X25519 ";
	bad[nbad++].to = "\n->X25519 ";
	for (i = 0; i < nbad; i++) {
		m = edit(&c, bad[i].from, bad[i].to, &len);
		CHECK(m != NULL);
		if (m == NULL)
			continue;
		CHECK(check_mem(m, len, &e) == -1 && e.ex == EX_DATAERR);
		if (!refused(&id, m, len, EX_DATAERR, EX_DATAERR, &e))
			fprintf(stderr, "header edit %zu accepted\n", i);
		CHECK(refused(&id, m, len, EX_DATAERR, EX_DATAERR, &e));
		free(m);
	}
	/* The stanza body moved into a 64-column line without the final
	 * short line: the MAC line is then taken as body and refused. */
	snprintf(line, sizeof(line), "-> X25519 %s\n", share);
	m = edit(&c, "\n--- ", "\n\n--- ", &len);	/* extra empty line */
	CHECK(m != NULL && check_mem(m, len, &e) == -1);
	free(m);
	/* Structurally fine but not authentic: an unknown stanza (with a
	 * full 64-column line and an empty final line) slipped in. */
	m = edit(&c, "\n---", "\n-> example.com/x 1 2\n"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
	    "\n---", &len);
	CHECK(m != NULL && check_mem(m, len, &e) == 0);
	CHECK(m != NULL && refused(&id, m, len, EX_DATAERR, EX_DATAERR, &e));
	CHECK(strstr(e.msg, "MAC") != NULL);
	free(m);
	/* An unknown stanza with an empty body (one empty line), as age's
	 * grease stanzas may be: fine structurally, refused by the MAC.
	 * Under UBSan this once hit memcpy(NULL, line, 0). */
	m = edit(&c, "\n---", "\n-> empty.example 1\n\n---", &len);
	CHECK(m != NULL && check_mem(m, len, &e) == 0);
	CHECK(m != NULL && refused(&id, m, len, EX_DATAERR, EX_DATAERR, &e));
	CHECK(strstr(e.msg, "MAC") != NULL);
	free(m);
	/* A low-order (all zero) ephemeral share must abort decryption. */
	m = edit(&c, share, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &len);
	CHECK(m != NULL && check_mem(m, len, &e) == 0);
	CHECK(m != NULL && refused(&id, m, len, EX_DATAERR, EX_DATAERR, &e));
	free(m);
	/* Only an unknown stanza: structure fine, no identity can match. */
	m = edit(&c, line, "-> scrypt c2FsdHNhbHRzYWx0c2FsdA 18\n", &len);
	CHECK(m != NULL && check_mem(m, len, &e) == 0);
	CHECK(m != NULL && refused(&id, m, len, EX_NOPERM, EX_NOPERM, &e));
	free(m);
	/* Not age at all, empty, binary. */
	CHECK(check_mem((const unsigned char *)"", 0, &e) == -1);
	CHECK(refused(&id, (const unsigned char *)"", 0, EX_DATAERR,
	    EX_DATAERR, &e));
	CHECK(refused(&id, plain, sizeof(plain), EX_DATAERR, EX_DATAERR, &e));
	CHECK(check_mem(plain, sizeof(plain), &e) == -1);
	free(c.p);
	sodium_memzero(&id, sizeof(id));
}

static void
test_io_errors(void)
{
	struct age_identity id;
	struct age_recipient r;
	unsigned char *plain;
	struct mem c = { 0 }, w = { 0 };
	struct age_enc *a;
	struct age_dec *d;
	struct src s;
	unsigned char buf[1000];
	size_t len = 200000;
	struct err e;

	new_identity(&id, &r);
	plain = calloc(1, len);
	/* No recipients. */
	CHECK(age_enc_new(&r, 0, mem_write, &w, &e) == NULL &&
	    e.ex == EX_CONFIG);
	/* The header write fails (disk full). */
	w.fail_at = 10;
	CHECK(age_enc_new(&r, 1, mem_write, &w, &e) == NULL &&
	    e.ex == EX_TEMPFAIL);
	/* A chunk write fails: this and every later call fail. */
	w.fail_at = 70000;
	a = age_enc_new(&r, 1, mem_write, &w, &e);
	CHECK(a != NULL);
	CHECK(age_enc_write(a, plain, len, &e) == -1 && e.ex == EX_TEMPFAIL);
	CHECK(age_enc_write(a, plain, 1, &e) == -1);
	CHECK(age_enc_finish(a, &e) == -1);
	age_enc_free(a);
	free(w.p);
	/* Used after finish. */
	memset(&w, 0, sizeof(w));
	a = age_enc_new(&r, 1, mem_write, &w, &e);
	CHECK(a != NULL && age_enc_finish(a, &e) == 0);
	CHECK(age_enc_write(a, plain, 1, &e) == -1 && e.ex == EX_SOFTWARE);
	CHECK(age_enc_finish(a, &e) == -1);
	age_enc_free(a);
	free(w.p);
	age_enc_free(NULL);
	age_dec_free(NULL);

	/* Read errors in the header and in the payload. */
	CHECK(encrypt_mem(&r, 1, plain, len, 0, &c) == 0);
	memset(&s, 0, sizeof(s));
	s.p = c.p;
	s.len = c.len;
	s.maxread = 50;
	s.fail_at = 20;
	CHECK(age_dec_new(&id, 1, src_read, &s, &e) == NULL &&
	    e.ex == EX_IOERR);
	s.pos = 0;
	s.fail_at = 100000;
	d = age_dec_new(&id, 1, src_read, &s, &e);
	CHECK(d != NULL);
	if (d != NULL) {
		ssize_t k;

		while ((k = age_dec_read(d, buf, sizeof(buf), &e)) > 0)
			;
		CHECK(k == -1 && e.ex == EX_IOERR);
		CHECK(age_dec_read(d, buf, sizeof(buf), &e) == -1);
	}
	age_dec_free(d);
	s.pos = 0;
	s.fail_at = 20;
	CHECK(age_check_structure(src_read, &s, &e) == -1 &&
	    e.ex == EX_IOERR);
	free(c.p);
	free(plain);
	sodium_memzero(&id, sizeof(id));
}

/*
 * Ranged decryption: the decryptor made from the file's first bytes only
 * (header and nonce, with short reads), every chunk decrypted alone from
 * its own ciphertext equals that part of the plaintext; a chunk under
 * another index, a middle chunk called last, a flipped byte: 65.
 */
static void
test_ranged(void)
{
	static const size_t sizes[] = { 0, 1, AGE_CHUNK - 1, AGE_CHUNK,
	    AGE_CHUNK + 1, 2 * AGE_CHUNK, 3 * AGE_CHUNK + 1234 };
	struct age_identity id[2];
	struct age_recipient r[2];
	unsigned char *p, *c2, out[AGE_CHUNK];
	struct err e;

	new_identity(&id[0], &r[0]);
	new_identity(&id[1], &r[1]);
	p = malloc(3 * AGE_CHUNK + 1234);
	c2 = malloc(AGE_CHUNK + 16);
	CHECK(p != NULL && c2 != NULL);
	for (size_t k = 0; k < 3 * AGE_CHUNK + 1234; k++)
		p[k] = (unsigned char)rnd(256);
	for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
		struct mem c = { 0 };
		size_t len = sizes[si], hl, clen, plen, got = 0;
		uint64_t off, i;
		int last;

		CHECK(encrypt_mem(r, 2, p, len, 0, &c) == 0);
		hl = header_len(c.p, c.len);
		/* the second identity; a source that ends after the nonce */
		struct src s = { c.p, hl + 16, 0, 7, 0 };
		struct age_dec *d = age_dec_new(&id[1], 1, src_read, &s, &e);
		CHECK(d != NULL);
		if (d == NULL) {
			free(c.p);
			continue;
		}
		CHECK(age_dec_chunks_offset(d) == hl + 16);
		for (i = 0; age_chunk_range(hl + 16, c.len, i, &off, &clen,
		    &last) == 0; i++) {
			CHECK(off + clen <= c.len);
			CHECK(last == (off + clen == c.len));
			CHECK(age_dec_chunk(d, i, last, c.p + off, clen, out,
			    &plen, &e) == 0);
			CHECK(plen == (last ? len - got : AGE_CHUNK));
			CHECK(memcmp(out, p + got, plen) == 0);
			got += plen;
			/* under another index, or with the wrong flag: no */
			CHECK(age_dec_chunk(d, i + 1, last, c.p + off, clen,
			    out, &plen, &e) == -1 && e.ex == EX_DATAERR);
			if (clen == AGE_CHUNK + 16)
				CHECK(age_dec_chunk(d, i, !last, c.p + off,
				    clen, out, &plen, &e) == -1 &&
				    e.ex == EX_DATAERR);
			memcpy(c2, c.p + off, clen);
			c2[rnd((uint32_t)clen)] ^= 0x40;
			CHECK(age_dec_chunk(d, i, last, c2, clen, out, &plen,
			    &e) == -1 && e.ex == EX_DATAERR);
		}
		CHECK(got == len);
		CHECK(i == (len == 0 ? 1 : (len + AGE_CHUNK - 1) / AGE_CHUNK));
		/* a chunk cut short */
		if (age_chunk_range(hl + 16, c.len, 0, &off, &clen, &last) ==
		    0 && clen > 17)
			CHECK(age_dec_chunk(d, 0, 0, c.p + off, clen - 1, out,
			    &plen, &e) == -1 && e.ex == EX_DATAERR);
		age_dec_free(d);
		free(c.p);
	}
	CHECK(age_chunk_range(100, 99, 0, &(uint64_t){0}, &(size_t){0},
	    &(int){0}) == -1);
	free(p);
	free(c2);
	sodium_memzero(id, sizeof id);
}

int
main(void)
{
	char dir[] = "test_age.XXXXXX";
	int rc;

	/* Key files go into a private directory (removed at the end). */
	if (sodium_init() < 0 || mkdtemp(dir) == NULL || chdir(dir) < 0)
		return 1;
	test_hkdf();
	test_keys();
	test_secret_as_recipient();
	test_key_files();
	test_roundtrip();
	test_recipients();
	test_truncation();
	test_flips();
	test_headers();
	test_io_errors();
	test_ranged();
	rc = check_done();
	if (chdir("..") < 0 || rmdir(dir) < 0)
		perror("cannot remove test directory");
	return rc;
}
