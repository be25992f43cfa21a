/*
 * test_s3: s3_classify, the table that says what every answer of an S3
 * store means (done, retry, retry a few times, give up with which
 * sysexits code): every row of the code table, then the status rules.
 * s3_list_parse: ListObjectsV2 pages (objects, common prefixes,
 * continuation tokens, hostile and broken answers).
 */
#include <stdlib.h>
#include <sysexits.h>

#include "check.h"
#include "s3.h"

static void
test_list_parse(void)
{
	static const char page1[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	    "<Name>b</Name><Prefix>rec/st1/2026/11/28/</Prefix><KeyCount>2"
	    "</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>"
	    "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOw"
	    "M=</NextContinuationToken>"
	    "<Contents><Key>rec/st1/2026/11/28/20261128T000000.000Z_"
	    "20261128T010000.000Z_st1.tar.zst</Key><LastModified>2026-11-28T"
	    "01:02:03.500Z</LastModified><ETag>&quot;0123456789abcdef0123456789"
	    "abcdef&quot;</ETag><Size>12345678901</Size><StorageClass>STANDARD"
	    "</StorageClass></Contents>"
	    "<Contents><Key>a &amp; b</Key><Size>0</Size><ETag>\"x-2\"</ETag>"
	    "</Contents>"
	    "<Contents><Size>5</Size></Contents>"
	    "</ListBucketResult>";
	static const char page2[] = "<ListBucketResult><IsTruncated>false"
	    "</IsTruncated><Delimiter>/</Delimiter><CommonPrefixes><Prefix>"
	    "rec/st1/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>"
	    "rec/st 2/</Prefix></CommonPrefixes></ListBucketResult>";
	struct s3_listing l = { 0 };
	struct err e;
	char *next = (char *)"x";

	CHECK(s3_list_parse(page1, sizeof(page1) - 1, &l, &next, &e) == 0);
	CHECK(l.nobj == 2);
	if (l.nobj == 2) {
		CHECK_STR(l.obj[0].key, "rec/st1/2026/11/28/20261128T000000."
		    "000Z_20261128T010000.000Z_st1.tar.zst");
		CHECK(l.obj[0].size == 12345678901ull);
		CHECK_STR(l.obj[0].etag, "0123456789abcdef0123456789abcdef");
		CHECK(l.obj[0].mtime_ns == 1795827723500000000ll);
		CHECK_STR(l.obj[1].key, "a & b");
		CHECK_STR(l.obj[1].etag, "x-2");
		CHECK(l.obj[1].mtime_ns == 0 && l.obj[1].size == 0);
	}
	CHECK_STR(next, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
	free(next);
	/* a second page appends */
	CHECK(s3_list_parse(page2, sizeof(page2) - 1, &l, &next, &e) == 0);
	CHECK(next == NULL);
	CHECK(l.nobj == 2 && l.nprefixes == 2);
	if (l.nprefixes == 2) {
		CHECK_STR(l.prefixes[0], "rec/st1/");
		CHECK_STR(l.prefixes[1], "rec/st 2/");
	}
	s3_listing_free(&l);
	CHECK(l.obj == NULL && l.nobj == 0);

	/* broken answers */
	{
		static const char trunc[] = "<ListBucketResult><IsTruncated>"
		    "true</IsTruncated></ListBucketResult>";
		static const char other[] = "<Error><Code>AccessDenied</Code>"
		    "</Error>";
		static const char notxml[] = "<ListBucketResult><Contents>";
		static const char dtd[] = "<!DOCTYPE x [<!ENTITY a \"b\">]>"
		    "<ListBucketResult/>";
		CHECK(s3_list_parse(trunc, sizeof(trunc) - 1, &l, &next,
		    &e) < 0 && e.ex == EX_PROTOCOL);
		s3_listing_free(&l);
		CHECK(s3_list_parse(other, sizeof(other) - 1, &l, &next,
		    &e) < 0 && e.ex == EX_PROTOCOL);
		s3_listing_free(&l);
		CHECK(s3_list_parse(notxml, sizeof(notxml) - 1, &l, &next,
		    &e) < 0 && e.ex == EX_PROTOCOL);
		s3_listing_free(&l);
		CHECK(s3_list_parse(dtd, sizeof(dtd) - 1, &l, &next, &e) < 0);
		s3_listing_free(&l);
		CHECK(s3_list_parse("", 0, &l, &next, &e) < 0);
		s3_listing_free(&l);
	}
}

static int
is(struct s3_class c, enum s3_verdict v, int ex)
{
	return c.verdict == v && c.ex == ex;
}

int
main(void)
{
	static const char *const retry[] = { "SlowDown", "RequestTimeout",
	    "InternalError", "ServiceUnavailable", "Throttling",
	    "ThrottlingException", "RequestThrottled", "OperationAborted",
	    "IncompleteBody" };
	static const char *const digest[] = { "BadDigest",
	    "XAmzContentSHA256Mismatch", "InvalidDigest" };
	static const char *const perm[] = { "InvalidAccessKeyId",
	    "SignatureDoesNotMatch", "AccessDenied", "InvalidToken",
	    "ExpiredToken", "AccountProblem", "AllAccessDisabled",
	    "InvalidSecurity", "TokenRefreshRequired" };
	static const char *const conf[] = { "NoSuchBucket",
	    "PermanentRedirect", "AuthorizationHeaderMalformed",
	    "InvalidBucketName" };
	size_t i;

	test_list_parse();
	/* every row of the code table, as a 400 (the status says nothing) */
	for (i = 0; i < sizeof(retry) / sizeof(retry[0]); i++)
		CHECK(is(s3_classify(400, retry[i], "PUT"), S3_RETRY,
		    EX_TEMPFAIL));
	for (i = 0; i < sizeof(digest) / sizeof(digest[0]); i++)
		CHECK(is(s3_classify(400, digest[i], "PUT"), S3_RETRY_FEW,
		    EX_DATAERR));
	for (i = 0; i < sizeof(perm) / sizeof(perm[0]); i++)
		CHECK(is(s3_classify(403, perm[i], "PUT"), S3_FAIL, EX_NOPERM));
	for (i = 0; i < sizeof(conf) / sizeof(conf[0]); i++)
		CHECK(is(s3_classify(404, conf[i], "GET"), S3_FAIL, EX_CONFIG));
	CHECK(is(s3_classify(404, "NoSuchUpload", "POST"), S3_FAIL,
	    EX_TEMPFAIL));

	/* success */
	CHECK(is(s3_classify(200, "", "PUT"), S3_DONE, 0));
	CHECK(is(s3_classify(204, NULL, "DELETE"), S3_DONE, 0));
	CHECK(is(s3_classify(404, "", "HEAD"), S3_DONE, 0));
	/* 200 with an <Error> (S3 on Complete) */
	CHECK(is(s3_classify(200, "InternalError", "POST"), S3_RETRY,
	    EX_TEMPFAIL));
	CHECK(is(s3_classify(200, "Weird", "POST"), S3_FAIL, EX_PROTOCOL));

	/* the status rules: retried whatever the code */
	CHECK(is(s3_classify(500, "", "PUT"), S3_RETRY, EX_TEMPFAIL));
	CHECK(is(s3_classify(502, "", "PUT"), S3_RETRY, EX_TEMPFAIL));
	CHECK(is(s3_classify(503, "AccessDenied", "PUT"), S3_RETRY,
	    EX_TEMPFAIL));
	CHECK(is(s3_classify(429, "", "GET"), S3_RETRY, EX_TEMPFAIL));
	CHECK(is(s3_classify(408, "", "GET"), S3_RETRY, EX_TEMPFAIL));
	/* 501 Not Implemented is not worth a retry */
	CHECK(is(s3_classify(501, "", "PUT"), S3_FAIL, EX_PROTOCOL));
	/* no code: the status decides */
	CHECK(is(s3_classify(401, "", "PUT"), S3_FAIL, EX_NOPERM));
	CHECK(is(s3_classify(403, "", "HEAD"), S3_FAIL, EX_NOPERM));
	CHECK(is(s3_classify(403, "Unknown", "PUT"), S3_FAIL, EX_NOPERM));
	CHECK(is(s3_classify(301, "", "GET"), S3_FAIL, EX_CONFIG));
	CHECK(is(s3_classify(404, "", "GET"), S3_FAIL, EX_PROTOCOL));
	CHECK(is(s3_classify(404, "NoSuchKey", "HEAD"), S3_FAIL,
	    EX_PROTOCOL));
	CHECK(is(s3_classify(400, "Unknown", "PUT"), S3_FAIL, EX_PROTOCOL));
	CHECK(is(s3_classify(0, "", "PUT"), S3_FAIL, EX_PROTOCOL));
	return check_done();
}
