/*
 * test_s3: s3_classify, the table that says what every answer of an S3
 * store means (done, retry, retry a few times, give up with which
 * sysexits code): every row of the code table, then the status rules.
 */
#include <sysexits.h>

#include "check.h"
#include "s3.h"

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
