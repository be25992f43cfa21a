/*
 * fuzz_bech32: strings through bech32_decode/verify and the age key
 * parsers built on it; what decodes must encode back to the same
 * string (lowercased).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "age.h"
#include "bech32.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, hrp[100], out[1100], low[1100];
	unsigned char bin[700];
	size_t blen, i;
	struct age_recipient r;
	struct err e;
	static const size_t maxes[] = { 0, 90, 1000 };

	if (size > 1000)
		return 0;
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		if (bech32_decode(s, maxes[i], hrp, sizeof(hrp), bin,
		    sizeof(bin), &blen) == 0 && strlen(s) == size) {
			size_t j;
			int rc = bech32_encode(hrp, bin, blen, 0, out,
			    sizeof(out));
			for (j = 0; j <= size; j++)
				low[j] = (char)tolower((unsigned char)s[j]);
			if (rc != 0 || strcmp(out, low) != 0)
				abort();
		}
		(void)bech32_verify(s, maxes[i]);
	}
	/* small output buffers must be refused, not overrun */
	(void)bech32_decode(s, 1000, hrp, 4, bin, 8, &blen);
	if (age_recipient_parse(s, &r, &e) == 0) {
		char back[64];
		age_recipient_format(&r, back);
		if (strcasecmp(back, s) != 0)
			abort();
	}
	free(s);
	return 0;
}
