/*
 * fuzz_s3hdr: HTTP answer header lines (as libcurl hands them over, one
 * line with its CRLF per call) through header_cb of lib/s3.c: ETag
 * (quotes, W/), Date, Retry-After (seconds or an HTTP date),
 * Content-Length, and a new status line that starts over; then the Date
 * as request() reads it for the clock skew.
 *
 * header_cb is static in lib/s3.c, so this file includes lib/s3.c.
 */
#include "s3.c"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct answer a;
	const char *p = (const char *)data, *end = p + size;
	char *line;

	memset(&a, 0, sizeof(a));
	a.retry_after = -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		/* an exact-size copy: curl's line is not NUL-terminated */
		if ((line = malloc(len ? len : 1)) == NULL)
			abort();
		memcpy(line, p, len);
		if (header_cb(line, 1, len, &a) != len)
			abort();
		free(line);
		p += len;
	}
	if (memchr(a.etag, '\0', sizeof(a.etag)) == NULL ||
	    memchr(a.date, '\0', sizeof(a.date)) == NULL)
		abort();
	if (a.date[0])
		(void)curl_getdate(a.date, NULL);
	return 0;
}
