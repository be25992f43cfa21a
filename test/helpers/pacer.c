/*
 * pacer: a real-time PCM source for tests and demos. Writes a
 * deterministic pseudo-random stream (from --seed) to stdout at the pace
 * of the clock, through a bounded buffer; frames that find the buffer
 * full are dropped and counted (the consumer was late = lost audio).
 *   pacer -r RATE -c CH -f FMT -d SECONDS [-b BUFFER_SECONDS] [--seed N] [-n]
 * -n writes the whole stream at once (the expected bytes); -d 0 without
 * -n runs until SIGTERM. At the end:
 * "pacer: frames=N dropped=M" on stderr; exit 0 (1 if stdout failed).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "pcm.h"

#define TICK_MS 5

static volatile sig_atomic_t stopped;
static uint64_t rng;
static uint8_t *buf;
static size_t cap, head, tail, fill;	/* bytes; guarded by mu */
static int gen_done, out_failed;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static void
on_term(int sig)
{
	(void)sig;
	stopped = 1;
}

/* The next byte of the stream (xorshift64*, one byte per step). */
static void
gen(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		rng ^= rng >> 12;
		rng ^= rng << 25;
		rng ^= rng >> 27;
		p[i] = (uint8_t)((rng * 2685821657736338717ULL) >> 56);
	}
}

static void *
writer(void *arg)
{
	size_t n;
	ssize_t w;

	(void)arg;
	pthread_mutex_lock(&mu);
	for (;;) {
		while (fill == 0 && !gen_done)
			pthread_cond_wait(&cv, &mu);
		if (fill == 0)
			break;
		n = cap - tail < fill ? cap - tail : fill;
		pthread_mutex_unlock(&mu);
		w = write(1, buf + tail, n);
		pthread_mutex_lock(&mu);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			out_failed = 1;
			break;
		}
		tail = (tail + (size_t)w) % cap;
		fill -= (size_t)w;
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "seed", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct pcm_spec spec = { 48000, 2, PCM_S16_LE };
	uint64_t v, dur_ms = 1000, buf_ms = 1000, frames, done = 0, dropped = 0;
	uint64_t due, seed = 1;
	int ch, nopace = 0;
	size_t fb;
	uint8_t *frame;
	struct timespec t0, now;
	struct sigaction sa;
	pthread_t th;

	while ((ch = getopt_long(argc, argv, "r:c:f:d:b:n", lo, NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (parse_uint(optarg, 1, 768000, &v) < 0)
				goto usage;
			spec.rate = (unsigned)v;
			break;
		case 'c':
			if (parse_uint(optarg, 1, 32, &v) < 0)
				goto usage;
			spec.channels = (unsigned)v;
			break;
		case 'f':
			if (pcm_format_parse(optarg, &spec.format) < 0)
				goto usage;
			break;
		case 'd':
			if (parse_duration_ms(optarg, &dur_ms) < 0)
				goto usage;
			break;
		case 'b':
			if (parse_duration_ms(optarg, &buf_ms) < 0 || buf_ms == 0)
				goto usage;
			break;
		case 's':
			if (parse_uint(optarg, 0, UINT64_MAX, &seed) < 0)
				goto usage;
			break;
		case 'n':
			nopace = 1;
			break;
		default:
			goto usage;
		}
	}
	fb = pcm_frame_bytes(&spec);
	frames = dur_ms / 1000 * spec.rate + dur_ms % 1000 * spec.rate / 1000;
	if (dur_ms == 0 && !nopace)
		frames = UINT64_MAX;		/* -d 0: until SIGTERM */
	rng = seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
	if (rng == 0)
		rng = 1;
	frame = malloc(fb * 4096);
	if (frame == NULL)
		return 1;
	if (nopace) {
		while (done < frames) {
			size_t n = frames - done < 4096 ? frames - done : 4096;

			gen(frame, n * fb);
			if (fwrite(frame, fb, n, stdout) != n) {
				out_failed = 1;
				break;
			}
			done += n;
		}
		if (fflush(stdout) != 0)
			out_failed = 1;
		goto end;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	cap = (buf_ms * spec.rate / 1000 + 1) * fb;
	buf = malloc(cap);
	if (buf == NULL)
		return 1;
	pthread_create(&th, NULL, writer, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (done < frames && !stopped) {
		struct timespec ts = { 0, TICK_MS * 1000000L };

		nanosleep(&ts, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
		due = (uint64_t)((now.tv_sec - t0.tv_sec) * 1000000000LL +
		    (now.tv_nsec - t0.tv_nsec)) * spec.rate / 1000000000ULL;
		if (due > frames)
			due = frames;
		while (done < due) {
			size_t n = due - done < 4096 ? due - done : 4096, i;

			gen(frame, n * fb);
			pthread_mutex_lock(&mu);
			for (i = 0; i < n; i++) {
				if (cap - fill < fb) {
					dropped++;
					continue;
				}
				/* cap is a multiple of fb: a frame never wraps */
				memcpy(buf + head, frame + i * fb, fb);
				head = (head + fb) % cap;
				fill += fb;
			}
			pthread_cond_signal(&cv);
			pthread_mutex_unlock(&mu);
			done += n;
		}
		if (out_failed)
			break;
	}
	pthread_mutex_lock(&mu);
	gen_done = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(th, NULL);
	free(buf);
end:
	free(frame);
	fprintf(stderr, "pacer: frames=%" PRIu64 " dropped=%" PRIu64 "\n",
	    done, dropped);
	return out_failed ? 1 : 0;
usage:
	fprintf(stderr, "usage: pacer -r RATE -c CH -f FMT -d SECONDS "
	    "[-b BUFFER_SECONDS] [--seed N] [-n]\n");
	return 64;
}
