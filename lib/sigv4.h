/*
 * sigv4: AWS Signature Version 4 (header form) for S3 and compatible
 * stores.  We build the canonical request from the unencoded parts of a
 * request, so the URL the client sends and the string it signs come from
 * the same encoder (sigv4_uri_encode) and cannot disagree.
 *
 * S3 rules: the path is not normalised ("a//b" stays), every byte but the
 * unreserved ones (A-Z a-z 0-9 - . _ ~) is percent-encoded once, '/' is
 * kept in the path; query keys and values are encoded the same way ('/'
 * included) and sorted; header names are lowercased, values trimmed and
 * runs of spaces collapsed, duplicates joined with ','.
 *
 * Memory: every char * returned is malloc'd, the caller frees it; NULL
 * with errno ENOMEM on failure.  Uses OpenSSL libcrypto.
 */
#ifndef REC_SIGV4_H
#define REC_SIGV4_H

#include <stddef.h>
#include <time.h>

struct sigv4_kv {
	const char *k, *v;	/* unencoded; v may be NULL (= "") */
};

struct sigv4_req {
	const char *method;		/* "PUT" */
	const char *path;		/* unencoded, "/bucket/key with space" */
	const struct sigv4_kv *query;	/* unencoded, any order */
	size_t nquery;
	const struct sigv4_kv *hdrs;	/* all headers to sign (host and
					   x-amz-date included), any order */
	size_t nhdrs;
	const char *payload_hash;	/* 64 hex or "UNSIGNED-PAYLOAD" */
};

struct sigv4_cred {
	const char *access_key;
	const char *secret_key;
	const char *region;		/* "us-east-1" */
	const char *service;		/* "s3" */
};

/* Percent-encode s as SigV4 and S3 want it; '/' kept when keep_slash. */
char *sigv4_uri_encode(const char *s, int keep_slash);

/* The encoded query string "a=1&b=2" of r (sorted), "" when none. */
char *sigv4_query_string(const struct sigv4_kv *q, size_t n);

/*
 * Canonical request of r; *signed_headers (when not NULL) receives the
 * "host;x-amz-date" list.
 */
char *sigv4_canonical_request(const struct sigv4_req *r,
    char **signed_headers);

/* String to sign for canonical request creq at amzdate "20150830T123600Z". */
char *sigv4_string_to_sign(const char *amzdate, const char *region,
    const char *service, const char *creq);

/*
 * The value of the Authorization header for r:
 * "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/s3/aws4_request,
 *  SignedHeaders=host;x-amz-date, Signature=<64 hex>".
 * The signing key is derived here and wiped after use.
 */
char *sigv4_authorization(const struct sigv4_req *r,
    const struct sigv4_cred *c, const char *amzdate);

/*
 * Query-string authentication (a presigned URL): the encoded, sorted
 * query string of r's query plus X-Amz-Algorithm, X-Amz-Credential,
 * X-Amz-Date, X-Amz-Expires (seconds, 1..604800), X-Amz-SignedHeaders
 * and, when token is not NULL, X-Amz-Security-Token, then
 * "&X-Amz-Signature=<64 hex>".  r->hdrs must hold host (and only the
 * headers the user of the URL will send); r->payload_hash is
 * "UNSIGNED-PAYLOAD" for S3.  The URL is scheme://host + the encoded
 * path + "?" + this.  NULL with errno ENOMEM, or EINVAL for expires out
 * of range.
 */
char *sigv4_presign(const struct sigv4_req *r, const struct sigv4_cred *c,
    const char *amzdate, long expires, const char *token);

/* t as "YYYYMMDDTHHMMSSZ" (UTC) into out[17]. */
void sigv4_amzdate(time_t t, char out[17]);

/* Lowercase hex SHA-256 of len bytes into out[65]. */
void sigv4_sha256_hex(const void *buf, size_t len, char out[65]);

#endif
