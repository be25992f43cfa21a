/*
 * s3sums: write the hash sidecar of a file as rec-archive does, for the
 * rec-upload tests:  s3sums FILE [PART-SIZE]  ->  FILE.sums
 * (PART-SIZE in bytes, default 5 MiB, used as given).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "sums.h"

int
main(int argc, char **argv)
{
	struct sums *s = NULL;
	struct err e;
	char out[4096], tmp[4200];
	uint64_t ps = argc > 2 ? strtoull(argv[2], NULL, 10) : SUMS_MIN_PART;
	int fd;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: s3sums FILE [PART-SIZE]\n");
		return 64;
	}
	if ((fd = open(argv[1], O_RDONLY)) < 0) {
		perror(argv[1]);
		return 66;
	}
	if (sums_fd(fd, ps, &s, &e) < 0) {
		fprintf(stderr, "s3sums: %s\n", e.msg);
		return 74;
	}
	close(fd);
	snprintf(out, sizeof(out), "%s.sums", argv[1]);
	snprintf(tmp, sizeof(tmp), "%s.sums.tmp.%d", argv[1], (int)getpid());
	if (sums_write(AT_FDCWD, tmp, out, s, &e) < 0) {
		fprintf(stderr, "s3sums: %s\n", e.msg);
		sums_free(s);
		return 74;
	}
	sums_free(s);
	return 0;
}
