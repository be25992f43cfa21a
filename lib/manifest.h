/*
 * manifest: manifest.json, the first member of every archive rec-archive
 * writes. It names the station, the tool, the codec and the archive's
 * time range, and for every segment (in capture order) its name, the
 * member holding it, UTC start, frames, rate, channels, format, gaps, and
 * the SHA-256 of the member's bytes.  WAV members also have pcm_offset and
 * pcm_bytes: where the PCM (the data chunk) lies in the member, so the
 * member's SHA-256 already covers it and no separate PCM hash is kept.
 * FLAC members have pcm_sha256, the SHA-256 of the decoded PCM
 * (little-endian samples as in the WAV), so the audio can be checked
 * across codecs (for a WAV member: SHA-256 of its bytes pcm_offset ..
 * pcm_offset + pcm_bytes); a WAV member with a pcm_sha256 is refused.
 * A member whose
 * codec is not the archive's (a WAV member in a FLAC archive, for a
 * segment FLAC cannot hold) says so in its own "codec" key; after
 * manifest_load() every segment's codec is set.  A segment whose GUANO
 * has REC|Level keys has "levels": one object per channel with peak and
 * rms (dBFS, null for -inf), dc, clipped, flat and hum (lib/level.h).
 *
 * A segment whose GUANO has REC|Clock Synced (lib/segmeta.h: every
 * segment rec-capture wrote since it knows its clock; older ones have
 * none, and no "clock") has "clock", how its time was known, keys in
 * this order:
 *   "synced"     true/false: the kernel's word at its first frame
 *   "est_error"  its estimated error then, seconds (a number)
 *   "max_error"  its maximum error then, seconds (a number)
 *   "ppm"        the card's measured rate off nominal (a number, such
 *                as 104.167); absent when not measured
 *   "steps"      [[offset, ns], ...]: the wall clock stepped by ns
 *                nanoseconds (a signed integer, exact) before frame
 *                offset of the segment (0 .. frames); absent when none
 * The errors are written with nine significant digits and read back to
 * the nanosecond: exact for every value the kernel gives (microseconds,
 * at most 16 s). Reading refuses a "clock" that is not an object, a
 * "synced" that is not a boolean, an error that is not a number in
 * 0 .. 9e9, a "ppm" that is not a number, and "steps" that is not a
 * non-empty list of [offset, ns] integer pairs with 0 <= offset <=
 * frames (EX_DATAERR naming "clock.synced" etc.).
 *
 * Every segment also has "offset": where its member's bytes start in the
 * uncompressed tar stream (after its header), so that a reader with
 * ranged access (rec-get) fetches the manifest, then exactly the members
 * it needs: the member is the bytes offset .. offset + size. Since the
 * manifest is the first member, its own length moves every offset:
 * rec-archive computes the offsets for the manifest's length, dumps it,
 * and dumps again until the length rounded up to the tar's 512-byte
 * blocks no longer changes (cmd/rec-archive/write.c, manifest_offsets);
 * it then checks every offset against the tar it writes.
 *
 * JSON written and read with jansson; keys in a fixed order so the same
 * segments always give the same bytes.
 */
#ifndef REC_MANIFEST_H
#define REC_MANIFEST_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"
#include "level.h"
#include "pcm.h"

#define MANIFEST_NAME		"manifest.json"
#define MANIFEST_FORMAT		"rec-manifest 1"
#define MANIFEST_MAX		(16u * 1024 * 1024)	/* bytes, when read */

struct manifest_gap { uint64_t off, len; };	/* frames from the start */

/* A step of the wall clock by ns (signed) before frame off. */
struct manifest_step { uint64_t off; int64_t ns; };

/* How the segment's time was known (its REC|Clock keys). */
struct manifest_clock {
	int have;		/* "clock" written (REC|Clock Synced found) */
	int synced;
	int64_t est_ns, max_ns;	/* >= 0; in the file seconds, 9 digits */
	int have_ppm;		/* "ppm" written */
	double ppm;
	struct manifest_step *steps;	/* malloc'd, nsteps entries;
					 * "steps" written when nsteps > 0 */
	size_t nsteps;
};

struct manifest_seg {
	char name[128];		/* segment file name in seg/ */
	char member[128];	/* member name in the archive */
	char codec[8];		/* the member's: "wav" or "flac"; "" when
				 * dumped = the archive's codec */
	struct timespec start;
	uint64_t frames;
	struct pcm_spec spec;
	struct manifest_gap *gaps;	/* malloc'd, ngaps entries */
	size_t ngaps;
	uint64_t lost_frames;
	int recovered;
	char run[40];		/* REC|Run, "" when unknown */
	uint64_t first_frame;
	uint64_t size;		/* member bytes */
	uint64_t offset;	/* of the member's bytes in the tar stream
				 * (uncompressed, unencrypted); a multiple
				 * of 512 */
	char sha256[65];	/* of the member, lowercase hex */
	char pcm_sha256[65];	/* FLAC: of the decoded PCM; WAV: ""
				 * (written only when not "") */
	uint64_t pcm_off;	/* WAV members: offset and length of the PCM */
	uint64_t pcm_len;
	char loc_position[64];	/* GUANO's Loc Position, "" = none */
	char loc_elevation[32];	/* GUANO's Loc Elevation, "" = none */
	struct level_stat *levels;	/* malloc'd, nlevels (0 or channels)
					 * entries; written when nlevels > 0 */
	unsigned nlevels;
	struct manifest_clock clock;
};

struct manifest {
	char station[65];
	char tool[64];		/* "rec-archive 0.1.0" */
	char codec[8];		/* "wav" or "flac" */
	struct timespec start, end;
	struct manifest_seg *segs;	/* malloc'd, nsegs entries */
	size_t nsegs;
};

/*
 * Parse REC|Gaps ("off+len,off+len", empty = none) into a malloc'd array
 * (*g NULL when none). 0, or -1 with errno EINVAL/ENOMEM.
 */
int manifest_gaps_parse(const char *s, struct manifest_gap **g, size_t *n);

/* Serialize m as JSON into a malloc'd NUL-terminated *out of *len bytes
 * (ending in a newline). 0, or -1 with e (EX_SOFTWARE). */
int manifest_dump(const struct manifest *m, char **out, size_t *len,
    struct err *e);

/* Parse and check JSON text of len bytes into m (manifest_free). 0, or
 * -1 with e (EX_DATAERR naming what is wrong). */
int manifest_load(const char *text, size_t len, struct manifest *m,
    struct err *e);

/* Free what m holds (not m); m is zeroed. */
void manifest_free(struct manifest *m);

#endif
