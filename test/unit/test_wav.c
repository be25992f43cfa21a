/* Unit tests: lib/wav, lib/guano, lib/pcm. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "guano.h"
#include "wav.h"

static void
roundtrip(enum pcm_format f, unsigned ch, unsigned frames, int crash)
{
	struct pcm_spec spec = { 48000, ch, f };
	struct guano g;
	struct wav_info wi;
	struct err e;
	uint8_t head[4096], *pcm;
	size_t hl, fb = pcm_frame_bytes(&spec), i;
	char tmpl[] = "/tmp/test_wav.XXXXXX", val[64];
	int fd;

	CHECK(guano_init(&g) == 0);
	CHECK(guano_add(&g, "Samplerate", "%u", spec.rate) == 0);
	CHECK(guano_add(&g, "REC|Odd", "x%s", "y\nz") == 0);
	hl = wav_head(head, sizeof(head), &spec, g.buf, g.len);
	CHECK(hl > 0);
	fd = mkstemp(tmpl);
	CHECK(fd >= 0);
	unlink(tmpl);
	CHECK(write(fd, head, hl) == (ssize_t)hl);
	pcm = malloc(frames * fb + 3);
	for (i = 0; i < frames * fb + 3; i++)
		pcm[i] = (uint8_t)(i * 7 + 1);
	/* a crash may leave a partial frame at the end */
	CHECK(write(fd, pcm, frames * fb + (crash ? 3 % fb : 0)) ==
	    (ssize_t)(frames * fb + (crash ? 3 % fb : 0)));

	CHECK(wav_parse(fd, &wi, &e) == 0);
	CHECK(!wi.finished);
	CHECK(wi.frames == frames);
	CHECK(wi.data_off == hl);
	CHECK(wi.spec.channels == ch && wi.spec.format == f);
	CHECK(wi.guano != NULL && strstr(wi.guano, "Samplerate: 48000"));
	CHECK(guano_add(&g, "REC|Frames", "%u", frames) == 0);
	CHECK(wav_finish(fd, wi.data_off, wi.data_len, g.buf, g.len) == 0);
	wav_info_free(&wi);

	CHECK(wav_parse(fd, &wi, &e) == 0);
	CHECK(wi.finished);
	CHECK(wi.frames == frames);
	CHECK(wi.guano != NULL);
	CHECK(guano_get(wi.guano, wi.guano_len, "REC|Frames", val,
	    sizeof(val)) > 0 && (unsigned)atoi(val) == frames);
	CHECK(guano_get(wi.guano, wi.guano_len, "REC|Odd", val,
	    sizeof(val)) > 0);
	CHECK_STR(val, "xy z");
	CHECK(guano_get(wi.guano, wi.guano_len, "Nope", val, sizeof(val)) < 0);
	{
		uint8_t *back = malloc(wi.data_len + 1);
		CHECK(pread(fd, back, wi.data_len, wi.data_off) ==
		    (ssize_t)wi.data_len);
		CHECK(memcmp(back, pcm, wi.data_len) == 0);
		free(back);
	}
	/* exactly one guan chunk is left */
	{
		off_t len = lseek(fd, 0, SEEK_END);
		char *all = malloc(len);
		int count = 0;
		off_t k;
		CHECK(pread(fd, all, len, 0) == len);
		for (k = 0; k + 4 <= len; k++)
			if (memcmp(all + k, "guan", 4) == 0 &&
			    (k < (off_t)wi.data_off ||
			    k >= (off_t)(wi.data_off + wi.data_len)))
				count++;
		CHECK(count == 1);
		free(all);
	}
	wav_info_free(&wi);
	/* finishing twice (a crash in the middle of finishing) is fine */
	CHECK(wav_finish(fd, hl, (uint64_t)frames * fb, g.buf, g.len) == 0);
	CHECK(wav_parse(fd, &wi, &e) == 0 && wi.finished && wi.frames == frames);
	wav_info_free(&wi);
	guano_free(&g);
	free(pcm);
	close(fd);
}

/*
 * What a power cut in wav_finish can leave: the data size stale with a
 * complete final chunk (its text is not PCM), and a zeroed final chunk
 * (not GUANO; the start-of-segment text is still found in the JUNK
 * chunk).
 */
static void
powercut(enum pcm_format f, unsigned ch, unsigned frames)
{
	struct pcm_spec spec = { 8000, ch, f };
	struct guano g;
	struct wav_info wi;
	struct err e;
	uint8_t head[4096], *pcm, ff[4] = { 0xff, 0xff, 0xff, 0xff }, *z;
	size_t hl, fb = pcm_frame_bytes(&spec), dl = frames * fb, i;
	char tmpl[] = "/tmp/test_wav.XXXXXX";
	off_t end;
	int fd;

	CHECK(guano_init(&g) == 0);
	CHECK(guano_add(&g, "REC|Station", "x") == 0);
	hl = wav_head(head, sizeof(head), &spec, g.buf, g.len);
	CHECK((fd = mkstemp(tmpl)) >= 0);
	unlink(tmpl);
	CHECK(write(fd, head, hl) == (ssize_t)hl);
	pcm = malloc(dl);
	for (i = 0; i < dl; i++)
		pcm[i] = (uint8_t)(i * 13 + 5);
	CHECK(write(fd, pcm, dl) == (ssize_t)dl);
	CHECK(guano_add(&g, "REC|Frames", "%u", frames) == 0);
	CHECK(wav_finish(fd, hl, dl, g.buf, g.len) == 0);
	end = lseek(fd, 0, SEEK_END);

	/* stale data size: the final chunk ends the PCM, not EOF */
	CHECK(pwrite(fd, ff, 4, hl - 4) == 4);
	CHECK(wav_parse(fd, &wi, &e) == 0);
	CHECK(!wi.finished && wi.tail_ok);
	CHECK(wi.data_len == dl && wi.frames == frames);
	CHECK(wi.guano != NULL && strstr(wi.guano, "REC|Frames"));
	CHECK(wi.head_guano != NULL && strstr(wi.head_guano, "REC|Station"));
	wav_info_free(&wi);

	/* data size set, final chunk zeroed */
	CHECK(wav_finish(fd, hl, dl, g.buf, g.len) == 0);
	z = calloc(1, end - (off_t)(hl + dl));
	CHECK(pwrite(fd, z, end - (hl + dl), hl + dl) == end - (off_t)(hl + dl));
	CHECK(wav_parse(fd, &wi, &e) == 0);
	CHECK(!wi.tail_ok && wi.guano == NULL);
	CHECK(wi.data_len == dl);
	CHECK(wi.head_guano != NULL && strstr(wi.head_guano, "REC|Station"));
	wav_info_free(&wi);
	free(z);
	free(pcm);
	guano_free(&g);
	close(fd);
}

static void
bad_files(void)
{
	static const char *junk[] = { "", "RIFF", "RIFF\0\0\0\0WAVX",
		"RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x03\0\x02\0", NULL };
	struct wav_info wi;
	struct err e;
	char tmpl[] = "/tmp/test_wav.XXXXXX";
	int i, fd;

	for (i = 0; junk[i]; i++) {
		fd = mkstemp(tmpl);
		strcpy(tmpl, "/tmp/test_wav.XXXXXX");
		CHECK(write(fd, junk[i], strlen(junk[i]) + (i == 3 ? 20 : 0))
		    >= 0);
		CHECK(wav_parse(fd, &wi, &e) < 0 && e.ex == 65);
		close(fd);
	}
}

int
main(void)
{
	enum pcm_format f;

	CHECK(pcm_format_parse("s24_3le", &f) == 0 && f == PCM_S24_3LE);
	CHECK(pcm_format_parse("U8", &f) < 0);
	roundtrip(PCM_S16_LE, 2, 4800, 0);
	roundtrip(PCM_S16_LE, 1, 1, 1);
	roundtrip(PCM_S24_3LE, 1, 999, 1);
	roundtrip(PCM_S24_3LE, 3, 1000, 0);
	roundtrip(PCM_S32_LE, 6, 17, 1);
	roundtrip(PCM_S16_LE, 2, 0, 0);
	powercut(PCM_S16_LE, 2, 1000);
	powercut(PCM_S24_3LE, 1, 333);
	bad_files();
	return check_done();
}
