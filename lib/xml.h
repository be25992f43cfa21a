/*
 * xml: a bounded reader for the small XML answers of S3 (over expat).
 * It keeps only the elements the caller names, as (path, text) pairs in
 * document order, so that its memory follows what the caller needs and
 * not what the server sends: a hostile or broken answer (nesting
 * thousands deep, millions of empty elements, a DTD with entities) is
 * refused or costs no more than its own size.
 *
 * Paths are the element names from the root, namespace prefixes dropped:
 * "/Error/Code".  An element's text is its character data after its last
 * child element (for the leaves S3 answers carry: all of it).
 *
 * Limits: nesting deeper than XML_MAX_DEPTH, a path longer than
 * XML_MAX_PATH bytes, or more than XML_MAX_ELEMENTS elements in all make
 * the document refused (S3 answers are 4 deep; a listing page of 1000
 * uploads has about 12000 elements).  Kept texts are at most the size of
 * the document.
 *
 * Memory: struct xml owns its nodes and texts (xml_free); node paths
 * point into the caller's `want` strings, which must outlive it.
 */
#ifndef REC_XML_H
#define REC_XML_H

#include <stddef.h>

#include "strbuf.h"

#define XML_MAX_DEPTH		16
#define XML_MAX_PATH		1024
#define XML_MAX_ELEMENTS	200000

struct xml_node {
	const char *path;	/* one of the caller's want strings */
	const char *text;	/* NUL-terminated, in the struct's storage */
	size_t off;		/* of text in the storage (while parsing) */
};

struct xml {
	struct xml_node *v;	/* the kept elements, in the order they end */
	size_t n;
	char root[64];		/* the root element's name ("" if none),
				   truncated when longer */
	/* parse state and storage: private */
	size_t cap, depth, elements;
	const char *const *want;
	int keep, err;
	struct strbuf path, cur, texts;
	void *parser;
};

/*
 * Parse len bytes of doc, keeping the elements whose path is one of want
 * (a NULL-terminated list; NULL keeps none: only the root name is read).
 * 0, or -1 with errno EBADMSG (not well-formed, or it has a DTD), E2BIG
 * (past a limit above) or ENOMEM; x is then empty (xml_free is harmless).
 */
int xml_parse(struct xml *x, const char *doc, size_t len,
    const char *const *want);

/* Text of the first kept element at path, or NULL. */
const char *xml_get(const struct xml *x, const char *path);

/* Free what xml_parse kept; x is then empty. */
void xml_free(struct xml *x);

#endif
