/*
 * store: the connection settings and credentials of [upload], read the
 * same way by every tool that speaks to the object store.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cred.h"
#include "opt.h"
#include "store.h"

int
store_tuning(const struct conf *c, struct s3_conf *sc, struct err *e)
{
	struct opt mt = { .name = "max-tries", .type = OPT_UINT,
	    .section = "upload", .key = "max-tries", .min = 1, .max = 1000 };
	struct opt to = { .name = "timeout", .type = OPT_DURATION,
	    .section = "upload", .key = "timeout" };
	uint64_t tries, tmo;

	if (opt_duration(c, &to, "30s", &tmo, e) < 0 ||
	    opt_uint(c, &mt, "8", &tries, e) < 0)
		return -1;
	sc->ca_file = conf_get(c, "upload", "ca-file");
	sc->resolve = conf_get(c, "upload", "resolve");
	sc->timeout = tmo < 1000 ? 1 : (long)(tmo / 1000);
	sc->max_tries = (int)tries;
	return 0;
}

void
store_env(struct s3_conf *sc)
{
	if (sc->endpoint == NULL)
		sc->endpoint = getenv("AWS_ENDPOINT_URL");
	if (sc->region == NULL)
		sc->region = getenv("AWS_REGION");
	if (sc->region == NULL)
		sc->region = getenv("AWS_DEFAULT_REGION");
}

struct s3 *
store_open(const struct conf *c, struct s3_conf *sc, char *source, size_t n,
    struct err *e)
{
	struct cred cr;
	struct s3 *s;

	if (cred_load(&cr, conf_get(c, "upload", "credentials-file"),
	    conf_get(c, "upload", "profile"), e) < 0)
		return NULL;
	if (source != NULL && n > 0)
		snprintf(source, n, "%s", cr.source);
	sc->access_key = cr.access_key;
	sc->secret_key = cr.secret_key;
	sc->session_token = cr.session_token;
	s = s3_new(sc, e);
	sc->access_key = sc->secret_key = sc->session_token = NULL;
	cred_free(&cr);
	return s;
}
