/* hex: lowercase hex encoding (see hex.h). */
#include "hex.h"

char *
hex_encode(const void *bin, size_t n, char *out)
{
	static const char x[] = "0123456789abcdef";
	const unsigned char *b = bin;
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = x[b[i] >> 4];
		out[2 * i + 1] = x[b[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}
