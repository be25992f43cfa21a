/*
 * s3: a small S3 client for rec-upload over libcurl (TLS with certificate
 * checks), signing with lib/sigv4 and reading S3's XML answers with
 * lib/xml (bounded).
 * Works with AWS S3, Ceph RGW, MinIO and others: endpoint, region,
 * path-style or virtual-hosted addressing.
 *
 * Bodies are streamed from a file descriptor at an offset (pread, no
 * copies, no whole-part buffers); the caller passes the precomputed MD5
 * and SHA-256 of the bytes (lib/sums.h), sent as Content-MD5 and as the
 * signed x-amz-content-sha256, so the server verifies every byte.
 *
 * Every request is retried on 5xx, SlowDown, RequestTimeout, connection
 * errors, resets and stalls, with exponential backoff and full jitter
 * (capped), honouring Retry-After; the body is re-read from its offset for
 * every try.  RequestTimeTooSkewed corrects the clock offset from the
 * server's Date header and retries at once.  Bad credentials (77), a
 * missing bucket (78) and the like are never retried (s3_classify has the
 * table).
 *
 * Time: conf.deadline holds during a transfer too (checked at least once
 * a second), and a transfer slower than 1 KiB/s (half of limit_rate when
 * that is lower) for conf.timeout seconds counts as a stall and is
 * retried; only the answer to CompleteMultipartUpload may be slower (S3
 * takes minutes on large objects), bounded by the deadline.
 *
 * TLS: a failed handshake or certificate check (a captive portal, a clock
 * still wrong after boot: "certificate is not yet valid") is temporary,
 * EX_TEMPFAIL, with "TLS/certificate problem" and the reason in e->msg;
 * a certificate problem ends the request at once, a handshake cut
 * short is retried.
 *
 * Memory: answer bodies are kept up to 64 KiB (listings: 8 MiB), read
 * with lib/xml's limits; a longer 2xx answer is EX_PROTOCOL, a longer
 * error answer counts by its status alone.
 *
 * Errors: functions return 0, or -1 with e filled: e->ex is EX_TEMPFAIL
 * (tries exhausted, deadline, stop requested: try later), EX_NOPERM (bad
 * credentials, access denied), EX_CONFIG (no such bucket, bad endpoint),
 * EX_DATAERR (the store refused our hashes: BadDigest and friends, or an
 * answer ETag that does not match), EX_PROTOCOL (an answer we cannot
 * read, a listing whose markers do not advance), EX_IOERR (the local
 * file).  s3_last() tells the HTTP status and
 * S3 error code of the last answer (e.g. "NoSuchUpload").
 *
 * Call curl_global_init once in main before s3_new (libcurl's rule).
 * Secrets are copied into the handle and wiped by s3_free.
 */
#ifndef REC_S3_H
#define REC_S3_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

enum s3_addressing { S3_ADDR_AUTO, S3_ADDR_PATH, S3_ADDR_VIRTUAL };

struct s3_conf {
	const char *endpoint;	/* "https://host[:port]"; NULL = AWS for region */
	const char *region;	/* NULL = "us-east-1" */
	const char *bucket;
	enum s3_addressing addressing; /* AUTO: virtual for AWS, else path */
	const char *access_key, *secret_key, *session_token;
	const char *resolve;	/* "HOST:PORT:ADDRESS ..." (curl's --resolve,
				   blank-separated): these names go to these
				   addresses, no DNS; NULL = none.  s3_new
				   fails (78) on a bad entry */
	const char *ca_file;	/* PEM CA bundle instead of the system's, or
				   NULL; s3_new fails (78) when unreadable */
	uint64_t limit_rate;	/* bytes per second, 0 = no limit */
	int max_tries;		/* per request, 0 = 8 */
	long timeout;		/* seconds: connect, and a stall (see Time
				   above), 0 = 30 */
	double backoff_base;	/* seconds, 0 = 0.25 */
	double backoff_cap;	/* seconds, 0 = 20 */
	time_t deadline;	/* CLOCK_MONOTONIC seconds, also during a
				   transfer (EX_TEMPFAIL); 0 = none */
	volatile sig_atomic_t *stop; /* when set non-zero: give up (EX_TEMPFAIL) */
	void (*log)(int level, const char *msg); /* retries etc.; may be NULL */
};

struct s3;

/* One finished part of a multipart upload (ETag without quotes). */
struct s3_part {
	int number;		/* 1..10000 */
	char etag[80];
};

/* One pending multipart upload, from s3_mp_list. */
struct s3_upload {
	char *key, *upload_id;
	time_t initiated;	/* 0 when unknown */
};

/*
 * Check conf (endpoint URL, bucket, ca_file) and make a handle, or NULL +
 * e (78).
 */
struct s3 *s3_new(const struct s3_conf *conf, struct err *e);

/*
 * 1 when spec is a valid s3_conf.resolve (blank-separated entries
 * HOST:PORT:ADDRESS[,ADDRESS...], an IPv6 address bare or in brackets),
 * else 0.
 */
int s3_resolve_valid(const char *spec);
void s3_free(struct s3 *s);

/* HTTP status and S3 error code ("" when none) of the last answer. */
void s3_last(const struct s3 *s, long *status, const char **code);

/*
 * 1 when the last answer said the object is encrypted with SSE-KMS or
 * SSE-C (x-amz-server-side-encryption: aws:kms..., or an SSE-C
 * algorithm): its ETag is then not the MD5 of the data, and s3_put and
 * s3_mp_part accept it (the store checked Content-MD5); else 0.
 */
int s3_last_sse_etag(const struct s3 *s);
/* Seconds added to the local clock when signing (server - local). */
long s3_clock_skew(const struct s3 *s);

/*
 * PUT len bytes of fd at off as key, with their MD5 and SHA-256.  The
 * answer's ETag must be the hex MD5; it is stored (without quotes) in
 * etag[80].
 */
int s3_put(struct s3 *s, const char *key, int fd, uint64_t off, uint64_t len,
    const unsigned char md5[16], const unsigned char sha256[32],
    char etag[80], struct err *e);

/* Start a multipart upload; *upload_id is malloc'd. */
int s3_mp_create(struct s3 *s, const char *key, char **upload_id,
    struct err *e);

/* Upload one part (number 1..10000); its ETag must be the part's MD5. */
int s3_mp_part(struct s3 *s, const char *key, const char *upload_id,
    int number, int fd, uint64_t off, uint64_t len,
    const unsigned char md5[16], const unsigned char sha256[32],
    char etag[80], struct err *e);

/*
 * Complete with parts (ascending numbers).  The answer's ETag is stored in
 * etag[80] (it may be empty: some stores leave it out).  A 200 answer that
 * carries an <Error> is an error.  NoSuchUpload (the upload is gone,
 * perhaps completed by a try whose answer was lost) is -1 with
 * s3_last code "NoSuchUpload": the caller checks the object with s3_head.
 */
int s3_mp_complete(struct s3 *s, const char *key, const char *upload_id,
    const struct s3_part *parts, size_t n, char etag[80], struct err *e);

/* Abort; a NoSuchUpload answer counts as done. */
int s3_mp_abort(struct s3 *s, const char *key, const char *upload_id,
    struct err *e);

/*
 * The pending multipart uploads whose key starts with prefix (all pages).
 * *ups is a malloc'd array of *n entries; free with s3_uploads_free.
 */
int s3_mp_list(struct s3 *s, const char *prefix, struct s3_upload **ups,
    size_t *n, struct err *e);
void s3_uploads_free(struct s3_upload *ups, size_t n);

/*
 * HEAD key: 1 and *size/etag[80] filled when it exists, 0 when it does not
 * (404), -1 with e on error.
 */
int s3_head(struct s3 *s, const char *key, uint64_t *size, char etag[80],
    struct err *e);

/*
 * GET key into memory: the whole object (len 0 and off 0), from off to
 * its end (len 0), or len bytes from off (a Range request; the store may
 * answer fewer when the object is shorter).  At most max bytes are kept:
 * a longer answer is -1 (EX_PROTOCOL), so a ranged read of a header
 * costs what it asks for even from a store that ignores Range and
 * answers 200 with everything.  *buf is malloc'd, *n bytes, with a NUL
 * after them (not counted); the caller frees it.
 * A missing key: -1 with e->ex EX_NOINPUT and s3_last code "NoSuchKey";
 * a range past the end: -1 (code "InvalidRange").  Retried as every
 * request.  Read-only credentials suffice.
 */
int s3_get(struct s3 *s, const char *key, uint64_t off, uint64_t len,
    size_t max, char **buf, size_t *n, struct err *e);

/*
 * GET key (off/len as s3_get) into fd, a regular file open for writing:
 * the bytes go at its current offset; a retry writes them again from
 * there; on success the file ends after them (ftruncate) and *n (may be
 * NULL) is their count.  A failing write is -1 with
 * err_ex_for_errno's code (ENOSPC: EX_TEMPFAIL), never retried.
 */
int s3_get_fd(struct s3 *s, const char *key, uint64_t off, uint64_t len,
    int fd, uint64_t *n, struct err *e);

/* One object of a listing. */
struct s3_object {
	char *key;
	uint64_t size;
	char etag[80];		/* without quotes */
	int64_t mtime_ns;	/* LastModified, ns since the epoch; 0 unknown */
};

/* What s3_list found; free with s3_listing_free. */
struct s3_listing {
	struct s3_object *obj;	/* in the store's order (key order) */
	size_t nobj;
	char **prefixes;	/* CommonPrefixes (with a delimiter) */
	size_t nprefixes;
};

/*
 * ListObjectsV2 of the keys that start with prefix ("" or NULL: all),
 * every page (continuation tokens).  With delim (e.g. "/"), keys with
 * delim after the prefix are rolled up into l->prefixes.  l is filled
 * (empty first); -1 with e (a token that does not advance:
 * EX_PROTOCOL).  Test hook: REC_TEST_MAX_KEYS=N sends max-keys=N, so
 * that a test sees several pages with a few keys.
 */
int s3_list(struct s3 *s, const char *prefix, const char *delim,
    struct s3_listing *l, struct err *e);
void s3_listing_free(struct s3_listing *l);

/*
 * Parse one ListObjectsV2 answer of len bytes, appending its objects
 * and prefixes to l.  *next: the malloc'd NextContinuationToken when
 * the answer says IsTruncated, else NULL.  0, or -1 with e
 * (EX_PROTOCOL: not a ListBucketResult, or truncated without a token;
 * EX_OSERR).  Exported for the unit test.
 */
int s3_list_parse(const char *doc, size_t len, struct s3_listing *l,
    char **next, struct err *e);

/*
 * A presigned URL (query-string SigV4) that lets anyone GET key for
 * expires seconds (1..604800) from now (the local clock plus the skew
 * learnt from the store); with a session token the URL carries it, and
 * is good only while the token is.  Malloc'd, or NULL with e (EX_USAGE
 * for expires out of range, EX_OSERR).
 */
char *s3_presign(struct s3 *s, const char *key, long expires,
    struct err *e);

/* What an answer means, as every request treats it. */
enum s3_verdict {
	S3_DONE,	/* a success: 2xx without an error code, or HEAD 404 */
	S3_RETRY,	/* try again after a pause; ex once tries run out */
	S3_RETRY_FEW,	/* our hashes refused: twice more at most, then ex */
	S3_FAIL		/* give up now with ex */
};

struct s3_class {
	enum s3_verdict verdict;
	int ex;		/* the sysexits code to suggest; 0 for S3_DONE */
};

/*
 * Classify an answer by its HTTP status, its S3 error code ("" or NULL
 * when it carried none) and the request's method ("HEAD": a 404 means no
 * such key).  Retried: 5xx but 501, 408, 429, SlowDown and the other
 * throttling and internal errors; then known codes decide (credentials
 * 77, bucket 78, hashes 65, NoSuchUpload 75); then 401/403 (77), 301
 * (78), anything else 76.  A pure function.
 */
struct s3_class s3_classify(long status, const char *code,
    const char *method);

#endif
