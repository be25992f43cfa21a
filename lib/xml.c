/*
 * xml: read S3's XML answers with expat, keeping only the elements the
 * caller names, within fixed limits of depth, path length and element
 * count (see xml.h for why).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "xml.h"

/* Stop the parse with errno-like code err (the first one wins). */
static void
refuse(struct xml *x, int err)
{
	if (x->err == 0)
		x->err = err;
	XML_StopParser(x->parser, XML_FALSE);
}

static int
wanted(const struct xml *x)
{
	const char *const *w;

	for (w = x->want; w && *w; w++)
		if (strcmp(*w, x->path.p) == 0)
			return 1;
	return 0;
}

static void XMLCALL
x_start(void *u, const XML_Char *name, const XML_Char **atts)
{
	struct xml *x = u;
	const char *colon = strchr(name, ':');
	const char *local = colon ? colon + 1 : name;
	size_t n = strlen(local);

	if (x->err)
		return;
	if (++x->elements > XML_MAX_ELEMENTS || ++x->depth > XML_MAX_DEPTH ||
	    x->path.len + 1 + n > XML_MAX_PATH) {
		refuse(x, E2BIG);
		return;
	}
	if (x->depth == 1)
		snprintf(x->root, sizeof(x->root), "%s", local);
	strbuf_add(&x->path, "/", 1);
	strbuf_add(&x->path, local, n);
	if (x->path.oom) {
		refuse(x, ENOMEM);
		return;
	}
	x->keep = wanted(x);
	x->cur.len = 0;
}

static void XMLCALL
x_chars(void *u, const XML_Char *s, int len)
{
	struct xml *x = u;

	/* only the text of a kept element is stored at all */
	if (x->keep && x->err == 0)
		strbuf_add(&x->cur, s, (size_t)len);
}

static void XMLCALL
x_end(void *u, const XML_Char *name)
{
	struct xml *x = u;
	char *slash;

	/* expat may still deliver the end of an element we refused */
	if (x->err)
		return;
	if (x->keep) {
		if (x->n == x->cap) {
			size_t cap = x->cap ? 2 * x->cap : 16;
			struct xml_node *v = realloc(x->v, cap * sizeof(*v));
			if (v == NULL) {
				refuse(x, ENOMEM);
				return;
			}
			x->v = v;
			x->cap = cap;
		}
		x->v[x->n].path = NULL;
		for (const char *const *w = x->want; *w; w++)
			if (strcmp(*w, x->path.p) == 0)
				x->v[x->n].path = *w;
		x->v[x->n].off = x->texts.len;
		strbuf_add(&x->texts, x->cur.p ? x->cur.p : "", x->cur.len);
		strbuf_add(&x->texts, "", 1);	/* the NUL after the text */
		if (x->texts.oom || x->cur.oom) {
			refuse(x, ENOMEM);
			return;
		}
		x->n++;
	}
	x->cur.len = 0;
	x->depth--;
	if ((slash = strrchr(x->path.p, '/')) != NULL) {
		*slash = '\0';
		x->path.len = (size_t)(slash - x->path.p);
	}
	/* back in the parent: its text after this child is kept if it is */
	x->keep = x->depth > 0 && wanted(x);
}

/* A DTD can declare entities (and their expansion): S3 never sends one. */
static void XMLCALL
x_doctype(void *u, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal_subset)
{
	refuse(u, EBADMSG);
}

void
xml_free(struct xml *x)
{
	free(x->v);
	free(x->path.p);
	free(x->cur.p);
	free(x->texts.p);
	memset(x, 0, sizeof(*x));
}

int
xml_parse(struct xml *x, const char *doc, size_t len,
    const char *const *want)
{
	XML_Parser p;
	int ok;
	size_t i;

	memset(x, 0, sizeof(*x));
	if (len > INT_MAX) {
		errno = E2BIG;
		return -1;
	}
	if ((p = XML_ParserCreate(NULL)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	x->want = want;
	x->parser = p;
	strbuf_add(&x->path, "", 0);	/* path.p is never NULL */
	XML_SetUserData(p, x);
	XML_SetElementHandler(p, x_start, x_end);
	XML_SetCharacterDataHandler(p, x_chars);
	XML_SetStartDoctypeDeclHandler(p, x_doctype);
	ok = XML_Parse(p, doc, (int)len, 1) == XML_STATUS_OK && x->err == 0 &&
	    !x->path.oom;
	if (!ok && x->err == 0)
		x->err = XML_GetErrorCode(p) == XML_ERROR_NO_MEMORY ? ENOMEM :
		    EBADMSG;
	XML_ParserFree(p);
	x->parser = NULL;
	if (!ok) {
		int err = x->err;
		xml_free(x);
		errno = err;
		return -1;
	}
	for (i = 0; i < x->n; i++)
		x->v[i].text = x->texts.p + x->v[i].off;
	/* the parse state is not needed any more */
	free(x->path.p);
	free(x->cur.p);
	memset(&x->path, 0, sizeof(x->path));
	memset(&x->cur, 0, sizeof(x->cur));
	x->want = NULL;
	return 0;
}

const char *
xml_get(const struct xml *x, const char *path)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		if (strcmp(x->v[i].path, path) == 0)
			return x->v[i].text;
	return NULL;
}
