/*
 * Unit tests of lib/idx: the segment index beside an archive, written
 * and parsed back; long names, every malformed shape refused, and no
 * link followed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "idx.h"

static int
parses(const char *text)
{
	char **v;
	size_t n;
	int rc = idx_parse(text, strlen(text), &v, &n);

	if (rc == 0)
		idx_free(v, n);
	else
		CHECK(errno == EINVAL && v == NULL && n == 0);
	return rc == 0;
}

static void
test_round_trip(void)
{
	char *longname = malloc(9001), *text;
	const char *names[3] = { "20261128T031500.000Z_st1.wav", NULL,
		"20261128T031600.000Z_st.1_x.wav" };
	char **v;
	size_t n, len;

	memset(longname, 'a', 9000);
	longname[9000] = '\0';
	names[1] = longname;
	CHECK(idx_format(names, 3, &text, &len) == 0);
	CHECK(len == strlen(text));
	CHECK(strncmp(text, IDX_MAGIC "\n", strlen(IDX_MAGIC) + 1) == 0);
	CHECK(strcmp(text + len - 4, "end\n") == 0);
	CHECK(idx_parse(text, len, &v, &n) == 0);
	CHECK(n == 3);
	for (size_t i = 0; i < n && i < 3; i++)
		CHECK_STR(v[i], names[i]);
	idx_free(v, n);
	free(text);
	/* no segments at all is still an index */
	CHECK(idx_format(names, 0, &text, &len) == 0);
	CHECK_STR(text, IDX_MAGIC "\nend\n");
	CHECK(idx_parse(text, len, &v, &n) == 0 && n == 0);
	idx_free(v, n);
	free(text);
	free(longname);
}

static void
test_refused(void)
{
	const char *bad[] = { "a/b", "", "a\nb", "end" };
	char *text;
	size_t len;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		errno = 0;
		CHECK(idx_format(&bad[i], 1, &text, &len) == -1 &&
		    errno == EINVAL);
	}
	CHECK(parses(IDX_MAGIC "\na.wav\nend\n"));
	CHECK(!parses(""));
	CHECK(!parses("rec-idx 2\na.wav\nend\n"));
	CHECK(!parses(IDX_MAGIC "\na.wav\n"));		/* cut short */
	CHECK(!parses(IDX_MAGIC "\na.wav\nend"));	/* no last \n */
	CHECK(!parses(IDX_MAGIC "\na.wav\nend\nb.wav\n"));
	CHECK(!parses(IDX_MAGIC "\n../a.wav\nend\n"));
	CHECK(!parses(IDX_MAGIC "\n\nend\n"));
	CHECK(!parses(IDX_MAGIC "x\nend\n"));
	{
		char nul[] = IDX_MAGIC "\na\0b\nend\n";

		CHECK(idx_parse(nul, sizeof nul - 1, &(char **){ NULL },
		    &(size_t){ 0 }) == -1);
	}
}

static void
test_read(void)
{
	char dir[] = "/tmp/test_idx.XXXXXX", **v;
	const char *text = IDX_MAGIC "\nx.wav\nend\n";
	size_t n;
	int dfd, fd;

	CHECK(mkdtemp(dir) != NULL);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	fd = openat(dfd, "a.idx", O_WRONLY | O_CREAT, 0640);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	CHECK(idx_read(dfd, "a.idx", &v, &n) == 0 && n == 1);
	CHECK(n == 1 && strcmp(v[0], "x.wav") == 0);
	idx_free(v, n);
	CHECK(idx_read(dfd, "none.idx", &v, &n) == -1 && errno == ENOENT);
	CHECK(symlinkat("a.idx", dfd, "l.idx") == 0);
	CHECK(idx_read(dfd, "l.idx", &v, &n) == -1 && errno == ELOOP);
	CHECK(mkfifoat(dfd, "f.idx", 0600) == 0);
	CHECK(idx_read(dfd, "f.idx", &v, &n) == -1 && errno == EINVAL);
	fd = openat(dfd, "big.idx", O_WRONLY | O_CREAT, 0640);
	CHECK(ftruncate(fd, (off_t)IDX_MAX + 1) == 0);
	close(fd);
	CHECK(idx_read(dfd, "big.idx", &v, &n) == -1 && errno == EFBIG);
	fd = openat(dfd, "bad.idx", O_WRONLY | O_CREAT, 0640);
	CHECK(write(fd, "rec-idx 1\nx\n", 12) == 12);
	close(fd);
	CHECK(idx_read(dfd, "bad.idx", &v, &n) == -1 && errno == EINVAL);
	unlinkat(dfd, "a.idx", 0);
	unlinkat(dfd, "l.idx", 0);
	unlinkat(dfd, "f.idx", 0);
	unlinkat(dfd, "big.idx", 0);
	unlinkat(dfd, "bad.idx", 0);
	close(dfd);
	rmdir(dir);
}

int
main(void)
{
	test_round_trip();
	test_refused();
	test_read();
	return check_done();
}
