/*
 * fuzz_idx: the .idx sidecar through idx_parse; an index that parses must
 * format back to the same bytes (one spelling), and read the same from a
 * file through idx_read.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "idx.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char **names = NULL, **again = NULL, *text = NULL;
	size_t n = 0, m = 0, len = 0;
	int dir;

	if (idx_parse((const char *)data, size, &names, &n) < 0)
		return 0;
	if (idx_format((const char *const *)names, n, &text, &len) < 0)
		abort();
	if (len != size || memcmp(text, data, size) != 0)
		abort();
	dir = fuzz_dir();	/* first: its first call empties the file */
	fuzz_file(data, size);
	if (idx_read(dir, FUZZ_INPUT, &again, &m) < 0 || m != n)
		abort();
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], again[i]) != 0)
			abort();
	idx_free(again, m);
	free(text);
	idx_free(names, n);
	return 0;
}
