/*
 * fuzz_ledger: the spool's ledger through every reader of lib/ledger
 * (each line, the month's bytes, has, high water), from a file: none may
 * crash, and each line it hands out has its name field set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "ledger.h"

static int
line(const struct ledger_rec *r, void *arg)
{
	size_t *count = arg;

	if (r->nfields < LEDGER_FIELDS || r->name == NULL || r->key == NULL)
		abort();
	(*count)++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t bytes;
	int64_t ns;
	size_t count = 0;
	int dir;

	dir = fuzz_dir();	/* first: its first call empties the file */
	fuzz_file(data, size);
	/* fuzz_file writes FUZZ_INPUT: give it the ledger's name */
	if (renameat(dir, FUZZ_INPUT, dir, LEDGER_FILE) < 0)
		abort();
	(void)ledger_each(dir, line, &count);
	(void)ledger_month_bytes(dir, 1764374400, &bytes);	/* 2025-11-29 */
	(void)ledger_has(dir, "20261128T031500.000Z_20261128T041500.000Z_st1.tar");
	(void)ledger_high_water(dir, "st1", &ns);
	unlinkat(dir, LEDGER_FILE, 0);
	return 0;
}
