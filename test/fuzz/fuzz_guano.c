/*
 * fuzz_guano: GUANO text through guano_get (not NUL-terminated, exact
 * length), for rec's keys and with tiny value buffers; then the gaps
 * list of REC|Gaps through manifest_gaps_parse.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "guano.h"
#include "manifest.h"

static const char *const keys[] = { "GUANO|Version", "Timestamp",
	"Samplerate", "Length", "REC|Gaps", "REC|Run", "REC|First Frame",
	"REC|Lost Frames", "", NULL };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *const *k;
	char v[512], tiny[2];
	int n;

	for (k = keys; *k != NULL; k++) {
		n = guano_get((const char *)data, size, *k, v, sizeof(v));
		if (n >= (int)sizeof(v) || (n >= 0 && strlen(v) > (size_t)n))
			abort();
		if (n >= 0 && strcmp(*k, "REC|Gaps") == 0) {
			struct manifest_gap *g;
			size_t ng;
			if (manifest_gaps_parse(v, &g, &ng) == 0)
				free(g);
		}
		(void)guano_get((const char *)data, size, *k, tiny,
		    sizeof(tiny));
	}
	return 0;
}
