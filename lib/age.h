/*
 * age: the age file format (age-encryption.org/v1) with X25519 recipients,
 * written and read in C. An encrypted archive is an ordinary age
 * file: `age -d -i IDENTITY` opens it, and files that `age -r` writes are
 * read here. The device holds only recipients (public keys); identities
 * (secret keys) are for verification on the owner's side and in tests.
 *
 * Uses libsodium (X25519, HMAC/HKDF-SHA-256, randomness) and OpenSSL
 * libcrypto (the payload's ChaCha20-Poly1305, about twice as fast as
 * libsodium 1.0.18's on x86-64, which keeps us under the Go age tool's
 * CPU): a program calling this links both (cmd/NAME/pkgs: libsodium
 * openssl). Thread-safe as long as each object is used by one thread.
 *
 * Errors: every function that can fail takes a struct err * and fills it:
 *   EX_CONFIG (78)   a malformed recipient or recipients/identity file line
 *                    (bad Bech32 checksum, wrong prefix, wrong key length)
 *   EX_NOINPUT (66)  a recipients/identity file that cannot be opened
 *   EX_DATAERR (65)  a malformed, truncated or tampered age file
 *   EX_NOPERM (77)   a well-formed age file that none of the given
 *                    identities can open (no X25519 stanza matches)
 *   EX_IOERR (74)    a failing read_fn (EX_TEMPFAIL for EAGAIN/EINTR-like
 *                    errno); a failing write_fn gives err_ex_for_errno()
 *                    (ENOSPC: EX_TEMPFAIL)
 *   EX_OSERR (71)    out of memory
 *   EX_SOFTWARE (70) a crypto library failure, or an object used after an
 *                    error or after age_enc_finish()
 * Secrets: file keys, payload keys, ephemeral secrets and identities are
 * wiped with sodium_memzero as soon as they are no longer needed, and in
 * every *_free().
 */
#ifndef REC_AGE_H
#define REC_AGE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

struct age_recipient { unsigned char pk[32]; };	/* X25519 public key */
struct age_identity { unsigned char sk[32]; };	/* wipe after use */

/* Payload chunk size of the STREAM construction (64 KiB). */
#define AGE_CHUNK 65536

/*
 * Parse "age1..." (Bech32, hrp "age", 32-byte key; all lowercase or all
 * uppercase). Returns 0, or -1 with e set (EX_CONFIG) naming what is wrong.
 * Input holding "AGE-SECRET-KEY-" or "AGE-PLUGIN-" anywhere, in any case
 * (a secret key pasted, quoted or indented, where a recipient belongs)
 * gets a message that says only that it is a secret key: no part of the
 * input is ever in it. Other errors quote at most 100 characters of s,
 * non-printable ones as '?'.
 */
int age_recipient_parse(const char *s, struct age_recipient *r, struct err *e);

/* Encode a recipient as "age1..." into out (at least 63 bytes + NUL). */
void age_recipient_format(const struct age_recipient *r, char out[64]);

/*
 * Read an age recipients file: one "age1..." per line, '#' comments, blank
 * lines and surrounding whitespace allowed. Appends to *rs (realloc'd; the
 * caller frees it with free()) and increments *n. A file with no recipient
 * at all is an error. Returns 0, or -1 with e set naming file:line
 * (EX_CONFIG) or the file (EX_NOINPUT, EX_NOPERM, EX_IOERR). On error *rs
 * and *n may already include the recipients read before the bad line; the
 * caller frees *rs either way.
 */
int age_recipients_load(const char *path, struct age_recipient **rs,
    size_t *n, struct err *e);

/*
 * Read an age identity file (as age-keygen writes it): lines
 * "AGE-SECRET-KEY-1..." (uppercase Bech32, hrp "age-secret-key-"), '#'
 * comments and blank lines; also accepted in lowercase. Appends to *ids
 * (grown without leaving unwiped copies) and increments *n; the caller
 * releases with age_identities_free(*ids, *n). A file with no identity is
 * an error. Plugin, post-quantum and passphrase-encrypted identity files
 * are refused (EX_CONFIG).
 * Returns 0, or -1 with e set like age_recipients_load(); messages never
 * contain key material. Both loaders read the file with read(2) into one
 * buffer (no stdio, no getline) that is wiped with sodium_memzero before
 * it is freed, so no copy of a line is left behind; a file over 1 MiB is
 * refused (EX_CONFIG).
 */
int age_identities_load(const char *path, struct age_identity **ids,
    size_t *n, struct err *e);
/* Wipe and free an identity array (NULL is fine). */
void age_identities_free(struct age_identity *ids, size_t n);
/* The recipient (public key) of an identity. */
void age_identity_to_recipient(const struct age_identity *id,
    struct age_recipient *r);

/*
 * Streaming encryption. Output goes through fn(ctx, buf, len), which writes
 * all of buf and returns 0, or -1 with errno set. age_enc_new() generates
 * a fresh file key, wraps it for each of the n (>= 1) recipients and writes
 * the header. age_enc_write() may be called any number of times with any
 * length; a full 64 KiB chunk is sealed and written as soon as the next
 * byte arrives (until then it might be the last one), and writes of more
 * than 64 KiB are encrypted straight from the caller's buffer. fn sees one
 * write for the header and one per 65552-byte chunk. age_enc_finish()
 * writes the last chunk; the output is a complete age file only after it
 * returned 0. On any error the encryptor is dead (further calls fail);
 * free it. A write error leaves e->ex from err_ex_for_errno(errno).
 */
typedef int (*age_write_fn)(void *ctx, const void *buf, size_t len);
struct age_enc;
struct age_enc *age_enc_new(const struct age_recipient *rs, size_t n,
    age_write_fn fn, void *ctx, struct err *e);
int age_enc_write(struct age_enc *a, const void *buf, size_t len,
    struct err *e);
int age_enc_finish(struct age_enc *a, struct err *e);
/* Wipes keys and buffers; NULL is fine; safe after finish or an error. */
void age_enc_free(struct age_enc *a);

/*
 * Exact size of the age file that encrypting plain_len bytes to n X25519
 * recipients produces (header, nonce, 16-byte tag per chunk); for checking
 * free space before writing.
 */
unsigned long long age_encrypted_size(unsigned long long plain_len,
    size_t n);

/*
 * Streaming decryption through fn(ctx, buf, len): returns bytes read (any
 * number up to len), 0 at end of file, -1 with errno set.
 * age_dec_new() reads and parses the header, unwraps the file key with the
 * first identity that matches an X25519 stanza and checks the header MAC.
 * Returns NULL with e set: EX_DATAERR for a malformed header or a bad MAC,
 * EX_NOPERM when no identity matches, EX_IOERR (or the errno's code) when
 * fn fails.
 * age_dec_read() returns up to len (> 0) bytes of authenticated
 * plaintext (a buffer of at least AGE_CHUNK bytes saves a copy), 0 at a
 * verified end of file (the last chunk authenticated and nothing after
 * it), or -1 with e set (EX_DATAERR on tampering, truncation or trailing
 * data). Plaintext is only returned after its chunk's tag was verified;
 * bytes returned before an error belong to chunks that were authentic.
 */
typedef ssize_t (*age_read_fn)(void *ctx, void *buf, size_t len);
struct age_dec;
struct age_dec *age_dec_new(const struct age_identity *ids, size_t n,
    age_read_fn fn, void *ctx, struct err *e);
ssize_t age_dec_read(struct age_dec *d, void *buf, size_t len,
    struct err *e);
/* Wipes keys and buffers; NULL is fine. */
void age_dec_free(struct age_dec *d);

/*
 * Ranged decryption (rec-get reads a few members of an archive in a
 * store). Each STREAM chunk decrypts on its own once the payload key is
 * known: chunk i (from 0) holds plaintext bytes i*AGE_CHUNK ..
 * (i+1)*AGE_CHUNK and its ciphertext lies at chunks_off + i*(AGE_CHUNK +
 * 16), AGE_CHUNK + 16 bytes (the last one: 17 .. AGE_CHUNK + 16, or 16
 * for an empty file), where chunks_off is the header's length plus the
 * 16-byte payload nonce. The nonce of chunk i is its counter plus the
 * last-chunk flag, so a chunk taken for another, or a last chunk for a
 * middle one, does not authenticate.
 *
 * Start with age_dec_new() over the file's first bytes (the header and
 * the nonce: a read fn that ends there is fine); then:
 * age_dec_chunks_offset() is chunks_off;
 * age_chunk_range() says where chunk i lies in a file of file_size bytes
 * (*off, *len) and whether it is the last (*last): 0, or -1 when the
 * file has no chunk i (or is shorter than chunks_off + 16);
 * age_dec_chunk() decrypts chunk i from its ciphertext c (clen bytes)
 * into out (AGE_CHUNK bytes) and sets *plen: 0, or -1 with e (EX_DATAERR:
 * a wrong length, tampering, or the wrong index or last flag; out is
 * wiped). It does not move age_dec_read()'s position: use one or the
 * other on a decryptor.
 */
uint64_t age_dec_chunks_offset(const struct age_dec *d);
int age_chunk_range(uint64_t chunks_off, uint64_t file_size, uint64_t i,
    uint64_t *off, size_t *len, int *last);
int age_dec_chunk(struct age_dec *d, uint64_t i, int last, const void *c,
    size_t clen, void *out, size_t *plen, struct err *e);

/*
 * Check what can be checked without an identity: the version line, the
 * stanzas (well-formed arguments, canonical base64 bodies wrapped at 64
 * columns, X25519 stanzas with a 32-byte share and a 32-byte wrapped key),
 * the MAC line, and that the payload length fits STREAM: a 16-byte nonce,
 * then chunks of 64 KiB + 16 bytes, the last one holding 1 byte to 64 KiB
 * of plaintext (17..65552 bytes; exactly 16 only for an empty file).
 * Reads fn to its end. Returns 0, or -1 with e set (EX_DATAERR, or
 * EX_IOERR when fn fails). This does not prove the file authentic, and a
 * file cut exactly at a chunk boundary still looks plausible: only
 * decryption tells.
 */
int age_check_structure(age_read_fn fn, void *ctx, struct err *e);

/* Read/write callbacks over a file descriptor (ctx is an int *). */
ssize_t age_fd_read(void *ctx, void *buf, size_t len);
int age_fd_write(void *ctx, const void *buf, size_t len);

#endif
