/*
 * test_devlost: DIR/device-lost written, read back, removed; a malformed
 * file is an error; the status file carries the time (capture.device_lost).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "devlost.h"
#include "file.h"
#include "status.h"

int
main(void)
{
	char dir[] = "/tmp/test_devlost.XXXXXX", *text;
	int64_t t = 1795835700123456000LL, got = -1;
	struct status st, back;
	struct err e;
	size_t len;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);

	CHECK(devlost_read(fd, &got) == 0 && got == 0);	/* none */
	CHECK(devlost_clear(fd) == 0);			/* none: fine */
	CHECK(devlost_set(fd, t, "plughw:CARD=Device,DEV=0") == 0);
	CHECK(file_slurp(fd, DEVLOST_FILE, 4096, &text, &len) == 0);
	CHECK_STR(text, "2026-11-28T03:15:00.123456Z plughw:CARD=Device,DEV=0\n");
	free(text);
	CHECK(devlost_read(fd, &got) == 1 && got == t);
	CHECK(devlost_clear(fd) == 0);
	CHECK(devlost_read(fd, &got) == 0 && got == 0);

	CHECK(file_replace(fd, DEVLOST_FILE, "yesterday src\n", 14, 0644) == 0);
	errno = 0;
	CHECK(devlost_read(fd, &got) == -1 && errno == EINVAL && got == 0);
	CHECK(file_replace(fd, DEVLOST_FILE, "nospace", 7, 0644) == 0);
	CHECK(devlost_read(fd, &got) == -1 && errno == EINVAL);
	CHECK(devlost_clear(fd) == 0);

	/* in the status: set, and null when 0 */
	status_init(&st);
	st.updated_ns = t;
	st.device_lost_ns = t - 5000000000LL;
	CHECK(status_format(&st, &text) == 0);
	CHECK(strstr(text, "\"device_lost\": \"2026-11-28T03:14:55.123456Z\"") !=
	    NULL);
	CHECK(status_parse(text, strlen(text), &back, &e) == 0);
	CHECK(back.device_lost_ns == st.device_lost_ns);
	free(text);
	st.device_lost_ns = 0;
	CHECK(status_format(&st, &text) == 0);
	CHECK(strstr(text, "\"device_lost\": null") != NULL);
	CHECK(status_parse(text, strlen(text), &back, &e) == 0);
	CHECK(back.device_lost_ns == 0);
	free(text);

	close(fd);
	CHECK(rmdir(dir) == 0);
	return check_done();
}
