/*
 * pcm: sample format names and sizes.
 */
#include <errno.h>
#include <strings.h>

#include "pcm.h"

static const struct {
	const char *name;
	unsigned bytes, bits;
} formats[PCM_NFORMATS] = {
	[PCM_S16_LE] = { "S16_LE", 2, 16 },
	[PCM_S24_3LE] = { "S24_3LE", 3, 24 },
	[PCM_S32_LE] = { "S32_LE", 4, 32 },
};

int
pcm_format_parse(const char *s, enum pcm_format *f)
{
	int i;

	for (i = 0; s != NULL && i < PCM_NFORMATS; i++) {
		if (strcasecmp(s, formats[i].name) == 0) {
			*f = i;
			return 0;
		}
	}
	errno = EINVAL;
	return -1;
}

const char *
pcm_format_name(enum pcm_format f)
{
	return f < PCM_NFORMATS ? formats[f].name : "?";
}

unsigned
pcm_sample_bytes(enum pcm_format f)
{
	return f < PCM_NFORMATS ? formats[f].bytes : 0;
}

unsigned
pcm_sample_bits(enum pcm_format f)
{
	return f < PCM_NFORMATS ? formats[f].bits : 0;
}

size_t
pcm_frame_bytes(const struct pcm_spec *s)
{
	return (size_t)s->channels * pcm_sample_bytes(s->format);
}
