/*
 * test_sums: the hash sidecar: streaming hashes equal one-shot hashes of
 * each part, write/read round trip, malformed files refused.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "check.h"
#include "err.h"
#include "hex.h"
#include "sums.h"

static void
digest(const EVP_MD *md, const unsigned char *p, size_t n, unsigned char *out)
{
	unsigned int len;

	EVP_Digest(p, n, out, &len, md, NULL);
}

/* Hash buf of n bytes in chunks of `step` with part size ps, check all. */
static void
check_stream(const unsigned char *buf, size_t n, size_t step, uint64_t ps)
{
	struct sums *s = sums_new(ps);
	unsigned char md[32];
	size_t i, want = (n + ps - 1) / ps;

	CHECK(s != NULL);
	if (s == NULL)
		return;
	for (i = 0; i < n; i += step)
		CHECK(sums_update(s, buf + i, n - i < step ? n - i : step) == 0);
	CHECK(sums_finish(s) == 0);
	CHECK(s->size == n);
	CHECK(s->nparts == want);
	/* whole-file hashes: exactly when they are part 0's (or empty) */
	CHECK(s->have_whole == (want <= 1));
	if (want <= 1) {
		digest(EVP_md5(), buf, n, md);
		CHECK(memcmp(md, s->md5, 16) == 0);
		digest(EVP_sha256(), buf, n, md);
		CHECK(memcmp(md, s->sha256, 32) == 0);
	}
	for (i = 0; i < s->nparts && i < want; i++) {
		size_t off = i * ps, len = n - off < ps ? n - off : ps;
		CHECK(s->parts[i].off == off);
		CHECK(s->parts[i].len == len);
		digest(EVP_md5(), buf + off, len, md);
		CHECK(memcmp(md, s->parts[i].md5, 16) == 0);
		digest(EVP_sha256(), buf + off, len, md);
		CHECK(memcmp(md, s->parts[i].sha256, 32) == 0);
	}
	CHECK(sums_update(s, buf, 1) == -1);	/* finished */
	sums_free(s);
}

static void
write_file(const char *name, const char *text)
{
	FILE *f = fopen(name, "w");

	fputs(text, f);
	fclose(f);
}

int
main(void)
{
	enum { N = 100003 };
	unsigned char *buf = malloc(N);
	struct sums *s = NULL, *r = NULL;
	struct err e;
	char hex[65], b64[64], etag[64];
	size_t i;
	int fd;

	for (i = 0; i < N; i++)
		buf[i] = (unsigned char)(i * 7919 + (i >> 8));

	/* encodings */
	CHECK_STR(sums_base64((const unsigned char *)"", 0, b64), "");
	CHECK_STR(sums_base64((const unsigned char *)"f", 1, b64), "Zg==");
	CHECK_STR(sums_base64((const unsigned char *)"fo", 2, b64), "Zm8=");
	CHECK_STR(sums_base64((const unsigned char *)"foo", 3, b64), "Zm9v");
	CHECK_STR(sums_base64((const unsigned char *)"foobar", 6, b64),
	    "Zm9vYmFy");
	CHECK_STR(hex_encode((const unsigned char *)"\x00\xff\x1a", 3, hex),
	    "00ff1a");
	CHECK_STR(hex_encode("\x10\x09\xa0\xcd", 4, hex), "1009a0cd");
	CHECK_STR(hex_encode("", 0, hex), "");

	/* part size rules */
	CHECK(sums_part_size(0, 0) == SUMS_DEF_PART);
	CHECK(sums_part_size(1000, 0) == SUMS_MIN_PART);
	CHECK(sums_part_size(16 << 20, 1000) == 16 << 20);
	CHECK(sums_part_size(SUMS_MIN_PART, 10000 * SUMS_MIN_PART) ==
	    SUMS_MIN_PART);
	CHECK(sums_part_size(SUMS_MIN_PART, 10000 * SUMS_MIN_PART + 1) ==
	    2 * SUMS_MIN_PART);
	CHECK(sums_part_size(0, 1ULL << 46) == SUMS_MAX_PART);

	/* streaming equals one-shot, for several chunkings and part sizes */
	check_stream(buf, N, 1, 1000);
	check_stream(buf, N, 4096, 1000);
	check_stream(buf, N, 997, 10000);
	check_stream(buf, 30000, 30000, 10000);	/* exact multiple */
	check_stream(buf, N, N, N + 5);		/* one short part */
	check_stream(buf, 0, 1, 1000);		/* empty file */
	CHECK(sums_new(0) == NULL);

	/* sums_fd = streaming */
	fd = open("sums.data", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, buf, N) == N);
	CHECK(sums_fd(fd, 10000, &s, &e) == 0);
	close(fd);
	CHECK(s != NULL && s->nparts == 11 && s->parts[10].len == 3);
	CHECK(s != NULL && !s->have_whole);
	/* a part as large as the file: the whole-file hashes */
	{
		struct sums *w = NULL;
		unsigned char md[32];
		fd = open("sums.data", O_RDONLY);
		CHECK(fd >= 0 && sums_fd(fd, N, &w, &e) == 0);
		close(fd);
		CHECK(w != NULL && w->have_whole && w->nparts == 1);
		digest(EVP_md5(), buf, N, md);
		CHECK(w != NULL && memcmp(md, w->md5, 16) == 0);
		digest(EVP_sha256(), buf, N, md);
		CHECK(w != NULL && memcmp(md, w->sha256, 32) == 0);
		/* its sidecar has the whole-file lines */
		unlink("sums.one");
		CHECK(w != NULL && sums_write(AT_FDCWD, "sums.tmp", "sums.one",
		    w, &e) == 0);
		CHECK(sums_read(AT_FDCWD, "sums.one", &r, &e) == 0 && r &&
		    r->have_whole && memcmp(r->md5, w->md5, 16) == 0 &&
		    memcmp(r->sha256, w->sha256, 32) == 0);
		sums_free(r);
		r = NULL;
		unlink("sums.one");
		sums_free(w);
	}

	/* multipart ETag: md5 of the binary part md5s, "-N" */
	if (s != NULL) {
		unsigned char all[11 * 16], md[16];
		for (i = 0; i < 11; i++)
			memcpy(all + 16 * i, s->parts[i].md5, 16);
		digest(EVP_md5(), all, sizeof(all), md);
		snprintf(b64, sizeof(b64), "%s-11", hex_encode(md, 16, hex));
		CHECK_STR(sums_multipart_etag(s, etag, sizeof(etag)), b64);
	}

	/* round trip through the file format */
	unlink("sums.out");
	CHECK(sums_write(AT_FDCWD, "sums.tmp", "sums.out", s, &e) == 0);
	CHECK(access("sums.tmp", F_OK) == -1);
	CHECK(sums_read(AT_FDCWD, "sums.out", &r, &e) == 0);
	CHECK(r != NULL && s != NULL && r->size == s->size &&
	    r->part_size == s->part_size && r->nparts == s->nparts &&
	    !r->have_whole && memcmp(r->md5, s->md5, 16) == 0 &&
	    memcmp(r->sha256, s->sha256, 32) == 0 &&
	    memcmp(r->parts, s->parts, s->nparts * sizeof(*s->parts)) == 0);
	/* the tmp file is O_EXCL */
	write_file("sums.tmp", "x");
	CHECK(sums_write(AT_FDCWD, "sums.tmp", "sums.out", s, &e) == -1);
	unlink("sums.tmp");
	sums_free(r);
	r = NULL;

	/* missing, truncated, tampered */
	unlink("sums.none");
	CHECK(sums_read(AT_FDCWD, "sums.none", &r, &e) == -1 &&
	    e.ex == EX_NOINPUT);
	{
		char *text = NULL, *cut;
		size_t len;
		FILE *f = fopen("sums.out", "r");
		text = calloc(1, 8192);
		len = fread(text, 1, 8191, f);
		fclose(f);
		CHECK(len > 100);
		/* without "end" */
		cut = strstr(text, "end\n");
		CHECK(cut != NULL);
		if (cut) {
			*cut = '\0';
			write_file("sums.bad", text);
			CHECK(sums_read(AT_FDCWD, "sums.bad", &r, &e) == -1 &&
			    e.ex == EX_DATAERR);
			*cut = 'e';
		}
		/* several parts: no whole-file lines, "-" */
		CHECK(strstr(text, "\nmd5 -\nsha256 -\nparts 11\n") != NULL);
		/* one "-" without the other */
		write_file("sums.bad", "rec-sums 1\nsize 0\npart-size 5\n"
		    "md5 -\nsha256 "
		    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
		    "\nparts 0\nend\n");
		CHECK(sums_read(AT_FDCWD, "sums.bad", &r, &e) == -1 &&
		    e.ex == EX_DATAERR);
		write_file("sums.bad", "rec-sums 1\nsize 0\npart-size 5\n"
		    "md5 d41d8cd98f00b204e9800998ecf8427e\nsha256 -"
		    "\nparts 0\nend\n");
		CHECK(sums_read(AT_FDCWD, "sums.bad", &r, &e) == -1 &&
		    e.ex == EX_DATAERR);
		/* whole-file hashes with several parts: refused */
		write_file("sums.bad", "rec-sums 1\nsize 10\npart-size 5\n"
		    "md5 0123456789abcdef0123456789abcdef\nsha256 "
		    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
		    "\nparts 2\npart 0 0 5 d41d8cd98f00b204e9800998ecf8427e "
		    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
		    "\npart 1 5 5 d41d8cd98f00b204e9800998ecf8427e "
		    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
		    "\nend\n");
		CHECK(sums_read(AT_FDCWD, "sums.bad", &r, &e) == -1 &&
		    e.ex == EX_DATAERR);
		/* a wrong size */
		write_file("sums.bad", "rec-sums 1\nsize 10\npart-size 5\n"
		    "md5 d41d8cd98f00b204e9800998ecf8427e\nsha256 "
		    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
		    "\nparts 2\npart 0 0 5 d41d8cd98f00b204e9800998ecf8427e "
		    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
		    "\nend\n");
		CHECK(sums_read(AT_FDCWD, "sums.bad", &r, &e) == -1 &&
		    e.ex == EX_DATAERR);
		/* unknown version */
		write_file("sums.bad", "rec-sums 2\n");
		CHECK(sums_read(AT_FDCWD, "sums.bad", &r, &e) == -1 &&
		    e.ex == EX_DATAERR);
		/* empty */
		write_file("sums.bad", "");
		CHECK(sums_read(AT_FDCWD, "sums.bad", &r, &e) == -1);
		/* an empty file's sums are fine */
		write_file("sums.bad", "rec-sums 1\nsize 0\npart-size 5242880\n"
		    "md5 d41d8cd98f00b204e9800998ecf8427e\nsha256 "
		    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
		    "\nparts 0\nend\n");
		CHECK(sums_read(AT_FDCWD, "sums.bad", &r, &e) == 0 && r &&
		    r->nparts == 0 && r->have_whole);
		sums_free(r);
		free(text);
	}
	unlink("sums.bad");
	unlink("sums.out");
	unlink("sums.data");
	sums_free(s);
	free(buf);
	return check_done();
}
