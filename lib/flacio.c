/*
 * flacio: FLAC members for rec-archive with libFLAC (see flacio.h).
 * Encoding streams the PCM in blocks of BLOCK frames; decoding
 * reconstructs the WAV byte layout to hash the PCM.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <FLAC/metadata.h>
#include <FLAC/stream_decoder.h>
#include <FLAC/stream_encoder.h>
#include <openssl/evp.h>

#include "file.h"
#include "flacio.h"

#define BLOCK	4096	/* frames per read */

_Static_assert(FLACIO_MAX_CHANNELS == FLAC__MAX_CHANNELS,
    "FLACIO_MAX_CHANNELS is libFLAC's limit");

/* The encoder's output: a file region from base on. */
struct out {
	int fd;
	uint64_t base, pos, len;
	int err;		/* errno of a failed write */
};

static FLAC__StreamEncoderWriteStatus
enc_write(const FLAC__StreamEncoder *enc, const FLAC__byte buffer[],
    size_t bytes, uint32_t samples, uint32_t frame, void *ctx)
{
	struct out *o = ctx;

	if (file_pwrite_all(o->fd, buffer, bytes, (off_t)(o->base +
	    o->pos)) == -1) {
		o->err = errno;
		return FLAC__STREAM_ENCODER_WRITE_STATUS_FATAL_ERROR;
	}
	o->pos += bytes;
	if (o->pos > o->len)
		o->len = o->pos;
	return FLAC__STREAM_ENCODER_WRITE_STATUS_OK;
}

static FLAC__StreamEncoderSeekStatus
enc_seek(const FLAC__StreamEncoder *enc, FLAC__uint64 off, void *ctx)
{
	struct out *o = ctx;

	if (off > o->len)
		return FLAC__STREAM_ENCODER_SEEK_STATUS_ERROR;
	o->pos = off;
	return FLAC__STREAM_ENCODER_SEEK_STATUS_OK;
}

static FLAC__StreamEncoderTellStatus
enc_tell(const FLAC__StreamEncoder *enc, FLAC__uint64 *off, void *ctx)
{
	*off = ((struct out *)ctx)->pos;
	return FLAC__STREAM_ENCODER_TELL_STATUS_OK;
}

/* The encoder failed: say why, a write error first. */
static void
enc_fail(struct err *e, const FLAC__StreamEncoder *enc, const struct out *o)
{
	FLAC__StreamEncoderState st;

	if (o->err != 0) {
		errno = o->err;
		err_sys(e, err_ex_for_errno(o->err), "cannot write the FLAC "
		    "stream");
		return;
	}
	st = FLAC__stream_encoder_get_state(enc);
	if (st == FLAC__STREAM_ENCODER_VERIFY_MISMATCH_IN_AUDIO_DATA ||
	    st == FLAC__STREAM_ENCODER_VERIFY_DECODER_ERROR) {
		err_set(e, EX_SOFTWARE, "FLAC encoder: the encoded audio does "
		    "not decode to the input (%s)",
		    FLAC__StreamEncoderStateString[st]);
		return;
	}
	err_set(e, EX_SOFTWARE, "FLAC encoder: %s",
	    FLAC__StreamEncoderStateString[st]);
}

/* Little-endian samples of format f into n int32s. */
static void
unpack(const unsigned char *p, size_t n, enum pcm_format f, FLAC__int32 *out)
{
	switch (f) {
	case PCM_S16_LE:
		for (size_t i = 0; i < n; i++, p += 2)
			out[i] = (int16_t)(uint16_t)(p[0] | p[1] << 8);
		break;
	case PCM_S24_3LE:
		for (size_t i = 0; i < n; i++, p += 3) {
			uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
			    (uint32_t)p[2] << 16;
			out[i] = (FLAC__int32)(v ^ 0x800000u) - 0x800000;
		}
		break;
	default:
		for (size_t i = 0; i < n; i++, p += 4)
			out[i] = (int32_t)((uint32_t)p[0] |
			    (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			    (uint32_t)p[3] << 24);
		break;
	}
}

int
flacio_encode(int fd, uint64_t data_off, uint64_t frames,
    const struct pcm_spec *spec, unsigned level, const char *const *tags,
    size_t ntags, int outfd, uint64_t out_off, uint64_t *out_len,
    unsigned char pcm_sha[32], struct err *e)
{
	struct out dst = { .fd = outfd, .base = out_off };
	FLAC__StreamEncoder *enc = NULL;
	FLAC__StreamMetadata *vc = NULL;
	EVP_MD_CTX *md = NULL;
	unsigned char *raw = NULL;
	FLAC__int32 *smp = NULL;
	size_t fb = pcm_frame_bytes(spec);
	uint64_t done = 0;
	int ret = -1, inited = 0;

	raw = malloc(BLOCK * fb);
	smp = malloc(BLOCK * spec->channels * sizeof *smp);
	md = EVP_MD_CTX_new();
	enc = FLAC__stream_encoder_new();
	vc = FLAC__metadata_object_new(FLAC__METADATA_TYPE_VORBIS_COMMENT);
	if (raw == NULL || smp == NULL || md == NULL || enc == NULL ||
	    vc == NULL || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		err_set(e, EX_OSERR, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < ntags; i++) {
		FLAC__StreamMetadata_VorbisComment_Entry ent;
		ent.length = (FLAC__uint32)strlen(tags[i]);
		ent.entry = (FLAC__byte *)(uintptr_t)tags[i];
		if (!FLAC__metadata_object_vorbiscomment_append_comment(vc,
		    ent, true)) {
			err_set(e, EX_OSERR, "out of memory");
			goto out;
		}
	}
	FLAC__stream_encoder_set_channels(enc, spec->channels);
	FLAC__stream_encoder_set_bits_per_sample(enc,
	    pcm_sample_bits(spec->format));
	FLAC__stream_encoder_set_sample_rate(enc, spec->rate);
	FLAC__stream_encoder_set_compression_level(enc, level);
	FLAC__stream_encoder_set_total_samples_estimate(enc, frames);
	FLAC__stream_encoder_set_metadata(enc, &vc, 1);
	/* libFLAC decodes every frame it encodes and compares it with the
	 * input before writing it: the segment is deleted once its member
	 * is archived, so an encoder fault must not cost audio */
	FLAC__stream_encoder_set_verify(enc, true);
	if (FLAC__stream_encoder_init_stream(enc, enc_write, enc_seek,
	    enc_tell, NULL, &dst) != FLAC__STREAM_ENCODER_INIT_STATUS_OK) {
		err_set(e, EX_SOFTWARE, "cannot start the FLAC encoder: %s",
		    FLAC__StreamEncoderStateString[
		    FLAC__stream_encoder_get_state(enc)]);
		goto out;
	}
	inited = 1;
	while (done < frames) {
		size_t n = frames - done > BLOCK ? BLOCK :
		    (size_t)(frames - done);
		ssize_t r = file_pread_full(fd, raw, n * fb,
		    (off_t)(data_off + done * fb));
		if (r < 0) {
			err_sys(e, EX_IOERR, "read error");
			goto out;
		}
		if ((size_t)r != n * fb) {
			err_set(e, EX_IOERR, "file is shorter than its header "
			    "says");
			goto out;
		}
		EVP_DigestUpdate(md, raw, n * fb);
		unpack(raw, n * spec->channels, spec->format, smp);
		if (!FLAC__stream_encoder_process_interleaved(enc, smp,
		    (uint32_t)n)) {
			enc_fail(e, enc, &dst);
			goto out;
		}
		done += n;
	}
	inited = 0;
	if (!FLAC__stream_encoder_finish(enc)) {
		enc_fail(e, enc, &dst);
		goto out;
	}
	EVP_DigestFinal_ex(md, pcm_sha, NULL);
	*out_len = dst.len;
	ret = 0;
out:
	if (enc != NULL) {
		if (inited)
			FLAC__stream_encoder_finish(enc);
		FLAC__stream_encoder_delete(enc);
	}
	if (vc != NULL)
		FLAC__metadata_object_delete(vc);
	EVP_MD_CTX_free(md);
	free(smp);
	free(raw);
	return ret;
}

struct dec {
	flacio_read_fn fn;
	void *ctx;
	const struct pcm_spec *spec;
	EVP_MD_CTX *md;
	uint64_t frames;
	unsigned char *raw;
	size_t rawcap;
	int bad;		/* spec mismatch or read error */
	int got_info;
	char why[128];
};

static FLAC__StreamDecoderReadStatus
dec_read(const FLAC__StreamDecoder *d, FLAC__byte buffer[], size_t *bytes,
    void *ctx)
{
	struct dec *s = ctx;
	ssize_t r = s->fn(s->ctx, buffer, *bytes);

	if (r < 0) {
		s->bad = 1;
		snprintf(s->why, sizeof s->why, "read error");
		return FLAC__STREAM_DECODER_READ_STATUS_ABORT;
	}
	*bytes = (size_t)r;
	return r == 0 ? FLAC__STREAM_DECODER_READ_STATUS_END_OF_STREAM :
	    FLAC__STREAM_DECODER_READ_STATUS_CONTINUE;
}

static FLAC__StreamDecoderWriteStatus
dec_write(const FLAC__StreamDecoder *d, const FLAC__Frame *fr,
    const FLAC__int32 *const buffer[], void *ctx)
{
	struct dec *s = ctx;
	unsigned ch = s->spec->channels, sb = pcm_sample_bytes(s->spec->format);
	size_t need = (size_t)fr->header.blocksize * ch * sb;
	unsigned char *p;

	if (!s->got_info || fr->header.channels != ch) {
		s->bad = 1;
		snprintf(s->why, sizeof s->why, "frame before STREAMINFO "
		    "or with another channel count");
		return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
	}
	if (need > s->rawcap) {
		p = realloc(s->raw, need);
		if (p == NULL) {
			s->bad = 1;
			snprintf(s->why, sizeof s->why, "out of memory");
			return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
		}
		s->raw = p;
		s->rawcap = need;
	}
	p = s->raw;
	for (unsigned i = 0; i < fr->header.blocksize; i++)
		for (unsigned c = 0; c < ch; c++) {
			uint32_t v = (uint32_t)buffer[c][i];
			for (unsigned k = 0; k < sb; k++)
				*p++ = (unsigned char)(v >> (8 * k));
		}
	EVP_DigestUpdate(s->md, s->raw, need);
	s->frames += fr->header.blocksize;
	return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
}

static void
dec_meta(const FLAC__StreamDecoder *d, const FLAC__StreamMetadata *m,
    void *ctx)
{
	struct dec *s = ctx;

	if (m->type != FLAC__METADATA_TYPE_STREAMINFO)
		return;
	s->got_info = 1;
	if (m->data.stream_info.sample_rate != s->spec->rate ||
	    m->data.stream_info.channels != s->spec->channels ||
	    m->data.stream_info.bits_per_sample !=
	    pcm_sample_bits(s->spec->format)) {
		s->bad = 1;
		snprintf(s->why, sizeof s->why, "stream is %u Hz, %u "
		    "channels, %u bits; the manifest says otherwise",
		    m->data.stream_info.sample_rate,
		    m->data.stream_info.channels,
		    m->data.stream_info.bits_per_sample);
	}
}

static void
dec_error(const FLAC__StreamDecoder *d, FLAC__StreamDecoderErrorStatus st,
    void *ctx)
{
	struct dec *s = ctx;

	if (!s->bad)
		snprintf(s->why, sizeof s->why, "%s",
		    FLAC__StreamDecoderErrorStatusString[st]);
	s->bad = 1;
}

int
flacio_decode(flacio_read_fn fn, void *ctx, const struct pcm_spec *spec,
    uint64_t *frames, unsigned char pcm_sha[32], struct err *e)
{
	FLAC__StreamDecoder *d = FLAC__stream_decoder_new();
	struct dec s = { .fn = fn, .ctx = ctx, .spec = spec };
	int ret = -1, inited = 0;

	s.md = EVP_MD_CTX_new();
	if (d == NULL || s.md == NULL ||
	    !EVP_DigestInit_ex(s.md, EVP_sha256(), NULL)) {
		err_set(e, EX_OSERR, "out of memory");
		goto out;
	}
	FLAC__stream_decoder_set_md5_checking(d, true);
	if (FLAC__stream_decoder_init_stream(d, dec_read, NULL, NULL, NULL,
	    NULL, dec_write, dec_meta, dec_error, &s) !=
	    FLAC__STREAM_DECODER_INIT_STATUS_OK) {
		err_set(e, EX_SOFTWARE, "cannot start the FLAC decoder");
		goto out;
	}
	inited = 1;
	if (!FLAC__stream_decoder_process_until_end_of_stream(d) || s.bad) {
		err_set(e, EX_DATAERR, "bad FLAC stream: %s", s.bad ? s.why :
		    FLAC__StreamDecoderStateString[
		    FLAC__stream_decoder_get_state(d)]);
		goto out;
	}
	if (!s.got_info) {
		err_set(e, EX_DATAERR, "bad FLAC stream: no STREAMINFO");
		goto out;
	}
	inited = 0;
	if (!FLAC__stream_decoder_finish(d)) {
		err_set(e, EX_DATAERR, "bad FLAC stream: MD5 signature "
		    "does not match the audio");
		goto out;
	}
	EVP_DigestFinal_ex(s.md, pcm_sha, NULL);
	*frames = s.frames;
	ret = 0;
out:
	if (d != NULL) {
		if (inited)
			FLAC__stream_decoder_finish(d);
		FLAC__stream_decoder_delete(d);
	}
	EVP_MD_CTX_free(s.md);
	free(s.raw);
	return ret;
}
