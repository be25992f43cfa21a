/*
 * fuzz_parse: rec.conf and flag values through lib/parse.c (integers,
 * sizes, durations, booleans), sample formats, compression names and
 * the GUANO/manifest gaps list. The input is one value.
 */
#include <stdlib.h>
#include <string.h>

#include "aname.h"
#include "fuzz.h"
#include "manifest.h"
#include "parse.h"
#include "pcm.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	uint64_t v;
	int b;
	enum pcm_format f;
	enum aname_compress c;
	struct manifest_gap *g;
	size_t ng;

	if (size > 4096)
		return 0;
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (parse_uint(s, 0, UINT64_MAX, &v) == 0 &&
	    parse_uint(s, 5, 100, &v) == 0 && (v < 5 || v > 100))
		abort();
	(void)parse_size(s, &v);
	(void)parse_duration_ms(s, &v);
	if (parse_bool(s, &b) == 0 && b != 0 && b != 1)
		abort();
	if (pcm_format_parse(s, &f) == 0 && (unsigned)f >= PCM_NFORMATS)
		abort();
	if (aname_compress_parse(s, &c) == 0 &&
	    strcmp(aname_compress_name(c), s) != 0)
		abort();
	if (manifest_gaps_parse(s, &g, &ng) == 0)
		free(g);
	free(s);
	return 0;
}
