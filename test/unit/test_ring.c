/*
 * test_ring: lib/ring, the SPSC frame ring of rec-capture: sizes at the
 * wrap, and a producer and consumer thread moving a counted sequence of
 * frames in random chunks without loss, reordering or duplication.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "ring.h"

#define FB 6			/* odd-sized frames: 3 channels of 16 bits */
#define TOTAL 2000000

static struct ring r;
static int bad_seq;

static void
frame_fill(uint8_t *p, uint64_t i)
{
	memcpy(p, &i, 4);
	p[4] = (uint8_t)(i * 7);
	p[5] = (uint8_t)(i >> 32);
}

static void *
producer(void *arg)
{
	uint64_t i = 0;
	unsigned seed = 1;
	size_t n, k;
	uint8_t *p, tmp[FB * 50];

	(void)arg;
	while (i < TOTAL) {
		if (rand_r(&seed) % 2) {
			p = ring_wptr(&r, &n);
			k = (size_t)rand_r(&seed) % 300 + 1;
			if (n > k)
				n = k;
			if (n > TOTAL - i)
				n = TOTAL - i;
			for (k = 0; k < n; k++)
				frame_fill(p + k * FB, i + k);
			ring_commit(&r, n);
		} else {
			n = (size_t)rand_r(&seed) % 50 + 1;
			if (n > TOTAL - i)
				n = TOTAL - i;
			k = ring_space(&r);	/* only grows meanwhile */
			if (n > k)
				n = k;
			for (k = 0; k < n; k++)
				frame_fill(tmp + k * FB, i + k);
			CHECK(ring_put(&r, tmp, n) == n);
		}
		i += n;
	}
	ring_close(&r);
	return NULL;
}

static void *
consumer(void *arg)
{
	uint64_t i = 0, *out = arg;
	unsigned seed = 2;
	const uint8_t *p;
	uint8_t want[FB];
	size_t n, k;

	for (;;) {
		if (ring_wait(&r, 100) == 0) {
			if (ring_closed(&r) && ring_avail(&r) == 0)
				break;
			continue;
		}
		p = ring_rptr(&r, &n);
		k = (size_t)rand_r(&seed) % 400 + 1;
		if (n > k)
			n = k;
		for (k = 0; k < n; k++) {
			frame_fill(want, i + k);
			if (memcmp(p + k * FB, want, FB) != 0)
				bad_seq++;
		}
		ring_consume(&r, n);
		i += n;
	}
	*out = i;
	return NULL;
}

int
main(void)
{
	pthread_t a, b;
	uint64_t got = 0;
	size_t n;
	uint8_t f[FB * 10] = { 0 };
	void *w;
	const void *rp;

	/* Sizes around the wrap. */
	CHECK(ring_init(&r, 10, FB) == 0);
	CHECK(ring_space(&r) == 10 && ring_avail(&r) == 0);
	w = ring_wptr(&r, &n);
	CHECK(w == r.buf && n == 10);
	ring_commit(&r, 7);
	CHECK(ring_space(&r) == 3 && ring_avail(&r) == 7);
	rp = ring_rptr(&r, &n);
	CHECK(rp == r.buf && n == 7);
	ring_consume(&r, 5);
	w = ring_wptr(&r, &n);		/* 3 to the end, then wrap */
	CHECK(n == 3 && w == r.buf + 7 * FB);
	CHECK(ring_put(&r, f, 6) == 6);	/* 3 at the end, 3 at the start */
	CHECK(ring_space(&r) == 2 && ring_avail(&r) == 8);
	rp = ring_rptr(&r, &n);
	CHECK(n == 5 && rp == r.buf + 5 * FB);
	ring_consume(&r, 5);
	rp = ring_rptr(&r, &n);
	CHECK(n == 3 && rp == r.buf);
	CHECK(ring_put(&r, f, 10) == 7);	/* only what fits */
	CHECK(ring_space(&r) == 0);
	w = ring_wptr(&r, &n);
	CHECK(n == 0);
	ring_consume(&r, 10);
	CHECK(ring_avail(&r) == 0);
	CHECK(ring_wait(&r, 10) == 0);	/* times out */
	ring_close(&r);
	CHECK(ring_closed(&r));
	CHECK(ring_wait(&r, 100000) == 0);	/* closed: returns at once */
	ring_free(&r);
	CHECK(ring_init(&r, 0, FB) < 0);

	/* Two threads, a small ring (many wraps and full/empty states),
	 * then a large one whose pages are given back as they are read. */
	CHECK(ring_init(&r, 997, FB) == 0);
	pthread_create(&b, NULL, consumer, &got);
	pthread_create(&a, NULL, producer, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	CHECK(got == TOTAL);
	CHECK(bad_seq == 0);
	ring_free(&r);

	CHECK(ring_init(&r, 100003, FB) == 0);
	got = 0;
	pthread_create(&b, NULL, consumer, &got);
	pthread_create(&a, NULL, producer, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	CHECK(got == TOTAL);
	CHECK(bad_seq == 0);
	ring_free(&r);

	/* An empty ring starts again at the beginning of the buffer: only
	 * the first pages are touched while the consumer keeps up. */
	{
		size_t pg = (size_t)sysconf(_SC_PAGESIZE), np, i, res = 0;
		unsigned char *vec;
		uint8_t chunk[FB * 100];
		int k;

		CHECK(ring_init(&r, 65536, FB) == 0);
		np = (r.bytes + pg - 1) / pg;
		vec = malloc(np);
		for (k = 0; k < 5000; k++) {
			CHECK(ring_put(&r, chunk, 100) == 100);
			rp = ring_rptr(&r, &n);
			CHECK(n == 100 && rp == r.buf);
			ring_consume(&r, 70);
			rp = ring_rptr(&r, &n);
			CHECK(n == 30 && rp == r.buf + 70 * FB);
			ring_consume(&r, 30);
			CHECK(ring_avail(&r) == 0);
			CHECK(ring_space(&r) == 65536);
		}
		CHECK(mincore(r.buf, r.bytes, vec) == 0);
		for (i = 0; i < np; i++)
			res += vec[i] & 1;
		CHECK(res <= 1);
		/* Not empty: no rewind, the lap goes on. */
		CHECK(ring_put(&r, chunk, 100) == 100);
		rp = ring_rptr(&r, &n);
		ring_consume(&r, 50);
		w = ring_wptr(&r, &n);
		CHECK(w == r.buf + 100 * FB);
		free(vec);
		ring_free(&r);
	}
	return check_done();
}
