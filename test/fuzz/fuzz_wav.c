/*
 * fuzz_wav: a segment file through wav_parse (RIFF chunks, fmt, guan,
 * data in progress or finished), then the GUANO keys rec reads from it.
 * Checks what wav_parse promises: whole frames inside the file.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "guano.h"
#include "wav.h"

static const char *const keys[] = { "GUANO|Version", "Timestamp",
	"Samplerate", "REC|Gaps", "REC|Run", "REC|First Frame",
	"REC|Lost Frames", "REC|Recovered", NULL };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wav_info wi;
	struct err e;
	int fd = fuzz_memfd(data, size);

	if (wav_parse(fd, &wi, &e) == 0) {
		size_t fb = pcm_frame_bytes(&wi.spec);
		if (fb == 0 || wi.data_len % fb != 0 ||
		    wi.frames != wi.data_len / fb ||
		    wi.data_off + wi.data_len > wi.file_len ||
		    wi.file_len != size)
			abort();
		if (wi.guano != NULL) {
			char v[256];
			const char *const *k;
			if (strlen(wi.guano) != wi.guano_len)
				abort();
			for (k = keys; *k != NULL; k++)
				(void)guano_get(wi.guano, wi.guano_len, *k, v,
				    sizeof(v));
		}
		wav_info_free(&wi);
	}
	close(fd);
	return 0;
}
