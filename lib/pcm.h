/*
 * pcm: sample formats and stream parameters (rate, channels, format),
 * and their names as arecord spells them.
 */
#ifndef REC_PCM_H
#define REC_PCM_H

#include <stddef.h>

enum pcm_format { PCM_S16_LE, PCM_S24_3LE, PCM_S32_LE, PCM_NFORMATS };

struct pcm_spec {
	unsigned rate;		/* frames per second, 1..768000 */
	unsigned channels;	/* 1..32 */
	enum pcm_format format;
};

/* "S16_LE" -> PCM_S16_LE (case-insensitive); 0 or -1 (EINVAL). */
int pcm_format_parse(const char *s, enum pcm_format *f);
const char *pcm_format_name(enum pcm_format f);
/* Bytes per sample: 2, 3, 4. Bits per sample: 16, 24, 32. */
unsigned pcm_sample_bytes(enum pcm_format f);
unsigned pcm_sample_bits(enum pcm_format f);
/* Bytes per frame: channels * sample bytes. */
size_t pcm_frame_bytes(const struct pcm_spec *s);

#endif
