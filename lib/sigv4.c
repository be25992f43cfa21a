/*
 * sigv4: canonical request, string to sign and signature of AWS
 * Signature Version 4, with S3's rules (no path normalisation, one
 * encoding pass).  HMAC and SHA-256 from OpenSSL.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "hex.h"
#include "sigv4.h"
#include "strbuf.h"

static void
sb_enc(struct strbuf *b, const char *s, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~' || (keep_slash && *p == '/')) {
			strbuf_add(b, (const char *)p, 1);
		} else {
			char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
			strbuf_add(b, e, 3);
		}
	}
}

char *
sigv4_uri_encode(const char *s, int keep_slash)
{
	struct strbuf b = { 0 };

	sb_enc(&b, s, keep_slash);
	return strbuf_done(&b);
}

struct enc_kv {
	char *k, *v;
};

static int
cmp_kv(const void *a, const void *b)
{
	const struct enc_kv *x = a, *y = b;
	int c = strcmp(x->k, y->k);

	return c ? c : strcmp(x->v, y->v);
}

char *
sigv4_query_string(const struct sigv4_kv *q, size_t n)
{
	struct enc_kv *e = calloc(n ? n : 1, sizeof(*e));
	struct strbuf b = { 0 };
	size_t i;

	if (e == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		e[i].k = sigv4_uri_encode(q[i].k, 0);
		e[i].v = sigv4_uri_encode(q[i].v ? q[i].v : "", 0);
		if (e[i].k == NULL || e[i].v == NULL)
			b.oom = 1;
	}
	if (!b.oom)
		qsort(e, n, sizeof(*e), cmp_kv);
	for (i = 0; i < n && !b.oom; i++) {
		if (i)
			strbuf_str(&b, "&");
		strbuf_str(&b, e[i].k);
		strbuf_str(&b, "=");
		strbuf_str(&b, e[i].v);
	}
	for (i = 0; i < n; i++) {
		free(e[i].k);
		free(e[i].v);
	}
	free(e);
	return strbuf_done(&b);
}

struct hdr {
	char *name;		/* lowercase */
	const char *value;
	size_t idx;		/* original position, for a stable sort */
};

static int
cmp_hdr(const void *a, const void *b)
{
	const struct hdr *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Value trimmed, runs of whitespace collapsed to one space. */
static void
sb_trimval(struct strbuf *b, const char *v)
{
	int space = 0, started = 0;

	for (; v && *v; v++) {
		if (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r') {
			space = 1;
			continue;
		}
		if (space && started)
			strbuf_add(b, " ", 1);
		strbuf_add(b, v, 1);
		space = 0;
		started = 1;
	}
}

char *
sigv4_canonical_request(const struct sigv4_req *r, char **signed_headers)
{
	struct hdr *h = calloc(r->nhdrs ? r->nhdrs : 1, sizeof(*h));
	struct strbuf b = { 0 }, sh = { 0 };
	char *qs = NULL;
	size_t i, j;

	if (signed_headers)
		*signed_headers = NULL;
	if (h == NULL)
		return NULL;
	for (i = 0; i < r->nhdrs; i++) {
		h[i].name = strdup(r->hdrs[i].k);
		h[i].value = r->hdrs[i].v;
		h[i].idx = i;
		if (h[i].name == NULL) {
			b.oom = 1;
			continue;
		}
		for (j = 0; h[i].name[j]; j++)
			if (h[i].name[j] >= 'A' && h[i].name[j] <= 'Z')
				h[i].name[j] += 'a' - 'A';
	}
	if (!b.oom)
		qsort(h, r->nhdrs, sizeof(*h), cmp_hdr);
	if ((qs = sigv4_query_string(r->query, r->nquery)) == NULL)
		b.oom = 1;
	strbuf_str(&b, r->method);
	strbuf_str(&b, "\n");
	sb_enc(&b, r->path && *r->path ? r->path : "/", 1);
	strbuf_str(&b, "\n");
	strbuf_str(&b, qs ? qs : "");
	strbuf_str(&b, "\n");
	for (i = 0; i < r->nhdrs && !b.oom; i++) {
		if (i > 0 && strcmp(h[i].name, h[i - 1].name) == 0) {
			strbuf_str(&b, ",");
		} else {
			if (i > 0) {
				strbuf_str(&b, "\n");
				strbuf_str(&sh, ";");
			}
			strbuf_str(&b, h[i].name);
			strbuf_str(&b, ":");
			strbuf_str(&sh, h[i].name);
		}
		sb_trimval(&b, h[i].value);
	}
	strbuf_str(&b, "\n\n");
	strbuf_str(&sh, "");
	strbuf_str(&b, sh.p ? sh.p : "");
	strbuf_str(&b, "\n");
	strbuf_str(&b, r->payload_hash);
	for (i = 0; i < r->nhdrs; i++)
		free(h[i].name);
	free(h);
	free(qs);
	if (b.oom || sh.oom) {
		free(b.p);
		free(sh.p);
		errno = ENOMEM;
		return NULL;
	}
	if (signed_headers)
		*signed_headers = sh.p;
	else
		free(sh.p);
	return b.p;
}

void
sigv4_sha256_hex(const void *buf, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;

	EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL);
	hex_encode(md, 32, out);
}

void
sigv4_amzdate(time_t t, char out[17])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

char *
sigv4_string_to_sign(const char *amzdate, const char *region,
    const char *service, const char *creq)
{
	struct strbuf b = { 0 };
	char hash[65];

	sigv4_sha256_hex(creq, strlen(creq), hash);
	strbuf_str(&b, "AWS4-HMAC-SHA256\n");
	strbuf_str(&b, amzdate);
	strbuf_str(&b, "\n");
	strbuf_add(&b, amzdate, 8);
	strbuf_str(&b, "/");
	strbuf_str(&b, region);
	strbuf_str(&b, "/");
	strbuf_str(&b, service);
	strbuf_str(&b, "/aws4_request\n");
	strbuf_str(&b, hash);
	return strbuf_done(&b);
}

static int
hmac(const void *key, size_t klen, const char *msg, size_t mlen,
    unsigned char out[32])
{
	unsigned int n = 32;

	return HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg,
	    mlen, out, &n) != NULL ? 0 : -1;
}

char *
sigv4_authorization(const struct sigv4_req *r, const struct sigv4_cred *c,
    const char *amzdate)
{
	unsigned char k[32], sig[32];
	char *creq = NULL, *sh = NULL, *sts = NULL, *key0 = NULL, day[9];
	char sighex[65];
	struct strbuf b = { 0 };
	size_t klen;
	int ok = 0;

	memcpy(day, amzdate, 8);
	day[8] = '\0';
	if ((creq = sigv4_canonical_request(r, &sh)) == NULL ||
	    (sts = sigv4_string_to_sign(amzdate, c->region, c->service,
	    creq)) == NULL)
		goto out;
	klen = strlen(c->secret_key) + 4;
	if ((key0 = malloc(klen + 1)) == NULL)
		goto out;
	snprintf(key0, klen + 1, "AWS4%s", c->secret_key);
	if (hmac(key0, klen, day, 8, k) < 0 ||
	    hmac(k, 32, c->region, strlen(c->region), k) < 0 ||
	    hmac(k, 32, c->service, strlen(c->service), k) < 0 ||
	    hmac(k, 32, "aws4_request", 12, k) < 0 ||
	    hmac(k, 32, sts, strlen(sts), sig) < 0)
		goto out;
	hex_encode(sig, 32, sighex);
	strbuf_str(&b, "AWS4-HMAC-SHA256 Credential=");
	strbuf_str(&b, c->access_key);
	strbuf_str(&b, "/");
	strbuf_str(&b, day);
	strbuf_str(&b, "/");
	strbuf_str(&b, c->region);
	strbuf_str(&b, "/");
	strbuf_str(&b, c->service);
	strbuf_str(&b, "/aws4_request, SignedHeaders=");
	strbuf_str(&b, sh);
	strbuf_str(&b, ", Signature=");
	strbuf_str(&b, sighex);
	ok = 1;
out:
	OPENSSL_cleanse(k, sizeof(k));
	if (key0 != NULL) {
		OPENSSL_cleanse(key0, strlen(key0));
		free(key0);
	}
	free(creq);
	free(sh);
	free(sts);
	if (!ok) {
		free(b.p);
		errno = ENOMEM;
		return NULL;
	}
	return strbuf_done(&b);
}

/* The hex signature of sts: the signing key is derived and wiped here. */
static int
sign_hex(const struct sigv4_cred *c, const char *amzdate, const char *sts,
    char sighex[65])
{
	unsigned char k[32], sig[32];
	char *key0;
	size_t klen = strlen(c->secret_key) + 4;
	int rc = -1;

	if ((key0 = malloc(klen + 1)) == NULL)
		return -1;
	snprintf(key0, klen + 1, "AWS4%s", c->secret_key);
	if (hmac(key0, klen, amzdate, 8, k) == 0 &&
	    hmac(k, 32, c->region, strlen(c->region), k) == 0 &&
	    hmac(k, 32, c->service, strlen(c->service), k) == 0 &&
	    hmac(k, 32, "aws4_request", 12, k) == 0 &&
	    hmac(k, 32, sts, strlen(sts), sig) == 0) {
		hex_encode(sig, 32, sighex);
		rc = 0;
	}
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(key0, klen);
	free(key0);
	return rc;
}

char *
sigv4_presign(const struct sigv4_req *r, const struct sigv4_cred *c,
    const char *amzdate, long expires, const char *token)
{
	struct sigv4_kv *q = NULL;
	struct sigv4_req r2 = *r;
	struct strbuf cred = { 0 }, b = { 0 };
	char *sh = NULL, *creq = NULL, *sts = NULL, *qs = NULL, exp[24];
	char sighex[65];
	size_t n = 0, i;
	int ok = 0;

	if (expires < 1 || expires > 604800) {
		errno = EINVAL;
		return NULL;
	}
	/* the signed header list is itself a signed query parameter */
	if ((creq = sigv4_canonical_request(r, &sh)) == NULL)
		goto out;
	free(creq);
	creq = NULL;
	strbuf_fmt(&cred, "%s/%.8s/%s/%s/aws4_request", c->access_key, amzdate,
	    c->region, c->service);
	snprintf(exp, sizeof(exp), "%ld", expires);
	if (cred.oom || (q = calloc(r->nquery + 6, sizeof(*q))) == NULL)
		goto out;
	for (i = 0; i < r->nquery; i++)
		q[n++] = r->query[i];
	q[n].k = "X-Amz-Algorithm";
	q[n++].v = "AWS4-HMAC-SHA256";
	q[n].k = "X-Amz-Credential";
	q[n++].v = cred.p;
	q[n].k = "X-Amz-Date";
	q[n++].v = amzdate;
	q[n].k = "X-Amz-Expires";
	q[n++].v = exp;
	q[n].k = "X-Amz-SignedHeaders";
	q[n++].v = sh;
	if (token != NULL) {
		q[n].k = "X-Amz-Security-Token";
		q[n++].v = token;
	}
	r2.query = q;
	r2.nquery = n;
	if ((creq = sigv4_canonical_request(&r2, NULL)) == NULL ||
	    (sts = sigv4_string_to_sign(amzdate, c->region, c->service,
	    creq)) == NULL || sign_hex(c, amzdate, sts, sighex) < 0 ||
	    (qs = sigv4_query_string(q, n)) == NULL)
		goto out;
	strbuf_fmt(&b, "%s&X-Amz-Signature=%s", qs, sighex);
	ok = !b.oom;
out:
	free(q);
	free(cred.p);
	free(sh);
	free(creq);
	free(sts);
	free(qs);
	if (!ok) {
		free(b.p);
		errno = ENOMEM;
		return NULL;
	}
	return strbuf_done(&b);
}
