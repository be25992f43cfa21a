/*
 * s3op: one lib/s3 call from the command line, for tests that check the
 * library itself (not rec-upload's use of it):
 *   s3op [-t TIMEOUT] [-d DEADLINE] [-n TRIES] [-c CAFILE] [-m RSSFILE]
 *        ENDPOINT BUCKET put KEY FILE | list PREFIX | head KEY | create KEY
 * Keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; DEADLINE in seconds
 * from now; RSSFILE receives the peak resident size in KiB at the end.
 * Errors as the tools print them, exit status e->ex.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "log.h"
#include "s3.h"
#include "sums.h"

static void
s3log(int level, const char *msg)
{
	log_info("%s", msg);
}

static int
op_put(struct s3 *s, const char *key, const char *file, struct err *e)
{
	struct sums *sm = NULL;
	struct stat st;
	char etag[80];
	int fd, rc;

	if ((fd = open(file, O_RDONLY)) < 0 || fstat(fd, &st) < 0)
		log_die(EX_NOINPUT, "cannot open %s: %s", file, strerror(errno));
	/* one part as long as the file: the whole-file hashes */
	if (sums_fd(fd, st.st_size ? (uint64_t)st.st_size : 1, &sm, e) < 0)
		log_die(EX_IOERR, "%s", e->msg);
	rc = s3_put(s, key, fd, 0, sm->size, sm->md5, sm->sha256, etag, e);
	if (rc == 0)
		printf("%s\n", etag);
	sums_free(sm);
	close(fd);
	return rc;
}

static int
op_list(struct s3 *s, const char *prefix, struct err *e)
{
	struct s3_upload *ups;
	size_t n, i;

	if (s3_mp_list(s, prefix, &ups, &n, e) < 0)
		return -1;
	for (i = 0; i < n; i++)
		printf("%s\t%s\n", ups[i].key, ups[i].upload_id);
	s3_uploads_free(ups, n);
	return 0;
}

int
main(int argc, char **argv)
{
	struct s3_conf sc = { 0 };
	struct s3 *s;
	struct err e;
	struct timespec t0;
	const char *rssfile = NULL, *op;
	int c, rc = -1;

	log_init(argv[0]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((c = getopt(argc, argv, "t:d:n:c:m:")) != -1) {
		switch (c) {
		case 't': sc.timeout = atol(optarg); break;
		case 'd': sc.deadline = t0.tv_sec + atol(optarg); break;
		case 'n': sc.max_tries = atoi(optarg); break;
		case 'c': sc.ca_file = optarg; break;
		case 'm': rssfile = optarg; break;
		default: return EX_USAGE;
		}
	}
	if (argc - optind < 4)
		log_die(EX_USAGE, "usage: s3op [-t S] [-d S] [-n N] [-c CA] "
		    "[-m RSSFILE] ENDPOINT BUCKET OP ARGS...");
	sc.endpoint = argv[optind];
	sc.bucket = argv[optind + 1];
	op = argv[optind + 2];
	sc.access_key = getenv("AWS_ACCESS_KEY_ID");
	sc.secret_key = getenv("AWS_SECRET_ACCESS_KEY");
	sc.backoff_base = 0.1;
	sc.backoff_cap = 0.5;
	sc.log = s3log;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		log_die(EX_OSERR, "cannot initialise libcurl");
	if ((s = s3_new(&sc, &e)) == NULL)
		log_die(e.ex, "%s", e.msg);
	if (strcmp(op, "put") == 0 && argc - optind == 5)
		rc = op_put(s, argv[optind + 3], argv[optind + 4], &e);
	else if (strcmp(op, "list") == 0)
		rc = op_list(s, argv[optind + 3], &e);
	else if (strcmp(op, "head") == 0) {
		uint64_t size;
		char etag[80];
		rc = s3_head(s, argv[optind + 3], &size, etag, &e);
		if (rc >= 0)
			printf("%d\n", rc);
	} else if (strcmp(op, "create") == 0) {
		char *id = NULL;
		if ((rc = s3_mp_create(s, argv[optind + 3], &id, &e)) == 0)
			printf("%s\n", id);
		free(id);
	} else
		log_die(EX_USAGE, "unknown operation '%s'", op);
	s3_free(s);
	curl_global_cleanup();
	if (rssfile != NULL) {
		struct rusage ru;
		FILE *f = fopen(rssfile, "w");
		getrusage(RUSAGE_SELF, &ru);
		if (f != NULL) {
			fprintf(f, "%ld\n", ru.ru_maxrss);
			fclose(f);
		}
	}
	if (rc < 0)
		log_die(e.ex, "%s", e.msg);
	return 0;
}
