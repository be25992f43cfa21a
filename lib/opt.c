/*
 * opt: one option table per tool, the shared block, and the typed
 * getters that resolve flag > environment > rec.conf > default.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "opt.h"
#include "parse.h"

#define OPT_MAX		64	/* entries of a table, shared block included */
#define OPT_BASE	256	/* getopt values of long-only options */

enum { C_CONFIG = OPT_BASE + OPT_MAX, C_SPOOL };

static size_t
tab_len(const struct opt *tab)
{
	size_t n = 0;

	while (tab[n].name != NULL || tab[n].key != NULL)
		n++;
	return n;
}

struct opt *
opt_find(struct opt *tab, const char *name)
{
	size_t i, n = tab_len(tab);

	for (i = 0; i < n; i++)
		if ((tab[i].name && strcmp(tab[i].name, name) == 0) ||
		    (tab[i].key && strcmp(tab[i].key, name) == 0))
			return &tab[i];
	return NULL;
}

void
opt_free(struct opt *tab)
{
	size_t i, n = tab_len(tab);

	for (i = 0; i < n; i++) {
		free(tab[i].vals);
		tab[i].vals = NULL;
		tab[i].nvals = 0;
	}
}

/* getopt_long's tables for tab plus the shared block. */
static int
build(struct opt *tab, int with_spool, struct option *lo, char *so,
    struct err *e)
{
	size_t i, n = tab_len(tab), l = 0;
	char *s = so;

	*s++ = ':';
	memcpy(s, "qvhV", 4);
	s += 4;
	lo[l++] = (struct option){ "config", required_argument, NULL,
	    C_CONFIG };
	if (with_spool)
		lo[l++] = (struct option){ "spool", required_argument, NULL,
		    C_SPOOL };
	lo[l++] = (struct option){ "quiet", no_argument, NULL, 'q' };
	lo[l++] = (struct option){ "verbose", no_argument, NULL, 'v' };
	lo[l++] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[l++] = (struct option){ "version", no_argument, NULL, 'V' };
	for (i = 0; i < n; i++) {
		int arg = tab[i].type == OPT_BOOL ? no_argument :
		    required_argument;

		tab[i].val = NULL;
		tab[i].count = 0;
		if (tab[i].name == NULL)
			continue;
		if (l + 1 >= OPT_MAX) {
			err_set(e, EX_SOFTWARE, "too many options");
			return -1;
		}
		lo[l++] = (struct option){ tab[i].name, arg, NULL,
		    tab[i].shrt ? tab[i].shrt : OPT_BASE + (int)i };
		if (tab[i].shrt) {
			*s++ = (char)tab[i].shrt;
			if (arg == required_argument)
				*s++ = ':';
		}
	}
	lo[l] = (struct option){ NULL, 0, NULL, 0 };
	*s = '\0';
	return 0;
}

static struct opt *
by_val(struct opt *tab, int ch)
{
	size_t i, n = tab_len(tab);

	if (ch >= OPT_BASE && ch < OPT_BASE + (int)n)
		return &tab[ch - OPT_BASE];
	for (i = 0; i < n; i++)
		if (tab[i].name != NULL && tab[i].shrt == ch)
			return &tab[i];
	return NULL;
}

/* "unknown option '--x'" or "option '-r' needs a value", like getopt. */
static int
bad_option(int ch, char **argv, struct err *e)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";

	if (ch == ':' && strncmp(arg, "--", 2) != 0 && optopt > 0 &&
	    optopt < OPT_BASE)
		err_set(e, EX_USAGE, "option '-%c' needs a value (see %s "
		    "--help)", optopt, log_prog());
	else if (ch == ':')
		err_set(e, EX_USAGE, "option '%s' needs a value (see %s "
		    "--help)", arg, log_prog());
	else if (optopt != 0 && optopt < OPT_BASE)
		err_set(e, EX_USAGE, "unknown option '-%c' (see %s --help)",
		    optopt, log_prog());
	else
		err_set(e, EX_USAGE, "unknown option '%s' (see %s --help)",
		    arg, log_prog());
	return -1;
}

/* Remember one value of o (OPT_LIST: every value). */
static int
take(struct opt *o, const char *v, struct err *e)
{
	o->count++;
	o->val = v;
	if (o->type == OPT_LIST) {
		const char **nv = realloc(o->vals, (o->nvals + 1) *
		    sizeof(*nv));

		if (nv == NULL) {
			err_sys(e, EX_OSERR, "out of memory");
			return -1;
		}
		o->vals = nv;
		o->vals[o->nvals++] = v;
	}
	return 0;
}

int
opt_parse(int argc, char **argv, struct opt *tab, int with_spool,
    struct opt_common *oc, struct err *e)
{
	struct option lo[OPT_MAX + 8];
	char so[3 * OPT_MAX];
	struct opt *o;
	int ch, ret = OPT_RUN;

	memset(oc, 0, sizeof(*oc));
	if (tab_len(tab) >= OPT_MAX) {
		err_set(e, EX_SOFTWARE, "too many options");
		return -1;
	}
	if (build(tab, with_spool, lo, so, e) < 0)
		return -1;
	opterr = 0;
	optind = 0;		/* glibc and musl: start afresh */
	while ((ch = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		switch (ch) {
		case C_CONFIG: oc->config = optarg; continue;
		case C_SPOOL: oc->spool = optarg; continue;
		case 'q': oc->quiet++; continue;
		case 'v': oc->verbose++; continue;
		case 'h': if (ret == OPT_RUN) ret = OPT_HELP; continue;
		case 'V': if (ret == OPT_RUN) ret = OPT_VERSION; continue;
		case '?': case ':': return bad_option(ch, argv, e);
		}
		if ((o = by_val(tab, ch)) == NULL)
			return bad_option('?', argv, e);
		if (take(o, optarg, e) < 0)
			return -1;
	}
	return ret;
}

/* The raw value of o and where it came from: 'f', 'e', 'c', or 0. */
static const char *
raw(const struct conf *c, const struct opt *o, int *from)
{
	const char *v;

	*from = 0;
	if (o->count > 0 && o->type != OPT_BOOL) {
		*from = 'f';
		return o->val;
	}
	if (o->env != NULL && (v = getenv(o->env)) != NULL && *v != '\0') {
		*from = 'e';
		return v;
	}
	if (c != NULL && o->key != NULL &&
	    (v = conf_get(c, o->section ? o->section : "", o->key)) != NULL) {
		*from = 'c';
		return v;
	}
	return NULL;
}

static int
bad_from(const struct conf *c, const struct opt *o, int from,
    const char *val, const char *why, struct err *e)
{
	const char *sep = why ? ": " : "", *w = why ? why : "";

	if (from == 'f')
		err_set(e, EX_USAGE, "bad --%s '%s'%s%s", o->name, val, sep, w);
	else if (from == 'e')
		err_set(e, EX_CONFIG, "bad %s '%s'%s%s", o->env, val, sep, w);
	else if (from == 'c')
		err_set(e, EX_CONFIG, "%s: bad %s '%s'%s%s", conf_where(c,
		    o->section ? o->section : "", o->key), o->key, val, sep, w);
	else	/* a default that does not parse: a bug of ours */
		err_set(e, EX_SOFTWARE, "bad default %s '%s'%s%s", o->key ?
		    o->key : o->name, val, sep, w);
	return -1;
}

int
opt_bad(const struct conf *c, const struct opt *o, const char *val,
    const char *why, struct err *e)
{
	int from;
	const char *v = raw(c, o, &from);

	return bad_from(c, o, v != NULL ? from : 0, val, why, e);
}

int
opt_str(const struct conf *c, const struct opt *o, const char *def,
    const char **out, struct err *e)
{
	int from;
	const char *v = raw(c, o, &from);

	(void)e;
	if (v == NULL) {
		if (def != NULL)
			*out = def;
		return 0;
	}
	*out = v;
	return 1;
}

/* The shape of every numeric getter: raw value, else def, parsed. */
#define GETTER(c, o, def, parse, why, e) do {				\
	int from_;							\
	const char *v_ = raw(c, o, &from_);				\
									\
	if (v_ == NULL && def == NULL)					\
		return 0;						\
	if (v_ == NULL)							\
		v_ = def;						\
	if (parse < 0)							\
		return bad_from(c, o, from_, v_, why, e);		\
	return from_ != 0;						\
} while (0)

int
opt_size(const struct conf *c, const struct opt *o, const char *def,
    uint64_t *out, struct err *e)
{
	GETTER(c, o, def, parse_size(v_, out),
	    "not a size (like 4096, 64K, 10M, 2G)", e);
}

int
opt_duration(const struct conf *c, const struct opt *o, const char *def,
    uint64_t *out_ms, struct err *e)
{
	GETTER(c, o, def, parse_duration_ms(v_, out_ms),
	    "not a duration (seconds, or like 1.5s, 250ms, 10m)", e);
}

int
opt_uint(const struct conf *c, const struct opt *o, const char *def,
    uint64_t *out, struct err *e)
{
	char why[80];

	snprintf(why, sizeof(why), "not a number in %" PRIu64 "..%" PRIu64,
	    o->min, o->max);
	GETTER(c, o, def, parse_uint(v_, o->min, o->max, out), why, e);
}

int
opt_bool(const struct conf *c, const struct opt *o, int def, int *out,
    struct err *e)
{
	int from;
	const char *v;

	if (o->count > 0) {
		*out = 1;
		return 1;
	}
	v = raw(c, o, &from);
	if (v == NULL) {
		*out = def;
		return 0;
	}
	if (parse_bool(v, out) < 0)
		return bad_from(c, o, from, v, "not a boolean (yes or no)", e);
	return 1;
}

int
opt_enum(const struct conf *c, const struct opt *o, const char *def,
    int *out, struct err *e)
{
	char why[200];
	size_t len = 0;
	int from, i;
	const char *v = raw(c, o, &from);

	if (v == NULL && def == NULL)
		return 0;
	if (v == NULL)
		v = def;
	for (i = 0; o->choices[i] != NULL; i++)
		if (strcmp(v, o->choices[i]) == 0) {
			*out = i;
			return from != 0;
		}
	len = (size_t)snprintf(why, sizeof(why), "use");
	for (i = 0; o->choices[i] != NULL && len < sizeof(why); i++)
		len += (size_t)snprintf(why + len, sizeof(why) - len, "%s %s",
		    i == 0 ? "" : o->choices[i + 1] ? "," : " or",
		    o->choices[i]);
	return bad_from(c, o, from, v, why, e);
}

int
opt_level(const struct conf *c, const char *section,
    const struct opt_common *oc, enum log_level *lvl, struct err *e)
{
	struct opt ov = { .type = OPT_BOOL, .section = section,
	    .key = "verbose" };
	struct opt oq = { .type = OPT_BOOL, .section = section,
	    .key = "quiet" };
	int v, q, n;

	if (oc->quiet > 0 || oc->verbose > 0) {
		n = (int)LOG_LVL_INFO + oc->verbose - oc->quiet;
		if (n < (int)LOG_LVL_WARN)
			n = LOG_LVL_WARN;	/* errors are never hidden */
		if (n > (int)LOG_LVL_DEBUG)
			n = LOG_LVL_DEBUG;
		*lvl = (enum log_level)n;
		return 0;
	}
	if (section == NULL) {		/* a tool without a section */
		*lvl = LOG_LVL_INFO;
		return 0;
	}
	if (opt_bool(c, &ov, 0, &v, e) < 0 || opt_bool(c, &oq, 0, &q, e) < 0)
		return -1;
	*lvl = v ? LOG_LVL_DEBUG : q ? LOG_LVL_WARN : LOG_LVL_INFO;
	return 0;
}

/* cmd side (see opt.h): prints and exits like log_die. */
void
opt_start(int argc, char **argv, struct opt *tab, int flags,
    struct opt_common *oc, const char *name, const char *usage)
{
	struct err e;

	switch (opt_parse(argc, argv, tab, (flags & OPT_START_SPOOL) != 0, oc,
	    &e)) {
	case OPT_HELP:
		fputs(usage, stdout);
		exit(0);
	case OPT_VERSION:
		printf("%s %s\n", name, REC_VERSION);
		exit(0);
	case OPT_RUN:
		break;
	default:
		log_die(e.ex, "%s", e.msg);
	}
	if ((flags & OPT_START_OPERANDS) || optind == argc)
		return;
	if (!(flags & OPT_START_TERSE))
		log_error("unexpected argument '%s'", argv[optind]);
	fputs(usage, stderr);
	exit(EX_USAGE);
}

/* cmd side (see opt.h): dies on a bad rec.conf. */
void
opt_setup(struct conf **c, const struct opt_common *oc, const char *section)
{
	struct err e;
	enum log_level lvl;

	if (conf_load(c, oc->config, &e) < 0 ||
	    opt_level(*c, section, oc, &lvl, &e) < 0)
		log_die(e.ex, "%s", e.msg);
	log_set_level(lvl);
}
