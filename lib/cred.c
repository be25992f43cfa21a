/*
 * cred: find the S3 access key and secret: a named file, the environment,
 * or the AWS shared credentials file; refuse files others can read.
 */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cred.h"
#include "file.h"

static void
wipe(char **p)
{
	if (*p != NULL) {
		OPENSSL_cleanse(*p, strlen(*p));
		free(*p);
		*p = NULL;
	}
}

void
cred_free(struct cred *c)
{
	wipe(&c->access_key);
	wipe(&c->secret_key);
	wipe(&c->session_token);
}

static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		*--end = '\0';
	return s;
}

static int
from_file(struct cred *c, const char *path, const char *profile,
    struct err *e)
{
	struct stat st;
	char *buf = NULL, *line, *save = NULL, *sect = NULL;
	size_t len, lineno = 0;
	int fd, rc = -1, in = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		err_sys(e, EX_NOPERM,
		    "cannot read credentials file %s", path);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		err_sys(e, EX_NOPERM, "cannot read credentials file %s", path);
		close(fd);
		return -1;
	}
	if (st.st_mode & 077) {
		err_set(e, EX_CONFIG, "credentials file %s is readable by "
		    "others (mode %04o): refused, chmod 600 it", path,
		    (unsigned)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	{
		ssize_t n = -1;
		/* the size is checked before the cast: off_t is wider than
		 * size_t on 32-bit systems */
		len = st.st_size >= 0 && st.st_size < (1 << 20) ?
		    (size_t)st.st_size : SIZE_MAX;
		if (len != SIZE_MAX && (buf = malloc(len + 1)) != NULL)
			n = file_read_full(fd, buf, len);
		if (n < 0) {
			err_sys(e, EX_NOPERM, "cannot read credentials file %s",
			    path);
			free(buf);
			close(fd);
			return -1;
		}
		len = (size_t)n;
		buf[len] = '\0';
	}
	close(fd);
	for (line = strtok_r(buf, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		char *l = trim(line), *eq, *k, *v, **dst = NULL;
		lineno++;
		if (*l == '\0' || *l == '#' || *l == ';')
			continue;
		if (*l == '[') {
			char *end = strchr(l, ']');
			if (end == NULL)
				goto bad;
			*end = '\0';
			sect = trim(l + 1);
			if (strncmp(sect, "profile ", 8) == 0)
				sect = trim(sect + 8);
			in = strcmp(sect, profile) == 0;
			continue;
		}
		if ((eq = strchr(l, '=')) == NULL)
			goto bad;
		*eq = '\0';
		k = trim(l);
		v = trim(eq + 1);
		if (!in)
			continue;
		if (strcmp(k, "aws_access_key_id") == 0)
			dst = &c->access_key;
		else if (strcmp(k, "aws_secret_access_key") == 0)
			dst = &c->secret_key;
		else if (strcmp(k, "aws_session_token") == 0)
			dst = &c->session_token;
		if (dst != NULL) {
			wipe(dst);
			if ((*dst = strdup(v)) == NULL) {
				err_sys(e, EX_OSERR, "out of memory");
				goto out;
			}
		}
	}
	if (c->access_key == NULL || c->secret_key == NULL ||
	    !*c->access_key || !*c->secret_key) {
		err_set(e, EX_NOPERM, "credentials file %s has no "
		    "aws_access_key_id and aws_secret_access_key for profile "
		    "'%s'", path, profile);
		goto out;
	}
	snprintf(c->source, sizeof(c->source), "%s [%s]", path, profile);
	rc = 0;
	goto out;
bad:
	err_set(e, EX_CONFIG, "%s:%zu: malformed line", path, lineno);
out:
	if (buf != NULL) {
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	if (rc < 0)
		cred_free(c);
	return rc;
}

int
cred_load(struct cred *c, const char *file, const char *profile,
    struct err *e)
{
	const char *ak = getenv("AWS_ACCESS_KEY_ID");
	const char *sk = getenv("AWS_SECRET_ACCESS_KEY");
	const char *tok = getenv("AWS_SESSION_TOKEN");
	const char *home, *shared;
	char path[1024];

	memset(c, 0, sizeof(*c));
	if (profile == NULL || *profile == '\0')
		profile = getenv("AWS_PROFILE");
	if (profile == NULL || *profile == '\0')
		profile = "default";
	if (file != NULL && *file != '\0')
		return from_file(c, file, profile, e);
	if (ak != NULL && *ak && sk != NULL && *sk) {
		c->access_key = strdup(ak);
		c->secret_key = strdup(sk);
		c->session_token = tok && *tok ? strdup(tok) : NULL;
		if (!c->access_key || !c->secret_key ||
		    (tok && *tok && !c->session_token)) {
			cred_free(c);
			err_sys(e, EX_OSERR, "out of memory");
			return -1;
		}
		snprintf(c->source, sizeof(c->source), "environment");
		return 0;
	}
	shared = getenv("AWS_SHARED_CREDENTIALS_FILE");
	if (shared == NULL || *shared == '\0') {
		if ((home = getenv("HOME")) == NULL || *home == '\0') {
			err_set(e, EX_NOPERM, "no credentials: set "
			    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
			    "credentials-file in rec.conf");
			return -1;
		}
		snprintf(path, sizeof(path), "%s/.aws/credentials", home);
		shared = path;
		if (access(path, F_OK) < 0 && errno == ENOENT) {
			err_set(e, EX_NOPERM, "no credentials: set "
			    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
			    "credentials-file in rec.conf, or write %s", path);
			return -1;
		}
	}
	return from_file(c, shared, profile, e);
}
