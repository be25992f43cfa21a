/*
 * cred: the S3 credentials of rec-upload, from (first that applies):
 *   1. the file named by [upload] credentials-file in rec.conf,
 *   2. $AWS_ACCESS_KEY_ID + $AWS_SECRET_ACCESS_KEY (+ $AWS_SESSION_TOKEN),
 *   3. $AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials.
 * A credentials file is the AWS INI format ([profile] with
 * aws_access_key_id, aws_secret_access_key, aws_session_token); the
 * profile is the one given, else $AWS_PROFILE, else "default".  Like ssh
 * with a private key, a file that its group or others may read is refused.
 *
 * Memory: cred_load fills c with malloc'd strings; cred_free wipes
 * (OPENSSL_cleanse) and frees them.  Secrets never go into e->msg.
 */
#ifndef REC_CRED_H
#define REC_CRED_H

#include "err.h"

struct cred {
	char *access_key, *secret_key, *session_token; /* token may be NULL */
	char source[300];	/* "environment", "/root/.aws/credentials [x]" */
};

/*
 * file: the rec.conf credentials-file or NULL; profile: NULL for
 * $AWS_PROFILE/"default".  0, or -1 with e filled: EX_NOPERM when the file
 * cannot be read or has no keys for the profile or none are found at all,
 * EX_CONFIG when it is readable by group/others or malformed.
 */
int cred_load(struct cred *c, const char *file, const char *profile,
    struct err *e);
void cred_free(struct cred *c);

#endif
