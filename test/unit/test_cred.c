/*
 * test_cred: where rec-upload's credentials come from (lib/cred): a
 * named file, the environment, ~/.aws/credentials with profiles; files
 * others can read are refused; secrets are not in error messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "check.h"
#include "cred.h"

static void
put(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

int
main(void)
{
	struct cred c;
	struct err e;
	char dir[] = "/tmp/test_cred.XXXXXX", path[256], aws[256];

	if (mkdtemp(dir) == NULL)
		return 1;
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	setenv("HOME", dir, 1);

	/* nothing anywhere */
	CHECK(cred_load(&c, NULL, NULL, &e) == -1 && e.ex == EX_NOPERM);
	CHECK(strstr(e.msg, "no credentials") != NULL);

	/* ~/.aws/credentials, default and named profiles */
	snprintf(aws, sizeof(aws), "%s/.aws", dir);
	mkdir(aws, 0700);
	snprintf(path, sizeof(path), "%s/.aws/credentials", dir);
	put(path, "# comment\n[default]\naws_access_key_id = AKDEF\n"
	    "aws_secret_access_key = SKDEF\n\n[profile field]\n"
	    "aws_access_key_id=AKFIELD\naws_secret_access_key=SKFIELD\n"
	    "aws_session_token = TOKFIELD \n", 0600);
	CHECK(cred_load(&c, NULL, NULL, &e) == 0);
	CHECK_STR(c.access_key, "AKDEF");
	CHECK_STR(c.secret_key, "SKDEF");
	CHECK(c.session_token == NULL);
	cred_free(&c);
	setenv("AWS_PROFILE", "field", 1);
	CHECK(cred_load(&c, NULL, NULL, &e) == 0);
	CHECK_STR(c.access_key, "AKFIELD");
	CHECK_STR(c.session_token, "TOKFIELD");
	cred_free(&c);
	CHECK(c.access_key == NULL && c.secret_key == NULL);
	/* an explicit profile wins over AWS_PROFILE; a missing one fails */
	CHECK(cred_load(&c, NULL, "default", &e) == 0);
	CHECK_STR(c.access_key, "AKDEF");
	cred_free(&c);
	CHECK(cred_load(&c, NULL, "nope", &e) == -1 && e.ex == EX_NOPERM);
	CHECK(strstr(e.msg, "SKDEF") == NULL && strstr(e.msg, "SKFIELD") == NULL);
	unsetenv("AWS_PROFILE");

	/* readable by the group or others: refused like ssh does */
	chmod(path, 0640);
	CHECK(cred_load(&c, NULL, NULL, &e) == -1 && e.ex == EX_CONFIG);
	CHECK(strstr(e.msg, "readable by others") != NULL);
	chmod(path, 0604);
	CHECK(cred_load(&c, NULL, NULL, &e) == -1 && e.ex == EX_CONFIG);
	chmod(path, 0600);

	/* the environment wins over ~/.aws */
	setenv("AWS_ACCESS_KEY_ID", "AKENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "SKENV", 1);
	setenv("AWS_SESSION_TOKEN", "TOKENV", 1);
	CHECK(cred_load(&c, NULL, NULL, &e) == 0);
	CHECK_STR(c.access_key, "AKENV");
	CHECK_STR(c.session_token, "TOKENV");
	CHECK_STR(c.source, "environment");
	cred_free(&c);

	/* a file named in rec.conf wins over everything */
	snprintf(path, sizeof(path), "%s/rec-creds", dir);
	put(path, "[default]\naws_access_key_id = AKFILE\n"
	    "aws_secret_access_key = SKFILE\n", 0400);
	CHECK(cred_load(&c, path, NULL, &e) == 0);
	CHECK_STR(c.access_key, "AKFILE");
	CHECK(c.session_token == NULL);
	cred_free(&c);
	/* malformed, missing */
	put(path, "[default\n", 0600);
	CHECK(cred_load(&c, path, NULL, &e) == -1 && e.ex == EX_CONFIG);
	put(path, "[default]\njunk line\n", 0600);
	CHECK(cred_load(&c, path, NULL, &e) == -1 && e.ex == EX_CONFIG);
	unlink(path);
	CHECK(cred_load(&c, path, NULL, &e) == -1 && e.ex == EX_NOPERM);

	snprintf(path, sizeof(path), "%s/.aws/credentials", dir);
	unlink(path);
	rmdir(aws);
	rmdir(dir);
	return check_done();
}
