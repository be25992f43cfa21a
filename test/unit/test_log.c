/* Unit tests: lib/log (a secret key echoed by a message is masked). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "log.h"

/* A secret key echoed by any message is masked in the log line. */
static void
test_log_redacts(const char *dir)
{
	char path[512], buf[512];
	int fd, saved;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/log", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	saved = dup(2);
	CHECK(fd >= 0 && saved >= 0 && dup2(fd, 2) == 2);
	log_init("test_log");
	log_error("bad recipient \"%s\" in %s", "age-secret-key-1gfpyysjz"
	    "gfpyysjzgfpyysjz", "rec.conf");
	log_warn("x=AGE-SECRET-KEY-1QQQQ, y=AGE-SECRET-KEY-PQ-1ZZZZ");
	CHECK(dup2(saved, 2) == 2);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	CHECK(strncmp(buf, "test_log: error: bad recipient \"age-secret-key-"
	    "****", strlen("test_log: error: bad recipient \"age-secret-key-"
	    "****")) == 0);
	CHECK(strstr(buf, "*\" in rec.conf\n") != NULL);
	CHECK(strstr(buf, "gfpyy") == NULL && strstr(buf, "QQQQ") == NULL &&
	    strstr(buf, "ZZZZ") == NULL);
	CHECK(strstr(buf, ", y=AGE-SECRET-KEY-") != NULL);
}

int
main(void)
{
	char dir[] = "/tmp/test_log.XXXXXX", cmd[600];

	if (mkdtemp(dir) == NULL)
		return 2;
	test_log_redacts(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 2;
	return check_done();
}
