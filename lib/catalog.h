/*
 * catalog: what a bucket holds for some stations over a time range, from
 * listings of the date prefixes in the range only (never the whole
 * bucket), and the manifest of one archive from its first bytes (never
 * the whole archive).  For rec-find and rec-get.
 *
 * Key layout: rec-upload's key template, by default
 *     {prefix}{station}/{YYYY}/{MM}/{DD}/{name}
 * (CATALOG_DEF_TEMPLATE), the date being the archive's start in UTC.
 * For every station and every UTC day from the day BEFORE the range's
 * start (an archive that starts before midnight may reach into the
 * range) to the day of its end, the template is expanded up to its
 * first {hh} or {name} and that prefix is listed (ListObjectsV2, one
 * listing of every page per prefix; equal prefixes once).  A template
 * without {YYYY}/{MM}/{DD} thus lists what it has: a template
 * "{prefix}{station}/{name}" lists the station's whole prefix, every
 * day the same prefix, once.  Objects whose last key component is not an
 * archive name (lib/aname) are ignored, as are archives of other
 * stations and archives that do not overlap the range.
 *
 * Stations: the ones given, else found.  With {station}/ right after
 * {prefix} (literal text allowed between) they are found by one
 * listing of that prefix with delimiter '/' (its CommonPrefixes that
 * are valid station names, conf_station_valid); a
 * template with a date before {station} lists each day up to
 * {station} and takes the stations from the archive names; any other
 * template (a {station} not followed by '/') needs them given (-1,
 * EX_USAGE).
 *
 * Errors: -1 with e as lib/s3 fills it (EX_TEMPFAIL after the retries:
 * the store is down; EX_NOPERM; EX_CONFIG...).  Read-only credentials
 * suffice (ListBucket and GetObject).
 *
 * Memory: struct catalog owns everything in it (catalog_free).
 */
#ifndef REC_CATALOG_H
#define REC_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "age.h"
#include "aname.h"
#include "err.h"
#include "manifest.h"
#include "s3.h"

#define CATALOG_DEF_TEMPLATE	"{prefix}{station}/{YYYY}/{MM}/{DD}/{name}"

struct catalog_query {
	struct s3 *s3;
	const char *prefix;		/* [upload] prefix; NULL = "" */
	const char *tmpl;		/* key template; NULL = the default */
	const char *const *stations;	/* nstations names; 0: find them */
	size_t nstations;
	int64_t from_ns, to_ns;		/* the range [from, to), UTC ns */
};

struct catalog_entry {
	char *key;			/* the object's key */
	char name[ANAME_MAX + 1];	/* its last component: the archive */
	struct aname an;		/* parsed from name */
	int64_t start_ns, end_ns;	/* from the name (end >= start) */
	uint64_t size;
	char etag[80];
	int64_t mtime_ns;		/* LastModified, 0 when unknown */
};

struct catalog {
	struct catalog_entry *v;	/* by station, then start, then name */
	size_t n;
	char **stations;		/* looked at (given or found), sorted */
	size_t nstations;
	char **listed;			/* every prefix listed, in order */
	size_t nlisted;
};

/*
 * Fill c (emptied first) with the archives of q's stations that overlap
 * q's range: 0, or -1 with e (c is then empty).  from >= to is -1 with
 * EX_USAGE.
 */
int catalog_find(const struct catalog_query *q, struct catalog *c,
    struct err *e);
void catalog_free(struct catalog *c);

/*
 * The archives of station nearest to q's range, to name them when the
 * range is empty: the last one that starts before q->from_ns (*before)
 * and the first that starts at or after q->to_ns (*after); have_before
 * and have_after say whether there is one.  Walks the default key
 * layout from the range outwards with listings by delimiter (years,
 * months, days, then one day's keys), at most 16 listings each way; with
 * another key template it finds none.  The entries' keys are malloc'd
 * (free them).  0, or -1 with e as catalog_find.
 */
int catalog_nearest(const struct catalog_query *q, const char *station,
    struct catalog_entry *before, int *have_before,
    struct catalog_entry *after, int *have_after, struct err *e);

/*
 * The key prefix that holds archives of station starting on the UTC day
 * of day_ns, under tmpl and prefix: the template expanded up to its
 * first {hh} or {name} (or {station} when station is NULL).  Malloc'd,
 * NULL with errno (EINVAL: a template this cannot expand; ENOMEM).
 */
char *catalog_day_prefix(const char *tmpl, const char *prefix,
    const char *station, int64_t day_ns);

/*
 * Read the manifest of the archive of ent without downloading it: a
 * ranged GET of its first bytes (256 KiB, then four times more while
 * the manifest is not complete in them, up to the whole archive), for
 * .age through age (ids, nids: the header, then only the STREAM chunks
 * needed), then the decompressor its name says, then the tar's first
 * member, which must be manifest.json (at most MANIFEST_MAX bytes).
 * *fetched (may be NULL) gets the bytes transferred.  0 with m filled
 * (manifest_free), or -1 with e: EX_NOPERM for an encrypted archive
 * that none of ids opens (or no ids), EX_DATAERR for an archive that
 * does not start with a manifest, what lib/s3 says for the store.
 */
int catalog_manifest(struct s3 *s3, const struct catalog_entry *ent,
    const struct age_identity *ids, size_t nids, struct manifest *m,
    uint64_t *fetched, struct err *e);

#endif
