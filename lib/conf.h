/*
 * conf: rec.conf, the one INI file every rec tool reads (parsed by inih).
 * Top-level keys (before any section, or in no section) are shared by all
 * tools; each tool has its section: [capture] [archive] [upload] [recd].
 * Every key of every section is known (lib/conf_keys.c), so a typo
 * anywhere is an error that names the file and line, whichever tool reads
 * it. Values stay strings here; the typed getters of lib/opt.h parse them
 * (flag > environment > file > default) and report a bad one with
 * conf_where().
 *
 * Which file: --config FILE, else $REC_CONFIG, else /etc/rec.conf; only
 * the default may be missing. Flags win over the file.
 */
#ifndef REC_CONF_H
#define REC_CONF_H

#include <stddef.h>

#include "err.h"

#define CONF_DEFAULT_PATH	"/etc/rec.conf"
#define CONF_DEFAULT_SPOOL	"/var/spool/rec"

/* The known keys: a NULL-terminated list per section ("" = top level). */
struct conf_section {
	const char *name;
	const char *const *keys;
};
extern const struct conf_section conf_sections[];	/* ends with {NULL} */

struct conf;

/*
 * Load the config: path (NULL: $REC_CONFIG, else CONF_DEFAULT_PATH, which
 * may be missing). Returns 0 and *cp (never NULL on success, empty when
 * no file), or -1 with e filled: EX_CONFIG for a syntax error, an
 * unknown section or key ("FILE:LINE: unknown key 'x' in [capture]"),
 * or a named file that does not exist; EX_NOPERM when it may not be
 * read.
 */
int conf_load(struct conf **cp, const char *path, struct err *e);
void conf_free(struct conf *c);

/* The file's path, or NULL when no file was read. */
const char *conf_path(const struct conf *c);

/* The last value of section/key (section "" = top level), or NULL. */
const char *conf_get(const struct conf *c, const char *section,
    const char *key);

/*
 * Every value of a repeatable key, in file order: start with *iter = 0;
 * returns NULL after the last.
 */
const char *conf_next(const struct conf *c, const char *section,
    const char *key, size_t *iter);

/*
 * "FILE:LINE" of the last value of section/key, for error messages
 * ("rec.conf:12: bad rate 'x'"); "(none)" when the key is absent.
 * The string is in a static buffer overwritten by the next call.
 */
const char *conf_where(const struct conf *c, const char *section,
    const char *key);

/*
 * "FILE:LINE" of the value conf_next() last returned with this *iter
 * (for a key given many times), in a static buffer of its own.
 */
const char *conf_where_at(const struct conf *c, size_t iter);

/* The spool directory: flag, else $REC_SPOOL, else the top-level
 * `spool`, else CONF_DEFAULT_SPOOL. */
const char *conf_spool(const struct conf *c, const char *flag);

/*
 * The station name: flag, else top-level `station`, else the host name;
 * into buf. -1 + e (EX_CONFIG/EX_USAGE) when it has characters other
 * than [A-Za-z0-9.-], is empty, "." or "..", or is longer than 64 bytes.
 */
int conf_station(const struct conf *c, const char *flag, char *buf,
    size_t len, struct err *e);

/* 1 when name is a valid station name: 1-64 of [A-Za-z0-9.-], not "."
 * or "..". */
int conf_station_valid(const char *name);

#endif
