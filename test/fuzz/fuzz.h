/*
 * fuzz: the libFuzzer entry point every test/fuzz/fuzz_*.c target
 * defines, and helpers (input.c) to hand the input to parsers that take
 * a file descriptor or a path.
 */
#ifndef REC_FUZZ_H
#define REC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#define FUZZ_INPUT	"input"		/* the file's name in fuzz_dir() */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A memfd holding data, at offset 0; the caller closes it. Aborts on
 * error (a fuzz target has no other way to fail). */
int fuzz_memfd(const uint8_t *data, size_t size);

/*
 * Write data to the file FUZZ_INPUT (mode 0600) in a private temporary
 * directory (made on the first call under $TMPDIR or /tmp, removed at
 * exit) and return its path (static, the same every call). Aborts on
 * error.
 */
const char *fuzz_file(const uint8_t *data, size_t size);

/* An O_DIRECTORY descriptor of that directory (for *at() APIs). */
int fuzz_dir(void);

#endif
