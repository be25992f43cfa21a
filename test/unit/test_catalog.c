/*
 * test_catalog: the prefixes catalog_find lists for a station and a day
 * under rec-upload's key templates (the default, an {hh} one, one
 * without dates, one with the date before the station), and templates
 * it refuses.  The listings themselves run against RGW in 0370.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "catalog.h"
#include "check.h"

#define DAY	(86400LL * 1000000000LL)

static void
is(const char *tmpl, const char *prefix, const char *st, int64_t day,
    const char *want)
{
	char *p = catalog_day_prefix(tmpl, prefix, st, day);

	CHECK_STR(p, want);
	free(p);
}

int
main(void)
{
	const int64_t d28 = 1795824000LL * 1000000000LL; /* 2026-11-28 */

	is(NULL, "rec/", "st1", d28, "rec/st1/2026/11/28/");
	is(NULL, "", "st.a", d28 + DAY - 1, "st.a/2026/11/28/");
	is(NULL, "", "st1", d28 + DAY, "st1/2026/11/29/");
	is(NULL, "p/", NULL, d28, "p/");
	is(CATALOG_DEF_TEMPLATE, "", "st1", d28 + 4 * DAY, "st1/2026/12/02/");
	is("{prefix}{station}/{YYYY}/{MM}/{DD}/{hh}/{name}", "x-", "s", d28,
	    "x-s/2026/11/28/");
	is("{prefix}{station}/{name}", "", "st1", d28, "st1/");
	is("{prefix}{YYYY}-{MM}/{station}/{name}", "a/", "st1", d28,
	    "a/2026-11/st1/");
	is("{prefix}{YYYY}/{MM}/{DD}/{station}/{name}", "", NULL, d28,
	    "2026/11/28/");
	is("archive/{station}-{name}", "", "s", d28, "archive/s-");
	errno = 0;
	CHECK(catalog_day_prefix("{prefix}{bogus}/{name}", "", "s", d28) ==
	    NULL && errno == EINVAL);
	CHECK(catalog_day_prefix("{prefix}{station", "", "s", d28) == NULL &&
	    errno == EINVAL);
	return check_done();
}
