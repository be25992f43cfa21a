/*
 * conf: load rec.conf through inih, check every section and key against
 * conf_keys.c, and keep the values with their line numbers.
 */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "conf.h"

struct conf_ent {
	char *section, *key, *value;
	int line;
};

struct conf {
	char *path;
	struct conf_ent *ents;
	size_t n, cap;
};

struct parse_state {
	struct conf *c;
	FILE *fp;
	int line;		/* lines read so far = the current line */
	int bad_line;
	char bad[256];
	int oom;
};

/* inih's reader: fgets that counts lines so the handler knows its line. */
static char *
count_reader(char *str, int num, void *stream)
{
	struct parse_state *ps = stream;
	char *r = fgets(str, num, ps->fp);
	size_t l;

	if (r != NULL) {
		l = strlen(r);
		/* a line longer than num comes in pieces; count it once */
		if (l > 0 && (r[l - 1] == '\n' || feof(ps->fp)))
			ps->line++;
	}
	return r;
}

static int
key_known(const char *section, const char *key, int *section_known)
{
	const struct conf_section *s;
	const char *const *k;

	*section_known = 0;
	for (s = conf_sections; s->name != NULL; s++) {
		if (strcmp(s->name, section) != 0)
			continue;
		*section_known = 1;
		for (k = s->keys; *k != NULL; k++)
			if (strcmp(*k, key) == 0)
				return 1;
	}
	return 0;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *ps = user;
	struct conf *c = ps->c;
	struct conf_ent *ne;
	int skn;

	if (!key_known(section, name, &skn)) {
		if (ps->bad_line == 0) {
			ps->bad_line = ps->line;
			if (!skn)
				snprintf(ps->bad, sizeof(ps->bad),
				    "unknown section [%.64s]", section);
			else if (*section)
				snprintf(ps->bad, sizeof(ps->bad),
				    "unknown key '%.64s' in [%.64s]", name,
				    section);
			else
				snprintf(ps->bad, sizeof(ps->bad),
				    "unknown key '%.64s' at the top level",
				    name);
		}
		return 0;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		ne = realloc(c->ents, c->cap * sizeof(*ne));
		if (ne == NULL) {
			ps->oom = 1;
			return 0;
		}
		c->ents = ne;
	}
	ne = &c->ents[c->n];
	ne->section = strdup(section);
	ne->key = strdup(name);
	ne->value = strdup(value);
	ne->line = ps->line;
	if (!ne->section || !ne->key || !ne->value) {
		free(ne->section);
		free(ne->key);
		free(ne->value);
		ps->oom = 1;
		return 0;
	}
	c->n++;
	return 1;
}

int
conf_load(struct conf **cp, const char *path, struct err *e)
{
	struct parse_state ps;
	struct conf *c;
	int named = 1, rc;

	*cp = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		err_sys(e, EX_OSERR, "cannot load config");
		return -1;
	}
	if (path == NULL || *path == '\0') {
		path = getenv("REC_CONFIG");
		if (path == NULL || *path == '\0') {
			path = CONF_DEFAULT_PATH;
			named = 0;
		}
	}
	memset(&ps, 0, sizeof(ps));
	ps.c = c;
	ps.fp = fopen(path, "re");
	if (ps.fp == NULL) {
		if (!named && errno == ENOENT) {
			*cp = c;
			return 0;
		}
		err_sys(e, errno == EACCES ? EX_NOPERM : EX_CONFIG,
		    "cannot read config %s", path);
		conf_free(c);
		return -1;
	}
	if ((c->path = strdup(path)) == NULL) {
		fclose(ps.fp);
		conf_free(c);
		err_sys(e, EX_OSERR, "cannot load config");
		return -1;
	}
	rc = ini_parse_stream(count_reader, &ps, handler, &ps);
	fclose(ps.fp);
	if (ps.oom) {
		errno = ENOMEM;
		err_sys(e, EX_OSERR, "cannot load config %s", path);
		conf_free(c);
		return -1;
	}
	if (ps.bad_line > 0) {
		err_set(e, EX_CONFIG, "%s:%d: %s", path, ps.bad_line, ps.bad);
		conf_free(c);
		return -1;
	}
	if (rc != 0) {
		err_set(e, EX_CONFIG, "%s:%d: syntax error", path, rc);
		conf_free(c);
		return -1;
	}
	*cp = c;
	return 0;
}

void
conf_free(struct conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->ents[i].section);
		free(c->ents[i].key);
		free(c->ents[i].value);
	}
	free(c->ents);
	free(c->path);
	free(c);
}

const char *
conf_path(const struct conf *c)
{
	return c ? c->path : NULL;
}

static const struct conf_ent *
find_last(const struct conf *c, const char *section, const char *key)
{
	size_t i;

	if (c == NULL)
		return NULL;
	for (i = c->n; i-- > 0;)
		if (strcmp(c->ents[i].section, section) == 0 &&
		    strcmp(c->ents[i].key, key) == 0)
			return &c->ents[i];
	return NULL;
}

const char *
conf_get(const struct conf *c, const char *section, const char *key)
{
	const struct conf_ent *ce = find_last(c, section, key);

	return ce ? ce->value : NULL;
}

const char *
conf_next(const struct conf *c, const char *section, const char *key,
    size_t *iter)
{
	size_t i;

	if (c == NULL)
		return NULL;
	for (i = *iter; i < c->n; i++) {
		if (strcmp(c->ents[i].section, section) == 0 &&
		    strcmp(c->ents[i].key, key) == 0) {
			*iter = i + 1;
			return c->ents[i].value;
		}
	}
	*iter = c->n;
	return NULL;
}

const char *
conf_where(const struct conf *c, const char *section, const char *key)
{
	static char buf[4200];
	const struct conf_ent *ce = find_last(c, section, key);

	if (ce == NULL)
		return "(none)";
	snprintf(buf, sizeof(buf), "%s:%d", c->path, ce->line);
	return buf;
}

const char *
conf_where_at(const struct conf *c, size_t iter)
{
	static char buf[4200];

	if (c == NULL || iter == 0 || iter > c->n)
		return "(none)";
	snprintf(buf, sizeof(buf), "%s:%d", c->path, c->ents[iter - 1].line);
	return buf;
}

const char *
conf_spool(const struct conf *c, const char *flag)
{
	const char *s;

	if (flag != NULL && *flag)
		return flag;
	s = getenv("REC_SPOOL");
	if (s != NULL && *s)
		return s;
	s = conf_get(c, "", "spool");
	if (s != NULL && *s)
		return s;
	return CONF_DEFAULT_SPOOL;
}

int
conf_station_valid(const char *name)
{
	const char *p;

	if (name == NULL || *name == '\0' || strlen(name) > 64)
		return 0;
	/* the station names files and keys: never a directory's "." or ".." */
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
			return 0;
	return 1;
}

/* What conf_station_valid wants, for both of conf_station's messages. */
#define STATION_RULE	"use letters, digits, '.' and '-' (at most 64, " \
			"not '.' or '..')"

int
conf_station(const struct conf *c, const char *flag, char *buf, size_t len,
    struct err *e)
{
	const char *s = flag;
	char host[256];

	if (s == NULL || *s == '\0')
		s = conf_get(c, "", "station");
	if (s == NULL || *s == '\0') {
		if (gethostname(host, sizeof(host)) < 0)
			snprintf(host, sizeof(host), "station");
		host[sizeof(host) - 1] = '\0';
		s = host;
	}
	if (!conf_station_valid(s)) {
		if (flag != NULL && *flag)
			err_set(e, EX_USAGE, "bad station name '%s': "
			    STATION_RULE, s);
		else
			err_set(e, EX_CONFIG, "%s: bad station name '%s': "
			    STATION_RULE, s == host ? "host name" :
			    conf_where(c, "", "station"), s);
		return -1;
	}
	snprintf(buf, len, "%s", s);
	return 0;
}
