/*
 * test_xml: lib/xml, the bounded reader of S3's XML answers: what it
 * keeps (only the paths asked for, namespace prefixes dropped, document
 * order), and what it refuses (nesting past XML_MAX_DEPTH, more than
 * XML_MAX_ELEMENTS elements, a DTD, broken XML) without keeping a copy
 * of what it was not asked for.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "strbuf.h"
#include "xml.h"

/* "<a><a>...</a></a>" n deep inside <R>...</R>, with text in the middle */
static char *
nested(size_t n, const char *inner)
{
	struct strbuf b = { 0 };
	size_t i;

	strbuf_str(&b, "<R>");
	for (i = 0; i < n; i++)
		strbuf_str(&b, "<a>");
	strbuf_str(&b, inner);
	for (i = 0; i < n; i++)
		strbuf_str(&b, "</a>");
	strbuf_str(&b, "</R>");
	return strbuf_done(&b);
}

static char *
repeated(const char *head, const char *unit, size_t n, const char *tail)
{
	struct strbuf b = { 0 };
	size_t i;

	strbuf_str(&b, head);
	for (i = 0; i < n; i++)
		strbuf_str(&b, unit);
	strbuf_str(&b, tail);
	return strbuf_done(&b);
}

static int
parse(struct xml *x, const char *doc, const char *const *want)
{
	return xml_parse(x, doc, strlen(doc), want);
}

int
main(void)
{
	static const char *const err_want[] = { "/Error/Code", NULL };
	static const char *const list_want[] = {
	    "/ListMultipartUploadsResult/Upload/Key",
	    "/ListMultipartUploadsResult/Upload/UploadId",
	    "/ListMultipartUploadsResult/Upload",
	    "/ListMultipartUploadsResult/IsTruncated", NULL };
	static const char *const deep_want[] = {
	    "/R/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a", NULL };
	struct xml x;
	char *doc;

	/* an error: only the code is kept; prefixes dropped */
	CHECK(parse(&x, "<?xml version=\"1.0\"?><s3:Error xmlns:s3=\"u\">"
	    "<s3:Code>NoSuchKey</s3:Code><Message>gone &amp; lost</Message>"
	    "</s3:Error>", err_want) == 0);
	CHECK_STR(x.root, "Error");
	CHECK(x.n == 1);
	CHECK_STR(xml_get(&x, "/Error/Code"), "NoSuchKey");
	CHECK(xml_get(&x, "/Error/Message") == NULL);
	xml_free(&x);
	/* nothing asked for: only the root's name */
	CHECK(parse(&x, "<Error><Code>X</Code></Error>", NULL) == 0);
	CHECK_STR(x.root, "Error");
	CHECK(x.n == 0 && x.texts.len == 0);
	xml_free(&x);
	/* an empty element is kept with "" */
	CHECK(parse(&x, "<Error><Code/></Error>", err_want) == 0);
	CHECK_STR(xml_get(&x, "/Error/Code"), "");
	xml_free(&x);

	/* a listing: document order, children before their parent */
	CHECK(parse(&x, "<ListMultipartUploadsResult><IsTruncated>false"
	    "</IsTruncated><Upload><Key>k 1</Key><UploadId>u1</UploadId>"
	    "<Owner><ID>o</ID></Owner></Upload><Upload><Key>k2</Key>"
	    "<UploadId>u2</UploadId></Upload></ListMultipartUploadsResult>",
	    list_want) == 0);
	CHECK(x.n == 7);
	if (x.n == 7) {
		CHECK(x.v[0].path == list_want[3]);
		CHECK_STR(x.v[1].text, "k 1");
		CHECK(x.v[2].path == list_want[1]);
		CHECK_STR(x.v[2].text, "u1");
		CHECK(x.v[3].path == list_want[2]);
		CHECK_STR(x.v[4].text, "k2");
		CHECK(x.v[6].path == list_want[2]);
	}
	CHECK_STR(xml_get(&x, list_want[3]), "false");
	xml_free(&x);

	/* the deepest path allowed is kept; one level more is refused */
	doc = nested(XML_MAX_DEPTH - 1, "deep");
	CHECK(parse(&x, doc, deep_want) == 0);
	CHECK_STR(xml_get(&x, deep_want[0]), "deep");
	xml_free(&x);
	free(doc);
	doc = nested(XML_MAX_DEPTH, "");
	errno = 0;
	CHECK(parse(&x, doc, deep_want) == -1 && errno == E2BIG);
	CHECK(x.n == 0 && x.v == NULL);
	xml_free(&x);	/* harmless after an error */
	free(doc);
	/* 40000 deep (280 KB, which once took 1.5 GiB): refused */
	doc = nested(40000, "x");
	errno = 0;
	CHECK(parse(&x, doc, err_want) == -1 && errno == E2BIG);
	free(doc);

	/* elements: up to the limit read (and not kept), one more refused */
	doc = repeated("<R>", "<a>text</a>", XML_MAX_ELEMENTS - 1, "</R>");
	CHECK(parse(&x, doc, err_want) == 0);
	CHECK(x.n == 0 && x.texts.len == 0 && x.texts.cap == 0);
	xml_free(&x);
	free(doc);
	doc = repeated("<R>", "<a/>", XML_MAX_ELEMENTS, "</R>");
	errno = 0;
	CHECK(parse(&x, doc, err_want) == -1 && errno == E2BIG);
	free(doc);
	/* a path longer than XML_MAX_PATH */
	doc = repeated("<R><", "n", XML_MAX_PATH, "/></R>");
	errno = 0;
	CHECK(parse(&x, doc, err_want) == -1 && errno == E2BIG);
	free(doc);
	/* a long root name is truncated, not overflowed */
	doc = repeated("<", "r", 100, "/>");
	CHECK(parse(&x, doc, NULL) == 0);
	CHECK(strlen(x.root) == sizeof(x.root) - 1);
	xml_free(&x);
	free(doc);

	/* a DTD (entities, "billion laughs"): refused */
	errno = 0;
	CHECK(parse(&x, "<!DOCTYPE Error [<!ENTITY a \"aaaaaaaa\">"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
	    "<Error><Code>&b;</Code></Error>", err_want) == -1 &&
	    errno == EBADMSG);
	/* not XML, truncated, empty */
	errno = 0;
	CHECK(parse(&x, "<html><body>portal</html>", err_want) == -1 &&
	    errno == EBADMSG);
	CHECK(parse(&x, "<Error><Code>X</Code>", err_want) == -1);
	CHECK(parse(&x, "", err_want) == -1);
	return check_done();
}
