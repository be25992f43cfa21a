/*
 * fuzz_agekeys: an age recipients file and an age identity file (as
 * rec-archive --recipients-file and --identity read them) through
 * age_recipients_load and age_identities_load; what loads must format
 * back to a recipient that parses.
 */
#include <stdlib.h>
#include <string.h>

#include "age.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size);
	struct age_recipient *rs = NULL, r2;
	struct age_identity *ids = NULL;
	size_t n = 0, i;
	struct err e;
	char s[64];

	(void)age_recipients_load(path, &rs, &n, &e);
	for (i = 0; i < n; i++) {
		age_recipient_format(&rs[i], s);
		if (age_recipient_parse(s, &r2, &e) < 0 ||
		    memcmp(&r2, &rs[i], sizeof(r2)) != 0)
			abort();
	}
	free(rs);
	n = 0;
	(void)age_identities_load(path, &ids, &n, &e);
	for (i = 0; i < n; i++) {
		struct age_recipient r;
		age_identity_to_recipient(&ids[i], &r);
	}
	age_identities_free(ids, n);
	return 0;
}
