/*
 * idx: the index beside an archive, out/NAME.idx: the names of the
 * segments the archive holds, in plain text, so that rec-archive's
 * reconciliation and rec-upload can tell which segments of seg/ an
 * archive (even an encrypted one) holds without reading it.
 *
 *   rec-idx 1\n          the magic line (IDX_MAGIC)
 *   NAME\n               one segment name a line: not empty, no '/'
 *   ...
 *   end\n                the last line: a file without it is cut short
 *
 * Written by rec-archive (idx_format), read by rec-archive and
 * rec-upload (idx_parse, idx_read). Lines may be of any length.
 */
#ifndef REC_IDX_H
#define REC_IDX_H

#include <stddef.h>

#define IDX_MAGIC	"rec-idx 1"
#define IDX_SUFFIX	".idx"
#define IDX_MAX		(16u << 20)	/* idx_read refuses a larger file */

/*
 * The text of the index of the n names: a malloc'd, NUL-terminated
 * buffer of *len bytes (the NUL not counted). 0, or -1 with errno EINVAL (a name empty, or holding '/' or
 * '\n', or the name "end") or ENOMEM.
 */
int idx_format(const char *const *names, size_t n, char **text,
    size_t *len);

/*
 * Parse len bytes of index text: the names into *names, a malloc'd
 * array of *n malloc'd strings (idx_free). 0, or -1 with errno EINVAL
 * (no magic, a bad name, no "end", or anything after it) or ENOMEM; then
 * *names is NULL and *n 0.
 */
int idx_parse(const char *text, size_t len, char ***names, size_t *n);

/*
 * Read and parse the index file name in the directory dirfd, opened
 * like file_open_regular (no link, no FIFO). 0, or -1 with errno:
 * ENOENT, ELOOP, EFBIG (over IDX_MAX), EINVAL (not an index), ...
 */
int idx_read(int dirfd, const char *name, char ***names, size_t *n);

/* Free what idx_parse or idx_read returned. */
void idx_free(char **names, size_t n);

#endif
