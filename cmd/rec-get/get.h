/*
 * rec-get: what its files share. main.c reads the options and runs the
 * steps; plan.c finds the archives and picks the frames; fetch.c reads
 * manifests and members from the store (ranged GETs, age chunks, whole
 * compressed archives) and verifies them; cut.c writes the output.
 */
#ifndef REC_GET_H
#define REC_GET_H

#include <stddef.h>
#include <stdint.h>

#include "age.h"
#include "aname.h"
#include "manifest.h"
#include "s3.h"

/* One archive of the store. */
struct arc {
	char *key;			/* object key */
	const char *name;		/* its last part */
	struct aname an;
	uint64_t size;			/* object bytes */
	struct manifest man;
	int loaded;			/* man is valid */
	struct age_dec *dec;		/* encrypted: the payload key */
	uint64_t chunks_off;		/* encrypted: first chunk's offset */
	int whole;			/* compressed: fetched whole */
	int wfd;			/* compressed: the object, -1 */
	struct archive *la;		/* compressed: the tar reader */
	struct age_dec *wdec;		/* compressed and encrypted */
	int *nfd;			/* per segment: fetched member, -1 */
};

/* A run of frames of one member that goes out. */
struct piece {
	size_t arc, seg;
	uint64_t k0, k1;		/* file frames [k0, k1) */
	int64_t t0;			/* ns of frame k0 */
	uint64_t gap;			/* frames missing before it */
	int64_t gap_t;			/* ns where the gap starts */
};

enum gaps_mode { GAPS_SILENCE, GAPS_SPLIT, GAPS_FAIL };

struct get {
	struct s3 *s3;
	const char *prefix, *station;
	const char *tmpl;		/* [upload] key-template, or NULL */
	int64_t from, to;		/* ns */
	struct age_identity *ids;
	size_t nids;
	struct arc *arcs;
	size_t narcs;
	struct piece *pieces;
	size_t npieces;
	enum gaps_mode gaps;
	int flac;			/* --format flac */
	const char *out;		/* -o: file, directory or "-" */
	uint64_t fetched;		/* bytes from the store */
	unsigned umask;			/* for the output's mode */
};

/* plan.c */
int plan_list(struct get *g);
int plan_pieces(struct get *g);
void plan_nearest(struct get *g);

/* fetch.c: 0, or an EX_ code after logging */
int fetch_manifest(struct get *g, struct arc *a);
int fetch_member(struct get *g, struct arc *a, size_t seg);
void fetch_close(struct arc *a);
int fetch_ex(const struct err *e);
int fetch_tmpfd(void);

/* cut.c */
int cut_write(struct get *g);

#endif
