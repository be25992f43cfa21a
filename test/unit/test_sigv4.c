/*
 * test_sigv4: the public AWS SigV4 test suite (test/data/sigv4/): for
 * every case, our canonical request, string to sign and Authorization
 * header equal the published ones; plus S3 encoding rules.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sigv4.h"

static char *
slurp(const char *dir, const char *name, const char *ext)
{
	char path[1024];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Run one vector; returns 1 when it was there. */
static int
run_case(const char *dir, const char *name)
{
	char *req = slurp(dir, name, "req"), *creq_w = slurp(dir, name, "creq");
	char *sts_w = slurp(dir, name, "sts"), *authz_w = slurp(dir, name, "authz");
	struct sigv4_kv q[16], h[16];
	char *owned[16];
	size_t nq = 0, nh = 0, no = 0;
	char *line, *save = NULL, *body, *uri, *path, *qs, *sp;
	char phash[65];
	char *creq, *sts, *authz;
	struct sigv4_req r;
	struct sigv4_cred c = { "AKIDEXAMPLE",
	    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "service" };

	if (req == NULL || creq_w == NULL || sts_w == NULL || authz_w == NULL) {
		free(req); free(creq_w); free(sts_w); free(authz_w);
		return 0;
	}
	/* body after the first empty line */
	body = strstr(req, "\n\n");
	if (body != NULL) {
		*body = '\0';
		body += 2;
	} else {
		body = "";
	}
	sigv4_sha256_hex(body, strlen(body), phash);
	line = strtok_r(req, "\n", &save);
	/* "GET /path?query HTTP/1.1" (the path may hold spaces) */
	sp = strchr(line, ' ');
	*sp = '\0';
	r.method = line;
	uri = sp + 1;
	sp = strrchr(uri, ' ');
	*sp = '\0';
	path = uri;
	qs = strchr(uri, '?');
	if (qs != NULL) {
		char *kv, *s2 = NULL;
		*qs++ = '\0';
		for (kv = strtok_r(qs, "&", &s2); kv; kv = strtok_r(NULL, "&", &s2)) {
			char *eq = strchr(kv, '=');
			if (eq)
				*eq++ = '\0';
			q[nq].k = kv;
			q[nq++].v = eq;
		}
	}
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		if (line[0] == ' ' || line[0] == '\t') {
			/* folded line: the suite joins it with ',' */
			char *v;
			size_t n = strlen(h[nh - 1].v) + strlen(line) + 2;
			v = malloc(n);
			while (*line == ' ' || *line == '\t')
				line++;
			snprintf(v, n, "%s,%s", h[nh - 1].v, line);
			h[nh - 1].v = v;
			owned[no++] = v;
			continue;
		}
		sp = strchr(line, ':');
		*sp = '\0';
		h[nh].k = line;
		h[nh++].v = sp + 1;
	}
	r.path = path;
	r.query = q;
	r.nquery = nq;
	r.hdrs = h;
	r.nhdrs = nh;
	r.payload_hash = phash;
	creq = sigv4_canonical_request(&r, NULL);
	sts = creq ? sigv4_string_to_sign("20150830T123600Z", c.region,
	    c.service, creq) : NULL;
	authz = sigv4_authorization(&r, &c, "20150830T123600Z");
	fprintf(stderr, "case %s\n", name);
	CHECK_STR(creq, creq_w);
	CHECK_STR(sts, sts_w);
	CHECK_STR(authz, authz_w);
	while (no > 0)
		free(owned[--no]);
	free(creq); free(sts); free(authz);
	free(req); free(creq_w); free(sts_w); free(authz_w);
	return 1;
}

int
main(void)
{
	const char *top = getenv("REC_TOP");
	char dir[1024];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/test/data/sigv4", top ? top : ".");
	if ((d = opendir(dir)) == NULL) {
		perror(dir);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		char name[256], *dot;
		snprintf(name, sizeof(name), "%s", de->d_name);
		if ((dot = strrchr(name, '.')) == NULL || strcmp(dot, ".req"))
			continue;
		*dot = '\0';
		n += run_case(dir, name);
	}
	closedir(d);
	printf("%d vectors\n", n);
	CHECK(n == 24);

	/* S3 encoding: once, '/' kept in paths only, no normalisation */
	{
		char *s = sigv4_uri_encode("/b/a b/\xc3\xa9t\xc3\xa9//x+y=z~._-", 1);
		CHECK_STR(s, "/b/a%20b/%C3%A9t%C3%A9//x%2By%3Dz~._-");
		free(s);
		s = sigv4_uri_encode("a/b%", 0);
		CHECK_STR(s, "a%2Fb%25");
		free(s);
	}
	{
		struct sigv4_kv q[] = { { "uploadId", "2~x/y+z" },
		    { "partNumber", "10" }, { "uploads", NULL } };
		char *s = sigv4_query_string(q, 3);
		CHECK_STR(s, "partNumber=10&uploadId=2~x%2Fy%2Bz&uploads=");
		free(s);
	}
	{
		char d16[17];
		sigv4_amzdate(1440938160, d16);
		CHECK_STR(d16, "20150830T123600Z");
	}
	/* query-string signing: the example of AWS's S3 documentation,
	 * "Authenticating Requests: Using Query Parameters" */
	{
		struct sigv4_kv h[] = {
		    { "host", "examplebucket.s3.amazonaws.com" } };
		struct sigv4_req r = { "GET", "/test.txt", NULL, 0, h, 1,
		    "UNSIGNED-PAYLOAD" };
		struct sigv4_cred c = { "AKIAIOSFODNN7EXAMPLE",
		    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1",
		    "s3" };
		char *s = sigv4_presign(&r, &c, "20130524T000000Z", 86400,
		    NULL);
		CHECK_STR(s, "X-Amz-Algorithm=AWS4-HMAC-SHA256"
		    "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F"
		    "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z"
		    "&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
		    "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f9953"
		    "30da4c265957d157751f604d404");
		free(s);
		CHECK(sigv4_presign(&r, &c, "20130524T000000Z", 0, NULL) ==
		    NULL);
		CHECK(sigv4_presign(&r, &c, "20130524T000000Z", 604801,
		    NULL) == NULL);
		s = sigv4_presign(&r, &c, "20130524T000000Z", 60, "tok/en");
		CHECK(s != NULL && strstr(s, "&X-Amz-Security-Token=tok%2Fen&")
		    != NULL);
		free(s);
	}
	return check_done();
}
