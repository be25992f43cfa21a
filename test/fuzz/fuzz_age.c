/*
 * fuzz_age: an age file through age_check_structure (no identity) and
 * through age_dec_new + age_dec_read with the identity of
 * test/fuzz/age-test.key, whose recipient the seed files were encrypted
 * to with the stock age, so mutations reach the header MAC and the
 * payload. Reads come in odd sizes for some inputs (as from a pipe).
 */
#include <stdlib.h>
#include <string.h>

#include "age.h"
#include "fuzz.h"

#define TEST_IDENTITY \
	"AGE-SECRET-KEY-1PC5SQE3XZFWKSHTKGL5RS6WLV93HJN2MF4P70VRV8N7GE7XRDZKSMC32NY"

struct src {
	const uint8_t *p;
	size_t len, pos, step;
	unsigned calls;
};

static ssize_t
src_read(void *ctx, void *buf, size_t len)
{
	struct src *s = ctx;
	size_t k = s->len - s->pos;

	if (k > len)
		k = len;
	if (s->step) {
		size_t lim = 1 + (s->calls++ * 7) % s->step;
		if (k > lim)
			k = lim;
	}
	memcpy(buf, s->p + s->pos, k);
	s->pos += k;
	return (ssize_t)k;
}

/* The test identity, read the way rec reads identity files. */
static int
identity(struct age_identity *id)
{
	static const char text[] = TEST_IDENTITY "\n";
	struct age_identity *ids = NULL;
	struct err e;
	size_t n = 0;
	const char *path = fuzz_file((const uint8_t *)text, sizeof(text) - 1);

	if (age_identities_load(path, &ids, &n, &e) < 0 || n != 1)
		return -1;
	*id = ids[0];
	age_identities_free(ids, n);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct age_identity id;
	static int have_id;
	struct src s = { data, size, 0, 0, 0 };
	struct age_dec *d;
	struct err e;
	unsigned char *buf;
	ssize_t n;

	if (!have_id) {
		if (identity(&id) < 0)
			abort();
		have_id = 1;
	}
	s.step = size % 5 == 0 ? 4096 : size % 5 == 1 ? 13 : 0;
	(void)age_check_structure(src_read, &s, &e);
	s.pos = 0;
	s.calls = 0;
	if ((buf = malloc(AGE_CHUNK)) == NULL)
		abort();
	d = age_dec_new(&id, 1, src_read, &s, &e);
	if (d != NULL) {
		/* small reads then chunk-sized ones: both paths of read */
		size_t want = size % 2 ? 1000 : AGE_CHUNK;
		while ((n = age_dec_read(d, buf, want, &e)) > 0)
			;
		age_dec_free(d);
	}
	free(buf);
	return 0;
}
