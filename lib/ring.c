/*
 * ring: the lock-free SPSC frame ring between rec-capture's reader and
 * writer threads (see ring.h). The producer owns head and the skip
 * marks, the consumer owns tail; each reads the other's with acquire
 * ordering.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "ring.h"

int
ring_init(struct ring *r, size_t frames, size_t fb)
{
	memset(r, 0, sizeof(*r));
	if (frames == 0 || fb == 0) {
		errno = EINVAL;
		return -1;
	}
	if (frames > SIZE_MAX / fb) {
		errno = EOVERFLOW;
		return -1;
	}
	r->bytes = frames * fb;
	r->buf = mmap(NULL, r->bytes, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->buf == MAP_FAILED) {
		r->buf = NULL;
		return -1;
	}
	r->frames = frames;
	r->fb = fb;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->skip_from, 0);
	atomic_init(&r->skip_to, 0);
	atomic_init(&r->closed, 0);
	atomic_init(&r->sleeping, 0);
	atomic_init(&r->pwaiting, 0);
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	pthread_cond_init(&r->pcv, NULL);
	return 0;
}

void
ring_free(struct ring *r)
{
	if (r->buf == NULL)
		return;
	munmap(r->buf, r->bytes);
	r->buf = NULL;
	pthread_cond_destroy(&r->pcv);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
}

static struct timespec
deadline(int timeout_ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

/* --- producer --- */

/* The tail as the producer may count it: a skip the consumer has not
 * seen yet is as good as done (it was made when everything was read). */
static uint64_t
ptail(struct ring *r)
{
	uint64_t t = atomic_load_explicit(&r->tail, memory_order_acquire);

	if (t == atomic_load_explicit(&r->skip_from, memory_order_relaxed) &&
	    atomic_load_explicit(&r->skip_to, memory_order_relaxed) > t)
		return atomic_load_explicit(&r->skip_to, memory_order_relaxed);
	return t;
}

size_t
ring_space(struct ring *r)
{
	uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed);

	return r->frames - (size_t)(h - ptail(r));
}

/*
 * The ring is empty and the head is inside a lap: skip to the next lap,
 * so that writing starts again at the beginning of the buffer. The
 * consumer, having read everything, moves its tail there too.
 */
static void
rewind_if_empty(struct ring *r)
{
	uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint64_t t = ptail(r);
	uint64_t to;

	if (h != t || h % r->frames == 0)
		return;
	to = h + (r->frames - h % r->frames);
	atomic_store_explicit(&r->skip_to, to, memory_order_relaxed);
	atomic_store_explicit(&r->skip_from, h, memory_order_release);
	atomic_store_explicit(&r->head, to, memory_order_release);
}

void *
ring_wptr(struct ring *r, size_t *n)
{
	uint64_t h;
	size_t space, at, run;

	rewind_if_empty(r);
	h = atomic_load_explicit(&r->head, memory_order_relaxed);
	space = ring_space(r);
	at = (size_t)(h % r->frames);
	run = r->frames - at;
	*n = space < run ? space : run;
	return r->buf + at * r->fb;
}

static void
wake(struct ring *r, _Atomic int *flag, pthread_cond_t *cv)
{
	if (!atomic_load_explicit(flag, memory_order_seq_cst))
		return;
	pthread_mutex_lock(&r->mu);
	pthread_cond_signal(cv);
	pthread_mutex_unlock(&r->mu);
}

void
ring_commit(struct ring *r, size_t n)
{
	atomic_fetch_add_explicit(&r->head, n, memory_order_seq_cst);
	wake(r, &r->sleeping, &r->cv);
}

size_t
ring_put(struct ring *r, const void *src, size_t n)
{
	const uint8_t *p = src;
	size_t left = n, run;
	void *w;

	while (left > 0) {
		w = ring_wptr(r, &run);
		if (run == 0)
			break;
		if (run > left)
			run = left;
		memcpy(w, p, run * r->fb);
		p += run * r->fb;
		left -= run;
		atomic_fetch_add_explicit(&r->head, run, memory_order_seq_cst);
	}
	wake(r, &r->sleeping, &r->cv);
	return n - left;
}

size_t
ring_wait_space(struct ring *r, size_t want, int timeout_ms)
{
	struct timespec ts;

	if (want > r->frames)
		want = r->frames;
	if (ring_space(r) >= want || timeout_ms <= 0)
		return ring_space(r);
	ts = deadline(timeout_ms);
	pthread_mutex_lock(&r->mu);
	atomic_store_explicit(&r->pwaiting, 1, memory_order_seq_cst);
	while (ring_space(r) < want)
		if (pthread_cond_timedwait(&r->pcv, &r->mu, &ts) != 0)
			break;
	atomic_store_explicit(&r->pwaiting, 0, memory_order_seq_cst);
	pthread_mutex_unlock(&r->mu);
	return ring_space(r);
}

void
ring_close(struct ring *r)
{
	atomic_store(&r->closed, 1);
	ring_wake(r);
}

int
ring_closed(struct ring *r)
{
	return atomic_load(&r->closed);
}

/* --- consumer --- */

/* The head, after moving the tail over a skipped lap's rest. */
static uint64_t
sync_head(struct ring *r)
{
	uint64_t h = atomic_load_explicit(&r->head, memory_order_acquire);
	uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint64_t from, to;

	from = atomic_load_explicit(&r->skip_from, memory_order_acquire);
	if (from == t) {
		to = atomic_load_explicit(&r->skip_to, memory_order_relaxed);
		if (to > t && h >= to)
			atomic_store_explicit(&r->tail, to,
			    memory_order_release);
	}
	return h;
}

size_t
ring_avail(struct ring *r)
{
	uint64_t h = sync_head(r);

	return (size_t)(h - atomic_load_explicit(&r->tail,
	    memory_order_relaxed));
}

const void *
ring_rptr(struct ring *r, size_t *n)
{
	size_t avail = ring_avail(r), at, run;
	uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);

	at = (size_t)(t % r->frames);
	run = r->frames - at;
	*n = avail < run ? avail : run;
	return r->buf + at * r->fb;
}

void
ring_consume(struct ring *r, size_t n)
{
	atomic_fetch_add_explicit(&r->tail, n, memory_order_seq_cst);
	wake(r, &r->pwaiting, &r->pcv);
}

size_t
ring_wait(struct ring *r, int timeout_ms)
{
	struct timespec ts;
	size_t n;

	n = ring_avail(r);
	if (n > 0 || ring_closed(r) || timeout_ms <= 0)
		return n;
	ts = deadline(timeout_ms);
	pthread_mutex_lock(&r->mu);
	/* Announce the sleep before re-checking: a commit after this point
	 * sees `sleeping` and signals under the mutex we hold. */
	atomic_store_explicit(&r->sleeping, 1, memory_order_seq_cst);
	/* One wake-up (data, close or ring_wake) or the timeout is enough. */
	if (atomic_load(&r->head) == atomic_load(&r->tail) && !ring_closed(r))
		pthread_cond_timedwait(&r->cv, &r->mu, &ts);
	atomic_store_explicit(&r->sleeping, 0, memory_order_seq_cst);
	pthread_mutex_unlock(&r->mu);
	return ring_avail(r);
}

void
ring_wake(struct ring *r)
{
	pthread_mutex_lock(&r->mu);
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
}
