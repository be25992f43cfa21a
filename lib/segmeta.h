/*
 * segmeta: rec's own metadata of a segment, the "REC|" keys of its GUANO
 * text (man/rec-spool.5). The one writer and the one reader of those
 * keys: rec-capture writes them, rec-archive and recd read them. The key
 * names live in segmeta.c only.
 *
 *   REC|Station      station name            REC|Frames       frames in it
 *   REC|Device       ALSA device             REC|Gaps         "off+len,..."
 *   REC|Run          run id (hex)            REC|Lost Frames  sum of the gaps
 *   REC|First Frame  timeline index          REC|Recovered    "true"/"false"
 *   REC|Channels     channels                 (Frames .. Lost Frames and
 *   REC|Format       sample format name        Recovered: the final chunk)
 *
 *   REC|Clock Synced      "true"/"false": the kernel's word at frame 0
 *   REC|Clock Error       its estimated error then, seconds
 *   REC|Clock Max Error   its maximum error then, seconds
 *   REC|Clock PPM         the card's rate measured against the system's
 *                         clock, ppm off the nominal ("+100.042"; final
 *                         chunk, absent when not measured)
 *   REC|Clock Steps       "off:+S.NNNNNNNNN,...": the wall clock stepped
 *                         by S seconds before frame off (final chunk)
 *
 *   REC|Level Peak, REC|Level RMS, REC|Level DC, REC|Level Clipped,
 *   REC|Level Flat, REC|Level Hum: one value per channel, comma
 *   separated (lib/level.h; the final chunk of a segment rec-capture
 *   wrote; a recovered segment has none).
 *
 * A gap "off+len" says len frames were lost before frame off of the
 * segment; the list may be any length (no fixed-size buffer anywhere),
 * as may the list of clock steps. A step is no loss: the frames go on.
 */
#ifndef REC_SEGMETA_H
#define REC_SEGMETA_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "guano.h"
#include "level.h"

/* One key each: which keys segmeta_write writes, segmeta_read found. */
enum {
	SEGMETA_STATION		= 1u << 0,
	SEGMETA_DEVICE		= 1u << 1,
	SEGMETA_RUN		= 1u << 2,
	SEGMETA_FIRST		= 1u << 3,
	SEGMETA_CHANNELS	= 1u << 4,
	SEGMETA_FORMAT		= 1u << 5,
	SEGMETA_FRAMES		= 1u << 6,
	SEGMETA_GAPS		= 1u << 7,
	SEGMETA_LOST		= 1u << 8,
	SEGMETA_RECOVERED	= 1u << 9,
	SEGMETA_LEVELS		= 1u << 10,	/* every REC|Level key */
	SEGMETA_CLOCK		= 1u << 11,	/* Synced, Error, Max Error */
	SEGMETA_CLOCK_PPM	= 1u << 12,
	SEGMETA_CLOCK_STEPS	= 1u << 13,
};
/* The keys known when a segment starts (its first chunk), and at its end. */
#define SEGMETA_HEAD	(SEGMETA_STATION | SEGMETA_DEVICE | SEGMETA_RUN | \
			 SEGMETA_FIRST | SEGMETA_CHANNELS | SEGMETA_FORMAT)
#define SEGMETA_FINAL	(SEGMETA_FRAMES | SEGMETA_GAPS | SEGMETA_LOST)

struct segmeta_gap {
	uint64_t off, len;	/* len frames lost before frame off */
};

struct segmeta_step {
	uint64_t off;		/* before frame off of the segment */
	int64_t ns;		/* the wall clock moved by ns (signed) */
};

struct segmeta {
	unsigned have;		/* SEGMETA_* bits: the keys segmeta_read
				   found (the others are 0 or "") */
	/* Strings: the caller's own for segmeta_write; after segmeta_read
	 * they point into strs (never NULL, "" when absent). */
	const char *station, *device, *run, *format;
	uint64_t first_frame;
	unsigned channels;
	uint64_t frames;
	struct segmeta_gap *gaps;	/* malloc'd, ngaps entries */
	size_t ngaps, capgaps;
	uint64_t lost_frames;
	int recovered;
	/* The levels of each channel (nlevels 0: none), malloc'd: by the
	 * caller for segmeta_write, by segmeta_read; segmeta_free frees. */
	struct level_stat *levels;
	unsigned nlevels;
	/* The clock (SEGMETA_CLOCK*): the kernel's word at frame 0, the
	 * card's measured rate, the wall clock's steps (malloc'd). */
	int clock_synced;
	int64_t clock_est_ns, clock_max_ns;
	double clock_ppm;
	struct segmeta_step *steps;
	size_t nsteps, capsteps;
	char *strs;		/* segmeta_read's storage of the strings */
};

/* Add a gap of len frames before frame off (merged with the last gap
 * when at the same off) and add len to lost_frames. 0, or -1 (ENOMEM). */
int segmeta_gap_add(struct segmeta *m, uint64_t off, uint64_t len);

/* Add a step of the wall clock by ns before frame off (merged with the
 * last at the same off). 0, or -1 (ENOMEM). */
int segmeta_step_add(struct segmeta *m, uint64_t off, int64_t ns);

/* The gaps of m as "off+len,off+len" ("" when none), malloc'd; NULL
 * (ENOMEM). The format of REC|Gaps and of rec-capture's gap journal. */
char *segmeta_gaps_text(const struct segmeta *m);

/*
 * Parse len bytes of "off+len,off+len" (empty or blank: none) and
 * append the gaps to m as they are (not merged), their frames added to
 * lost_frames. 0, or -1 with errno EINVAL (not such a list; m's gaps are
 * then as before) or ENOMEM.
 */
int segmeta_gaps_parse(struct segmeta *m, const char *s, size_t len);

/* Append the keys of m named in `keys` (SEGMETA_* bits) to g, in the
 * order of the table above. 0, or -1 (ENOMEM). */
int segmeta_write(struct guano *g, const struct segmeta *m, unsigned keys);

/*
 * Read the REC| keys of GUANO text (len bytes, need not be
 * NUL-terminated) into m (zeroed first; segmeta_free it even on error).
 * A missing key is not an error (m->have says which were found). 0, or
 * -1 with e: EX_DATAERR "bad GUANO REC|Key 'value'" for a malformed
 * number or gap list (a value that is not "true" reads as not
 * recovered; a REC|Level list whose count differs from the first one
 * found), EX_OSERR when out of memory. SEGMETA_LEVELS is set when
 * REC|Level Peak was found; a missing REC|Level key reads as 0s.
 */
int segmeta_read(const char *text, size_t len, struct segmeta *m,
    struct err *e);

/* REC|Frames of GUANO text alone: 0 with *frames, or -1 (absent or
 * malformed: errno ENOENT or EINVAL). */
int segmeta_frames(const char *text, size_t len, uint64_t *frames);

/* Is key (klen bytes) one that the final chunk writes (SEGMETA_FINAL,
 * REC|Recovered, REC|Clock PPM, REC|Clock Steps or a REC|Level key)? A
 * recovered segment sets those again. */
int segmeta_final_key(const char *key, size_t klen);

/* Free what m holds (not m); m is zeroed. */
void segmeta_free(struct segmeta *m);

#endif
