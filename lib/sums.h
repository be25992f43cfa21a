/*
 * sums: the hash sidecar of an archive, `out/<archive>.sums`.
 *
 * rec-archive hashes the archive while it writes it (sums_new, then
 * sums_update with every byte written, in order, then sums_finish) and
 * commits the sidecar with sums_write BEFORE it renames the archive into
 * out/.  rec-upload reads it back with sums_read and sends the hashes with
 * every request (Content-MD5 and x-amz-content-sha256), so the object store
 * verifies the very bytes written to the card and rec-upload hashes nothing.
 *
 * The archive is cut into parts of part_size bytes (the last one shorter);
 * for each part we keep MD5 and SHA-256, and every byte is hashed once per
 * algorithm: when the file is one part (or empty) the whole-file hashes
 * are part 0's (copied); when it has several parts they are not computed
 * (have_whole 0).  A file up to the multipart threshold goes up in one PUT
 * with the whole-file hashes (rec-upload hashes the file then if the
 * sidecar has none: only when multipart-threshold > part-size); a larger
 * one as a multipart upload with one part per sums part.
 *
 * File format (text, one record per line, fields separated by one space,
 * hex in lowercase):
 *
 *	rec-sums 1
 *	size <bytes>
 *	part-size <bytes>
 *	md5 <32 hex>		("-": absent, several parts)
 *	sha256 <64 hex>		("-" exactly when md5 is "-")
 *	parts <count>
 *	part <index> <offset> <length> <md5 32 hex> <sha256 64 hex>
 *	...			(count lines, index 0..count-1, in order)
 *	end
 *
 * A file of size 0 has "parts 0" (and the hashes of no bytes).  Whole-
 * file hashes with several parts, or "-" with one, are refused.  Unknown
 * versions and any
 * line out of place are refused by sums_read (EX_DATAERR): a sidecar that does not
 * prove itself complete ("end", part count, offsets adding up to size) is
 * never trusted.
 *
 * Link: the functions use OpenSSL libcrypto (pkg-config package openssl).
 */
#ifndef REC_SUMS_H
#define REC_SUMS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define SUMS_MIN_PART	(5ULL * 1024 * 1024)	/* S3: smallest part but the last */
#define SUMS_MAX_PART	(5ULL * 1024 * 1024 * 1024) /* S3: largest part */
#define SUMS_MAX_PARTS	10000			/* S3: most parts per upload */
#define SUMS_DEF_PART	(8ULL * 1024 * 1024)	/* [upload] part-size default */

struct sums_part {
	uint64_t off, len;
	unsigned char md5[16];
	unsigned char sha256[32];
};

struct sums {
	uint64_t size;		/* total bytes */
	uint64_t part_size;	/* every part but the last has this length */
	int have_whole;		/* md5, sha256 are set (else zero) */
	unsigned char md5[16];	/* of the whole file, when have_whole */
	unsigned char sha256[32];
	size_t nparts;
	struct sums_part *parts; /* nparts entries */
	struct sums_state *st;	/* private: hashing state, NULL once finished */
};

/*
 * The part size to use: `want` (0 = SUMS_DEF_PART) raised to at least
 * SUMS_MIN_PART, then doubled until size_hint bytes fit in SUMS_MAX_PARTS
 * parts (size_hint 0 = unknown), at most SUMS_MAX_PART.  rec-archive
 * passes [upload] part-size and the size of its input (an upper bound of
 * the archive size, compression only shrinks it).
 */
uint64_t sums_part_size(uint64_t want, uint64_t size_hint);

/*
 * Start hashing a file cut into parts of part_size bytes (used as given,
 * call sums_part_size first).  Returns NULL with errno ENOMEM/EINVAL.
 * Free with sums_free.
 */
struct sums *sums_new(uint64_t part_size);

/* Hash the next len bytes of the file.  0, or -1 with errno (ENOMEM). */
int sums_update(struct sums *s, const void *buf, size_t len);

/*
 * End of file: fills size, parts and, when there is at most one part,
 * md5 and sha256 with have_whole 1 (several parts: have_whole 0, the
 * whole-file hashes zero).  0, or -1 with errno.
 */
int sums_finish(struct sums *s);

/* Free s and everything it holds (NULL is fine). */
void sums_free(struct sums *s);

/*
 * Hash the open file fd from offset 0 to its end with pread (fd's offset
 * is not moved), streaming, and return the finished sums in *out (as
 * sums_finish: whole-file hashes only for one part; part_size >= the
 * file's size gives them).
 * 0, or -1 with e filled (EX_IOERR/EX_OSERR).
 */
int sums_fd(int fd, uint64_t part_size, struct sums **out, struct err *e);

/*
 * Commit a finished s as the file `name`, both paths relative to dirfd
 * (AT_FDCWD allowed): written to `tmpname` with O_EXCL (mode 0644),
 * fsynced, closed, renamed to `name`, then the directory of `name`
 * fsynced.  Typical call from the spool root: sums_write(rootfd,
 * "tmp/x.tar.sums", "out/x.tar.sums", s, e).  On failure tmpname is
 * removed.  0, or -1 with e filled (ex from err_ex_for_errno).
 */
int sums_write(int dirfd, const char *tmpname, const char *name,
    const struct sums *s, struct err *e);

/*
 * Read and check the sidecar `name` relative to dirfd.  *out is a
 * finished sums (free with sums_free).  0, or -1 with e filled:
 * EX_NOINPUT with errno ENOENT when it does not exist, EX_DATAERR when it
 * is malformed, EX_IOERR otherwise.
 */
int sums_read(int dirfd, const char *name, struct sums **out, struct err *e);

/*
 * The ETag S3 gives an object uploaded in parts as s says: hex MD5 of the
 * concatenated binary part MD5s, "-", part count (no quotes).  For a
 * single PUT the ETag is the plain hex MD5 of the whole file.
 * buf must hold at least 44 bytes.  Returns buf.
 */
char *sums_multipart_etag(const struct sums *s, char *buf, size_t bufsz);

/* Base64 (with padding) of n bytes into out (4*ceil(n/3)+1).  Returns out. */
char *sums_base64(const unsigned char *bin, size_t n, char *out);

#endif
