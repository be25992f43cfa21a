/*
 * wav: RIFF/WAVE files as rec writes and reads them.
 *
 * Layout of a segment rec-capture writes (all sizes little-endian):
 *   RIFF <size> WAVE
 *   fmt  (16 bytes PCM, or 40 bytes WAVE_FORMAT_EXTENSIBLE when
 *         channels > 2 or bits > 16)
 *   guan (the GUANO text known when the segment starts; see below)
 *   data <size> PCM...
 *   guan (the final GUANO text, appended by wav_finish)
 * While a segment is written (in tmp/), the RIFF size is 0 and the data
 * size 0xFFFFFFFF: the data runs to the end of the file. wav_finish()
 * sets the data size, appends the final GUANO chunk, sets the RIFF size
 * and turns the first `guan` chunk into `JUNK` (keeping its text), so a
 * finished file has exactly one GUANO chunk. It syncs between these
 * steps, so that after a power cut at any point:
 *   - a data size that is set is the true one (nothing follows the PCM
 *     before it is durable), and
 *   - a RIFF size or a JUNK chunk means the final chunk is complete.
 * A file left behind by a crash is parsed the same way (data to EOF, cut
 * to whole frames; or to the data size) and finished again by
 * wav_finish() with the metadata the final chunk carries when it is
 * complete (tail_ok), else with the start-of-segment metadata
 * (head_guano).
 */
#ifndef REC_WAV_H
#define REC_WAV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "pcm.h"

#define WAV_MAX_HEAD	65536	/* header bytes before the PCM, at most */

struct wav_info {
	struct pcm_spec spec;
	uint64_t data_off;	/* offset of the first PCM byte */
	uint64_t data_len;	/* PCM bytes (whole frames) */
	uint64_t frames;
	int finished;		/* sizes were set (not a file in progress) */
	char *guano;		/* the GUANO text of the last guan chunk, or
				   NULL; malloc'd, NUL-terminated */
	size_t guano_len;
	char *head_guano;	/* the GUANO text in the header (a guan
				   chunk, or the JUNK chunk wav_finish made
				   of it): the start-of-segment metadata, or
				   NULL; malloc'd, NUL-terminated */
	size_t head_guano_len;
	int tail_ok;		/* guano is a complete final chunk that ends
				   the file and whose REC|Frames counts
				   exactly `frames`: the segment's own final
				   metadata, whatever the header says */
	uint64_t file_len;
};

/*
 * Build the header of a new segment into buf (cap >= its size): RIFF,
 * fmt, a guan chunk holding guano (len bytes), and the data chunk header,
 * with the in-progress sizes. Returns the header's length (the offset of
 * the PCM data), or 0 when cap is too small or the spec is invalid.
 */
size_t wav_head(uint8_t *buf, size_t cap, const struct pcm_spec *spec,
    const char *guano, size_t len);

/*
 * Finish a segment: fd is open read-write; data_off is the header length
 * wav_head returned and data_len the PCM bytes written after it. Cuts
 * the file to data_off + data_len and sets the data size (fdatasync),
 * appends a pad byte when needed and a guan chunk holding guano
 * (fdatasync), sets the RIFF size and renames the first guan chunk to
 * JUNK; the caller fsyncs before it publishes. Running it again on a
 * finished file gives the same file. 0, or -1 with errno.
 */
int wav_finish(int fd, uint64_t data_off, uint64_t data_len,
    const char *guano, size_t len);

/*
 * Parse a WAV file (PCM, or WAVE_FORMAT_EXTENSIBLE with PCM subformat, in
 * one of our formats). Fills wi (free with wav_info_free). A file in
 * progress (data size 0xFFFFFFFF or running past EOF, or RIFF size 0) has
 * finished = 0 and data_len = the whole frames present (up to a final
 * guan chunk that passes the tail_ok checks). Chunks whose text does not
 * start with "GUANO|" are not GUANO (a crash may leave zeros). -1 with e
 * (EX_DATAERR) when it is not a WAV file we can read; EX_IOERR on a
 * read error.
 */
int wav_parse(int fd, struct wav_info *wi, struct err *e);
void wav_info_free(struct wav_info *wi);

#endif
