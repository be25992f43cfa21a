/*
 * fuzz_conf: rec.conf through conf_load (inih + the known-keys check),
 * then every accessor over every known key of every section.
 */
#include <stdlib.h>

#include "conf.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf *c = NULL;
	struct err e;
	char st[128];
	const struct conf_section *s;
	const char *path = fuzz_file(data, size);

	if (conf_load(&c, path, &e) == 0) {
		for (s = conf_sections; s->name != NULL; s++) {
			const char *const *k;
			for (k = s->keys; *k != NULL; k++) {
				size_t it = 0;
				(void)conf_get(c, s->name, *k);
				(void)conf_where(c, s->name, *k);
				while (conf_next(c, s->name, *k, &it) != NULL)
					;
			}
		}
		(void)conf_path(c);
		(void)conf_spool(c, NULL);
		(void)conf_station(c, NULL, st, sizeof(st), &e);
		conf_free(c);
	}
	return 0;
}
