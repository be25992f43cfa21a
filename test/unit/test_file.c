/*
 * Unit tests: lib/file (replace and slurp; file_open_regular and
 * file_open_lock refuse a link, a FIFO or a directory in place of a file
 * and leave its target alone; a lock is 0600 and our own).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "file.h"

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	fputs(text, fp);
	fclose(fp);
}

/* 1 when path holds exactly text. */
static int
has_text(const char *path, const char *text)
{
	char buf[256];
	FILE *fp = fopen(path, "r");
	size_t n;

	if (fp == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return strcmp(buf, text) == 0;
}

static void
test_replace_slurp(const char *dir)
{
	char path[512], *buf;
	size_t l;

	snprintf(path, sizeof(path), "%s/x.txt", dir);
	CHECK(file_replace(AT_FDCWD, path, "hello", 5, 0644) == 0);
	CHECK(file_slurp(AT_FDCWD, path, 100, &buf, &l) == 0 &&
	    l == 5 && strcmp(buf, "hello") == 0);
	free(buf);
	CHECK(file_slurp(AT_FDCWD, path, 2, &buf, &l) < 0 &&
	    errno == EFBIG);
}

/*
 * A link or a FIFO in place of a file (in a spool: out/x.tar that
 * rec-upload would send, seg/y.wav that would hang a reader) is refused
 * and its target left alone.
 */
static void
test_open_safety(const char *dir)
{
	char d[256], path[512], victim[512], *buf;
	struct stat st;
	size_t l;
	int dfd, fd;

	snprintf(d, sizeof(d), "%s/d", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	write_file(victim, "precious");
	CHECK(mkdir(d, 0750) == 0);
	dfd = open(d, O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);

	/* a link */
	snprintf(path, sizeof(path), "%s/x.tar", d);
	CHECK(symlink(victim, path) == 0);
	CHECK(file_open_regular(dfd, "x.tar", O_RDONLY, 0) < 0 &&
	    errno == ELOOP);
	CHECK(file_slurp(dfd, "x.tar", 100, &buf, &l) < 0 && errno == ELOOP);
	CHECK(file_open_regular(dfd, "x.tar", O_WRONLY | O_TRUNC, 0) < 0 &&
	    errno == ELOOP);
	/* a FIFO: refused at once, not a hang; a directory */
	snprintf(path, sizeof(path), "%s/y.wav", d);
	CHECK(mkfifo(path, 0600) == 0);
	CHECK(file_open_regular(dfd, "y.wav", O_RDONLY, 0) < 0 &&
	    errno == EINVAL);
	CHECK(file_open_regular(dfd, ".", O_RDONLY, 0) < 0 && errno == EISDIR);
	/* a regular file it creates is opened blocking */
	fd = file_open_regular(dfd, "z.wav", O_RDWR | O_CREAT, 0640);
	CHECK(fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK) == 0);
	if (fd >= 0)
		close(fd);

	/* a link at a lock (recd wrote its pid into the target) */
	snprintf(path, sizeof(path), "%s/lock", d);
	CHECK(symlink(victim, path) == 0);
	CHECK(file_open_lock(AT_FDCWD, path) < 0 && errno == ELOOP);
	CHECK(has_text(victim, "precious"));
	/* an old 0644 lock is made 0600: readers could flock it */
	CHECK(unlink(path) == 0);
	write_file(path, "");
	CHECK(chmod(path, 0644) == 0);
	fd = file_open_lock(AT_FDCWD, path);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	/* owned by someone else (needs root to set up) */
	if (geteuid() == 0) {
		CHECK(chown(path, 4242, 4242) == 0);
		CHECK(file_open_lock(AT_FDCWD, path) < 0 && errno == EPERM);
	} else {
		printf("skip: not root, cannot chown to test a foreign lock\n");
	}
	close(dfd);
	CHECK(has_text(victim, "precious"));
}

int
main(void)
{
	char dir[] = "/tmp/test_file.XXXXXX", cmd[600];

	if (mkdtemp(dir) == NULL)
		return 2;
	test_replace_slurp(dir);
	test_open_safety(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 2;
	return check_done();
}
