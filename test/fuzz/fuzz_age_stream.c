/*
 * fuzz_age_stream: the STREAM framing of lib/age.c both ways. The input
 * chooses a plaintext (length up to three chunks and a bit, bytes from
 * the input), the sizes of the age_enc_write calls, and one edit of the
 * encrypted file (none, cut k bytes, cut to a chunk boundary, append,
 * flip one bit). Checks: an unedited file decrypts to the plaintext and
 * passes age_check_structure; an edited one fails to decrypt, and
 * whatever plaintext came out before the failure is a prefix of the true
 * one (only authenticated bytes are returned).
 */
#include <stdlib.h>
#include <string.h>

#include "age.h"
#include "fuzz.h"

#define TEST_RECIPIENT \
	"age1v52l8hp9773z7uj8txgfjq80892cw8e6uvn4dpd0gdmsl8e5x48qlnwlha"
#define TEST_IDENTITY \
	"AGE-SECRET-KEY-1PC5SQE3XZFWKSHTKGL5RS6WLV93HJN2MF4P70VRV8N7GE7XRDZKSMC32NY"
#define CTL	12		/* control bytes at the input's start */
#define SEALED	(AGE_CHUNK + 16)

struct mem {
	unsigned char *p;
	size_t len, cap, pos, step;
};

static int
mem_write(void *ctx, const void *buf, size_t len)
{
	struct mem *m = ctx;

	if (m->len + len > m->cap) {
		size_t cap = (m->len + len) * 2;
		unsigned char *np = realloc(m->p, cap);
		if (np == NULL)
			return -1;
		m->p = np;
		m->cap = cap;
	}
	memcpy(m->p + m->len, buf, len);
	m->len += len;
	return 0;
}

static ssize_t
mem_read(void *ctx, void *buf, size_t len)
{
	struct mem *m = ctx;
	size_t k = m->len - m->pos;

	if (k > len)
		k = len;
	if (m->step && k > m->step)
		k = m->step;
	memcpy(buf, m->p + m->pos, k);
	m->pos += k;
	return (ssize_t)k;
}

static int
keys(struct age_recipient *r, struct age_identity *id)
{
	static const char text[] = TEST_IDENTITY "\n";
	struct age_identity *ids = NULL;
	struct err e;
	size_t n = 0;
	const char *path = fuzz_file((const uint8_t *)text, sizeof(text) - 1);

	if (age_recipient_parse(TEST_RECIPIENT, r, &e) < 0 ||
	    age_identities_load(path, &ids, &n, &e) < 0 || n != 1)
		return -1;
	*id = ids[0];
	age_identities_free(ids, n);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct age_recipient r;
	static struct age_identity id;
	static int ready;
	struct mem m = { 0 };
	struct age_enc *a;
	struct age_dec *d;
	struct err e;
	unsigned char *plain, *got;
	size_t plen, wstep, off, glen = 0, arg, i;
	unsigned op;
	ssize_t n;
	int edited, rc;

	if (!ready) {
		if (keys(&r, &id) < 0)
			abort();
		ready = 1;
	}
	if (size < CTL)
		return 0;
	plen = (data[0] | (size_t)data[1] << 8 | (size_t)data[2] << 16) %
	    (3 * AGE_CHUNK + 64);
	wstep = 1 + (data[3] | (size_t)data[4] << 8 | (size_t)data[5] << 16);
	op = data[6] % 5;
	arg = data[7] | (size_t)data[8] << 8 | (size_t)data[9] << 16;
	m.step = data[10] % 3 == 0 ? 1 + data[11] * 37u : 0;
	if ((plain = malloc(plen + 1)) == NULL ||
	    (got = malloc(plen + AGE_CHUNK)) == NULL)
		abort();
	for (i = 0; i < plen; i++)
		plain[i] = size > CTL ? data[CTL + i % (size - CTL)] :
		    (unsigned char)i;

	/* encrypt in wstep-byte writes */
	if ((a = age_enc_new(&r, 1, mem_write, &m, &e)) == NULL)
		abort();
	for (off = 0; off < plen; off += wstep)
		if (age_enc_write(a, plain + off, plen - off < wstep ?
		    plen - off : wstep, &e) < 0)
			abort();
	if (age_enc_finish(a, &e) < 0)
		abort();
	age_enc_free(a);
	if (m.len != age_encrypted_size(plen, 1))
		abort();

	/* one edit, counted from the end (where the framing is) */
	edited = 1;
	switch (op) {
	case 0:
		edited = 0;
		break;
	case 1:		/* cut 1..arg bytes, keeping the header */
		arg = 1 + arg % (m.len > 200 ? m.len - 200 : 1);
		if (arg >= m.len)
			arg = 1;
		m.len -= arg;
		break;
	case 2:		/* cut to a sealed-chunk boundary of the payload */
		off = age_encrypted_size(0, 1) - 16;	/* header + nonce */
		if (m.len - off <= SEALED) {
			edited = 0;
			break;
		}
		m.len = off + SEALED * (1 + arg % ((m.len - off - 1) / SEALED));
		break;
	case 3:		/* append 1..16 bytes */
		for (i = 0; i <= arg % 16; i++) {
			unsigned char c = (unsigned char)arg;
			if (mem_write(&m, &c, 1) < 0)
				abort();
		}
		break;
	case 4:		/* flip one bit anywhere */
		m.p[arg % m.len] ^= (unsigned char)(1u << (data[11] % 8));
		break;
	}

	if (!edited && age_check_structure(mem_read, &m, &e) < 0)
		abort();
	m.pos = 0;
	rc = -1;
	if ((d = age_dec_new(&id, 1, mem_read, &m, &e)) != NULL) {
		while ((n = age_dec_read(d, got + glen, data[10] % 2 ?
		    AGE_CHUNK : 777, &e)) > 0) {
			glen += (size_t)n;
			if (glen > plen)
				abort();
		}
		rc = n == 0 ? 0 : -1;
		age_dec_free(d);
	}
	if (glen > plen || memcmp(got, plain, glen) != 0)
		abort();	/* unauthenticated or wrong plaintext */
	if (!edited && (rc != 0 || glen != plen))
		abort();	/* a good file must decrypt */
	if (edited && rc == 0)
		abort();	/* an edited file must not */
	free(m.p);
	free(got);
	free(plain);
	return 0;
}
