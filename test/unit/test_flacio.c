/* Unit tests of lib/flacio: encode PCM of each format, decode it back
 * with the same PCM hash; the decoder refuses a wrong spec and damage. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "check.h"
#include "file.h"
#include "flacio.h"

struct mem { const unsigned char *p; size_t len, pos; };

static ssize_t
mem_read(void *ctx, void *buf, size_t len)
{
	struct mem *m = ctx;
	size_t n = m->len - m->pos < len ? m->len - m->pos : len;

	memcpy(buf, m->p + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static void
one(enum pcm_format f, unsigned ch, unsigned rate, uint64_t frames)
{
	struct pcm_spec spec = { rate, ch, f };
	size_t fb = pcm_frame_bytes(&spec), len = frames * fb;
	unsigned char *pcm = malloc(len + 1), want[32], got[32], h2[32];
	const char *tags[] = { "GUANO=GUANO|Version: 1.0\nx: y", "DATE=x" };
	struct mem m;
	unsigned char *flac;
	uint64_t flen;
	int ofd = memfd_create("flac", 0);
	struct err e;
	uint64_t n, seed = 7;
	int fd = memfd_create("pcm", 0);

	/* a small header before the PCM, as in a WAV file */
	for (size_t i = 0; i < len; i++) {
		seed = seed * 6364136223846793005ULL + 1;
		pcm[i] = (unsigned char)(i % fb < fb / 2 ? seed >> 60 :
		    seed >> 56);
	}
	CHECK(fd >= 0);
	CHECK(file_write_all(fd, "HEADER!!", 8) == 0);
	CHECK(file_write_all(fd, pcm, len) == 0);
	SHA256(pcm, len, want);
	/* encoded at an offset of a file, as into the staging file */
	CHECK(file_write_all(ofd, "PRECEDING MEMBER", 16) == 0);
	CHECK(flacio_encode(fd, 8, frames, &spec, 5, tags, 2, ofd, 16, &flen,
	    got, &e) == 0);
	CHECK(memcmp(got, want, 32) == 0);
	flac = malloc(flen);
	CHECK(file_pread_full(ofd, flac, flen, 16) == (ssize_t)flen);
	CHECK(flen > 42 && memcmp(flac, "fLaC", 4) == 0);
	struct { const unsigned char *p; size_t len; } out = { flac, flen };
	m = (struct mem){ out.p, out.len, 0 };
	CHECK(flacio_decode(mem_read, &m, &spec, &n, h2, &e) == 0);
	CHECK(n == frames);
	CHECK(memcmp(h2, want, 32) == 0);

	/* the wrong spec */
	spec.channels = ch + 1;
	m = (struct mem){ out.p, out.len, 0 };
	CHECK(flacio_decode(mem_read, &m, &spec, &n, h2, &e) == -1);
	spec.channels = ch;
	/* a flipped byte near the end */
	if (frames > 0) {
		flac[flen - 3] ^= 0x40;
		m = (struct mem){ out.p, out.len, 0 };
		CHECK(flacio_decode(mem_read, &m, &spec, &n, h2, &e) == -1);
	}
	/* the file shorter than frames says */
	CHECK(flacio_encode(fd, 8, frames + 10, &spec, 5, NULL, 0, ofd, 0,
	    &flen, got, &e) == -1);
	/* a write error is reported with its errno's exit code */
	CHECK(flacio_encode(fd, 8, frames, &spec, 5, NULL, 0, -1, 0, &flen,
	    got, &e) == -1 && e.ex != 0);
	free(flac);
	close(ofd);
	close(fd);
	free(pcm);
}

int
main(void)
{
	one(PCM_S16_LE, 2, 48000, 10000);
	one(PCM_S24_3LE, 1, 96000, 5000);
	one(PCM_S32_LE, 4, 8000, 4097);
	one(PCM_S16_LE, 1, 44100, 0);
	return check_done();
}
