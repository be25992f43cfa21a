/* Unit tests of lib/flacio's encoder checks: libFLAC's verify mode is on
 * when the encoder starts, its MD5 signature is set, and a verify
 * mismatch fails the encode (EX_SOFTWARE, a message that says so).
 * The test interposes libFLAC functions (the executable's definitions
 * win over the shared library's) and forwards to the real ones. */
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sysexits.h>
#include <unistd.h>

#include <FLAC/stream_encoder.h>

#include "check.h"
#include "file.h"
#include "flacio.h"

static int inits, verify_at_init, fake_mismatch;

FLAC__StreamEncoderInitStatus
FLAC__stream_encoder_init_stream(FLAC__StreamEncoder *enc,
    FLAC__StreamEncoderWriteCallback w, FLAC__StreamEncoderSeekCallback s,
    FLAC__StreamEncoderTellCallback t, FLAC__StreamEncoderMetadataCallback m,
    void *ctx)
{
	FLAC__StreamEncoderInitStatus (*real)(FLAC__StreamEncoder *,
	    FLAC__StreamEncoderWriteCallback, FLAC__StreamEncoderSeekCallback,
	    FLAC__StreamEncoderTellCallback,
	    FLAC__StreamEncoderMetadataCallback, void *) =
	    (FLAC__StreamEncoderInitStatus (*)(FLAC__StreamEncoder *,
	    FLAC__StreamEncoderWriteCallback, FLAC__StreamEncoderSeekCallback,
	    FLAC__StreamEncoderTellCallback,
	    FLAC__StreamEncoderMetadataCallback, void *))
	    dlsym(RTLD_NEXT, "FLAC__stream_encoder_init_stream");

	inits++;
	verify_at_init = FLAC__stream_encoder_get_verify(enc);
	return real(enc, w, s, t, m, ctx);
}

/* With fake_mismatch: what libFLAC reports when a frame decodes to
 * other samples than the input. */
FLAC__bool
FLAC__stream_encoder_process_interleaved(FLAC__StreamEncoder *enc,
    const FLAC__int32 buffer[], uint32_t samples)
{
	FLAC__bool (*real)(FLAC__StreamEncoder *, const FLAC__int32 [],
	    uint32_t) = (FLAC__bool (*)(FLAC__StreamEncoder *,
	    const FLAC__int32 [], uint32_t))
	    dlsym(RTLD_NEXT, "FLAC__stream_encoder_process_interleaved");

	if (fake_mismatch)
		return false;
	return real(enc, buffer, samples);
}

FLAC__StreamEncoderState
FLAC__stream_encoder_get_state(const FLAC__StreamEncoder *enc)
{
	FLAC__StreamEncoderState (*real)(const FLAC__StreamEncoder *) =
	    (FLAC__StreamEncoderState (*)(const FLAC__StreamEncoder *))
	    dlsym(RTLD_NEXT, "FLAC__stream_encoder_get_state");

	if (fake_mismatch)
		return FLAC__STREAM_ENCODER_VERIFY_MISMATCH_IN_AUDIO_DATA;
	return real(enc);
}

int
main(void)
{
	struct pcm_spec spec = { 48000, 2, PCM_S16_LE };
	size_t frames = 20000, len = frames * pcm_frame_bytes(&spec);
	unsigned char *pcm = malloc(len), sha[32], md5[16], zero[16] = { 0 };
	int fd = memfd_create("pcm", 0), ofd = memfd_create("flac", 0);
	uint64_t flen, seed = 3;
	struct err e;

	CHECK(pcm != NULL && fd >= 0 && ofd >= 0);
	for (size_t i = 0; i < len; i++) {
		seed = seed * 6364136223846793005ULL + 1;
		pcm[i] = (unsigned char)(seed >> 58);
	}
	CHECK(file_write_all(fd, pcm, len) == 0);

	/* verify mode is on when the encoder starts */
	CHECK(flacio_encode(fd, 0, frames, &spec, 5, NULL, 0, ofd, 0, &flen,
	    sha, &e) == 0);
	CHECK(inits == 1);
	CHECK(verify_at_init);
	/* STREAMINFO's MD5 signature (bytes 26..41 of the stream) is set */
	CHECK(file_pread_full(ofd, md5, 16, 26) == 16);
	CHECK(memcmp(md5, zero, 16) != 0);

	/* a verify mismatch fails the encode and says what happened */
	fake_mismatch = 1;
	CHECK(flacio_encode(fd, 0, frames, &spec, 5, NULL, 0, ofd, 0, &flen,
	    sha, &e) == -1);
	CHECK(e.ex == EX_SOFTWARE);
	CHECK(strstr(e.msg, "does not decode to the input") != NULL);
	CHECK(strstr(e.msg, "VERIFY_MISMATCH") != NULL);
	fake_mismatch = 0;

	close(ofd);
	close(fd);
	free(pcm);
	return check_done();
}
