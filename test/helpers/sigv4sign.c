/*
 * sigv4sign: print our canonical request and Authorization header for a
 * request given on the command line, for comparison with botocore:
 *   sigv4sign METHOD PATH AMZDATE PAYLOAD-HASH [q:KEY=VALUE]... [h:NAME:VALUE]...
 * PATH, KEY and VALUE unencoded.  Credentials: AKIDEXAMPLE / the suite's
 * secret, region us-east-1 (or $SIGV4_REGION), service s3.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigv4.h"

int
main(int argc, char **argv)
{
	struct sigv4_kv q[32], h[32];
	size_t nq = 0, nh = 0;
	struct sigv4_req r;
	const char *region = getenv("SIGV4_REGION");
	struct sigv4_cred c = { "AKIDEXAMPLE",
	    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	    region ? region : "us-east-1", "s3" };
	char *creq, *authz;
	int i;

	if (argc < 5) {
		fprintf(stderr, "usage: sigv4sign METHOD PATH AMZDATE HASH "
		    "[q:K=V]... [h:N:V]...\n");
		return 64;
	}
	for (i = 5; i < argc; i++) {
		char *a = argv[i], *sep;
		if (strncmp(a, "q:", 2) == 0 && nq < 32) {
			q[nq].k = a + 2;
			sep = strchr(a + 2, '=');
			if (sep)
				*sep++ = '\0';
			q[nq++].v = sep;
		} else if (strncmp(a, "h:", 2) == 0 && nh < 32 &&
		    (sep = strchr(a + 2, ':')) != NULL) {
			*sep = '\0';
			h[nh].k = a + 2;
			h[nh++].v = sep + 1;
		} else {
			fprintf(stderr, "sigv4sign: bad argument '%s'\n", a);
			return 64;
		}
	}
	r.method = argv[1];
	r.path = argv[2];
	r.query = q;
	r.nquery = nq;
	r.hdrs = h;
	r.nhdrs = nh;
	r.payload_hash = argv[4];
	creq = sigv4_canonical_request(&r, NULL);
	authz = sigv4_authorization(&r, &c, argv[3]);
	if (creq == NULL || authz == NULL)
		return 70;
	printf("%s\n--\n%s\n", creq, authz);
	free(creq);
	free(authz);
	return 0;
}
