/*
 * fuzz_manifest: manifest.json through manifest_load; a manifest that
 * loads must dump, and the dump must load again and dump to the same
 * bytes (the format promises keys in a fixed order).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "manifest.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest m, m2;
	struct err e;
	char *out = NULL, *out2 = NULL;
	size_t len, len2;

	if (manifest_load((const char *)data, size, &m, &e) < 0)
		return 0;
	if (manifest_dump(&m, &out, &len, &e) < 0)
		abort();
	if (manifest_load(out, len, &m2, &e) < 0)
		abort();
	if (manifest_dump(&m2, &out2, &len2, &e) < 0)
		abort();
	if (len != len2 || memcmp(out, out2, len) != 0)
		abort();
	free(out);
	free(out2);
	manifest_free(&m2);
	manifest_free(&m);
	return 0;
}
