/*
 * fuzz_status: recd's status file through status_parse; a status that
 * parses must format, and the formatted text must parse again.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "status.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct status *st = malloc(sizeof(*st)), *st2 = malloc(sizeof(*st2));
	struct err e;
	char *text = NULL;

	if (st == NULL || st2 == NULL)
		abort();
	if (status_parse((const char *)data, size, st, &e) == 0) {
		if (status_format(st, &text) < 0)
			abort();
		if (status_parse(text, strlen(text), st2, &e) < 0)
			abort();
		free(text);
	}
	free(st2);
	free(st);
	return 0;
}
