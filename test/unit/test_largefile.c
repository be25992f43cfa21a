/*
 * test_largefile: an archive over 4 GiB (a sparse 5 GiB file in a spool's
 * out/) through the lib/ paths rec-archive and rec-upload use on it: stat
 * sizes, pread at offsets past 4 GiB, the hash of a part there, part sizes
 * and offsets of a multipart upload, the sidecar, spool usage, slurp's
 * size limit.  Claim: every size and offset is exact on a 32-bit build
 * (armhf, make check-cross) too.  No more than 64 KiB is ever hashed.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "err.h"
#include "file.h"
#include "spool.h"
#include "sums.h"

#define GIB	(1024ULL * 1024 * 1024)
#define MIB	(1024ULL * 1024)
#define BIG	(5 * GIB + 12345)	/* the archive's size */
#define HIGH	(4 * GIB + MIB + 5)	/* a marker past 4 GiB */
#define RANGE	(64 * 1024)

static const char high_mark[] = "high-marker";	/* at HIGH */
static const char low_mark[] = "LOW-MARKER!";	/* at HIGH mod 2^32 */
static const char tail_mark[] = "tail!!!";	/* the last 7 bytes */

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* The sidecar of a BIG file cut into 8 MiB parts, as sums_write writes it. */
static void
write_sidecar(const char *path)
{
	FILE *f = fopen(path, "w");
	uint64_t off, len;
	size_t i = 0;

	CHECK(f != NULL);
	if (f == NULL)
		return;
	fprintf(f, "rec-sums 1\nsize %" PRIu64 "\npart-size %" PRIu64
	    "\nmd5 -\nsha256 -\nparts %" PRIu64 "\n", (uint64_t)BIG,
	    (uint64_t)(8 * MIB), (uint64_t)((BIG + 8 * MIB - 1) / (8 * MIB)));
	for (off = 0; off < BIG; off += len, i++) {
		len = BIG - off < 8 * MIB ? BIG - off : 8 * MIB;
		fprintf(f, "part %zu %" PRIu64 " %" PRIu64 " %032zx %064zx\n",
		    i, off, len, i, i);
	}
	fprintf(f, "end\n");
	CHECK(fclose(f) == 0);
}

static void
check_sidecar(struct spool *sp)
{
	struct sums *s = NULL, *s2 = NULL;
	struct err e;
	char etag[64], *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;

	write_sidecar("out/big.tar.sums");
	CHECK(sums_read(sp->dirfd, "out/big.tar.sums", &s, &e) == 0);
	if (s == NULL)
		return;
	CHECK(s->size == BIG);
	CHECK(s->part_size == 8 * MIB);
	CHECK(s->nparts == 641);
	CHECK(!s->have_whole);
	if (s->nparts == 641) {
		/* part 513 starts exactly at 4 GiB, the last one at 5 GiB */
		CHECK(s->parts[512].off == 4 * GIB);
		CHECK(s->parts[512].len == 8 * MIB);
		CHECK(s->parts[640].off == 5 * GIB);
		CHECK(s->parts[640].len == 12345);
		CHECK(s->parts[640].off + s->parts[640].len == BIG);
		CHECK(s->parts[640].md5[15] == 640 % 256);
	}
	sums_multipart_etag(s, etag, sizeof(etag));
	CHECK(strlen(etag) == 36 && strcmp(etag + 32, "-641") == 0);

	/* written back byte for byte: 64-bit numbers print whole */
	CHECK(sums_write(sp->dirfd, "tmp/big2.tar.sums", "out/big2.tar.sums",
	    s, &e) == 0);
	CHECK(file_slurp(sp->dirfd, "out/big.tar.sums", 1 << 20, &a,
	    &alen) == 0);
	CHECK(file_slurp(sp->dirfd, "out/big2.tar.sums", 1 << 20, &b,
	    &blen) == 0);
	CHECK(a != NULL && b != NULL && alen == blen &&
	    memcmp(a, b, alen) == 0);
	CHECK(sums_read(sp->dirfd, "out/big2.tar.sums", &s2, &e) == 0);
	CHECK(s2 != NULL && s2->size == BIG && s2->nparts == 641);
	free(a);
	free(b);
	sums_free(s2);
	sums_free(s);
}

/* The hash of RANGE bytes at off, as rec-upload sends a part's. */
static void
check_range(int fd, uint64_t off, const unsigned char *want)
{
	unsigned char *buf = malloc(RANGE);
	struct sums *got = sums_new(RANGE), *exp = sums_new(RANGE);
	ssize_t n;

	CHECK(buf != NULL && got != NULL && exp != NULL);
	if (buf == NULL || got == NULL || exp == NULL)
		goto out;
	n = file_pread_full(fd, buf, RANGE, (off_t)off);
	CHECK(n == RANGE);
	CHECK(n == RANGE && memcmp(buf, want, RANGE) == 0);
	CHECK(sums_update(got, buf, RANGE) == 0 && sums_finish(got) == 0);
	CHECK(sums_update(exp, want, RANGE) == 0 && sums_finish(exp) == 0);
	CHECK(got->size == RANGE && got->have_whole && exp->have_whole);
	CHECK(memcmp(got->md5, exp->md5, 16) == 0);
	CHECK(memcmp(got->sha256, exp->sha256, 32) == 0);
out:
	sums_free(exp);
	sums_free(got);
	free(buf);
}

int
main(void)
{
	char dir[64], *buf = NULL;
	unsigned char *want = NULL;
	struct spool sp;
	struct stat st;
	struct err e;
	uint64_t bytes = 0;
	size_t count = 0, len = 0;
	char tail[64];
	int fd = -1;

	CHECK(sizeof(off_t) == 8);	/* -D_FILE_OFFSET_BITS=64 on 32 bits */
	snprintf(dir, sizeof(dir), "largefile.%ld", (long)getpid());
	if (spool_open(&sp, dir, &e) < 0) {
		fprintf(stderr, "cannot open spool %s: %s\n", dir, e.msg);
		return 1;
	}
	if (chdir(dir) < 0)
		return 1;

	/* a sparse 5 GiB archive with markers past 4 GiB */
	fd = openat(sp.fd[SPOOL_OUT], "big.tar", O_RDWR | O_CREAT | O_EXCL,
	    0644);
	CHECK(fd >= 0);
	if (fd < 0)
		goto out;
	CHECK(ftruncate(fd, (off_t)BIG) == 0);
	CHECK(file_pwrite_all(fd, high_mark, 11, (off_t)HIGH) == 0);
	CHECK(file_pwrite_all(fd, low_mark, 11, (off_t)(HIGH & 0xffffffffULL))
	    == 0);
	CHECK(file_pwrite_all(fd, tail_mark, 7, (off_t)(BIG - 7)) == 0);

	/* stat sizes */
	CHECK(fstat(fd, &st) == 0 && (uint64_t)st.st_size == BIG);
	CHECK(stat("out/big.tar", &st) == 0 && (uint64_t)st.st_size == BIG);
	CHECK(lseek(fd, 0, SEEK_END) == (off_t)BIG);

	/* pread past 4 GiB, short at the end, nothing at it */
	memset(tail, 0, sizeof(tail));
	CHECK(file_pread_full(fd, tail, 11, (off_t)HIGH) == 11 &&
	    memcmp(tail, high_mark, 11) == 0);
	CHECK(file_pread_full(fd, tail, sizeof(tail), (off_t)(BIG - 7)) == 7 &&
	    memcmp(tail, tail_mark, 7) == 0);
	CHECK(file_pread_full(fd, tail, sizeof(tail), (off_t)BIG) == 0);

	/* a part-sized range across the marker hashes as those bytes do */
	if ((want = calloc(1, RANGE)) == NULL)
		goto out;
	memcpy(want + 1000, high_mark, 11);
	check_range(fd, HIGH - 1000, want);
	memset(want, 0, RANGE);
	memcpy(want + RANGE - 7, tail_mark, 7);
	check_range(fd, BIG - RANGE, want);

	/* part sizes for big archives: at most 10000 parts, each <= 5 GiB */
	CHECK(sums_part_size(0, BIG) == 8 * MIB);
	CHECK(sums_part_size(0, 100 * GIB) == 16 * MIB);
	CHECK(sums_part_size(6 * GIB, BIG) == SUMS_MAX_PART);
	CHECK(sums_part_size(0, 60000 * GIB) == SUMS_MAX_PART);
	CHECK((BIG + sums_part_size(0, BIG) - 1) / sums_part_size(0, BIG) ==
	    641);

	check_sidecar(&sp);

	/* spool usage adds sizes in 64 bits */
	CHECK(spool_usage(&sp, SPOOL_OUT, ".tar", &bytes, &count) == 0);
	CHECK(count == 1 && bytes == BIG);

	/* a size limit is not fooled by a size that wraps in 32 bits: 4 GiB
	 * and 100 bytes is 100 bytes in a 32-bit size_t */
	errno = 0;
	CHECK(file_slurp(sp.fd[SPOOL_OUT], "big.tar", 1 << 20, &buf, &len)
	    == -1 && errno == EFBIG);
	free(buf);
	buf = NULL;
	close(fd);
	fd = openat(sp.fd[SPOOL_OUT], "wrap.tar", O_RDWR | O_CREAT | O_EXCL,
	    0644);
	CHECK(fd >= 0 && ftruncate(fd, (off_t)(4 * GIB + 100)) == 0);
	errno = 0;
	CHECK(file_slurp(sp.fd[SPOOL_OUT], "wrap.tar", 1 << 20, &buf, &len)
	    == -1 && errno == EFBIG);
	free(buf);
out:
	free(want);
	if (fd >= 0)
		close(fd);
	spool_close(&sp);
	if (chdir("..") == 0)
		CHECK(nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0);
	return check_done();
}
