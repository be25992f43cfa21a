/*
 * fuzz_cred: an AWS credentials file (INI with [profile] sections)
 * through cred_load, for the default profile and a named one. The
 * environment's AWS_* variables are cleared first so that only the file
 * is read.
 */
#include <stdlib.h>
#include <string.h>

#include "cred.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const profiles[] = { "default", "rec", NULL };
	const char *const *p;
	struct cred c;
	struct err e;
	const char *path = fuzz_file(data, size);

	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_PROFILE");
	for (p = profiles; *p != NULL; p++) {
		memset(&c, 0, sizeof(c));
		if (cred_load(&c, path, *p, &e) == 0) {
			if (c.access_key == NULL || c.secret_key == NULL)
				abort();
			cred_free(&c);
		}
	}
	return 0;
}
