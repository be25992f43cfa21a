/*
 * flacio: segments as FLAC members (libFLAC), and back.
 *
 * flacio_encode() reads a segment's PCM (wav_parse told where) in small
 * blocks and encodes it into a file at a given offset (rec-archive's
 * staging file in tmp/): the whole member must exist before its tar
 * header (which carries the size) is written, and STREAMINFO (total
 * samples, MD5 of the audio) is patched in place at the end, as the flac
 * tool does. Memory stays a few blocks whatever the segment's length
 * (a Raspberry Pi with hour-long segments included). The GUANO text goes
 * into a VORBIS_COMMENT block.
 *
 * flacio_decode() reads a FLAC stream through a callback, checks that it
 * holds the expected spec and its MD5 signature, and hashes the PCM in
 * the WAV's byte layout, so a FLAC member can be compared to the
 * segment it came from.
 */
#ifndef REC_FLACIO_H
#define REC_FLACIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "pcm.h"

/* The most channels a FLAC stream holds (FLAC__MAX_CHANNELS). */
#define FLACIO_MAX_CHANNELS	8

/*
 * Encode frames frames of PCM in spec, read from fd at data_off, at
 * compression level (0..8), with the Vorbis comments tags[0..ntags)
 * ("NAME=value"), into outfd from offset out_off on (pwrite; outfd's
 * offset is not used). On success *out_len is the FLAC stream's length
 * and pcm_sha the SHA-256 of the PCM bytes read. The encoder runs in
 * libFLAC's verify mode: every frame is decoded and compared with its
 * input before it is written, and STREAMINFO carries the MD5 signature
 * of the audio. 0, or -1 with e (EX_IOERR on a read error or short
 * file, err_ex_for_errno() of a write error, e.g. EX_TEMPFAIL for
 * ENOSPC; EX_SOFTWARE for an encoder failure or a verify mismatch).
 * This checks the encoder, not the bytes that reached outfd: decode
 * them (flacio_decode) to check those.
 */
int flacio_encode(int fd, uint64_t data_off, uint64_t frames,
    const struct pcm_spec *spec, unsigned level, const char *const *tags,
    size_t ntags, int outfd, uint64_t out_off, uint64_t *out_len,
    unsigned char pcm_sha[32], struct err *e);

/* Reads up to len bytes; returns the count, 0 at the end, -1 on error. */
typedef ssize_t (*flacio_read_fn)(void *ctx, void *buf, size_t len);

/*
 * Decode a FLAC stream read through fn. Checks rate, channels and bits
 * against spec and the stream's MD5 signature; *frames gets the frames
 * decoded and pcm_sha the SHA-256 of the PCM in spec's byte layout.
 * 0, or -1 with e (EX_DATAERR for anything wrong with the stream).
 */
int flacio_decode(flacio_read_fn fn, void *ctx, const struct pcm_spec *spec,
    uint64_t *frames, unsigned char pcm_sha[32], struct err *e);

#endif
