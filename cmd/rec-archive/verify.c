/*
 * verify: rec-archive --verify FILE: read an archive back and check it
 * against its own manifest (every member's SHA-256 and its PCM's,
 * FLAC's MD5 signature, every member's offset in the tar stream, nothing
 * missing, extra, repeated or other than a regular file) and, when
 * FILE.sums is beside it, against the sidecar.
 * An encrypted archive is decrypted with --identity, to the end of its
 * age stream; without one only its age structure and the sidecar can be
 * checked. "ok" means consistent with its own manifest, not authentic:
 * whoever can write an archive can write its manifest.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "archive.h"
#include "file.h"
#include "flacio.h"
#include "hex.h"
#include "log.h"
#include "sums.h"

#define RBUF	65536

struct src {
	int fd;
	struct age_dec *dec;	/* NULL: plain file */
	struct err e;		/* decryption failure */
	int failed;
	unsigned char buf[RBUF];
};

static la_ssize_t
la_read(struct archive *a, void *ctx, const void **out)
{
	struct src *s = ctx;
	ssize_t r;

	*out = s->buf;
	if (s->dec != NULL) {
		r = age_dec_read(s->dec, s->buf, RBUF, &s->e);
		if (r < 0) {
			s->failed = 1;
			archive_set_error(a, EIO, "%s", s->e.msg);
		}
		return r;
	}
	r = read(s->fd, s->buf, RBUF);
	if (r < 0)
		archive_set_error(a, errno, "%s", strerror(errno));
	return r;
}

/* One member's bytes, hashed as they are read. */
struct member {
	struct archive *a;
	EVP_MD_CTX *all;
	uint64_t off;			/* bytes read so far */
	int err;
};

static ssize_t
member_read(void *ctx, void *buf, size_t len)
{
	struct member *m = ctx;
	la_ssize_t r = archive_read_data(m->a, buf, len);

	if (r < 0) {
		m->err = 1;
		return -1;
	}
	EVP_DigestUpdate(m->all, buf, (size_t)r);
	m->off += (uint64_t)r;
	return r;
}

static void
hex(EVP_MD_CTX *c, char *out)
{
	unsigned char h[32];

	EVP_DigestFinal_ex(c, h, NULL);
	hex_encode(h, 32, out);
}

/* Check the current member against s; 0 or EX_DATAERR after logging. */
static int
check_member(const char *path, struct archive *a, const struct manifest *man,
    const struct manifest_seg *s, unsigned char *buf)
{
	struct member m = { .a = a };
	char got[65], pcm[65];
	struct err e;
	int ret = EX_DATAERR, flac = strcmp(s->codec, "flac") == 0;
	ssize_t r;

	m.all = EVP_MD_CTX_new();
	if (m.all == NULL || !EVP_DigestInit_ex(m.all, EVP_sha256(), NULL)) {
		log_error("out of memory");
		ret = EX_OSERR;
		goto out;
	}
	if (flac) {
		unsigned char h[32];
		uint64_t frames;
		if (flacio_decode(member_read, &m, &s->spec, &frames, h,
		    &e) == -1) {
			log_error("%s: member %s: %s", path, s->member,
			    m.err ? archive_error_string(a) : e.msg);
			goto out;
		}
		hex_encode(h, 32, pcm);
		if (frames != s->frames) {
			log_error("%s: member %s: %" PRIu64 " frames, the "
			    "manifest says %" PRIu64, path, s->member, frames,
			    s->frames);
			goto out;
		}
	}
	while ((r = member_read(&m, buf, RBUF)) > 0)
		;
	if (r < 0) {
		log_error("%s: member %s: %s", path, s->member,
		    archive_error_string(a));
		goto out;
	}
	if (m.off != s->size) {
		log_error("%s: member %s: %" PRIu64 " bytes, the manifest "
		    "says %" PRIu64, path, s->member, m.off, s->size);
		goto out;
	}
	hex(m.all, got);
	if (strcmp(got, s->sha256) != 0) {
		log_error("%s: member %s: SHA-256 %s, the manifest says %s",
		    path, s->member, got, s->sha256);
		goto out;
	}
	/* WAV: the member's SHA-256 covers its PCM (pcm_offset, pcm_bytes) */
	if (flac && strcmp(pcm, s->pcm_sha256) != 0) {
		log_error("%s: member %s: PCM SHA-256 %s, the manifest says "
		    "%s", path, s->member, pcm, s->pcm_sha256);
		goto out;
	}
	ret = 0;
out:
	EVP_MD_CTX_free(m.all);
	return ret;
}

/*
 * A member must be a plain file: a symlink, hard link, directory or
 * device carries no bytes to hash and would make an extracted archive
 * write elsewhere than its manifest says. 0, or EX_DATAERR after logging.
 */
static int
regular_member(const char *path, struct archive_entry *ent)
{
	if (archive_entry_filetype(ent) == AE_IFREG &&
	    archive_entry_hardlink(ent) == NULL &&
	    archive_entry_symlink(ent) == NULL)
		return 0;
	log_error("%s: member %s is not a regular file", path,
	    archive_entry_pathname(ent));
	return EX_DATAERR;
}

/*
 * An encrypted archive: read the age stream to its end after the tar's,
 * so that every chunk is authenticated, the last one too (libarchive
 * stops at the tar's end marker and may never ask for it) and nothing
 * follows it. 0, or -1 after logging (src->e says why).
 */
static int
drain_age(const char *path, struct src *src)
{
	ssize_t r;

	if (src->dec == NULL)
		return 0;
	/* a read error libarchive met past the tar's end, and let pass */
	if (src->failed) {
		log_error("%s: %s", path, src->e.msg);
		return -1;
	}
	while ((r = age_dec_read(src->dec, src->buf, RBUF, &src->e)) > 0)
		;
	if (r == 0)
		return 0;
	src->failed = 1;
	log_error("%s: %s", path, src->e.msg);
	return -1;
}

/* Read the tar from src and check it against its manifest. */
static int
check_tar(const char *path, struct src *src)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	struct manifest man;
	struct err e;
	char *text = NULL;
	unsigned char *buf = malloc(RBUF);
	la_int64_t size;
	size_t i;
	int ret = EX_DATAERR, rc;

	memset(&man, 0, sizeof man);
	if (a == NULL || buf == NULL) {
		log_error("out of memory");
		ret = EX_OSERR;
		goto out;
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open(a, src, NULL, la_read, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(a, &ent) != ARCHIVE_OK) {
		log_error("%s: not a readable archive: %s", path,
		    archive_error_string(a));
		goto out;
	}
	if (strcmp(archive_entry_pathname(ent), MANIFEST_NAME) != 0) {
		log_error("%s: the first member is %s, not %s", path,
		    archive_entry_pathname(ent), MANIFEST_NAME);
		goto out;
	}
	if (regular_member(path, ent) != 0)
		goto out;
	size = archive_entry_size(ent);
	if (size <= 0 || size > MANIFEST_MAX) {
		log_error("%s: %s has a bad size", path, MANIFEST_NAME);
		goto out;
	}
	text = malloc((size_t)size);
	if (text == NULL || archive_read_data(a, text, (size_t)size) !=
	    size) {
		log_error("%s: cannot read %s: %s", path, MANIFEST_NAME,
		    text ? archive_error_string(a) : "out of memory");
		goto out;
	}
	if (manifest_load(text, (size_t)size, &man, &e) == -1) {
		log_error("%s: %s", path, e.msg);
		goto out;
	}
	for (i = 0; i < man.nsegs; i++) {
		rc = archive_read_next_header(a, &ent);
		if (rc == ARCHIVE_EOF) {
			log_error("%s: member %s is missing", path,
			    man.segs[i].member);
			goto out;
		}
		if (rc != ARCHIVE_OK) {
			log_error("%s: %s", path, archive_error_string(a));
			goto out;
		}
		if (regular_member(path, ent) != 0)
			goto out;
		if (strcmp(archive_entry_pathname(ent),
		    man.segs[i].member) != 0) {
			log_error("%s: member %zu is %s, the manifest says %s",
			    path, i + 2, archive_entry_pathname(ent),
			    man.segs[i].member);
			goto out;
		}
		/* rec-get fetches a member by its offset: check it */
		if (archive_filter_bytes(a, 0) != (la_int64_t)
		    man.segs[i].offset) {
			log_error("%s: member %s starts at %" PRId64 " in the "
			    "tar, the manifest says %" PRIu64, path,
			    man.segs[i].member,
			    (int64_t)archive_filter_bytes(a, 0),
			    man.segs[i].offset);
			goto out;
		}
		ret = check_member(path, a, &man, &man.segs[i], buf);
		if (ret != 0)
			goto out;
		ret = EX_DATAERR;
	}
	rc = archive_read_next_header(a, &ent);
	if (rc == ARCHIVE_OK) {
		log_error("%s: member %s is not in the manifest", path,
		    archive_entry_pathname(ent));
		goto out;
	}
	if (rc != ARCHIVE_EOF) {
		log_error("%s: %s", path, archive_error_string(a));
		goto out;
	}
	if (drain_age(path, src) == -1)
		goto out;
	log_info("%s: ok: %zu segments (%s), %s to %s", path, man.nsegs,
	    man.codec, man.nsegs ? man.segs[0].name : "-",
	    man.nsegs ? man.segs[man.nsegs - 1].name : "-");
	ret = 0;
out:
	if (ret == EX_DATAERR && src->failed)
		ret = src->e.ex;
	manifest_free(&man);
	free(text);
	free(buf);
	if (a != NULL)
		archive_read_free(a);
	return ret;
}

/* FILE.sums, when present, must describe FILE. */
static int
check_sums(const char *path, int fd)
{
	char side[4096];
	struct sums *want = NULL, *got = NULL;
	struct err e;
	int ret = EX_DATAERR;

	snprintf(side, sizeof side, "%s%s", path, SUMS_SUFFIX);
	if (sums_read(AT_FDCWD, side, &want, &e) == -1) {
		if (e.ex == EX_NOINPUT)
			return 0;
		log_error("%s: %s", side, e.msg);
		return e.ex;
	}
	if (sums_fd(fd, want->part_size, &got, &e) == -1) {
		log_error("%s: %s", path, e.msg);
		ret = e.ex;
		goto out;
	}
	/* every part (offset, length, MD5, SHA-256), then the whole file */
	if (got->size != want->size || got->nparts != want->nparts ||
	    (got->nparts > 0 && memcmp(got->parts, want->parts,
	    got->nparts * sizeof(*got->parts)) != 0))
		goto differ;
	if (want->have_whole && (!got->have_whole || got->size != want->size ||
	    memcmp(got->sha256, want->sha256, 32) != 0 ||
	    memcmp(got->md5, want->md5, 16) != 0))
		goto differ;
	log_debug("%s: matches %s", path, side);
	ret = 0;
	goto out;
differ:
	log_error("%s: does not match %s (%" PRIu64 " bytes, the sidecar says "
	    "%" PRIu64 ")", path, side, got->size, want->size);
out:
	sums_free(want);
	sums_free(got);
	return ret;
}

int
verify_file(const char *path, const char *identity)
{
	static const char magic[] = "age-encryption.org/v1\n";
	struct src *src = NULL;
	struct age_identity *ids = NULL;
	size_t nids = 0;
	char head[sizeof magic];
	struct err e;
	int fd, ret, age;
	ssize_t r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		log_error("cannot open %s: %s", path, strerror(errno));
		return errno == EACCES ? EX_NOPERM : EX_NOINPUT;
	}
	ret = check_sums(path, fd);
	if (ret != 0)
		goto out;
	r = file_pread_full(fd, head, sizeof magic - 1, 0);
	age = r == (ssize_t)sizeof magic - 1 &&
	    memcmp(head, magic, sizeof magic - 1) == 0;
	if (age && identity == NULL) {
		if (age_check_structure(age_fd_read, &fd, &e) == -1) {
			log_error("%s: %s", path, e.msg);
			ret = e.ex;
			goto out;
		}
		log_info("%s: age structure ok (give --identity to check the "
		    "contents)", path);
		goto out;
	}
	src = calloc(1, sizeof *src);
	if (src == NULL) {
		log_error("out of memory");
		ret = EX_OSERR;
		goto out;
	}
	src->fd = fd;
	if (age) {
		if (age_identities_load(identity, &ids, &nids, &e) == -1) {
			log_error("%s", e.msg);
			ret = e.ex;
			goto out;
		}
		src->dec = age_dec_new(ids, nids, age_fd_read, &src->fd, &e);
		if (src->dec == NULL) {
			log_error("%s: %s", path, e.msg);
			ret = e.ex;
			goto out;
		}
	}
	ret = check_tar(path, src);
out:
	if (src != NULL)
		age_dec_free(src->dec);
	free(src);
	age_identities_free(ids, nids);
	close(fd);
	return ret;
}
