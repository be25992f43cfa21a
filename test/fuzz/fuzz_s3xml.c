/*
 * fuzz_s3xml: an S3 answer body through the XML reader (expat into
 * (element path, text) pairs), then every lookup rec-upload makes on an
 * answer: the root, the error code, the upload id, the ETag of a
 * completed upload, the listing's uploads and markers.
 *
 * With lib/xml.h (the bounded reader) the target uses its API; before,
 * the reader was static in lib/s3.c, which is then included here (its
 * exported s3_* symbols come from here, not from librec.a).
 */
#if __has_include("xml.h")
#include <stdlib.h>
#include <string.h>

#include "xml.h"
#define HAVE_XML_H 1
#else
#include "s3.c"
#endif

#include "fuzz.h"

static const char *const paths[] = {
	"/Error/Code", "/Error/Message", "/Error/RequestId",
	"/InitiateMultipartUploadResult/UploadId",
	"/CompleteMultipartUploadResult/ETag",
	"/ListMultipartUploadsResult/IsTruncated",
	"/ListMultipartUploadsResult/NextKeyMarker",
	"/ListMultipartUploadsResult/NextUploadIdMarker",
	"/ListMultipartUploadsResult/Upload/Key",
	"/ListMultipartUploadsResult/Upload/UploadId",
	"/ListMultipartUploadsResult/Upload/Initiated",
	"/ListMultipartUploadsResult/Upload", NULL };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xml x;
	const char *const *p;
	size_t i;

#ifdef HAVE_XML_H
	/* as rec-upload asks: everything it reads, then only the root */
	if (xml_parse(&x, (const char *)data, size, NULL) == 0) {
		if (memchr(x.root, '\0', sizeof(x.root)) == NULL || x.n != 0)
			abort();
		xml_free(&x);
	}
	if (xml_parse(&x, (const char *)data, size, paths) < 0) {
		xml_free(&x);	/* harmless after an error, says xml.h */
		return 0;
	}
	if (strlen(x.root) >= sizeof(x.root))
		abort();
#else
	if (xml_parse(&x, (const char *)data, size) < 0)
		return 0;
	if (strlen(xml_root(&x)) > size)
		abort();
#endif
	for (p = paths; *p != NULL; p++) {
		const char *t = xml_get(&x, *p);
		if (t != NULL && strlen(t) > size)
			abort();
	}
	for (i = 0; i < x.n; i++) {
		if (x.v[i].path[0] != '/' || strlen(x.v[i].text) > size)
			abort();
	}
	xml_free(&x);
	return 0;
}
