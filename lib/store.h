/*
 * store: the object store as [upload] of rec.conf names it, the one
 * reading of its connection settings and credentials shared by
 * rec-upload, rec-find, rec-get and rec-status --bucket. Where the
 * endpoint, region, bucket and addressing come from stays with each
 * tool (their flags and rules differ: rec-upload refuses plain http).
 */
#ifndef REC_STORE_H
#define REC_STORE_H

#include <stddef.h>

#include "conf.h"
#include "err.h"
#include "s3.h"

/*
 * [upload] ca-file, resolve (not checked here), timeout (default 30 s;
 * under a second is one) and max-tries (1..1000, default 8) into sc.
 * 0, or -1 with e (EX_CONFIG, "FILE:LINE: bad ..."). c may be NULL.
 */
int store_tuning(const struct conf *c, struct s3_conf *sc, struct err *e);

/*
 * What the flags and rec.conf left unset, from the environment: the
 * endpoint from AWS_ENDPOINT_URL, the region from AWS_REGION, then
 * AWS_DEFAULT_REGION. So every tool reads them in one order: flag,
 * rec.conf, environment.
 */
void store_env(struct s3_conf *sc);

/*
 * The credentials of [upload] credentials-file and profile (lib/cred)
 * into sc, then s3_new(sc); the credentials are wiped and sc's pointers
 * to them cleared before it returns. source (n bytes, may be NULL):
 * where they came from, for a debug line. The handle, or NULL with e
 * (cred_load's or s3_new's error).
 */
struct s3 *store_open(const struct conf *c, struct s3_conf *sc,
    char *source, size_t n, struct err *e);

#endif
