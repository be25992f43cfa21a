/*
 * fetch: an archive's manifest and the members rec-get needs, from the
 * store. A plain tar is read with ranged GETs of exactly the bytes the
 * manifest's offsets name; an age-encrypted one with ranged GETs of the
 * 64 KiB STREAM chunks that cover them (each decrypts on its own once
 * the header gave the payload key); a compressed one is fetched whole
 * into a temporary file and read as a stream (no seekable layout).
 * Every member lands in an unlinked temporary file and is checked
 * against the manifest's SHA-256 before any sample of it is used.
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

#include "file.h"
#include "get.h"
#include "hex.h"
#include "log.h"

/* The first GET of an archive: the tar's first 64 KiB, or an age
 * header (up to 2 KiB) and the first chunk. */
#define HEAD_GET	(AGE_CHUNK + 16 + 2048)
#define WINDOW_CHUNKS	64		/* chunks per GET: 4 MiB */
#define ENC		(AGE_CHUNK + 16)

/* The code for a failed store request: a store that stays down is 69. */
int
fetch_ex(const struct err *e)
{
	return e->ex == EX_TEMPFAIL ? EX_UNAVAILABLE : e->ex;
}

/* An unlinked temporary file in $TMPDIR (or /tmp); -1 with errno. */
int
fetch_tmpfd(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd != -1)
		return fd;
	snprintf(path, sizeof path, "%s/rec-get.XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd != -1)
		unlink(path);
	return fd;
}

/* The first bytes of an archive, kept: header, manifest, first chunks. */

/* Object bytes [off, off + len) into a malloc'd *buf. 0 or EX_. */
static int
get_bytes(struct get *g, struct arc *a, uint64_t off, uint64_t len,
    char **buf, size_t *n)
{
	struct err e;

	if (s3_get(g->s3, a->key, off, len, (size_t)len, buf, n, &e) == -1) {
		log_error("cannot read %s: %s", a->key, e.msg);
		return fetch_ex(&e);
	}
	g->fetched += *n;
	if (*n != len) {
		free(*buf);
		log_error("cannot read %s: %" PRIu64 " bytes at %" PRIu64
		    ", the store gave %zu", a->key, len, off, *n);
		return EX_DATAERR;
	}
	return 0;
}

/* The cache of an archive's first GET (one per archive at a time). */
struct cache {
	struct arc *a;
	char *buf;
	size_t len;
};
static struct cache cache;

/* Object bytes [off, off + len): from the cache, or a GET. */
static int
obj_read(struct get *g, struct arc *a, uint64_t off, uint64_t len,
    char **buf, size_t *n, int *owned)
{
	if (cache.a == a && off + len <= cache.len) {
		*buf = cache.buf + off;
		*n = (size_t)len;
		*owned = 0;
		return 0;
	}
	*owned = 1;
	return get_bytes(g, a, off, len, buf, n);
}

typedef int (*sink_fn)(void *ctx, const void *buf, size_t len);

/*
 * Tar bytes [off, off + len) of a ranged (not compressed) archive, in
 * order, through fn; windows of 4 MiB. 0 or EX_ (after logging).
 */
static int
tar_range(struct get *g, struct arc *a, uint64_t off, uint64_t len,
    sink_fn fn, void *ctx)
{
	static unsigned char plain[AGE_CHUNK];
	uint64_t end = off + len;
	struct err e;
	char *buf;
	size_t n;
	int owned, ret;

	while (off < end) {
		if (a->dec == NULL) {
			uint64_t w = end - off > (uint64_t)WINDOW_CHUNKS *
			    AGE_CHUNK ? (uint64_t)WINDOW_CHUNKS * AGE_CHUNK :
			    end - off;
			if ((ret = obj_read(g, a, off, w, &buf, &n, &owned)))
				return ret;
			ret = fn(ctx, buf, n) == -1 ? EX_IOERR : 0;
			if (owned)
				free(buf);
			if (ret)
				return ret;
			off += w;
			continue;
		}
		uint64_t i0 = off / AGE_CHUNK, i1 = (end - 1) / AGE_CHUNK;
		uint64_t c0, c1;
		size_t l0, l1;
		int last0, last1;

		if (i1 - i0 >= WINDOW_CHUNKS)
			i1 = i0 + WINDOW_CHUNKS - 1;
		if (age_chunk_range(a->chunks_off, a->size, i0, &c0, &l0,
		    &last0) == -1 || age_chunk_range(a->chunks_off, a->size,
		    i1, &c1, &l1, &last1) == -1) {
			log_error("%s: the age file ends before byte %" PRIu64
			    " of its tar", a->key, end);
			return EX_DATAERR;
		}
		if ((ret = obj_read(g, a, c0, c1 + l1 - c0, &buf, &n,
		    &owned)))
			return ret;
		for (uint64_t i = i0; i <= i1; i++) {
			const char *c = buf + (i - i0) * ENC;
			size_t clen = i == i1 ? l1 : ENC, plen;
			uint64_t p0 = i * AGE_CHUNK, a0, a1;

			if (age_dec_chunk(a->dec, i, i == i1 && last1, c, clen,
			    plain, &plen, &e) == -1) {
				log_error("%s: %s", a->key, e.msg);
				ret = EX_DATAERR;
				break;
			}
			a0 = off > p0 ? off - p0 : 0;
			a1 = end - p0 < plen ? end - p0 : plen;
			if (a0 < a1 && fn(ctx, plain + a0,
			    (size_t)(a1 - a0)) == -1) {
				ret = EX_IOERR;
				break;
			}
		}
		if (owned)
			free(buf);
		if (ret)
			return ret;
		off = (i1 + 1) * AGE_CHUNK;
	}
	return 0;
}

/* A sink into memory of a fixed size. */
struct mem { char *p; size_t len, cap; };

static int
mem_put(void *ctx, const void *buf, size_t len)
{
	struct mem *m = ctx;

	if (len > m->cap - m->len) {
		errno = EOVERFLOW;
		return -1;
	}
	memcpy(m->p + m->len, buf, len);
	m->len += len;
	return 0;
}

/* A sink into a temporary file, hashed. */
struct fsink { int fd; EVP_MD_CTX *md; uint64_t n; };

static int
fsink_put(void *ctx, const void *buf, size_t len)
{
	struct fsink *f = ctx;

	EVP_DigestUpdate(f->md, buf, len);
	f->n += len;
	return file_write_all(f->fd, buf, len);
}

/* Reading an age file from memory (its header). */
struct memrd { const char *p; size_t len, pos; };

static ssize_t
memrd_read(void *ctx, void *buf, size_t len)
{
	struct memrd *m = ctx;
	size_t k = m->len - m->pos < len ? m->len - m->pos : len;

	memcpy(buf, m->p + m->pos, k);
	m->pos += k;
	return (ssize_t)k;
}

/*
 * Open the age header in the cached first bytes; a header longer than
 * them (hundreds of recipients) gets them fetched again, 16 times more,
 * up to the whole object. 0, or EX_ after logging (77 naming the
 * archive).
 */
static int
open_age(struct get *g, struct arc *a)
{
	struct err e;
	int ret;

	if (g->nids == 0) {
		log_error("%s is encrypted: give --identity with a key that "
		    "opens it", a->key);
		return EX_NOPERM;
	}
	for (;;) {
		struct memrd r = { cache.buf, cache.len, 0 };
		uint64_t more = (uint64_t)cache.len * 16;

		a->dec = age_dec_new(g->ids, g->nids, memrd_read, &r, &e);
		/* more bytes help only a header that ran out of them */
		if (a->dec != NULL || e.ex != EX_DATAERR || r.pos < r.len ||
		    cache.len >= a->size)
			break;
		free(cache.buf);
		cache.a = NULL;
		if ((ret = get_bytes(g, a, 0, more < a->size ? more : a->size,
		    &cache.buf, &cache.len)) != 0) {
			cache.buf = NULL;
			return ret;
		}
		cache.a = a;
	}
	if (a->dec == NULL) {
		log_error("cannot decrypt %s: %s", a->key, e.msg);
		return e.ex;
	}
	a->chunks_off = age_dec_chunks_offset(a->dec);
	return 0;
}

/* The octal number of a tar header field; -1 when malformed. */
static int64_t
octal(const char *p, size_t n)
{
	int64_t v = 0;
	size_t i = 0;

	while (i < n && p[i] == ' ')
		i++;
	if (i == n || p[i] < '0' || p[i] > '7')
		return -1;
	for (; i < n && p[i] >= '0' && p[i] <= '7'; i++)
		v = v * 8 + (p[i] - '0');
	return v;
}

/* Check and load the manifest text of a. */
static int
load(struct arc *a, const char *text, size_t len)
{
	struct err e;

	if (manifest_load(text, len, &a->man, &e) == -1) {
		log_error("%s: %s", a->key, e.msg);
		return EX_DATAERR;
	}
	if (strcmp(a->man.station, a->an.station) != 0) {
		log_error("%s: the manifest's station is %s", a->key,
		    a->man.station);
		manifest_free(&a->man);
		return EX_DATAERR;
	}
	a->loaded = 1;
	a->nfd = malloc(a->man.nsegs * sizeof *a->nfd + 1);
	if (a->nfd == NULL) {
		log_error("out of memory");
		manifest_free(&a->man);
		a->loaded = 0;
		return EX_OSERR;
	}
	for (size_t i = 0; i < a->man.nsegs; i++)
		a->nfd[i] = -1;
	return 0;
}

/* A ranged archive's manifest: the first member. */
static int
ranged_manifest(struct get *g, struct arc *a)
{
	char hdr[512];
	struct mem m = { hdr, 0, sizeof hdr };
	int64_t size;
	int ret;

	free(cache.buf);
	cache.a = NULL;
	if ((ret = get_bytes(g, a, 0, a->size < HEAD_GET ? a->size :
	    HEAD_GET, &cache.buf, &cache.len)) != 0) {
		cache.buf = NULL;
		return ret;
	}
	cache.a = a;
	if (a->an.encrypted && (ret = open_age(g, a)) != 0)
		return ret;
	if ((ret = tar_range(g, a, 0, sizeof hdr, mem_put, &m)) != 0)
		return ret;
	size = octal(hdr + 124, 12);
	if (strncmp(hdr, MANIFEST_NAME, 100) != 0 || (hdr[156] != '0' &&
	    hdr[156] != '\0') || memcmp(hdr + 257, "ustar", 5) != 0 ||
	    size <= 0 || size > MANIFEST_MAX) {
		log_error("%s: not an archive of rec-archive (no %s first)",
		    a->key, MANIFEST_NAME);
		return EX_DATAERR;
	}
	m.p = malloc((size_t)size);
	m.len = 0;
	m.cap = (size_t)size;
	if (m.p == NULL) {
		log_error("out of memory");
		return EX_OSERR;
	}
	ret = tar_range(g, a, 512, (uint64_t)size, mem_put, &m);
	if (ret == 0)
		ret = load(a, m.p, m.len);
	free(m.p);
	return ret;
}

/* libarchive's read callback over a whole fetched object. */
static la_ssize_t
whole_read(struct archive *la, void *ctx, const void **buf)
{
	static unsigned char b[AGE_CHUNK];
	struct arc *a = ctx;
	struct err e;
	ssize_t n;

	*buf = b;
	if (a->wdec == NULL) {
		n = read(a->wfd, b, sizeof b);
		if (n == -1)
			archive_set_error(la, errno, "%s", strerror(errno));
		return n;
	}
	n = age_dec_read(a->wdec, b, sizeof b, &e);
	if (n == -1)
		archive_set_error(la, EBADMSG, "%s", e.msg);
	return n;
}

/* A compressed archive: fetched whole, read as a stream. */
static int
whole_manifest(struct get *g, struct arc *a)
{
	struct archive_entry *ent;
	struct err e;
	uint64_t n = 0;
	char *text;
	la_int64_t size;
	la_ssize_t r;
	int ret;

	a->whole = 1;
	if ((a->wfd = fetch_tmpfd()) == -1) {
		log_error("cannot create a temporary file: %s",
		    strerror(errno));
		return EX_CANTCREAT;
	}
	if (s3_get_fd(g->s3, a->key, 0, 0, a->wfd, &n, &e) == -1) {
		log_error("cannot read %s: %s", a->key, e.msg);
		return fetch_ex(&e);
	}
	g->fetched += n;
	if (lseek(a->wfd, 0, SEEK_SET) == -1)
		return EX_IOERR;
	if (a->an.encrypted) {
		if (g->nids == 0) {
			log_error("%s is encrypted: give --identity with a "
			    "key that opens it", a->key);
			return EX_NOPERM;
		}
		a->wdec = age_dec_new(g->ids, g->nids, age_fd_read, &a->wfd,
		    &e);
		if (a->wdec == NULL) {
			log_error("cannot decrypt %s: %s", a->key, e.msg);
			return e.ex;
		}
	}
	a->la = archive_read_new();
	if (a->la == NULL || archive_read_support_filter_all(a->la) !=
	    ARCHIVE_OK || archive_read_support_format_tar(a->la) !=
	    ARCHIVE_OK || archive_read_open(a->la, a, NULL, whole_read,
	    NULL) != ARCHIVE_OK || archive_read_next_header(a->la, &ent) !=
	    ARCHIVE_OK) {
		log_error("cannot read %s: %s", a->key, a->la ?
		    archive_error_string(a->la) : "out of memory");
		return EX_DATAERR;
	}
	size = archive_entry_size(ent);
	if (strcmp(archive_entry_pathname(ent), MANIFEST_NAME) != 0 ||
	    size <= 0 || size > MANIFEST_MAX) {
		log_error("%s: not an archive of rec-archive (no %s first)",
		    a->key, MANIFEST_NAME);
		return EX_DATAERR;
	}
	if ((text = malloc((size_t)size)) == NULL)
		return EX_OSERR;
	r = archive_read_data(a->la, text, (size_t)size);
	ret = r == size ? load(a, text, (size_t)size) : EX_DATAERR;
	if (r != size)
		log_error("cannot read %s: %s", a->key,
		    archive_error_string(a->la));
	free(text);
	return ret;
}

int
fetch_manifest(struct get *g, struct arc *a)
{
	a->wfd = -1;
	if (a->an.compress != ANAME_NONE)
		return whole_manifest(g, a);
	return ranged_manifest(g, a);
}

/* The member of segment seg of a compressed archive, into f. */
static int
whole_member(struct arc *a, const struct manifest_seg *s, struct fsink *f)
{
	static unsigned char b[256 * 1024];
	struct archive_entry *ent;
	la_ssize_t r;
	int rc;

	while ((rc = archive_read_next_header(a->la, &ent)) == ARCHIVE_OK)
		if (strcmp(archive_entry_pathname(ent), s->member) == 0)
			break;
	if (rc != ARCHIVE_OK) {
		log_error("%s: member %s: %s", a->key, s->member,
		    rc == ARCHIVE_EOF ? "not in the archive" :
		    archive_error_string(a->la));
		return EX_DATAERR;
	}
	while ((r = archive_read_data(a->la, b, sizeof b)) > 0)
		if (fsink_put(f, b, (size_t)r) == -1)
			return EX_IOERR;
	if (r < 0) {
		log_error("cannot read %s: %s", a->key,
		    archive_error_string(a->la));
		return EX_DATAERR;
	}
	return 0;
}

int
fetch_member(struct get *g, struct arc *a, size_t seg)
{
	const struct manifest_seg *s = &a->man.segs[seg];
	struct fsink f = { -1, NULL, 0 };
	unsigned char h[32];
	char hex[65];
	int ret;

	if (a->nfd[seg] != -1)
		return 0;
	if ((f.fd = fetch_tmpfd()) == -1) {
		log_error("cannot create a temporary file: %s",
		    strerror(errno));
		return EX_CANTCREAT;
	}
	f.md = EVP_MD_CTX_new();
	if (f.md == NULL || !EVP_DigestInit_ex(f.md, EVP_sha256(), NULL)) {
		ret = EX_OSERR;
		goto out;
	}
	ret = a->whole ? whole_member(a, s, &f) : tar_range(g, a, s->offset,
	    s->size, fsink_put, &f);
	if (ret == EX_IOERR)
		log_error("cannot write a temporary file: %s",
		    strerror(errno));
	if (ret != 0)
		goto out;
	EVP_DigestFinal_ex(f.md, h, NULL);
	hex_encode(h, 32, hex);
	if (f.n != s->size || strcmp(hex, s->sha256) != 0) {
		log_error("%s: member %s: %" PRIu64 " bytes with SHA-256 %s, "
		    "the manifest says %" PRIu64 " bytes with %s: nothing "
		    "written", a->key, s->member, f.n, hex, s->size,
		    s->sha256);
		ret = EX_DATAERR;
		goto out;
	}
	a->nfd[seg] = f.fd;
	f.fd = -1;
out:
	if (f.fd != -1)
		close(f.fd);
	EVP_MD_CTX_free(f.md);
	return ret;
}

void
fetch_close(struct arc *a)
{
	if (cache.a == a) {
		free(cache.buf);
		cache.buf = NULL;
		cache.a = NULL;
	}
	if (a->la != NULL)
		archive_read_free(a->la);
	age_dec_free(a->wdec);
	age_dec_free(a->dec);
	if (a->wfd != -1)
		close(a->wfd);
	if (a->loaded)
		for (size_t i = 0; i < a->man.nsegs; i++)
			if (a->nfd[i] != -1)
				close(a->nfd[i]);
	free(a->nfd);
	manifest_free(&a->man);
	free(a->key);
}
