/*
 * s3: S3 requests over libcurl: signed with lib/sigv4, bodies streamed
 * from a file at an offset, answers parsed with expat, retried with
 * capped exponential backoff and full jitter.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "file.h"
#include "hex.h"
#include "s3.h"
#include "strbuf.h"
#include "sigv4.h"
#include "sums.h"
#include "utc.h"
#include "xml.h"

/*
 * The largest answer bodies we keep: S3's answers are a few hundred
 * bytes, but an error page from a proxy or a broken store can be
 * anything; only listings (ListMultipartUploads, ListParts: up to 1000
 * entries of keys up to 1 KiB) need more.
 */
#define BODY_MAX	(64u << 10)
#define LIST_BODY_MAX	(8u << 20)
/*
 * Below this speed (bytes/s) for `timeout` seconds a transfer counts as
 * stalled: a link trickling a few bytes a second would otherwise hold
 * the upload (and the spool lock) for ever.  Lowered to half of
 * limit_rate when that is smaller, so that our own cap never trips it.
 */
#define LOW_SPEED	1024

/* ---- the client ---- */

struct s3 {
	CURL *curl;
	char *scheme, *host, *hosthdr;	/* hosthdr: host[:port] of the endpoint */
	char *bucket, *region, *ak, *sk, *token, *ca_file;
	struct curl_slist *resolve;	/* CURLOPT_RESOLVE entries, or NULL */
	enum s3_addressing addr;
	uint64_t limit_rate;
	int max_tries;
	long timeout;
	double base, cap;
	time_t deadline;
	int deadline_hit;	/* the progress callback saw it pass */
	volatile sig_atomic_t *stop;
	void (*log)(int, const char *);
	long skew;
	unsigned int seed;
	/* last answer */
	long status;
	char code[64];
	int sse_etag;		/* it said SSE-KMS or SSE-C: ETag no MD5 */
};

struct body {
	int fd;
	const char *mem;
	uint64_t off, len, pos;
	int err;
};

struct answer {
	long status;
	char etag[80];
	char date[128];
	long retry_after;	/* seconds, -1 none */
	uint64_t clen;
	int have_clen;
	int sse_etag;		/* SSE-KMS/SSE-C: the ETag is not the MD5 */
	size_t body_max;	/* 0 = BODY_MAX */
	int toobig;		/* the body passed body_max: cut short */
	struct strbuf body;
	/* s3_get_fd: a 2xx body goes to sink_fd at sink_base + sink_pos */
	int sink, sink_fd, sink_err;
	off_t sink_base;
	uint64_t sink_pos;
	long hstatus;		/* the status line's, while it arrives */
};

/* One request as the caller describes it. */
struct req {
	const char *method;
	const char *key;		/* NULL: bucket-level */
	const struct sigv4_kv *query;
	size_t nq;
	struct body body;		/* fd -1 and mem NULL: none */
	int has_body;
	const unsigned char *md5, *sha256; /* NULL: computed for mem bodies */
	const char *content_type;
	int slow_answer;	/* the server may take minutes to answer
				   (Complete: AWS sends a space now and
				   then): no low-speed limit, the deadline
				   still holds */
	const char *range;	/* a Range header value, or NULL */
};

static time_t
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static char *
dupnull(const char *s)
{
	return s ? strdup(s) : NULL;
}

/*
 * Check one entry of resolve, HOST:PORT:ADDRESS[,ADDRESS...] (curl's
 * --resolve; an IPv6 address may be in brackets), of length len.
 */
static int
resolve_entry_ok(const char *p, size_t len)
{
	char buf[512], *port, *addr, *a, *save = NULL;
	unsigned long n;

	if (len == 0 || len >= sizeof(buf))
		return 0;
	memcpy(buf, p, len);
	buf[len] = '\0';
	if ((port = strchr(buf, ':')) == NULL || port == buf ||
	    strspn(buf, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-_") != (size_t)(port - buf))
		return 0;
	*port++ = '\0';
	if ((addr = strchr(port, ':')) == NULL)
		return 0;
	*addr++ = '\0';
	if (strspn(port, "0123456789") != strlen(port) || strlen(port) > 5 ||
	    (n = strtoul(port, NULL, 10)) < 1 || n > 65535 || *addr == '\0' ||
	    *addr == ',' || addr[strlen(addr) - 1] == ',' ||
	    strstr(addr, ",,") != NULL)
		return 0;
	for (a = strtok_r(addr, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		unsigned char ip[16];
		size_t al = strlen(a);

		if (al > 2 && a[0] == '[' && a[al - 1] == ']') {
			a[al - 1] = '\0';
			if (inet_pton(AF_INET6, a + 1, ip) != 1)
				return 0;
		} else if (inet_pton(AF_INET, a, ip) != 1 &&
		    inet_pton(AF_INET6, a, ip) != 1) {
			return 0;
		}
	}
	return 1;
}

/*
 * Split spec (entries separated by blanks) into a curl_slist in *out.
 * 0, or -1 with errno EINVAL (a bad entry) or ENOMEM.
 */
static int
resolve_list(const char *spec, struct curl_slist **out)
{
	struct curl_slist *l = NULL, *t;
	char one[512];

	*out = NULL;
	for (spec += strspn(spec, " \t"); *spec; spec += strspn(spec, " \t")) {
		size_t len = strcspn(spec, " \t");
		if (!resolve_entry_ok(spec, len)) {
			curl_slist_free_all(l);
			errno = EINVAL;
			return -1;
		}
		snprintf(one, sizeof(one), "%.*s", (int)len, spec);
		if ((t = curl_slist_append(l, one)) == NULL) {
			curl_slist_free_all(l);
			errno = ENOMEM;
			return -1;
		}
		l = t;
		spec += len;
	}
	*out = l;
	return 0;
}

int
s3_resolve_valid(const char *spec)
{
	struct curl_slist *l;

	if (resolve_list(spec, &l) < 0)
		return errno == ENOMEM ? 1 : 0;
	curl_slist_free_all(l);
	return 1;
}

struct s3 *
s3_new(const struct s3_conf *c, struct err *e)
{
	struct s3 *s = calloc(1, sizeof(*s));
	CURLU *u = NULL;
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	char *query = NULL, *user = NULL, awsurl[256];
	const char *ep = c->endpoint;
	int ok = 0;

	if (s == NULL) {
		err_sys(e, EX_OSERR, "cannot make an s3 client");
		return NULL;
	}
	s->region = strdup(c->region && *c->region ? c->region : "us-east-1");
	if (ep == NULL || *ep == '\0') {
		snprintf(awsurl, sizeof(awsurl), "https://s3.%s.amazonaws.com",
		    s->region ? s->region : "us-east-1");
		ep = awsurl;
	}
	if (c->bucket == NULL || *c->bucket == '\0' ||
	    strspn(c->bucket, "abcdefghijklmnopqrstuvwxyz0123456789.-_"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(c->bucket) ||
	    strlen(c->bucket) > 255) {
		err_set(e, EX_CONFIG, "bad bucket name '%s'",
		    c->bucket ? c->bucket : "");
		goto out;
	}
	if ((u = curl_url()) == NULL ||
	    curl_url_set(u, CURLUPART_URL, ep, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") && strcmp(scheme, "https"))) {
		err_set(e, EX_CONFIG, "bad endpoint URL '%s' (want "
		    "http[s]://host[:port])", ep);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK ||
	    (curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK &&
	    strcmp(path, "/") != 0)) {
		err_set(e, EX_CONFIG, "bad endpoint URL '%s': no path, query "
		    "or user allowed", ep);
		goto out;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	s->scheme = strdup(scheme);
	s->host = strdup(host);
	if (port != NULL) {
		size_t n = strlen(host) + strlen(port) + 2;
		if ((s->hosthdr = malloc(n)) != NULL)
			snprintf(s->hosthdr, n, "%s:%s", host, port);
	} else {
		s->hosthdr = strdup(host);
	}
	s->bucket = strdup(c->bucket);
	s->ak = dupnull(c->access_key);
	s->sk = dupnull(c->secret_key);
	s->token = c->session_token && *c->session_token ?
	    strdup(c->session_token) : NULL;
	if (!s->scheme || !s->host || !s->hosthdr || !s->bucket ||
	    !s->region || !s->ak || !s->sk ||
	    (c->session_token && *c->session_token && !s->token)) {
		err_set(e, c->access_key && c->secret_key ? EX_OSERR : EX_NOPERM,
		    "no credentials");
		goto out;
	}
	s->addr = c->addressing;
	if (s->addr == S3_ADDR_AUTO) {
		size_t hl = strlen(s->host);
		s->addr = hl >= 14 && strcmp(s->host + hl - 14,
		    ".amazonaws.com") == 0 ? S3_ADDR_VIRTUAL : S3_ADDR_PATH;
	}
	s->limit_rate = c->limit_rate;
	/* checked here: at transfer time an unreadable CA file looks like
	 * any TLS failure, which is temporary */
	if (c->ca_file && *c->ca_file && access(c->ca_file, R_OK) < 0) {
		err_sys(e, EX_CONFIG, "cannot read the CA file %s", c->ca_file);
		goto out;
	}
	if (c->ca_file && *c->ca_file && (s->ca_file = strdup(c->ca_file)) == NULL) {
		err_sys(e, EX_OSERR, "out of memory");
		goto out;
	}
	if (c->resolve && resolve_list(c->resolve, &s->resolve) < 0) {
		err_sys(e, errno == EINVAL ? EX_CONFIG : EX_OSERR, "bad "
		    "resolve '%s' (want HOST:PORT:ADDRESS ...)", c->resolve);
		goto out;
	}
	s->max_tries = c->max_tries > 0 ? c->max_tries : 8;
	s->timeout = c->timeout > 0 ? c->timeout : 30;
	s->base = c->backoff_base > 0 ? c->backoff_base : 0.25;
	s->cap = c->backoff_cap > 0 ? c->backoff_cap : 20;
	s->deadline = c->deadline;
	s->stop = c->stop;
	s->log = c->log;
	{
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		s->seed = (unsigned int)(ts.tv_nsec ^ getpid() ^ ts.tv_sec);
	}
	if ((s->curl = curl_easy_init()) == NULL) {
		err_set(e, EX_OSERR, "cannot initialise libcurl");
		goto out;
	}
	ok = 1;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_free(user);
	curl_url_cleanup(u);
	if (!ok) {
		s3_free(s);
		return NULL;
	}
	return s;
}

static void
wipe_free(char *p)
{
	if (p != NULL) {
		OPENSSL_cleanse(p, strlen(p));
		free(p);
	}
}

void
s3_free(struct s3 *s)
{
	if (s == NULL)
		return;
	if (s->curl)
		curl_easy_cleanup(s->curl);
	free(s->scheme);
	free(s->host);
	free(s->hosthdr);
	free(s->bucket);
	free(s->region);
	free(s->ca_file);
	curl_slist_free_all(s->resolve);
	wipe_free(s->ak);
	wipe_free(s->sk);
	wipe_free(s->token);
	free(s);
}

void
s3_last(const struct s3 *s, long *status, const char **code)
{
	if (status)
		*status = s->status;
	if (code)
		*code = s->code;
}

int
s3_last_sse_etag(const struct s3 *s)
{
	return s->sse_etag;
}

long
s3_clock_skew(const struct s3 *s)
{
	return s->skew;
}

static void say(struct s3 *s, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct s3 *s, int level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (s->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->log(level, msg);
}

static size_t
read_cb(char *dst, size_t size, size_t nitems, void *u)
{
	struct body *b = u;
	size_t want = size * nitems;
	uint64_t left = b->len - b->pos;
	ssize_t r;

	if (want > left)
		want = (size_t)left;
	if (want == 0)
		return 0;
	if (b->mem != NULL) {
		memcpy(dst, b->mem + b->pos, want);
	} else {
		r = file_pread_full(b->fd, dst, want, (off_t)(b->off + b->pos));
		if (r < 0 || (size_t)r != want) {
			b->err = r < 0 ? errno : EIO;
			return CURL_READFUNC_ABORT;
		}
	}
	b->pos += want;
	return want;
}

static int
seek_cb(void *u, curl_off_t off, int origin)
{
	struct body *b = u;

	if (origin != SEEK_SET || off < 0 || (uint64_t)off > b->len)
		return CURL_SEEKFUNC_FAIL;
	b->pos = (uint64_t)off;
	return CURL_SEEKFUNC_OK;
}

static size_t
write_cb(char *p, size_t size, size_t n, void *u)
{
	struct answer *a = u;

	if (a->sink && a->hstatus >= 200 && a->hstatus < 300) {
		if (file_pwrite_all(a->sink_fd, p, size * n, a->sink_base +
		    (off_t)a->sink_pos) < 0) {
			a->sink_err = errno ? errno : EIO;
			return 0;
		}
		a->sink_pos += size * n;
		return size * n;
	}
	if (a->body.len + size * n > (a->body_max ? a->body_max : BODY_MAX)) {
		a->toobig = 1;
		return 0;
	}
	strbuf_add(&a->body, p, size * n);
	return a->body.oom ? 0 : size * n;
}

/* Copy the value of header line `line` (name: value) into out, trimmed. */
static int
hdr_val(const char *line, size_t len, const char *name, char *out,
    size_t outsz)
{
	size_t nl = strlen(name), i, j;

	if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return 0;
	for (i = nl + 1; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	for (j = len; j > i && isspace((unsigned char)line[j - 1]); j--)
		;
	if (j - i >= outsz)
		j = i + outsz - 1;
	memcpy(out, line + i, j - i);
	out[j - i] = '\0';
	return 1;
}

static size_t
header_cb(char *line, size_t size, size_t n, void *u)
{
	struct answer *a = u;
	size_t len = size * n;
	char v[128];

	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		/* a new answer (after 100 Continue): start over */
		a->etag[0] = a->date[0] = '\0';
		a->retry_after = -1;
		a->have_clen = 0;
		a->sse_etag = 0;
		a->hstatus = 0;
		if (memchr(line, ' ', len) != NULL)
			a->hstatus = strtol((char *)memchr(line, ' ', len) + 1,
			    NULL, 10);
		return len;
	}
	/* AWS: objects encrypted with SSE-KMS or SSE-C have ETags that are
	 * not an MD5 of their data (SSE-S3's are) */
	if (hdr_val(line, len, "x-amz-server-side-encryption", v, sizeof(v)) &&
	    strncmp(v, "aws:kms", 7) == 0)
		a->sse_etag = 1;
	else if (hdr_val(line, len,
	    "x-amz-server-side-encryption-customer-algorithm", v, sizeof(v)))
		a->sse_etag = 1;
	if (hdr_val(line, len, "ETag", v, sizeof(v))) {
		char *p = v;
		size_t l;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (*p == '"')
			p++;
		l = strlen(p);
		if (l > 0 && p[l - 1] == '"')
			p[--l] = '\0';
		snprintf(a->etag, sizeof(a->etag), "%s", p);
	} else if (hdr_val(line, len, "Date", v, sizeof(v))) {
		snprintf(a->date, sizeof(a->date), "%s", v);
	} else if (hdr_val(line, len, "Retry-After", v, sizeof(v))) {
		if (isdigit((unsigned char)v[0])) {
			a->retry_after = strtol(v, NULL, 10);
		} else {
			time_t t = curl_getdate(v, NULL);
			if (t > 0)
				a->retry_after = t > time(NULL) ?
				    (long)(t - time(NULL)) : 0;
		}
	} else if (hdr_val(line, len, "Content-Length", v, sizeof(v))) {
		a->clen = strtoull(v, NULL, 10);
		a->have_clen = 1;
	}
	return len;
}

static int
progress_cb(void *u, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct s3 *s = u;

	if (s->stop && *s->stop)
		return 1;
	/* libcurl calls this at least once a second, even on a stalled
	 * link: the deadline holds during a transfer too */
	if (s->deadline && mono_now() >= s->deadline) {
		s->deadline_hit = 1;
		return 1;
	}
	return 0;
}

/*
 * The Host header for the addressing in use (BUCKET.HOST when virtual),
 * malloc'd; NULL when out of memory.
 */
static char *
req_host(const struct s3 *s)
{
	char *host;
	size_t n;

	if (s->addr != S3_ADDR_VIRTUAL)
		return strdup(s->hosthdr);
	n = strlen(s->bucket) + strlen(s->hosthdr) + 2;
	if ((host = malloc(n)) != NULL)
		snprintf(host, n, "%s.%s", s->bucket, s->hosthdr);
	return host;
}

/* The unencoded path of key (or the bucket) for the addressing in use. */
static char *
req_path(const struct s3 *s, const char *key)
{
	struct strbuf b = { 0 };

	if (s->addr == S3_ADDR_PATH) {
		strbuf_fmt(&b, "/%s", s->bucket);
		if (key != NULL)
			strbuf_fmt(&b, "/%s", key);
	} else {
		strbuf_fmt(&b, "/%s", key ? key : "");
	}
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

enum verdict { V_OK, V_RETRY, V_FAIL };

/* Set every option of one try of r (the handle is reset first). */
static void
set_opts(struct s3 *s, struct req *r, struct answer *a, const char *url,
    struct curl_slist *hl, char *errbuf)
{
	CURL *c = s->curl;
	long low = LOW_SPEED;

	if (s->limit_rate && s->limit_rate / 2 < (uint64_t)low)
		low = s->limit_rate / 2 ? (long)(s->limit_rate / 2) : 1;
	if (r->slow_answer)
		low = 1;
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	/* send the path as signed: no "./" or "../" folding by libcurl */
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, s->timeout);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, low);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, s->timeout);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, s);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	if (s->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, s->ca_file);
	if (s->resolve)
		curl_easy_setopt(c, CURLOPT_RESOLVE, s->resolve);
	if (s->limit_rate)
		curl_easy_setopt(c, CURLOPT_MAX_SEND_SPEED_LARGE,
		    (curl_off_t)s->limit_rate);
	r->body.pos = 0;	/* every try sends the body from its start */
	r->body.err = 0;
	if (strcmp(r->method, "PUT") == 0) {
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
		    (curl_off_t)r->body.len);
	} else if (strcmp(r->method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)r->body.len);
	} else if (strcmp(r->method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (strcmp(r->method, "GET") != 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
	}
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &r->body);
	curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, seek_cb);
	curl_easy_setopt(c, CURLOPT_SEEKDATA, &r->body);
}

/*
 * 1 when cc is a TLS failure.  *now is set for those a retry within
 * seconds cannot mend (the certificate, the CA file): the request ends
 * at once, the next run tries again.
 */
static int
tls_failure(CURLcode cc, int *now)
{
	*now = 1;
	switch (cc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CLIENTCERT:
		return 1;
	case CURLE_SSL_CONNECT_ERROR:	/* also a reset mid-handshake */
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_USE_SSL_FAILED:
		*now = 0;
		return 1;
	default:
		*now = 0;
		return 0;
	}
}

/*
 * What a failed transfer (cc, no answer) means: V_RETRY with why filled,
 * or V_FAIL with e filled.  A TLS failure is temporary (EX_TEMPFAIL): a
 * captive portal or a clock still wrong after boot ("certificate is not
 * yet valid") mends itself, and a configuration error would make the
 * supervisor hold uploads until someone comes.
 */
static enum verdict
transport_verdict(struct s3 *s, const struct req *r, CURLcode cc,
    const char *errbuf, const char *url, const char *host, char *why,
    size_t whysz, struct err *e)
{
	const char *what = r->key ? r->key : s->bucket;
	const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(cc);
	int now;

	if (r->body.err) {
		errno = r->body.err;
		err_sys(e, EX_IOERR, "cannot read the body of %s", what);
		return V_FAIL;
	}
	if (cc == CURLE_ABORTED_BY_CALLBACK && s->deadline_hit) {
		err_set(e, EX_TEMPFAIL, "%s %s: the deadline passed during "
		    "the transfer", r->method, what);
		return V_FAIL;
	}
	if (cc == CURLE_ABORTED_BY_CALLBACK) {
		err_set(e, EX_TEMPFAIL, "stopped");
		return V_FAIL;
	}
	if (tls_failure(cc, &now)) {
		snprintf(why, whysz, "TLS/certificate problem with %s://%s: "
		    "%s (a captive portal, a wrong system clock or a wrong "
		    "ca-file?)", s->scheme, host, detail);
		if (!now)
			return V_RETRY;
		err_set(e, EX_TEMPFAIL, "%s %s: %s", r->method, what, why);
		return V_FAIL;
	}
	snprintf(why, whysz, "%s", detail);
	switch (cc) {
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		err_set(e, EX_CONFIG, "%s %s: %s", r->method, url, why);
		return V_FAIL;
	case CURLE_OUT_OF_MEMORY:
		err_set(e, EX_OSERR, "%s: %s", r->method, why);
		return V_FAIL;
	default:	/* connection refused/reset, stalls, DNS... */
		return V_RETRY;
	}
}

/* The hex SHA-256 and base64 MD5 ("" when no body) of r's body. */
static void
body_hashes(const struct req *r, char sha_hex[65], char md5_b64[32])
{
	unsigned char md5[16], sha[32];
	unsigned int n;

	if (r->has_body && r->body.mem != NULL && r->md5 == NULL) {
		EVP_Digest(r->body.mem, r->body.len, md5, &n, EVP_md5(), NULL);
		EVP_Digest(r->body.mem, r->body.len, sha, &n, EVP_sha256(),
		    NULL);
		hex_encode(sha, 32, sha_hex);
		sums_base64(md5, 16, md5_b64);
	} else if (r->has_body) {
		hex_encode(r->sha256, 32, sha_hex);
		sums_base64(r->md5, 16, md5_b64);
	} else {
		sigv4_sha256_hex("", 0, sha_hex);
		md5_b64[0] = '\0';
	}
}

/* Empty a for a new try (its body buffer is kept for reuse). */
static void
answer_reset(struct answer *a)
{
	a->status = 0;
	a->etag[0] = a->date[0] = '\0';
	a->retry_after = -1;
	a->have_clen = 0;
	a->toobig = 0;
	a->hstatus = 0;
	a->sink_pos = 0;
	a->sink_err = 0;
	a->body.len = 0;
	if (a->body.p)
		a->body.p[0] = '\0';
}

/*
 * One try: sign and send r, fill a.  Returns V_OK for an answer (any
 * status), V_RETRY for a transport failure worth another try, V_FAIL with
 * e filled otherwise.
 */
static enum verdict
try_once(struct s3 *s, struct req *r, struct answer *a, char *why,
    size_t whysz, struct err *e)
{
	CURL *c = s->curl;
	struct curl_slist *hl = NULL;
	struct sigv4_kv h[7];
	struct sigv4_req sr;
	struct sigv4_cred cr = { s->ak, s->sk, s->region, "s3" };
	struct strbuf url = { 0 }, hb = { 0 };
	char amzdate[17], sha_hex[65], md5_b64[32], *path = NULL, *qs = NULL;
	char *enc = NULL, *authz = NULL, *host = NULL;
	char errbuf[CURL_ERROR_SIZE];
	size_t nh = 0;
	enum verdict v = V_FAIL;
	CURLcode cc;

	body_hashes(r, sha_hex, md5_b64);
	sigv4_amzdate(time(NULL) + s->skew, amzdate);
	host = req_host(s);
	if (host == NULL || (path = req_path(s, r->key)) == NULL ||
	    (enc = sigv4_uri_encode(path, 1)) == NULL ||
	    (qs = sigv4_query_string(r->query, r->nq)) == NULL)
		goto oom;
	h[nh].k = "host";
	h[nh++].v = host;
	h[nh].k = "x-amz-date";
	h[nh++].v = amzdate;
	h[nh].k = "x-amz-content-sha256";
	h[nh++].v = sha_hex;
	if (md5_b64[0]) {
		h[nh].k = "content-md5";
		h[nh++].v = md5_b64;
	}
	if (s->token) {
		h[nh].k = "x-amz-security-token";
		h[nh++].v = s->token;
	}
	if (r->range) {
		h[nh].k = "range";
		h[nh++].v = r->range;
	}
	sr.method = r->method;
	sr.path = path;
	sr.query = r->query;
	sr.nquery = r->nq;
	sr.hdrs = h;
	sr.nhdrs = nh;
	sr.payload_hash = sha_hex;
	if ((authz = sigv4_authorization(&sr, &cr, amzdate)) == NULL)
		goto oom;
	strbuf_fmt(&url, "%s://%s%s%s%s", s->scheme, host, enc, *qs ? "?" : "",
	    qs);
	for (size_t i = 0; i < nh; i++) {
		hb.len = 0;
		strbuf_fmt(&hb, "%s: %s", h[i].k, h[i].v);
		if (hb.oom)
			goto oom;
		hl = curl_slist_append(hl, hb.p);
	}
	hb.len = 0;
	strbuf_fmt(&hb, "Authorization: %s", authz);
	if (hb.oom || url.oom)
		goto oom;
	hl = curl_slist_append(hl, hb.p);
	if (r->content_type) {
		hb.len = 0;
		strbuf_fmt(&hb, "Content-Type: %s", r->content_type);
		hl = curl_slist_append(hl, hb.p);
	} else if (strcmp(r->method, "POST") == 0) {
		hl = curl_slist_append(hl, "Content-Type:");
	}
	if (hl == NULL)
		goto oom;

	set_opts(s, r, a, url.p, hl, errbuf);
	answer_reset(a);
	errbuf[0] = '\0';
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
	/* an answer whose body we cut short is still an answer: its
	 * status counts, its body does not (request() decides) */
	if (cc == CURLE_OK || (cc == CURLE_WRITE_ERROR && a->toobig &&
	    a->status > 0)) {
		v = V_OK;
		goto out;
	}
	a->status = 0;
	if (a->sink_err) {
		errno = a->sink_err;
		err_sys(e, err_ex_for_errno(errno), "cannot write what GET %s "
		    "answered", r->key);
		v = V_FAIL;
		goto out;
	}
	v = transport_verdict(s, r, cc, errbuf, url.p, host, why, whysz, e);
	goto out;
oom:
	err_set(e, EX_OSERR, "out of memory");
out:
	/* errbuf and hl die here: the handle must not point at them */
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hl);
	free(url.p);
	if (hb.p) {
		OPENSSL_cleanse(hb.p, hb.cap);
		free(hb.p);
	}
	free(authz);
	free(host);
	free(path);
	free(enc);
	free(qs);
	return v;
}

/*
 * What S3 error codes mean, before the status is looked at (SlowDown,
 * RequestTimeout... also come as 400 or 403 from some stores).
 */
static const struct {
	const char *code;
	enum s3_verdict verdict;
	int ex;
} code_table[] = {
	{ "SlowDown",			S3_RETRY,	EX_TEMPFAIL },
	{ "RequestTimeout",		S3_RETRY,	EX_TEMPFAIL },
	{ "InternalError",		S3_RETRY,	EX_TEMPFAIL },
	{ "ServiceUnavailable",		S3_RETRY,	EX_TEMPFAIL },
	{ "Throttling",			S3_RETRY,	EX_TEMPFAIL },
	{ "ThrottlingException",	S3_RETRY,	EX_TEMPFAIL },
	{ "RequestThrottled",		S3_RETRY,	EX_TEMPFAIL },
	{ "OperationAborted",		S3_RETRY,	EX_TEMPFAIL },
	/* a link cut mid-body: retried, not bad data */
	{ "IncompleteBody",		S3_RETRY,	EX_TEMPFAIL },
	/* our hashes refused: a bit flipped in flight, or the file changed */
	{ "BadDigest",			S3_RETRY_FEW,	EX_DATAERR },
	{ "XAmzContentSHA256Mismatch",	S3_RETRY_FEW,	EX_DATAERR },
	{ "InvalidDigest",		S3_RETRY_FEW,	EX_DATAERR },
	{ "InvalidAccessKeyId",		S3_FAIL,	EX_NOPERM },
	{ "SignatureDoesNotMatch",	S3_FAIL,	EX_NOPERM },
	{ "AccessDenied",		S3_FAIL,	EX_NOPERM },
	{ "InvalidToken",		S3_FAIL,	EX_NOPERM },
	{ "ExpiredToken",		S3_FAIL,	EX_NOPERM },
	{ "AccountProblem",		S3_FAIL,	EX_NOPERM },
	{ "AllAccessDisabled",		S3_FAIL,	EX_NOPERM },
	{ "InvalidSecurity",		S3_FAIL,	EX_NOPERM },
	{ "TokenRefreshRequired",	S3_FAIL,	EX_NOPERM },
	{ "NoSuchBucket",		S3_FAIL,	EX_CONFIG },
	{ "PermanentRedirect",		S3_FAIL,	EX_CONFIG },
	{ "AuthorizationHeaderMalformed", S3_FAIL,	EX_CONFIG },
	{ "InvalidBucketName",		S3_FAIL,	EX_CONFIG },
	/* gone, perhaps completed by a try whose answer was lost: the
	 * caller checks (s3_mp_complete) */
	{ "NoSuchUpload",		S3_FAIL,	EX_TEMPFAIL },
};

struct s3_class
s3_classify(long status, const char *code, const char *method)
{
	struct s3_class c = { S3_FAIL, EX_PROTOCOL };
	size_t i;

	if (code == NULL)
		code = "";
	if (status >= 200 && status < 300 && *code == '\0')
		c.verdict = S3_DONE, c.ex = 0;
	else if (status == 404 && *code == '\0' && method &&
	    strcmp(method, "HEAD") == 0)
		c.verdict = S3_DONE, c.ex = 0;	/* "no such key" */
	else if ((status >= 500 && status != 501) || status == 429 ||
	    status == 408)
		c.verdict = S3_RETRY, c.ex = EX_TEMPFAIL;
	else if (*code != '\0') {
		for (i = 0; i < sizeof(code_table) / sizeof(code_table[0]);
		    i++)
			if (strcmp(code, code_table[i].code) == 0) {
				c.verdict = code_table[i].verdict;
				c.ex = code_table[i].ex;
				return c;
			}
	}
	if (c.verdict == S3_FAIL && c.ex == EX_PROTOCOL) {
		if (status == 401 || status == 403)
			c.ex = EX_NOPERM;
		else if (status == 301)
			c.ex = EX_CONFIG;
	}
	return c;
}

/* Sleep secs (fractional), waking to check stop; -1 when stopped. */
static int
nap(struct s3 *s, double secs)
{
	while (secs > 0) {
		double d = secs > 0.2 ? 0.2 : secs;
		struct timespec ts = { (time_t)d, (long)((d - (time_t)d) * 1e9) };
		if (s->stop && *s->stop)
			return -1;
		nanosleep(&ts, NULL);
		secs -= d;
	}
	return s->stop && *s->stop ? -1 : 0;
}

/*
 * The S3 error code of answer a into s->code: from an <Error> body, else
 * from the status when it says enough.  A 2xx answer with an <Error>
 * (S3 does that on Complete) is an error even without a <Code>.
 */
static void
answer_code(struct s3 *s, const struct answer *a)
{
	static const char *const want[] = { "/Error/Code", NULL };
	struct xml x;
	int ok2xx = a->status >= 200 && a->status < 300;

	s->code[0] = '\0';
	if (!a->toobig && a->body.len > 0 &&
	    xml_parse(&x, a->body.p, a->body.len, want) == 0) {
		if (strcmp(x.root, "Error") == 0) {
			const char *code = xml_get(&x, "/Error/Code");
			snprintf(s->code, sizeof(s->code), "%s",
			    code && *code ? code : ok2xx ? "InternalError" : "");
		}
		xml_free(&x);
	}
	if (s->code[0] != '\0')
		return;
	/* no body (HEAD), no XML, or a body cut short: from the status */
	if (a->status == 403)
		snprintf(s->code, sizeof(s->code), "AccessDenied");
	else if (a->status == 503)
		snprintf(s->code, sizeof(s->code), "ServiceUnavailable");
}

/*
 * 1 when answer a says our clock is off (RequestTimeTooSkewed, or an
 * AccessDenied whose Date is far from ours) and the offset was corrected
 * from its Date header: the request is worth another try at once.
 */
static int
fix_skew(struct s3 *s, const struct answer *a)
{
	time_t srv;
	long skew;

	if (a->date[0] == '\0' || (srv = curl_getdate(a->date, NULL)) <= 0)
		return 0;
	if (strcmp(s->code, "RequestTimeTooSkewed") != 0 &&
	    !(a->status == 403 && strcmp(s->code, "AccessDenied") == 0 &&
	    labs((long)(srv - time(NULL) - s->skew)) > 600))
		return 0;
	skew = (long)(srv - time(NULL));
	if (skew == s->skew)
		return 0;
	say(s, 1, "the clock is off by %ld s from the server's (Date: %s): "
	    "correcting", skew, a->date);
	s->skew = skew;
	return 1;
}

/*
 * Send r until it gets a final answer: 0 with a filled (2xx, or 404 for
 * HEAD), -1 with e filled.
 */
static int
request(struct s3 *s, struct req *r, struct answer *a, struct err *e)
{
	char why[512];
	int try, digest_tries = 0;
	const char *what = r->key ? r->key : s->bucket;

	for (try = 1;; try++) {
		enum verdict v;
		struct s3_class cl;
		double wait, ceil_;

		why[0] = '\0';
		s->status = 0;
		s->sse_etag = 0;
		s->code[0] = '\0';
		s->deadline_hit = 0;
		if (s->stop && *s->stop) {
			err_set(e, EX_TEMPFAIL, "stopped");
			return -1;
		}
		v = try_once(s, r, a, why, sizeof(why), e);
		if (v == V_FAIL)
			return -1;
		if (v == V_OK) {
			s->status = a->status;
			s->sse_etag = a->sse_etag;
			if (a->toobig && a->status >= 200 && a->status < 300) {
				err_set(e, EX_PROTOCOL, "%s %s: HTTP %ld with "
				    "an answer longer than %zu bytes",
				    r->method, what, a->status, a->body_max ?
				    a->body_max : (size_t)BODY_MAX);
				return -1;
			}
			answer_code(s, a);
			snprintf(why, sizeof(why), "HTTP %ld %s", a->status,
			    s->code);
			if (fix_skew(s, a) && try < s->max_tries)
				continue;
			cl = s3_classify(a->status, s->code, r->method);
			if (cl.verdict == S3_DONE)
				return 0;
			if (cl.verdict == S3_FAIL ||
			    (cl.verdict == S3_RETRY_FEW && ++digest_tries >= 3)) {
				err_set(e, cl.ex, "%s %s: %s", r->method, what,
				    why);
				return -1;
			}
		}
		if (try >= s->max_tries) {
			err_set(e, EX_TEMPFAIL, "%s %s: %s (gave up after %d "
			    "tries)", r->method, what, why, try);
			return -1;
		}
		ceil_ = s->base * (double)(1u << (try < 20 ? try - 1 : 19));
		if (ceil_ > s->cap)
			ceil_ = s->cap;
		wait = ceil_ * ((double)rand_r(&s->seed) / RAND_MAX);
		if (v == V_OK && a->retry_after >= 0 &&
		    (double)a->retry_after > wait)
			wait = a->retry_after > 300 ? 300 : a->retry_after;
		if (s->deadline && mono_now() + (time_t)wait >= s->deadline) {
			err_set(e, EX_TEMPFAIL, "%s %s: %s (deadline)",
			    r->method, what, why);
			return -1;
		}
		say(s, 2, "%s %s: %s; try %d of %d in %.1f s", r->method, what,
		    why, try + 1, s->max_tries, wait);
		if (nap(s, wait) < 0) {
			err_set(e, EX_TEMPFAIL, "stopped");
			return -1;
		}
	}
}

/*
 * request(), then its answer parsed as XML into *x (want as xml_parse).
 * query names the request in the message ("?uploads"): -1 with e filled
 * by request(), or EX_PROTOCOL "METHOD KEY?QUERY: the answer is not XML"
 * (" within our limits" when too large). 0: the caller xml_frees *x.
 */
static int
request_xml(struct s3 *s, struct req *r, struct answer *a, struct xml *x,
    const char *const *want, const char *query, struct err *e)
{
	if (request(s, r, a, e) < 0)
		return -1;
	if (xml_parse(x, a->body.p ? a->body.p : "", a->body.len, want) < 0) {
		err_set(e, EX_PROTOCOL, "%s %s%s: the answer is not XML%s",
		    r->method, r->key ? r->key : "", query,
		    errno == E2BIG ? " within our limits" : "");
		return -1;
	}
	return 0;
}

static int
etag_check(const char *what, const struct answer *a, const char *want,
    struct err *e)
{
	const char *got = a->etag;

	/* the store checked Content-MD5 before it answered; an SSE-KMS or
	 * SSE-C ETag cannot be compared (s3_last_sse_etag tells the caller) */
	if (strcasecmp(got, want) == 0 || a->sse_etag)
		return 0;
	err_set(e, EX_DATAERR, "%s: the store answered ETag '%s', expected "
	    "'%s'", what, got, want);
	return -1;
}

static int
put_body(struct s3 *s, const char *key, const struct sigv4_kv *q, size_t nq,
    int fd, uint64_t off, uint64_t len, const unsigned char md5[16],
    const unsigned char sha256[32], char etag[80], struct err *e)
{
	struct answer a = { 0 };
	struct req r = { 0 };
	char want[33];
	int rc = -1;

	r.method = "PUT";
	r.key = key;
	r.query = q;
	r.nq = nq;
	r.body.fd = fd;
	r.body.off = off;
	r.body.len = len;
	r.has_body = 1;
	r.md5 = md5;
	r.sha256 = sha256;
	if (request(s, &r, &a, e) < 0)
		goto out;
	snprintf(etag, 80, "%s", a.etag);
	rc = etag_check(key, &a, hex_encode(md5, 16, want), e);
out:
	free(a.body.p);
	return rc;
}

int
s3_put(struct s3 *s, const char *key, int fd, uint64_t off, uint64_t len,
    const unsigned char md5[16], const unsigned char sha256[32],
    char etag[80], struct err *e)
{
	return put_body(s, key, NULL, 0, fd, off, len, md5, sha256, etag, e);
}

int
s3_mp_part(struct s3 *s, const char *key, const char *upload_id, int number,
    int fd, uint64_t off, uint64_t len, const unsigned char md5[16],
    const unsigned char sha256[32], char etag[80], struct err *e)
{
	char num[16];
	struct sigv4_kv q[2] = { { "partNumber", num },
	    { "uploadId", upload_id } };

	snprintf(num, sizeof(num), "%d", number);
	return put_body(s, key, q, 2, fd, off, len, md5, sha256, etag, e);
}

int
s3_mp_create(struct s3 *s, const char *key, char **upload_id, struct err *e)
{
	static const char *const want[] = {
	    "/InitiateMultipartUploadResult/UploadId", NULL };
	struct sigv4_kv q[1] = { { "uploads", "" } };
	struct answer a = { 0 };
	struct req r = { 0 };
	struct xml x;
	const char *id;
	int rc = -1;

	*upload_id = NULL;
	r.method = "POST";
	r.key = key;
	r.query = q;
	r.nq = 1;
	r.body.fd = -1;
	r.body.mem = "";
	if (request_xml(s, &r, &a, &x, want, "?uploads", e) < 0)
		goto out;
	id = xml_get(&x, want[0]);
	if (id == NULL || *id == '\0')
		err_set(e, EX_PROTOCOL, "POST %s?uploads: no UploadId in the "
		    "answer", key);
	else if ((*upload_id = strdup(id)) == NULL)
		err_sys(e, EX_OSERR, "out of memory");
	else
		rc = 0;
	xml_free(&x);
out:
	free(a.body.p);
	return rc;
}

int
s3_mp_complete(struct s3 *s, const char *key, const char *upload_id,
    const struct s3_part *parts, size_t n, char etag[80], struct err *e)
{
	static const char *const want[] = {
	    "/CompleteMultipartUploadResult/ETag", NULL };
	struct sigv4_kv q[1] = { { "uploadId", upload_id } };
	struct answer a = { 0 };
	struct strbuf b = { 0 };
	struct req r = { 0 };
	struct xml x;
	const char *t;
	size_t i;
	int rc = -1;

	etag[0] = '\0';
	strbuf_fmt(&b, "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/"
	    "doc/2006-03-01/\">");
	for (i = 0; i < n; i++)
		strbuf_fmt(&b, "<Part><PartNumber>%d</PartNumber><ETag>\"%s\""
		    "</ETag></Part>", parts[i].number, parts[i].etag);
	strbuf_fmt(&b, "</CompleteMultipartUpload>");
	if (b.oom) {
		err_set(e, EX_OSERR, "out of memory");
		goto out;
	}
	r.method = "POST";
	r.key = key;
	r.query = q;
	r.nq = 1;
	r.body.fd = -1;
	r.body.mem = b.p;
	r.body.len = b.len;
	r.has_body = 1;
	r.content_type = "application/xml";
	r.slow_answer = 1;
	if (request_xml(s, &r, &a, &x, want, "?uploadId", e) < 0)
		goto out;
	t = xml_get(&x, want[0]);
	if (strcmp(x.root, "CompleteMultipartUploadResult") != 0) {
		err_set(e, EX_PROTOCOL, "POST %s?uploadId: unexpected answer "
		    "<%s>", key, x.root);
	} else {
		if (t != NULL) {
			const char *p = t;
			size_t l;
			if (*p == '"')
				p++;
			snprintf(etag, 80, "%s", p);
			l = strlen(etag);
			if (l > 0 && etag[l - 1] == '"')
				etag[l - 1] = '\0';
		}
		rc = 0;
	}
	xml_free(&x);
out:
	free(b.p);
	free(a.body.p);
	return rc;
}

int
s3_mp_abort(struct s3 *s, const char *key, const char *upload_id,
    struct err *e)
{
	struct sigv4_kv q[1] = { { "uploadId", upload_id } };
	struct answer a = { 0 };
	struct req r = { 0 };
	int rc;

	r.method = "DELETE";
	r.key = key;
	r.query = q;
	r.nq = 1;
	r.body.fd = -1;
	rc = request(s, &r, &a, e);
	if (rc < 0 && strcmp(s->code, "NoSuchUpload") == 0)
		rc = 0;
	free(a.body.p);
	return rc;
}

static time_t
iso_time(const char *t)
{
	struct tm tm = { 0 };

	if (t == NULL || sscanf(t, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

void
s3_uploads_free(struct s3_upload *ups, size_t n)
{
	size_t i;

	for (i = 0; ups && i < n; i++) {
		free(ups[i].key);
		free(ups[i].upload_id);
	}
	free(ups);
}

#define LMU	"/ListMultipartUploadsResult"
static const char *const list_want[] = { LMU "/Upload/Key",
    LMU "/Upload/UploadId", LMU "/Upload/Initiated", LMU "/Upload",
    LMU "/IsTruncated", LMU "/NextKeyMarker", LMU "/NextUploadIdMarker",
    NULL };

/* Append the uploads of one parsed page to *v; 0, or -1 (ENOMEM). */
static int
list_collect(const struct xml *x, struct s3_upload **v, size_t *nv,
    size_t *cap)
{
	struct s3_upload *cur = NULL;
	size_t i;

	for (i = 0; i < x->n; i++) {
		const char *p = x->v[i].path, *tx = x->v[i].text;

		/* children end before their parent: collect into cur */
		if (p == list_want[3]) {
			cur = NULL;
			continue;
		}
		if (p != list_want[0] && p != list_want[1] &&
		    p != list_want[2])
			continue;
		if (cur == NULL) {
			if (*nv == *cap) {
				size_t nc = *cap ? *cap * 2 : 16;
				struct s3_upload *nvp = realloc(*v,
				    nc * sizeof(*nvp));
				if (nvp == NULL)
					return -1;
				*v = nvp;
				*cap = nc;
			}
			cur = &(*v)[(*nv)++];
			memset(cur, 0, sizeof(*cur));
		}
		if (p == list_want[0] && !cur->key &&
		    (cur->key = strdup(tx)) == NULL)
			return -1;
		if (p == list_want[1] && !cur->upload_id &&
		    (cur->upload_id = strdup(tx)) == NULL)
			return -1;
		if (p == list_want[2])
			cur->initiated = iso_time(tx);
	}
	return 0;
}

/*
 * Ask for one page of the listing after the markers *km and *um (NULL:
 * the first page), append its uploads to *v, and replace the markers
 * with the next ones: *more is 1 when another page is to be asked for.
 * A store that answers the markers it was given would be asked the
 * same question for ever: that is an error.
 */
static int
list_page(struct s3 *s, const char *prefix, char **km, char **um,
    struct s3_upload **v, size_t *nv, size_t *cap, int *more,
    struct err *e)
{
	struct sigv4_kv q[5];
	struct answer a = { .body_max = LIST_BODY_MAX };
	struct req r = { 0 };
	struct xml x = { 0 };
	const char *t, *nk, *nu, *mu = getenv("REC_TEST_MAX_UPLOADS");
	size_t nq = 0;
	int rc = -1;

	if (mu && *mu) {	/* test hook: small pages */
		q[nq].k = "max-uploads";
		q[nq++].v = mu;
	}
	q[nq].k = "uploads";
	q[nq++].v = "";
	q[nq].k = "prefix";
	q[nq++].v = prefix ? prefix : "";
	if (*km) {
		q[nq].k = "key-marker";
		q[nq++].v = *km;
		q[nq].k = "upload-id-marker";
		q[nq++].v = *um ? *um : "";
	}
	r.method = "GET";
	r.query = q;
	r.nq = nq;
	r.body.fd = -1;
	if (request_xml(s, &r, &a, &x, list_want, "?uploads", e) < 0)
		goto out;
	if (list_collect(&x, v, nv, cap) < 0) {
		err_sys(e, EX_OSERR, "out of memory");
		goto out;
	}
	t = xml_get(&x, list_want[4]);
	nk = xml_get(&x, list_want[5]);
	nu = xml_get(&x, list_want[6]);
	*more = t && strcmp(t, "true") == 0 && nk && *nk;
	if (*more && *km && strcmp(nk, *km) == 0 &&
	    strcmp(nu ? nu : "", *um ? *um : "") == 0) {
		err_set(e, EX_PROTOCOL, "GET ?uploads: the store answered the "
		    "markers it was given (key-marker '%s', upload-id-marker "
		    "'%s'): the listing does not advance", nk, nu ? nu : "");
		goto out;
	}
	free(*km);
	free(*um);
	*km = dupnull(nk);
	*um = dupnull(nu);
	if ((nk && !*km) || (nu && !*um)) {
		err_sys(e, EX_OSERR, "out of memory");
		goto out;
	}
	rc = 0;
out:
	xml_free(&x);
	free(a.body.p);
	return rc;
}

int
s3_mp_list(struct s3 *s, const char *prefix, struct s3_upload **ups,
    size_t *n, struct err *e)
{
	struct s3_upload *v = NULL;
	size_t nv = 0, cap = 0, i;
	char *km = NULL, *um = NULL;
	int rc = -1, more = 1;

	*ups = NULL;
	*n = 0;
	while (more)
		if (list_page(s, prefix, &km, &um, &v, &nv, &cap, &more, e) < 0)
			goto out;
	/* drop entries without a key or id */
	for (i = 0; i < nv;) {
		if (v[i].key == NULL || v[i].upload_id == NULL) {
			free(v[i].key);
			free(v[i].upload_id);
			v[i] = v[--nv];
		} else {
			i++;
		}
	}
	*ups = v;
	*n = nv;
	v = NULL;
	rc = 0;
out:
	s3_uploads_free(v, nv);
	free(km);
	free(um);
	return rc;
}

int
s3_head(struct s3 *s, const char *key, uint64_t *size, char etag[80],
    struct err *e)
{
	struct answer a = { 0 };
	struct req r = { 0 };
	int rc = -1;

	r.method = "HEAD";
	r.key = key;
	r.body.fd = -1;
	if (request(s, &r, &a, e) < 0)
		goto out;
	if (a.status == 404) {
		rc = 0;
		goto out;
	}
	*size = a.have_clen ? a.clen : 0;
	snprintf(etag, 80, "%s", a.etag);
	rc = 1;
out:
	free(a.body.p);
	return rc;
}

/* ---- reading: GET, ListObjectsV2, presigned URLs ---- */

/* The Range value for off/len into buf, or NULL when none is needed. */
static const char *
range_value(uint64_t off, uint64_t len, char *buf, size_t sz)
{
	if (len > 0)
		snprintf(buf, sz, "bytes=%" PRIu64 "-%" PRIu64, off,
		    off + len - 1);
	else if (off > 0)
		snprintf(buf, sz, "bytes=%" PRIu64 "-", off);
	else
		return NULL;
	return buf;
}

/* After a failed GET: a missing key is "no input", not a protocol error. */
static void
get_failed(struct s3 *s, const char *key, struct err *e)
{
	if (strcmp(s->code, "NoSuchKey") == 0 || (s->status == 404 &&
	    s->code[0] == '\0'))
		err_set(e, EX_NOINPUT, "GET %s: no such key", key);
}

int
s3_get(struct s3 *s, const char *key, uint64_t off, uint64_t len,
    size_t max, char **buf, size_t *n, struct err *e)
{
	struct answer a = { 0 };
	struct req r = { 0 };
	char rv[64];
	int rc = -1;

	*buf = NULL;
	*n = 0;
	a.body_max = max ? max : 1;
	r.method = "GET";
	r.key = key;
	r.body.fd = -1;
	r.range = range_value(off, len, rv, sizeof(rv));
	if (request(s, &r, &a, e) < 0) {
		get_failed(s, key, e);
		goto out;
	}
	if (a.body.p == NULL && (a.body.p = strdup("")) == NULL) {
		err_sys(e, EX_OSERR, "out of memory");
		goto out;
	}
	*buf = a.body.p;
	*n = a.body.len;
	a.body.p = NULL;
	rc = 0;
out:
	free(a.body.p);
	return rc;
}

int
s3_get_fd(struct s3 *s, const char *key, uint64_t off, uint64_t len,
    int fd, uint64_t *n, struct err *e)
{
	struct answer a = { 0 };
	struct req r = { 0 };
	char rv[64];
	off_t base;
	int rc = -1;

	if ((base = lseek(fd, 0, SEEK_CUR)) < 0) {
		err_sys(e, EX_IOERR, "GET %s: cannot seek the output", key);
		return -1;
	}
	a.sink = 1;
	a.sink_fd = fd;
	a.sink_base = base;
	r.method = "GET";
	r.key = key;
	r.body.fd = -1;
	r.range = range_value(off, len, rv, sizeof(rv));
	if (request(s, &r, &a, e) < 0) {
		get_failed(s, key, e);
		goto out;
	}
	if (ftruncate(fd, base + (off_t)a.sink_pos) < 0 ||
	    lseek(fd, base + (off_t)a.sink_pos, SEEK_SET) < 0) {
		err_sys(e, err_ex_for_errno(errno), "GET %s: cannot end the "
		    "output", key);
		goto out;
	}
	if (n)
		*n = a.sink_pos;
	rc = 0;
out:
	free(a.body.p);
	return rc;
}

void
s3_listing_free(struct s3_listing *l)
{
	size_t i;

	for (i = 0; i < l->nobj; i++)
		free(l->obj[i].key);
	for (i = 0; i < l->nprefixes; i++)
		free(l->prefixes[i]);
	free(l->obj);
	free(l->prefixes);
	memset(l, 0, sizeof(*l));
}

#define LBR	"/ListBucketResult"
static const char *const lo_want[] = { LBR "/Contents/Key",
    LBR "/Contents/Size", LBR "/Contents/ETag", LBR "/Contents/LastModified",
    LBR "/Contents", LBR "/CommonPrefixes/Prefix", LBR "/IsTruncated",
    LBR "/NextContinuationToken", NULL };

/* An ISO time of LastModified in ns, 0 when it does not parse. */
static int64_t
lm_ns(const char *t)
{
	int64_t ns;

	return t && utc_parse_iso_ns(t, &ns) == 0 ? ns : 0;
}

int
s3_list_parse(const char *doc, size_t len, struct s3_listing *l,
    char **next, struct err *e)
{
	struct xml x;
	struct s3_object *cur = NULL;
	const char *t, *tok;
	size_t i, cap = l->nobj, pcap = l->nprefixes;
	int rc = -1;

	*next = NULL;
	if (xml_parse(&x, doc, len, lo_want) < 0) {
		err_set(e, EX_PROTOCOL, "GET ?list-type=2: the answer is not "
		    "XML%s", errno == E2BIG ? " within our limits" : "");
		return -1;
	}
	if (strcmp(x.root, "ListBucketResult") != 0) {
		err_set(e, EX_PROTOCOL, "GET ?list-type=2: unexpected answer "
		    "<%s>", x.root);
		goto out;
	}
	for (i = 0; i < x.n; i++) {
		const char *p = x.v[i].path, *tx = x.v[i].text;

		/* children end before their parent: collect into cur */
		if (p == lo_want[4]) {
			cur = NULL;
		} else if (p == lo_want[5]) {
			char **np;
			if (l->nprefixes == pcap) {
				pcap = pcap ? pcap * 2 : 16;
				if ((np = realloc(l->prefixes,
				    pcap * sizeof(*np))) == NULL)
					goto oom;
				l->prefixes = np;
			}
			if ((l->prefixes[l->nprefixes] = strdup(tx)) == NULL)
				goto oom;
			l->nprefixes++;
		} else if (p == lo_want[0] || p == lo_want[1] ||
		    p == lo_want[2] || p == lo_want[3]) {
			if (cur == NULL) {
				struct s3_object *no;
				if (l->nobj == cap) {
					cap = cap ? cap * 2 : 16;
					if ((no = realloc(l->obj,
					    cap * sizeof(*no))) == NULL)
						goto oom;
					l->obj = no;
				}
				cur = &l->obj[l->nobj++];
				memset(cur, 0, sizeof(*cur));
			}
			if (p == lo_want[0] && cur->key == NULL &&
			    (cur->key = strdup(tx)) == NULL)
				goto oom;
			if (p == lo_want[1])
				cur->size = strtoull(tx, NULL, 10);
			if (p == lo_want[2]) {
				const char *q = tx + (*tx == '"');
				size_t ql;
				snprintf(cur->etag, sizeof(cur->etag), "%s", q);
				ql = strlen(cur->etag);
				if (ql > 0 && cur->etag[ql - 1] == '"')
					cur->etag[ql - 1] = '\0';
			}
			if (p == lo_want[3])
				cur->mtime_ns = lm_ns(tx);
		}
	}
	/* an entry without a key is no entry */
	for (i = 0; i < l->nobj;) {
		if (l->obj[i].key == NULL) {
			memmove(&l->obj[i], &l->obj[i + 1],
			    (l->nobj - i - 1) * sizeof(l->obj[0]));
			l->nobj--;
		} else {
			i++;
		}
	}
	t = xml_get(&x, lo_want[6]);
	tok = xml_get(&x, lo_want[7]);
	if (t && strcmp(t, "true") == 0) {
		if (tok == NULL || *tok == '\0') {
			err_set(e, EX_PROTOCOL, "GET ?list-type=2: truncated "
			    "without a NextContinuationToken");
			goto out;
		}
		if ((*next = strdup(tok)) == NULL)
			goto oom;
	}
	rc = 0;
	goto out;
oom:
	err_sys(e, EX_OSERR, "out of memory");
out:
	xml_free(&x);
	return rc;
}

int
s3_list(struct s3 *s, const char *prefix, const char *delim,
    struct s3_listing *l, struct err *e)
{
	const char *mk = getenv("REC_TEST_MAX_KEYS");
	char *tok = NULL, *next = NULL;
	int rc = -1;

	memset(l, 0, sizeof(*l));
	for (;;) {
		struct sigv4_kv q[5];
		struct answer a = { .body_max = LIST_BODY_MAX };
		struct req r = { 0 };
		size_t nq = 0;
		int prc;

		q[nq].k = "list-type";
		q[nq++].v = "2";
		q[nq].k = "prefix";
		q[nq++].v = prefix ? prefix : "";
		if (delim && *delim) {
			q[nq].k = "delimiter";
			q[nq++].v = delim;
		}
		if (tok) {
			q[nq].k = "continuation-token";
			q[nq++].v = tok;
		}
		if (mk && *mk) {	/* test hook: small pages */
			q[nq].k = "max-keys";
			q[nq++].v = mk;
		}
		r.method = "GET";
		r.query = q;
		r.nq = nq;
		r.body.fd = -1;
		if (request(s, &r, &a, e) < 0) {
			free(a.body.p);
			goto out;
		}
		prc = s3_list_parse(a.body.p ? a.body.p : "", a.body.len, l,
		    &next, e);
		free(a.body.p);
		if (prc < 0)
			goto out;
		if (next == NULL)
			break;
		if (tok && strcmp(next, tok) == 0) {
			err_set(e, EX_PROTOCOL, "GET ?list-type=2: the store "
			    "answered the continuation token it was given: "
			    "the listing does not advance");
			goto out;
		}
		free(tok);
		tok = next;
		next = NULL;
	}
	rc = 0;
out:
	if (rc < 0)
		s3_listing_free(l);
	free(tok);
	free(next);
	return rc;
}

char *
s3_presign(struct s3 *s, const char *key, long expires, struct err *e)
{
	struct sigv4_cred cr = { s->ak, s->sk, s->region, "s3" };
	struct sigv4_kv h[1];
	struct sigv4_req sr = { 0 };
	struct strbuf url = { 0 };
	char amzdate[17], *host = NULL, *path = NULL, *enc = NULL, *qs = NULL;

	if (expires < 1 || expires > 604800) {
		err_set(e, EX_USAGE, "a presigned URL lasts 1 s to 7 days, "
		    "not %ld s", expires);
		return NULL;
	}
	sigv4_amzdate(time(NULL) + s->skew, amzdate);
	host = req_host(s);
	h[0].k = "host";
	h[0].v = host;
	sr.method = "GET";
	sr.hdrs = h;
	sr.nhdrs = 1;
	sr.payload_hash = "UNSIGNED-PAYLOAD";
	if (host == NULL || (path = req_path(s, key)) == NULL ||
	    (enc = sigv4_uri_encode(path, 1)) == NULL)
		goto out;
	sr.path = path;
	if ((qs = sigv4_presign(&sr, &cr, amzdate, expires, s->token)) == NULL)
		goto out;
	strbuf_fmt(&url, "%s://%s%s?%s", s->scheme, host, enc, qs);
out:
	free(host);
	free(path);
	free(enc);
	if (qs) {
		OPENSSL_cleanse(qs, strlen(qs));
		free(qs);
	}
	if (url.oom || url.p == NULL) {
		free(url.p);
		err_set(e, EX_OSERR, "out of memory");
		return NULL;
	}
	return url.p;
}
