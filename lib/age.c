/*
 * age: age-encryption.org/v1 files with X25519 recipients: key parsing
 * (Bech32), header writing and parsing, the STREAM payload (ChaCha20-
 * Poly1305 in 64 KiB chunks) and a structure check that needs no identity.
 * Keys, wrapping and the header MAC use libsodium; the payload chunks use
 * OpenSSL's EVP ChaCha20-Poly1305, whose one-pass AVX2/AVX-512 code takes
 * less than half the CPU of libsodium 1.0.18's (Debian 12) two passes and
 * so keeps us under the Go age tool. Every key is wiped after use.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "age.h"
#include "bech32.h"
#include "hkdf.h"

#define ENC_CHUNK	(AGE_CHUNK + 16)	/* a sealed chunk: data + tag */
#define HEADER_MAX	(1 << 20)		/* generous: X25519 needs ~100/key */
#define KEY_MAX_LEN	4096			/* longest key string we decode */
#define VERSION_LINE	"age-encryption.org/v1\n"
#define X25519_LABEL	"age-encryption.org/v1/X25519"
#define RECIPIENT_HRP	"age"
#define IDENTITY_HRP	"age-secret-key-"
#define B64_32		43			/* unpadded base64 of 32 bytes */
#define STANZA_LEN	(10 + B64_32 + 1 + B64_32 + 1)	/* one X25519 stanza */

static const unsigned char zero_nonce[12];

static int
sodium_ready(struct err *e)
{
	if (sodium_init() < 0) {
		err_set(e, EX_SOFTWARE, "cannot initialize libsodium");
		return -1;
	}
	return 0;
}

/* Unpadded standard base64 of n bytes into out (b64 length + 1 bytes). */
static void
b64_encode(char *out, size_t out_max, const unsigned char *in, size_t n)
{
	sodium_bin2base64(out, out_max, in, n,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

static int
is_b64char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/*
 * Decode canonical unpadded base64 (RFC 4648 3.5: the unused bits of the
 * last character are zero; no '='). Returns 0 and sets *out_len, or -1.
 */
static int
b64_decode(unsigned char *out, size_t out_max, const char *in, size_t in_len,
    size_t *out_len)
{
	size_t i;

	for (i = 0; i < in_len; i++)
		if (!is_b64char((unsigned char)in[i]))
			return -1;
	if (in_len == 0) {
		*out_len = 0;
		return 0;
	}
	return sodium_base642bin(out, out_max, in, in_len, NULL, out_len,
	    NULL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

/* The 12-byte STREAM nonce: 11-byte big-endian counter, last-chunk flag. */
static void
stream_nonce(unsigned char n[12], uint64_t ctr, int last)
{
	int i;

	memset(n, 0, 3);
	for (i = 0; i < 8; i++)
		n[3 + i] = (unsigned char)(ctr >> (56 - 8 * i));
	n[11] = last ? 1 : 0;
}

/* A ChaCha20-Poly1305 context for the payload key (wiped by free). */
static EVP_CIPHER_CTX *
stream_ctx(const unsigned char key[32], int enc, struct err *e)
{
	EVP_CIPHER_CTX *cx = EVP_CIPHER_CTX_new();

	if (cx == NULL || EVP_CipherInit_ex(cx, EVP_chacha20_poly1305(), NULL,
	    key, NULL, enc) != 1) {
		err_set(e, EX_SOFTWARE, "cannot set up ChaCha20-Poly1305");
		EVP_CIPHER_CTX_free(cx);
		return NULL;
	}
	return cx;
}

/* Seal m[0..len) into c (may be m) and the 16-byte tag; 0 or -1. */
static int
stream_seal(EVP_CIPHER_CTX *cx, unsigned char *c, unsigned char *tag,
    const unsigned char *m, size_t len, const unsigned char nonce[12])
{
	int k = 0, f = 0;

	if (EVP_EncryptInit_ex(cx, NULL, NULL, NULL, nonce) != 1 ||
	    (len > 0 && EVP_EncryptUpdate(cx, c, &k, m, (int)len) != 1) ||
	    EVP_EncryptFinal_ex(cx, c + k, &f) != 1 || (size_t)(k + f) != len ||
	    EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_AEAD_GET_TAG, 16, tag) != 1)
		return -1;
	return 0;
}

/* Open c[0..len) with tag into m; 0, or -1 when it does not verify. */
static int
stream_open(EVP_CIPHER_CTX *cx, unsigned char *m, const unsigned char *c,
    size_t len, const unsigned char tag[16], const unsigned char nonce[12])
{
	unsigned char t[16];
	int k = 0, f = 0;

	memcpy(t, tag, 16);
	if (EVP_DecryptInit_ex(cx, NULL, NULL, NULL, nonce) != 1 ||
	    (len > 0 && EVP_DecryptUpdate(cx, m, &k, c, (int)len) != 1) ||
	    EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_AEAD_SET_TAG, 16, t) != 1 ||
	    EVP_DecryptFinal_ex(cx, m + k, &f) != 1 || (size_t)(k + f) != len)
		return -1;
	return 0;
}

/* ---- keys ---- */

/*
 * 1 when s holds a secret key anywhere, in any case: a key pasted as a
 * recipient may be quoted, indented or lowercased, and must then never
 * be echoed into a log.
 */
static int
has_secret_key(const char *s)
{
	return strcasestr(s, "AGE-SECRET-KEY-") != NULL ||
	    strcasestr(s, "AGE-PLUGIN-") != NULL;
}

/* At most max chars of s for a message, non-printable ones as '?'. */
static void
quote_input(char *out, size_t max, const char *s)
{
	size_t i;

	for (i = 0; i < max && s[i] != '\0'; i++)
		out[i] = s[i] >= 0x20 && s[i] <= 0x7e ? s[i] : '?';
	out[i] = '\0';
}

int
age_recipient_parse(const char *s, struct age_recipient *r, struct err *e)
{
	static const unsigned char probe[32] = { 9, 9, 9, 9 };
	unsigned char data[64], q[32];
	char hrp[32], in[101];
	size_t dl = 0;
	int rc;

	if (sodium_ready(e) < 0)
		return -1;
	if (has_secret_key(s)) {
		/* Never echo a secret key into a log, not even a part. */
		err_set(e, EX_CONFIG, "invalid age recipient: that is a "
		    "secret key (identity), not a recipient; `age-keygen -y` "
		    "prints its recipient, and the secret key does not "
		    "belong on the device");
		return -1;
	}
	quote_input(in, sizeof(in) - 1, s);
	if (strncmp(s, "ssh-", 4) == 0) {
		err_set(e, EX_CONFIG, "unsupported age recipient \"%.40s...\": "
		    "SSH keys are not supported, use an age1... key", in);
		return -1;
	}
	rc = bech32_decode(s, KEY_MAX_LEN, hrp, sizeof(hrp), data,
	    sizeof(data), &dl);
	if (rc == BECH32_ECHECKSUM) {
		err_set(e, EX_CONFIG, "invalid age recipient \"%s\": "
		    "bad checksum (a typo?)", in);
		return -1;
	}
	if (rc == 0 && strcmp(hrp, RECIPIENT_HRP) != 0)
		rc = BECH32_EHRP;
	if (rc == BECH32_EHRP || (rc == BECH32_ETOOLONG &&
	    strncmp(s, "age1", 4) != 0 && strncmp(s, "AGE1", 4) != 0)) {
		err_set(e, EX_CONFIG, "invalid age recipient \"%s\": "
		    "not an X25519 age recipient (want age1...)", in);
		return -1;
	}
	if (rc == BECH32_ETOOLONG || (rc == 0 && dl != 32)) {
		if (strncmp(s, "age1pq1", 7) == 0 || strncmp(s, "age1tag", 7)
		    == 0)
			err_set(e, EX_CONFIG, "unsupported age recipient "
			    "\"%.20s...\": only X25519 (age1...) keys are "
			    "supported", in);
		else
			err_set(e, EX_CONFIG, "invalid age recipient "
			    "\"%s\": wrong key length (want 32 bytes)", in);
		return -1;
	}
	if (rc != 0) {
		err_set(e, EX_CONFIG, "invalid age recipient \"%s\": %s", in,
		    bech32_strerror(rc));
		return -1;
	}
	/* A low-order point would make every shared secret zero. */
	if (crypto_scalarmult(q, probe, data) != 0) {
		err_set(e, EX_CONFIG, "invalid age recipient \"%s\": "
		    "not a usable public key", in);
		return -1;
	}
	memcpy(r->pk, data, 32);
	return 0;
}

void
age_recipient_format(const struct age_recipient *r, char out[64])
{
	bech32_encode(RECIPIENT_HRP, r->pk, 32, 0, out, 64);
}

void
age_identity_to_recipient(const struct age_identity *id,
    struct age_recipient *r)
{
	crypto_scalarmult_base(r->pk, id->sk);
}

/* Parse one "AGE-SECRET-KEY-1..." string; never echoes it in e. */
static int
identity_parse(const char *s, struct age_identity *id, struct err *e)
{
	unsigned char data[64];
	char hrp[32];
	size_t dl = 0;
	int rc;

	rc = bech32_decode(s, KEY_MAX_LEN, hrp, sizeof(hrp), data,
	    sizeof(data), &dl);
	if (rc == 0 && strcmp(hrp, IDENTITY_HRP) != 0)
		rc = BECH32_EHRP;
	if (rc == BECH32_EHRP || (rc == BECH32_ETOOLONG &&
	    strncasecmp(s, "AGE-SECRET-KEY-1", 16) != 0)) {
		if (strncasecmp(s, "AGE-PLUGIN-", 11) == 0 ||
		    strncasecmp(s, "AGE-SECRET-KEY-PQ-", 18) == 0)
			err_set(e, EX_CONFIG, "unsupported identity type "
			    "(only AGE-SECRET-KEY-1... X25519 keys)");
		else
			err_set(e, EX_CONFIG, "not an age identity "
			    "(want AGE-SECRET-KEY-1...)");
		rc = -1;
	} else if (rc == BECH32_ETOOLONG || (rc == 0 && dl != 32)) {
		err_set(e, EX_CONFIG, "invalid age identity: wrong key "
		    "length (want 32 bytes)");
		rc = -1;
	} else if (rc != 0) {
		err_set(e, EX_CONFIG, "invalid age identity: %s%s",
		    bech32_strerror(rc), rc == BECH32_ECHECKSUM ?
		    " (a typo?)" : "");
		rc = -1;
	} else {
		memcpy(id->sk, data, 32);
	}
	sodium_memzero(data, sizeof(data));
	return rc;
}

/* Strip surrounding blanks and CR in place; returns the start. */
static char *
trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

#define KEYFILE_MAX	(1 << 20)	/* a key file is a few lines */

/*
 * Read all of the file at path into *bufp (NUL-terminated). Grown by
 * hand, each old buffer wiped before it is freed, and no stdio: no
 * copy of a secret key is left in freed memory. 0, or -1 with e set.
 */
static int
keyfile_read(const char *path, const char *kind, char **bufp, size_t *capp,
    struct err *e)
{
	char *buf = NULL, *grown;
	size_t cap = 0, len = 0;
	ssize_t k;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		err_sys(e, err_ex_for_errno(errno), "cannot open age %s file %s",
		    kind, path);
		return -1;
	}
	do {
		if (len + 1 >= cap) {
			if (cap >= KEYFILE_MAX) {
				err_set(e, EX_CONFIG, "%s: too big for an age "
				    "%s file", path, kind);
				goto out;
			}
			if ((grown = malloc(cap ? cap * 2 : 4096)) == NULL) {
				err_sys(e, EX_OSERR, "cannot load %s", path);
				goto out;
			}
			if (buf != NULL) {
				memcpy(grown, buf, len);
				sodium_memzero(buf, cap);
				free(buf);
			}
			buf = grown;
			cap = cap ? cap * 2 : 4096;
		}
		k = read(fd, buf + len, cap - 1 - len);
		if (k < 0 && errno != EINTR) {
			err_sys(e, EX_IOERR, "cannot read age %s file %s",
			    kind, path);
			goto out;
		}
		len += k > 0 ? (size_t)k : 0;
	} while (k != 0);
	buf[len] = '\0';
	rc = 0;
out:
	close(fd);
	*bufp = buf;
	*capp = cap;
	return rc;
}

/* One key line (trimmed, not blank, not a comment): 0, or -1 with e. */
typedef int (*keyline_fn)(void *ctx, const char *s, struct err *e);

/*
 * The one loop over the lines of a recipients or identity file: each
 * key line goes to fn; its error gets "path:line: " in front. The whole
 * file is wiped before it is freed. Returns the number of key lines, or
 * -1 with e set.
 */
static long
keyfile_each(const char *path, const char *kind, keyline_fn fn, void *ctx,
    struct err *e)
{
	char *buf = NULL, *line, *next, *s;
	size_t cap = 0, lineno = 0;
	long found = -1;

	if (keyfile_read(path, kind, &buf, &cap, e) < 0)
		goto out;
	found = 0;
	for (line = buf; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		lineno++;
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if (fn(ctx, s, e) < 0) {
			if (e != NULL) {
				char msg[sizeof(e->msg)];

				memcpy(msg, e->msg, sizeof(msg));
				err_set(e, e->ex, "%s:%zu: %s", path, lineno,
				    msg);
			}
			found = -1;
			goto out;
		}
		found++;
	}
out:
	if (buf != NULL) {
		sodium_memzero(buf, cap);
		free(buf);
	}
	return found;
}

struct recipients_ctx {
	struct age_recipient **rs;
	size_t *n;
};

static int
recipient_line(void *ctx, const char *s, struct err *e)
{
	struct recipients_ctx *c = ctx;
	struct age_recipient r, *grown;

	if (age_recipient_parse(s, &r, e) < 0)
		return -1;
	grown = realloc(*c->rs, (*c->n + 1) * sizeof(**c->rs));
	if (grown == NULL) {
		err_sys(e, EX_OSERR, "cannot load the recipients");
		return -1;
	}
	*c->rs = grown;
	(*c->rs)[(*c->n)++] = r;
	return 0;
}

int
age_recipients_load(const char *path, struct age_recipient **rs, size_t *n,
    struct err *e)
{
	struct recipients_ctx c = { rs, n };
	long found;

	found = keyfile_each(path, "recipients", recipient_line, &c, e);
	if (found < 0)
		return -1;
	if (found == 0) {
		err_set(e, EX_CONFIG, "%s: no age recipients in the file", path);
		return -1;
	}
	return 0;
}

struct identities_ctx {
	struct age_identity **ids;
	size_t *n;
};

static int
identity_line(void *ctx, const char *s, struct err *e)
{
	struct identities_ctx *c = ctx;
	struct age_identity id, *grown;
	int rc = -1;

	if (strncmp(s, "age-encryption.org/", 19) == 0) {
		err_set(e, EX_CONFIG, "encrypted identity files are not "
		    "supported");
		return -1;
	}
	if (identity_parse(s, &id, e) < 0)
		goto out;
	/* Grow by hand so that no copy of a key is freed unwiped. */
	grown = malloc((*c->n + 1) * sizeof(**c->ids));
	if (grown == NULL) {
		err_sys(e, EX_OSERR, "cannot load the identities");
		goto out;
	}
	if (*c->n > 0)
		memcpy(grown, *c->ids, *c->n * sizeof(**c->ids));
	grown[*c->n] = id;
	age_identities_free(*c->ids, *c->n);
	*c->ids = grown;
	(*c->n)++;
	rc = 0;
out:
	sodium_memzero(&id, sizeof(id));
	return rc;
}

int
age_identities_load(const char *path, struct age_identity **ids, size_t *n,
    struct err *e)
{
	struct identities_ctx c = { ids, n };
	long found;

	if (sodium_ready(e) < 0)
		return -1;
	found = keyfile_each(path, "identity", identity_line, &c, e);
	if (found < 0)
		return -1;
	if (found == 0) {
		err_set(e, EX_CONFIG, "%s: no age identities in the file", path);
		return -1;
	}
	return 0;
}

void
age_identities_free(struct age_identity *ids, size_t n)
{
	if (ids == NULL)
		return;
	sodium_memzero(ids, n * sizeof(*ids));
	free(ids);
}

/* ---- encryption ---- */

struct age_enc {
	age_write_fn fn;
	void *ctx;
	EVP_CIPHER_CTX *cx;		/* holds the payload key */
	uint64_t counter;		/* chunks written */
	size_t fill;			/* plaintext bytes in buf */
	int state;			/* 0 open, 1 finished, -1 failed */
	unsigned char buf[ENC_CHUNK];	/* plaintext, sealed in place */
};

/* Wrap the file key for one recipient as an X25519 stanza at out. */
static int
x25519_stanza(char *out, const unsigned char fk[16],
    const struct age_recipient *r, struct err *e)
{
	unsigned char esk[32], share[32], shared[32], salt[64], wrap[32];
	unsigned char body[32];
	char b64[B64_32 + 1];
	int rc = -1;

	randombytes_buf(esk, sizeof(esk));
	crypto_scalarmult_base(share, esk);
	if (crypto_scalarmult(shared, esk, r->pk) != 0) {
		err_set(e, EX_CONFIG, "age recipient is not a usable public key");
		goto out;
	}
	memcpy(salt, share, 32);
	memcpy(salt + 32, r->pk, 32);
	hkdf_sha256(wrap, 32, salt, 64, shared, 32, X25519_LABEL,
	    strlen(X25519_LABEL));
	crypto_aead_chacha20poly1305_ietf_encrypt(body, NULL, fk, 16, NULL, 0,
	    NULL, zero_nonce, wrap);
	memcpy(out, "-> X25519 ", 10);
	b64_encode(b64, sizeof(b64), share, 32);
	memcpy(out + 10, b64, B64_32);
	out[10 + B64_32] = '\n';
	b64_encode(b64, sizeof(b64), body, 32);
	memcpy(out + 11 + B64_32, b64, B64_32);
	out[STANZA_LEN - 1] = '\n';
	rc = 0;
out:
	sodium_memzero(esk, sizeof(esk));
	sodium_memzero(shared, sizeof(shared));
	sodium_memzero(wrap, sizeof(wrap));
	return rc;
}

struct age_enc *
age_enc_new(const struct age_recipient *rs, size_t n, age_write_fn fn,
    void *ctx, struct err *e)
{
	struct age_enc *a = NULL;
	unsigned char fk[16], mkey[32], pkey[32], mac[32], *nonce;
	char *hdr = NULL, b64[B64_32 + 1];
	size_t len, i, vl = strlen(VERSION_LINE);
	int ok = 0;

	if (sodium_ready(e) < 0)
		return NULL;
	if (n == 0 || rs == NULL) {
		err_set(e, EX_CONFIG, "no age recipients to encrypt to");
		return NULL;
	}
	if (n > (HEADER_MAX - 100) / STANZA_LEN) {
		err_set(e, EX_CONFIG, "too many age recipients (%zu)", n);
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	len = vl + n * STANZA_LEN + 4 + B64_32 + 1 + 16;
	hdr = malloc(len);
	if (a == NULL || hdr == NULL) {
		err_sys(e, EX_OSERR, "cannot allocate the age encryptor");
		goto out;
	}
	a->fn = fn;
	a->ctx = ctx;
	randombytes_buf(fk, sizeof(fk));
	memcpy(hdr, VERSION_LINE, vl);
	for (i = 0; i < n; i++)
		if (x25519_stanza(hdr + vl + i * STANZA_LEN, fk, &rs[i], e) < 0)
			goto out;
	i = vl + n * STANZA_LEN;
	memcpy(hdr + i, "---", 3);
	hkdf_sha256(mkey, 32, "", 0, fk, 16, "header", 6);
	crypto_auth_hmacsha256(mac, (unsigned char *)hdr, i + 3, mkey);
	hdr[i + 3] = ' ';
	b64_encode(b64, sizeof(b64), mac, 32);
	memcpy(hdr + i + 4, b64, B64_32);
	hdr[i + 4 + B64_32] = '\n';
	nonce = (unsigned char *)hdr + i + 5 + B64_32;
	randombytes_buf(nonce, 16);
	hkdf_sha256(pkey, 32, nonce, 16, fk, 16, "payload", 7);
	a->cx = stream_ctx(pkey, 1, e);
	if (a->cx == NULL)
		goto out;
	if (fn(ctx, hdr, len) < 0) {
		err_sys(e, err_ex_for_errno(errno),
		    "cannot write the age header");
		goto out;
	}
	ok = 1;
out:
	sodium_memzero(fk, sizeof(fk));
	sodium_memzero(mkey, sizeof(mkey));
	sodium_memzero(pkey, sizeof(pkey));
	free(hdr);
	if (!ok) {
		age_enc_free(a);
		a = NULL;
	}
	return a;
}

unsigned long long
age_encrypted_size(unsigned long long plain_len, size_t n)
{
	unsigned long long chunks = plain_len == 0 ? 1 :
	    (plain_len + AGE_CHUNK - 1) / AGE_CHUNK;

	return strlen(VERSION_LINE) + (unsigned long long)n * STANZA_LEN +
	    4 + B64_32 + 1 + 16 + plain_len + 16 * chunks;
}

/* Seal len bytes at m (may be a->buf) as the next chunk and write it. */
static int
seal(struct age_enc *a, const unsigned char *m, size_t len, int last,
    struct err *e)
{
	unsigned char nonce[12];

	stream_nonce(nonce, a->counter, last);
	if (stream_seal(a->cx, a->buf, a->buf + len, m, len, nonce) < 0) {
		err_set(e, EX_SOFTWARE, "ChaCha20-Poly1305 encryption failed");
		a->state = -1;
		return -1;
	}
	if (a->fn(a->ctx, a->buf, len + 16) < 0) {
		err_sys(e, err_ex_for_errno(errno),
		    "cannot write encrypted data");
		a->state = -1;
		return -1;
	}
	a->counter++;
	return 0;
}

static int
enc_usable(struct age_enc *a, struct err *e)
{
	if (a == NULL || a->state != 0) {
		err_set(e, EX_SOFTWARE, "age encryptor used after %s",
		    a != NULL && a->state > 0 ? "finish" : "an error");
		return -1;
	}
	return 0;
}

int
age_enc_write(struct age_enc *a, const void *buf, size_t len, struct err *e)
{
	const unsigned char *p = buf;
	size_t k;

	if (enc_usable(a, e) < 0)
		return -1;
	while (len > 0) {
		/* A full chunk is sealed only once we know it is not last. */
		if (a->fill == AGE_CHUNK) {
			if (seal(a, a->buf, AGE_CHUNK, 0, e) < 0)
				return -1;
			a->fill = 0;
		}
		if (a->fill == 0 && len > AGE_CHUNK) {
			/* Straight from the caller's buffer: no copy. */
			if (seal(a, p, AGE_CHUNK, 0, e) < 0)
				return -1;
			p += AGE_CHUNK;
			len -= AGE_CHUNK;
			continue;
		}
		k = AGE_CHUNK - a->fill < len ? AGE_CHUNK - a->fill : len;
		memcpy(a->buf + a->fill, p, k);
		a->fill += k;
		p += k;
		len -= k;
	}
	return 0;
}

int
age_enc_finish(struct age_enc *a, struct err *e)
{
	if (enc_usable(a, e) < 0)
		return -1;
	/* Empty only when the whole payload is empty (see age_enc_write). */
	if (seal(a, a->buf, a->fill, 1, e) < 0)
		return -1;
	a->fill = 0;
	a->state = 1;
	return 0;
}

void
age_enc_free(struct age_enc *a)
{
	if (a == NULL)
		return;
	EVP_CIPHER_CTX_free(a->cx);	/* cleanses the key schedule */
	sodium_memzero(a, sizeof(*a));
	free(a);
}

/* ---- header parsing (decryption and the structure check) ---- */

/* Buffered reading through an age_read_fn. */
struct rd {
	age_read_fn fn;
	void *ctx;
	unsigned char *buf;
	size_t cap, pos, fill;
	int eof;
	uint64_t done;		/* bytes consumed before buf[0] */
};

/* Read more into r->buf after fill; 0 (also at EOF) or -1. */
static int
rd_more(struct rd *r, struct err *e)
{
	ssize_t n;

	if (r->eof || r->fill == r->cap)
		return 0;
	do
		n = r->fn(r->ctx, r->buf + r->fill, r->cap - r->fill);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		err_sys(e, err_ex_for_errno(errno) == EX_TEMPFAIL ?
		    EX_TEMPFAIL : EX_IOERR, "cannot read the age file");
		return -1;
	}
	if (n == 0)
		r->eof = 1;
	r->fill += (size_t)n;
	return 0;
}

/* Read until want bytes are buffered (from buf) or EOF; 0 or -1. */
static int
rd_fill(struct rd *r, size_t want, struct err *e)
{
	while (r->fill < want && !r->eof)
		if (rd_more(r, e) < 0)
			return -1;
	return 0;
}

/* Move unread bytes to the front of the buffer. */
static void
rd_compact(struct rd *r)
{
	if (r->pos == 0)
		return;
	memmove(r->buf, r->buf + r->pos, r->fill - r->pos);
	r->fill -= r->pos;
	r->done += r->pos;
	r->pos = 0;
}

/* Next header line (without LF) at *line, *len; valid until next call. */
static int
rd_line(struct rd *r, const char **line, size_t *len, struct err *e)
{
	unsigned char *nl;

	for (;;) {
		nl = memchr(r->buf + r->pos, '\n', r->fill - r->pos);
		if (nl != NULL) {
			*line = (const char *)r->buf + r->pos;
			*len = (size_t)(nl - (r->buf + r->pos));
			r->pos += *len + 1;
			return 0;
		}
		rd_compact(r);
		if (r->fill == r->cap) {
			err_set(e, EX_DATAERR, "malformed age header: "
			    "line too long");
			return -1;
		}
		if (r->eof) {
			err_set(e, EX_DATAERR, "truncated age file: "
			    "the header is incomplete");
			return -1;
		}
		if (rd_more(r, e) < 0)
			return -1;
	}
}

struct x25519_stanza {
	unsigned char share[32];
	unsigned char body[32];
};

struct hdr {
	char *text;			/* header up to and including "---" */
	size_t len, cap;
	struct x25519_stanza *xs;	/* the X25519 stanzas, in order */
	size_t nx, nstanzas;
	unsigned char mac[32];
};

static void
hdr_free(struct hdr *h)
{
	free(h->text);
	free(h->xs);
	memset(h, 0, sizeof(*h));
}

static int
hdr_append(struct hdr *h, const char *s, size_t n, struct err *e)
{
	char *t;
	size_t cap;

	if (h->len + n + 1 > HEADER_MAX) {
		err_set(e, EX_DATAERR, "malformed age header: too long");
		return -1;
	}
	if (h->len + n + 1 > h->cap) {
		cap = h->cap ? h->cap : 1024;
		while (cap < h->len + n + 1)
			cap *= 2;
		t = realloc(h->text, cap);
		if (t == NULL) {
			err_sys(e, EX_OSERR, "cannot read the age header");
			return -1;
		}
		h->text = t;
		h->cap = cap;
	}
	memcpy(h->text + h->len, s, n);
	h->len += n;
	return 0;
}

/* Split "-> a b c" arguments; checks 1*VCHAR each, single spaces. */
static int
stanza_args(const char *s, size_t n, const char **arg, size_t *alen,
    size_t max, size_t *nargs)
{
	size_t i, k = 0, start = 0;

	if (n == 0)
		return -1;
	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == ' ') {
			if (i == start)
				return -1;	/* empty argument */
			if (k < max) {
				arg[k] = s + start;
				alen[k] = i - start;
			}
			k++;
			start = i + 1;
		} else if ((unsigned char)s[i] < 0x21 ||
		    (unsigned char)s[i] > 0x7e) {
			return -1;
		}
	}
	*nargs = k;
	return 0;
}

/* Parse one stanza whose arg line (after "-> ") is s[0..n). */
static int
parse_stanza(struct rd *r, struct hdr *h, const char *s, size_t n,
    struct err *e)
{
	const char *arg[3], *line;
	size_t alen[3], nargs, len, blen = 0, bcap = 0, dl, k;
	char *b64 = NULL, *t;
	unsigned char *body = NULL, share[32];
	struct x25519_stanza *xs;
	int x25519, rc = -1;

	if (stanza_args(s, n, arg, alen, 3, &nargs) < 0) {
		err_set(e, EX_DATAERR, "malformed age header: bad stanza "
		    "arguments");
		return -1;
	}
	x25519 = alen[0] == 6 && memcmp(arg[0], "X25519", 6) == 0;
	if (x25519 && (nargs != 2 || alen[1] != B64_32 ||
	    b64_decode(share, sizeof(share), arg[1], alen[1], &dl) < 0 ||
	    dl != 32)) {
		err_set(e, EX_DATAERR, "malformed age header: bad X25519 "
		    "stanza arguments");
		return -1;
	}
	if (hdr_append(h, "-> ", 3, e) < 0 || hdr_append(h, s, n, e) < 0 ||
	    hdr_append(h, "\n", 1, e) < 0)
		return -1;
	/* Body: full 64-column lines, then one shorter (maybe empty) line. */
	do {
		if (rd_line(r, &line, &len, e) < 0)
			goto out;
		if (len > 64) {
			err_set(e, EX_DATAERR, "malformed age header: stanza "
			    "body line longer than 64 columns");
			goto out;
		}
		for (k = 0; k < len; k++)
			if (!is_b64char((unsigned char)line[k])) {
				err_set(e, EX_DATAERR, "malformed age header: "
				    "bad stanza body line");
				goto out;
			}
		if (hdr_append(h, line, len, e) < 0 ||
		    hdr_append(h, "\n", 1, e) < 0)
			goto out;
		if (blen + len > bcap) {
			bcap = bcap ? bcap * 2 : 256;
			t = realloc(b64, bcap);
			if (t == NULL) {
				err_sys(e, EX_OSERR, "cannot read age header");
				goto out;
			}
			b64 = t;
		}
		if (len > 0)	/* b64 is still NULL for an empty body */
			memcpy(b64 + blen, line, len);
		blen += len;
	} while (len == 64);
	body = malloc(blen / 4 * 3 + 3);
	if (body == NULL) {
		err_sys(e, EX_OSERR, "cannot read the age header");
		goto out;
	}
	if (b64_decode(body, blen / 4 * 3 + 3, b64, blen, &dl) < 0) {
		err_set(e, EX_DATAERR, "malformed age header: stanza body is "
		    "not canonical base64");
		goto out;
	}
	h->nstanzas++;
	if (x25519) {
		if (dl != 32) {
			err_set(e, EX_DATAERR, "malformed age header: X25519 "
			    "stanza body is %zu bytes, not 32", dl);
			goto out;
		}
		xs = realloc(h->xs, (h->nx + 1) * sizeof(*xs));
		if (xs == NULL) {
			err_sys(e, EX_OSERR, "cannot read the age header");
			goto out;
		}
		h->xs = xs;
		memcpy(xs[h->nx].share, share, 32);
		memcpy(xs[h->nx].body, body, 32);
		h->nx++;
	}
	rc = 0;
out:
	free(body);
	free(b64);
	return rc;
}

/* Read and check the header through r, up to the MAC line. */
static int
parse_header(struct rd *r, struct hdr *h, struct err *e)
{
	size_t vl = strlen(VERSION_LINE), len, dl;
	const char *line;

	if (rd_fill(r, vl, e) < 0)
		return -1;
	if (r->fill < vl || memcmp(r->buf, VERSION_LINE, vl) != 0) {
		if (r->fill >= 19 && memcmp(r->buf, "age-encryption.org/", 19)
		    == 0)
			err_set(e, EX_DATAERR, "unsupported age file version");
		else if (r->fill >= 10 && memcmp(r->buf, "-----BEGIN", 10) == 0)
			err_set(e, EX_DATAERR, "armored (PEM) age files are "
			    "not supported");
		else if (r->fill == 0)
			err_set(e, EX_DATAERR, "not an age file: empty");
		else
			err_set(e, EX_DATAERR, "not an age file: no "
			    "age-encryption.org/v1 line");
		return -1;
	}
	r->pos = vl;
	if (hdr_append(h, VERSION_LINE, vl, e) < 0)
		return -1;
	for (;;) {
		if (rd_line(r, &line, &len, e) < 0)
			return -1;
		if (len >= 3 && memcmp(line, "---", 3) == 0) {
			if (h->nstanzas == 0) {
				err_set(e, EX_DATAERR, "malformed age header: "
				    "no recipient stanza");
				return -1;
			}
			if (len != 4 + B64_32 || line[3] != ' ' ||
			    b64_decode(h->mac, sizeof(h->mac), line + 4,
			    B64_32, &dl) < 0 || dl != 32) {
				err_set(e, EX_DATAERR, "malformed age header: "
				    "bad MAC line");
				return -1;
			}
			return hdr_append(h, "---", 3, e);
		}
		if (len >= 3 && memcmp(line, "-> ", 3) == 0) {
			if (parse_stanza(r, h, line + 3, len - 3, e) < 0)
				return -1;
			continue;
		}
		err_set(e, EX_DATAERR, "malformed age header: unexpected line");
		return -1;
	}
}

/* ---- decryption ---- */

struct age_dec {
	struct rd r;			/* reads into in[] */
	EVP_CIPHER_CTX *cx;		/* holds the payload key */
	uint64_t counter;		/* chunks decrypted */
	int state;			/* 0 open, 1 verified end, -1 failed */
	size_t opos, olen;		/* plaintext waiting in out[] */
	unsigned char in[ENC_CHUNK + 1];
	unsigned char out[AGE_CHUNK];
};

/* Try the identities on the X25519 stanzas; 1 found, 0 none, -1 error. */
static int
unwrap(const struct hdr *h, const struct age_identity *ids, size_t n,
    unsigned char fk[16], struct err *e)
{
	unsigned char pk[32], shared[32], salt[64], wrap[32];
	size_t i, j;
	int found = 0;

	for (i = 0; i < n && !found; i++) {
		crypto_scalarmult_base(pk, ids[i].sk);
		for (j = 0; j < h->nx && !found; j++) {
			if (crypto_scalarmult(shared, ids[i].sk,
			    h->xs[j].share) != 0) {
				err_set(e, EX_DATAERR, "malformed age header: "
				    "X25519 stanza with a low-order share");
				found = -1;
				break;
			}
			memcpy(salt, h->xs[j].share, 32);
			memcpy(salt + 32, pk, 32);
			hkdf_sha256(wrap, 32, salt, 64, shared, 32,
			    X25519_LABEL, strlen(X25519_LABEL));
			if (crypto_aead_chacha20poly1305_ietf_decrypt(fk, NULL,
			    NULL, h->xs[j].body, 32, NULL, 0, zero_nonce,
			    wrap) == 0)
				found = 1;
		}
	}
	sodium_memzero(shared, sizeof(shared));
	sodium_memzero(wrap, sizeof(wrap));
	return found;
}

struct age_dec *
age_dec_new(const struct age_identity *ids, size_t n, age_read_fn fn,
    void *ctx, struct err *e)
{
	struct age_dec *d = NULL;
	struct hdr h;
	unsigned char fk[16], mkey[32], pkey[32], mac[32];
	int ok = 0, found;

	memset(&h, 0, sizeof(h));
	if (sodium_ready(e) < 0)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		err_sys(e, EX_OSERR, "cannot allocate the age decryptor");
		return NULL;
	}
	d->r.fn = fn;
	d->r.ctx = ctx;
	d->r.buf = d->in;
	d->r.cap = sizeof(d->in);
	if (parse_header(&d->r, &h, e) < 0)
		goto out;
	found = unwrap(&h, ids, n, fk, e);
	if (found < 0)
		goto out;
	if (found == 0) {
		if (h.nx == 0)
			err_set(e, EX_NOPERM, "the age file has no X25519 "
			    "recipient (passphrase or another key type?)");
		else
			err_set(e, EX_NOPERM, "no identity matches any of the "
			    "%zu recipients of the age file", h.nx);
		goto out;
	}
	hkdf_sha256(mkey, 32, "", 0, fk, 16, "header", 6);
	crypto_auth_hmacsha256(mac, (unsigned char *)h.text, h.len, mkey);
	if (crypto_verify_32(mac, h.mac) != 0) {
		err_set(e, EX_DATAERR, "age header MAC mismatch: the header "
		    "was modified");
		goto out;
	}
	/* The payload nonce follows the header. */
	rd_compact(&d->r);
	if (rd_fill(&d->r, 16, e) < 0)
		goto out;
	if (d->r.fill < 16) {
		err_set(e, EX_DATAERR, "truncated age file: no payload nonce");
		goto out;
	}
	hkdf_sha256(pkey, 32, d->in, 16, fk, 16, "payload", 7);
	d->cx = stream_ctx(pkey, 0, e);
	if (d->cx == NULL)
		goto out;
	d->r.pos = 16;
	rd_compact(&d->r);
	ok = 1;
out:
	sodium_memzero(fk, sizeof(fk));
	sodium_memzero(mkey, sizeof(mkey));
	sodium_memzero(pkey, sizeof(pkey));
	hdr_free(&h);
	if (!ok) {
		age_dec_free(d);
		d = NULL;
	}
	return d;
}

/* Decrypt the next chunk into dst (AGE_CHUNK bytes); sets *plen. */
static int
open_chunk(struct age_dec *d, unsigned char *dst, size_t *plen,
    struct err *e)
{
	unsigned char nonce[12];
	size_t clen;
	int last;

	/* One byte past a full chunk tells whether it is the last one. */
	if (rd_fill(&d->r, ENC_CHUNK + 1, e) < 0)
		return -1;
	last = d->r.fill <= ENC_CHUNK;
	clen = last ? d->r.fill : ENC_CHUNK;
	if (last && clen == 0) {
		err_set(e, EX_DATAERR, "truncated age file: it ends after "
		    "%ju full chunks without a final chunk",
		    (uintmax_t)d->counter);
		return -1;
	}
	if (last && clen < 16) {
		err_set(e, EX_DATAERR, "truncated age file: incomplete chunk "
		    "%ju", (uintmax_t)d->counter);
		return -1;
	}
	if (last && clen == 16 && d->counter > 0) {
		err_set(e, EX_DATAERR, "malformed age file: empty final chunk");
		return -1;
	}
	stream_nonce(nonce, d->counter, last);
	if (stream_open(d->cx, dst, d->in, clen - 16, d->in + clen - 16,
	    nonce) < 0) {
		/* Tell truncation and trailing data from tampering. */
		stream_nonce(nonce, d->counter, !last);
		if (clen == ENC_CHUNK && stream_open(d->cx, dst, d->in,
		    clen - 16, d->in + clen - 16, nonce) == 0)
			err_set(e, EX_DATAERR, last ? "truncated age file: it "
			    "ends after %ju full chunks without a final chunk" :
			    "trailing data after the end of the age file "
			    "(after %ju chunks)", (uintmax_t)d->counter + 1);
		else
			err_set(e, EX_DATAERR, "age file chunk %ju does not "
			    "authenticate: truncated or modified",
			    (uintmax_t)d->counter);
		sodium_memzero(dst, AGE_CHUNK);
		return -1;
	}
	d->counter++;
	*plen = clen - 16;
	d->r.pos = clen;
	rd_compact(&d->r);
	if (last)
		d->state = 1;
	return 0;
}

ssize_t
age_dec_read(struct age_dec *d, void *buf, size_t len, struct err *e)
{
	size_t k;

	if (d == NULL || d->state < 0) {
		err_set(e, EX_SOFTWARE, "age decryptor used after an error");
		return -1;
	}
	for (;;) {
		if (d->opos < d->olen) {
			k = d->olen - d->opos < len ? d->olen - d->opos : len;
			memcpy(buf, d->out + d->opos, k);
			d->opos += k;
			return (ssize_t)k;
		}
		if (d->state == 1 || len == 0)
			return 0;
		if (len >= AGE_CHUNK) {
			/* Straight into the caller's buffer. */
			if (open_chunk(d, buf, &k, e) < 0) {
				d->state = -1;
				return -1;
			}
			if (k > 0 || d->state == 1)
				return (ssize_t)k;
			continue;
		}
		d->opos = d->olen = 0;
		if (open_chunk(d, d->out, &d->olen, e) < 0) {
			d->state = -1;
			return -1;
		}
	}
}

uint64_t
age_dec_chunks_offset(const struct age_dec *d)
{
	return d->r.done;
}

int
age_dec_chunk(struct age_dec *d, uint64_t i, int last, const void *c,
    size_t clen, void *out, size_t *plen, struct err *e)
{
	unsigned char nonce[12];

	if (d == NULL || d->cx == NULL) {
		err_set(e, EX_SOFTWARE, "age decryptor used after an error");
		return -1;
	}
	if (clen < 16 || clen > ENC_CHUNK || (!last && clen != ENC_CHUNK) ||
	    (last && clen == 16 && i > 0)) {
		err_set(e, EX_DATAERR, "age file chunk %ju: %zu bytes, not a "
		    "sealed %schunk", (uintmax_t)i, clen, last ? "final " :
		    "");
		return -1;
	}
	stream_nonce(nonce, i, last);
	if (stream_open(d->cx, out, c, clen - 16,
	    (const unsigned char *)c + clen - 16, nonce) < 0) {
		sodium_memzero(out, clen - 16);
		err_set(e, EX_DATAERR, "age file chunk %ju does not "
		    "authenticate: truncated or modified", (uintmax_t)i);
		return -1;
	}
	*plen = clen - 16;
	return 0;
}

int
age_chunk_range(uint64_t chunks_off, uint64_t file_size, uint64_t i,
    uint64_t *off, size_t *len, int *last)
{
	uint64_t p, n;

	if (file_size < chunks_off + 16)
		return -1;
	p = file_size - chunks_off;
	n = p <= ENC_CHUNK ? 1 : (p + ENC_CHUNK - 1) / ENC_CHUNK;
	if (i >= n)
		return -1;
	*off = chunks_off + i * ENC_CHUNK;
	*last = i == n - 1;
	*len = *last ? (size_t)(p - i * ENC_CHUNK) : ENC_CHUNK;
	return 0;
}

void
age_dec_free(struct age_dec *d)
{
	if (d == NULL)
		return;
	EVP_CIPHER_CTX_free(d->cx);	/* cleanses the key schedule */
	sodium_memzero(d, sizeof(*d));
	free(d);
}

/* ---- structure check ---- */

int
age_check_structure(age_read_fn fn, void *ctx, struct err *e)
{
	struct rd r;
	struct hdr h;
	uint64_t total, rest;
	int rc = -1;

	memset(&h, 0, sizeof(h));
	memset(&r, 0, sizeof(r));
	r.fn = fn;
	r.ctx = ctx;
	r.cap = ENC_CHUNK + 1;
	r.buf = malloc(r.cap);
	if (r.buf == NULL) {
		err_sys(e, EX_OSERR, "cannot check the age file");
		return -1;
	}
	if (parse_header(&r, &h, e) < 0)
		goto out;
	/* Count the payload: nonce, then sealed chunks. */
	total = r.fill - r.pos;
	while (!r.eof) {
		r.pos = r.fill = 0;
		if (rd_more(&r, e) < 0)
			goto out;
		total += r.fill;
	}
	if (total < 16) {
		err_set(e, EX_DATAERR, "truncated age file: no payload nonce");
		goto out;
	}
	total -= 16;
	rest = total % ENC_CHUNK;
	if (total == 0) {
		err_set(e, EX_DATAERR, "truncated age file: no payload");
		goto out;
	}
	if (total != 16 && rest > 0 && rest <= 16) {
		err_set(e, EX_DATAERR, "truncated age file: the last chunk "
		    "has %ju bytes, too short for STREAM", (uintmax_t)rest);
		goto out;
	}
	rc = 0;
out:
	hdr_free(&h);
	free(r.buf);
	return rc;
}

/* ---- file descriptor callbacks ---- */

ssize_t
age_fd_read(void *ctx, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(*(int *)ctx, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

int
age_fd_write(void *ctx, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(*(int *)ctx, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
