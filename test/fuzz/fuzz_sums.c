/*
 * fuzz_sums: an archive's .sums sidecar through sums_read (from a file
 * in a temporary directory, see fuzz.h), then what rec-upload derives
 * from it. A sidecar that reads must prove itself complete: parts cover
 * size in order.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "hex.h"
#include "sums.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sums *s = NULL;
	struct err e;
	char etag[64], hex[65], b64[48];

	(void)fuzz_file(data, size);

	if (sums_read(fuzz_dir(), FUZZ_INPUT, &s, &e) == 0) {
		uint64_t off = 0;
		size_t i;
		for (i = 0; i < s->nparts; i++) {
			if (s->parts[i].off != off || s->parts[i].len == 0 ||
			    s->parts[i].len > s->part_size)
				abort();
			off += s->parts[i].len;
		}
		if (off != s->size)
			abort();
		(void)sums_multipart_etag(s, etag, sizeof(etag));
		(void)hex_encode(s->md5, 16, hex);
		(void)sums_base64(s->sha256, 32, b64);
		sums_free(s);
	}
	return 0;
}
