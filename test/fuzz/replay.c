/*
 * replay: run a fuzz target's LLVMFuzzerTestOneInput once on every file
 * named on the command line, or in a directory named there (not
 * recursive, in name order), without libFuzzer: this is what `make check`
 * runs over test/fuzz/corpus/TARGET/, under gcc or ASan/UBSan.
 * Exit 0 when every input ran; 66 when an input cannot be read.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "fuzz.h"

static int
run_file(const char *path, size_t *count)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = -1;

	if (f == NULL)
		goto out;
	for (;;) {
		size_t n;
		if (len == cap) {
			uint8_t *nb;
			cap = cap ? 2 * cap : 4096;
			if ((nb = realloc(buf, cap)) == NULL)
				goto out;
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	if (ferror(f))
		goto out;
	/* an exact-size copy, so ASan sees a read past the input's end */
	{
		uint8_t *exact = malloc(len ? len : 1);
		if (exact == NULL)
			goto out;
		memcpy(exact, buf, len);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	(*count)++;
	rc = 0;
out:
	if (rc < 0)
		fprintf(stderr, "replay: error: cannot read %s: %s\n", path,
		    strerror(errno));
	if (f != NULL)
		fclose(f);
	free(buf);
	return rc;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int
main(int argc, char **argv)
{
	size_t count = 0;
	int i, rc = 0;

	for (i = 1; i < argc; i++) {
		struct stat st;
		struct dirent **ents;
		int n, j;

		if (stat(argv[i], &st) < 0 || !S_ISDIR(st.st_mode)) {
			if (run_file(argv[i], &count) < 0)
				rc = EX_NOINPUT;
			continue;
		}
		if ((n = scandir(argv[i], &ents, NULL, by_name)) < 0) {
			fprintf(stderr, "replay: error: cannot read %s: %s\n",
			    argv[i], strerror(errno));
			rc = EX_NOINPUT;
			continue;
		}
		for (j = 0; j < n; j++) {
			char p[4096];
			if (ents[j]->d_name[0] != '.') {
				snprintf(p, sizeof(p), "%s/%s", argv[i],
				    ents[j]->d_name);
				if (run_file(p, &count) < 0)
					rc = EX_NOINPUT;
			}
			free(ents[j]);
		}
		free(ents);
	}
	printf("replay: %zu inputs\n", count);
	return rc;
}
