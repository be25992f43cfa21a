/*
 * devlost: DIR/device-lost, present while rec-capture waits for its
 * audio device (see devlost.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devlost.h"
#include "file.h"
#include "utc.h"

int
devlost_set(int dirfd, int64_t since_ns, const char *device)
{
	char iso[40], line[512];
	int n;

	n = snprintf(line, sizeof(line), "%s %s\n",
	    utc_iso_ns(since_ns, iso, sizeof(iso)), device);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return file_replace(dirfd, DEVLOST_FILE, line, (size_t)n, 0644);
}

int
devlost_clear(int dirfd)
{
	if (unlinkat(dirfd, DEVLOST_FILE, 0) < 0 && errno != ENOENT)
		return -1;
	return file_fsync_dir(dirfd, NULL) < 0 ? -1 : 0;
}

int
devlost_read(int dirfd, int64_t *since_ns)
{
	char *text, *sp;
	size_t len;
	int rc = 1;

	*since_ns = 0;
	if (file_slurp(dirfd, DEVLOST_FILE, 4096, &text, &len) < 0)
		return errno == ENOENT ? 0 : -1;
	sp = strchr(text, ' ');
	if (sp != NULL)
		*sp = '\0';
	if (sp == NULL || utc_parse_iso_ns(text, since_ns) < 0) {
		*since_ns = 0;
		errno = EINVAL;
		rc = -1;
	}
	free(text);
	return rc;
}
