/*
 * ring: a fixed single-producer single-consumer ring of PCM frames.
 * The producer (rec-capture's reader thread) and the consumer (its writer
 * thread) never block each other: positions are atomics, and the mutex
 * only guards the condition variables they sleep on, never I/O.
 *
 * When the producer finds the ring empty, it starts again at the
 * beginning of the buffer (the consumer skips the rest of the lap): while
 * the consumer keeps up, only the first pages are ever touched, so
 * resident memory follows the frames in flight rather than the ring's
 * size (a large ring costs address space, not RAM, until it is needed).
 */
#ifndef REC_RING_H
#define REC_RING_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct ring {
	uint8_t *buf;			/* anonymous mapping */
	size_t frames;			/* capacity in frames */
	size_t fb;			/* bytes per frame */
	size_t bytes;
	_Atomic uint64_t head;		/* frames ever committed (+ skips) */
	_Atomic uint64_t tail;		/* frames ever consumed (+ skips) */
	_Atomic uint64_t skip_from;	/* a lap's rest the consumer skips */
	_Atomic uint64_t skip_to;
	_Atomic int closed;		/* producer is done */
	_Atomic int sleeping;		/* consumer waits on cv */
	_Atomic int pwaiting;		/* producer waits on pcv */
	pthread_mutex_t mu;
	pthread_cond_t cv;		/* consumer waits for frames */
	pthread_cond_t pcv;		/* producer waits for space */
};

/*
 * Map a ring of `frames` frames of `fb` bytes each (both > 0).
 * 0, or -1 with errno (ENOMEM, EINVAL, EOVERFLOW).
 */
int ring_init(struct ring *r, size_t frames, size_t fb);
void ring_free(struct ring *r);

/* Producer: free frames in total, and the contiguous free area at the
 * head (*n frames, possibly fewer than ring_space). */
size_t ring_space(struct ring *r);
void *ring_wptr(struct ring *r, size_t *n);
/* Producer: publish n frames written at ring_wptr; wakes the consumer. */
void ring_commit(struct ring *r, size_t n);
/* Producer: copy n frames from src (as many as fit); returns them. */
size_t ring_put(struct ring *r, const void *src, size_t n);
/*
 * Producer: wait until at least `want` frames are free (or timeout_ms
 * passed); returns the free frames. Only for sources that can wait (a
 * file): a live device's reader drops frames instead of waiting.
 */
size_t ring_wait_space(struct ring *r, size_t want, int timeout_ms);
/* Producer: no more frames will come; wakes the consumer. */
void ring_close(struct ring *r);

/* Consumer: frames available, and the contiguous area at the tail. */
size_t ring_avail(struct ring *r);
const void *ring_rptr(struct ring *r, size_t *n);
/* Consumer: release n frames read at ring_rptr. */
void ring_consume(struct ring *r, size_t n);
/*
 * Consumer: wait until frames are available, the ring is closed, or
 * timeout_ms passed (or ring_wake was called). Returns frames available.
 */
size_t ring_wait(struct ring *r, int timeout_ms);
/* Wake a consumer sleeping in ring_wait (e.g. on a stop request). */
void ring_wake(struct ring *r);
/* 1 once ring_close was called. */
int ring_closed(struct ring *r);

#endif
