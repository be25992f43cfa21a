/*
 * s3get: lib/s3's reading calls from the command line, for tests of the
 * library itself against a real store (0370):
 *   s3get ENDPOINT BUCKET get KEY OFF LEN MAX    (s3_get, to stdout)
 *   s3get ENDPOINT BUCKET getfd KEY OFF LEN FILE (s3_get_fd, FILE at its end)
 *   s3get ENDPOINT BUCKET list PREFIX [DELIM]    (s3_list: "obj KEY SIZE
 *                                                 ETAG" and "pre PREFIX")
 *   s3get ENDPOINT BUCKET presign KEY SECONDS    (s3_presign)
 * Keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; two tries.
 * Errors as the tools print them, exit status e->ex.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <curl/curl.h>

#include "file.h"
#include "log.h"
#include "s3.h"

int
main(int argc, char **argv)
{
	struct s3_conf sc = { 0 };
	struct s3 *s;
	struct err e;
	const char *op;
	int rc = -1;

	log_init(argv[0]);
	if (argc < 5)
		log_die(EX_USAGE, "usage: s3get ENDPOINT BUCKET OP ARGS...");
	sc.endpoint = argv[1];
	sc.bucket = argv[2];
	sc.access_key = getenv("AWS_ACCESS_KEY_ID");
	sc.secret_key = getenv("AWS_SECRET_ACCESS_KEY");
	sc.max_tries = 2;
	sc.timeout = 10;
	op = argv[3];
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((s = s3_new(&sc, &e)) == NULL)
		log_die(e.ex, "%s", e.msg);
	if (strcmp(op, "get") == 0 && argc == 8) {
		char *buf;
		size_t n;
		rc = s3_get(s, argv[4], strtoull(argv[5], NULL, 10),
		    strtoull(argv[6], NULL, 10), strtoull(argv[7], NULL, 10),
		    &buf, &n, &e);
		if (rc == 0) {
			if (file_write_all(1, buf, n) < 0)
				log_die(EX_IOERR, "stdout: %s", strerror(errno));
			free(buf);
		}
	} else if (strcmp(op, "getfd") == 0 && argc == 8) {
		uint64_t n = 0;
		int fd = open(argv[7], O_WRONLY | O_CREAT, 0644);
		if (fd < 0 || lseek(fd, 0, SEEK_END) < 0)
			log_die(EX_CANTCREAT, "%s: %s", argv[7], strerror(errno));
		rc = s3_get_fd(s, argv[4], strtoull(argv[5], NULL, 10),
		    strtoull(argv[6], NULL, 10), fd, &n, &e);
		if (rc == 0)
			printf("%" PRIu64 "\n", n);
		close(fd);
	} else if (strcmp(op, "list") == 0 && argc >= 5 && argc <= 6) {
		struct s3_listing l;
		rc = s3_list(s, argv[4], argc == 6 ? argv[5] : NULL, &l, &e);
		for (size_t i = 0; rc == 0 && i < l.nobj; i++)
			printf("obj %s %" PRIu64 " %s\n", l.obj[i].key,
			    l.obj[i].size, l.obj[i].etag);
		for (size_t i = 0; rc == 0 && i < l.nprefixes; i++)
			printf("pre %s\n", l.prefixes[i]);
		if (rc == 0)
			s3_listing_free(&l);
	} else if (strcmp(op, "presign") == 0 && argc == 6) {
		char *u = s3_presign(s, argv[4], strtol(argv[5], NULL, 10), &e);
		if (u != NULL) {
			printf("%s\n", u);
			free(u);
			rc = 0;
		}
	} else {
		log_die(EX_USAGE, "bad operation '%s'", op);
	}
	if (rc < 0)
		log_error("%s", e.msg);
	s3_free(s);
	curl_global_cleanup();
	return rc < 0 ? e.ex : 0;
}
