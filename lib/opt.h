/*
 * opt: the one flags-and-config layer of every rec tool (git's
 * parse-options in spirit). A tool describes its options in one table;
 * opt_parse() reads the command line with the shared block (--config,
 * --spool, -q/--quiet, -v/--verbose, -h/--help, -V/--version), and the
 * typed getters resolve each setting in one order:
 *
 *     flag > environment variable (when the entry names one) > rec.conf
 *     [section] key > default
 *
 * A bad value is an error that names where it came from: a flag gives
 * EX_USAGE ("bad --rate 'x': ..."), rec.conf EX_CONFIG with
 * "FILE:LINE: bad rate 'x': ...", an environment variable EX_CONFIG.
 * Nothing here prints or exits: the caller logs e->msg and exits e->ex.
 *
 * Short letters: only rec-capture keeps arecord's (-D -r -c -f -d -t);
 * every other tool has long options plus -q -v -h -V.
 */
#ifndef REC_OPT_H
#define REC_OPT_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "err.h"
#include "log.h"

enum opt_type {
	OPT_STR,		/* any string */
	OPT_SIZE,		/* parse_size: "10M" */
	OPT_DURATION,		/* parse_duration_ms: "1.5s", "10m" */
	OPT_UINT,		/* parse_uint in [min, max] */
	OPT_BOOL,		/* a flag without a value; yes/no in rec.conf */
	OPT_ENUM,		/* one of choices[] */
	OPT_LIST		/* a string that may be given many times */
};

/*
 * One setting. name NULL: not on the command line (a rec.conf key or an
 * environment variable only, read through the same getters).
 */
struct opt {
	const char *name;		/* long option, without "--" */
	int shrt;			/* short letter, 0 = none */
	enum opt_type type;
	const char *section, *key;	/* rec.conf fallback; key NULL = none */
	const char *env;		/* environment fallback, or NULL */
	const char *const *choices;	/* OPT_ENUM: NULL-terminated */
	uint64_t min, max;		/* OPT_UINT bounds */
	const char *desc;		/* a phrase for errors ("a sample rate") */
	/* filled by opt_parse: */
	const char *val;		/* the last value on the command line */
	int count;			/* how often it was given */
	const char **vals;		/* OPT_LIST: every value, in order */
	size_t nvals;
};

/* The shared block, filled by opt_parse. */
struct opt_common {
	const char *config;		/* --config FILE */
	const char *spool;		/* --spool DIR */
	int quiet, verbose;		/* how often -q, -v were given */
};

/* What opt_parse found. */
enum { OPT_RUN = 0, OPT_HELP = 1, OPT_VERSION = 2 };

/*
 * Parse argv against tab (ends with an entry whose name and key are both
 * NULL) and the shared block; with_spool 0: no --spool. Returns OPT_RUN
 * (the operands start at argv[optind]), OPT_HELP or OPT_VERSION (the
 * caller prints the usage or the version and exits 0), or -1 with e
 * (EX_USAGE: "unknown option '--x' (see prog --help)", "option '--rate'
 * needs a value"). OPT_LIST values are kept in malloc'ed arrays: free
 * them with opt_free(tab).
 */
int opt_parse(int argc, char **argv, struct opt *tab, int with_spool,
    struct opt_common *oc, struct err *e);
void opt_free(struct opt *tab);

/* The entry of tab with this long name or key (NULL if none). */
struct opt *opt_find(struct opt *tab, const char *name);

/*
 * The typed getters. Each returns 1 when the setting was given (flag,
 * environment or rec.conf), 0 when not (then *out is def parsed, or left
 * alone when def is NULL), -1 with e on a bad value (EX_USAGE for a
 * flag, EX_CONFIG for the file or the environment). c may be NULL.
 */
int opt_str(const struct conf *c, const struct opt *o, const char *def,
    const char **out, struct err *e);
int opt_size(const struct conf *c, const struct opt *o, const char *def,
    uint64_t *out, struct err *e);
int opt_duration(const struct conf *c, const struct opt *o, const char *def,
    uint64_t *out_ms, struct err *e);
int opt_uint(const struct conf *c, const struct opt *o, const char *def,
    uint64_t *out, struct err *e);
int opt_bool(const struct conf *c, const struct opt *o, int def, int *out,
    struct err *e);
/* *out: the index of the value in o->choices. */
int opt_enum(const struct conf *c, const struct opt *o, const char *def,
    int *out, struct err *e);

/*
 * Fill e for a value that parsed but is not acceptable (e.g. a segment
 * shorter than one frame): same origin rule as the getters. Returns -1.
 */
int opt_bad(const struct conf *c, const struct opt *o, const char *val,
    const char *why, struct err *e);

/*
 * The log level, one rule for every tool: any -q or -v on the command
 * line decides alone (each -v one step up, each -q one down, from
 * info); else verbose = yes in [section] gives debug, else quiet = yes
 * warnings only, else info. So -q with verbose = yes in the file is
 * quiet. section NULL: the file has no say (rec-status). -1 + e
 * (EX_CONFIG, FILE:LINE) on a bad boolean.
 */
int opt_level(const struct conf *c, const char *section,
    const struct opt_common *oc, enum log_level *lvl, struct err *e);

/*
 * The start of every tool. Like log_die(), these two are for cmd/ only
 * and are the exception to "lib never prints or exits": they print the
 * usage or the version and exit, or log_die() on an error.
 *
 * opt_start: opt_parse(tab) with the shared block (--spool with
 * OPT_START_SPOOL); --help prints usage on stdout and exits 0, --version
 * "NAME VERSION" and exits 0, a bad flag is log_die(e.ex). An operand
 * is "unexpected argument 'X'" then usage on stderr and exit 64
 * (OPT_START_TERSE: the usage alone), unless OPT_START_OPERANDS: the
 * caller reads them from argv[optind].
 */
enum {
	OPT_START_SPOOL = 1,	/* --spool DIR */
	OPT_START_OPERANDS = 2,	/* operands are the caller's */
	OPT_START_TERSE = 4	/* an operand: the usage, no message */
};
void opt_start(int argc, char **argv, struct opt *tab, int flags,
    struct opt_common *oc, const char *name, const char *usage);

/*
 * conf_load(*c, oc->config), opt_level(section) and log_set_level; any
 * error is log_die(e.ex) (78 with FILE:LINE).
 */
void opt_setup(struct conf **c, const struct opt_common *oc,
    const char *section);

#endif
