/*
 * fuzz_aname: file names from seg/ and out/ through aname_parse and
 * aname_seg_parse (and utc_parse_name under them); an archive name that
 * parses must format back to the very bytes it was parsed from.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aname.h"
#include "fuzz.h"
#include "utc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aname an;
	struct timespec ts;
	char *s, st[ANAME_STATION_MAX + 1], buf[ANAME_MAX + 1];
	int n;

	if (size > 4096)
		return 0;
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	n = aname_parse(s, &an);
	if (n >= 0) {
		if ((size_t)n > strlen(s))
			abort();
		if (aname_format(&an, buf, sizeof(buf)) == NULL ||
		    strlen(buf) != (size_t)n || memcmp(buf, s, (size_t)n) != 0)
			abort();
	}
	(void)aname_seg_parse(s, &ts, st);
	(void)aname_seg_parse(s, &ts, NULL);
	(void)utc_parse_name(s, &ts);
	(void)utc_parse_iso(s, &ts);
	free(s);
	return 0;
}
