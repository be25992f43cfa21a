/*
 * input: hand a fuzz input to parsers that read a file descriptor (an
 * anonymous memfd) or a path (a real file in a private temporary
 * directory: rec refuses symbolic links such as /proc/self/fd/N).
 * Shared by every fuzz target.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

static char dir[64];

static void
write_all(int fd, const uint8_t *data, size_t size)
{
	size_t off = 0;

	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);
		if (n <= 0)
			abort();
		off += (size_t)n;
	}
}

int
fuzz_memfd(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	write_all(fd, data, size);
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

static void
cleanup(void)
{
	char p[sizeof(dir) + 16];

	snprintf(p, sizeof(p), "%s/%s", dir, FUZZ_INPUT);
	unlink(p);
	rmdir(dir);
}

const char *
fuzz_file(const uint8_t *data, size_t size)
{
	static char path[sizeof(dir) + 16];
	int fd;

	if (dir[0] == '\0') {
		const char *t = getenv("TMPDIR");
		snprintf(dir, sizeof(dir), "%s/rec-fuzz.XXXXXX",
		    t != NULL && *t != '\0' && strlen(t) < 40 ? t : "/tmp");
		if (mkdtemp(dir) == NULL)
			abort();
		atexit(cleanup);
		snprintf(path, sizeof(path), "%s/%s", dir, FUZZ_INPUT);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		abort();
	write_all(fd, data, size);
	if (close(fd) < 0)
		abort();
	return path;
}

int
fuzz_dir(void)
{
	static int fd = -1;

	if (fd < 0) {
		const char *p = fuzz_file((const uint8_t *)"", 0);
		char d[sizeof(dir)];
		snprintf(d, sizeof(d), "%.*s", (int)(strrchr(p, '/') - p), p);
		if ((fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			abort();
	}
	return fd;
}
