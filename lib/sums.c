/*
 * sums: MD5 and SHA-256 of an archive per upload part (and whole when it
 * is one part: each byte is hashed once per algorithm), kept in a text
 * sidecar so that the object store can verify the bytes written to
 * the card without rec-upload hashing them again.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "err.h"
#include "file.h"
#include "hex.h"
#include "sums.h"

struct sums_state {
	EVP_MD_CTX *pmd5, *psha;	/* of the current part only */
	uint64_t pfill;		/* bytes in the current part */
	size_t cap;		/* allocated entries of parts */
};

uint64_t
sums_part_size(uint64_t want, uint64_t size_hint)
{
	uint64_t ps = want ? want : SUMS_DEF_PART;

	if (ps < SUMS_MIN_PART)
		ps = SUMS_MIN_PART;
	while (size_hint && ps < SUMS_MAX_PART &&
	    (size_hint + ps - 1) / ps > SUMS_MAX_PARTS)
		ps *= 2;
	if (ps > SUMS_MAX_PART)
		ps = SUMS_MAX_PART;
	return ps;
}

static void
state_free(struct sums_state *st)
{
	if (st == NULL)
		return;
	EVP_MD_CTX_free(st->pmd5);
	EVP_MD_CTX_free(st->psha);
	free(st);
}

struct sums *
sums_new(uint64_t part_size)
{
	struct sums *s;
	struct sums_state *st;

	if (part_size == 0) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	st = calloc(1, sizeof(*st));
	if (s == NULL || st == NULL)
		goto fail;
	s->st = st;
	s->part_size = part_size;
	st->pmd5 = EVP_MD_CTX_new();
	st->psha = EVP_MD_CTX_new();
	if (!st->pmd5 || !st->psha ||
	    !EVP_DigestInit_ex(st->pmd5, EVP_md5(), NULL) ||
	    !EVP_DigestInit_ex(st->psha, EVP_sha256(), NULL))
		goto fail;
	return s;
fail:
	sums_free(s);
	if (s == NULL)
		free(st);
	errno = ENOMEM;
	return NULL;
}

/* Close the current part (pfill bytes) and start the next. */
static int
part_close(struct sums *s)
{
	struct sums_state *st = s->st;
	struct sums_part *p;

	if (s->nparts == st->cap) {
		size_t ncap = st->cap ? st->cap * 2 : 16;
		p = realloc(s->parts, ncap * sizeof(*p));
		if (p == NULL)
			return -1;
		s->parts = p;
		st->cap = ncap;
	}
	p = &s->parts[s->nparts];
	p->off = s->nparts * s->part_size;
	p->len = st->pfill;
	if (!EVP_DigestFinal_ex(st->pmd5, p->md5, NULL) ||
	    !EVP_DigestFinal_ex(st->psha, p->sha256, NULL) ||
	    !EVP_DigestInit_ex(st->pmd5, EVP_md5(), NULL) ||
	    !EVP_DigestInit_ex(st->psha, EVP_sha256(), NULL)) {
		errno = ENOMEM;
		return -1;
	}
	s->nparts++;
	st->pfill = 0;
	return 0;
}

int
sums_update(struct sums *s, const void *buf, size_t len)
{
	struct sums_state *st = s->st;
	const unsigned char *p = buf;

	if (st == NULL) {
		errno = EINVAL;
		return -1;
	}
	while (len > 0) {
		uint64_t room;
		size_t n;

		if (st->pfill == s->part_size && part_close(s) < 0)
			return -1;
		room = s->part_size - st->pfill;
		n = len < room ? len : (size_t)room;
		if (!EVP_DigestUpdate(st->pmd5, p, n) ||
		    !EVP_DigestUpdate(st->psha, p, n))
			goto fail;
		st->pfill += n;
		s->size += n;
		p += n;
		len -= n;
	}
	return 0;
fail:
	errno = ENOMEM;
	return -1;
}

int
sums_finish(struct sums *s)
{
	struct sums_state *st = s->st;

	if (st == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (st->pfill > 0 && part_close(s) < 0)
		return -1;
	/*
	 * Every byte is hashed once per algorithm: one part (or none) is
	 * the whole file; several leave the whole-file hashes absent.
	 */
	memset(s->md5, 0, sizeof(s->md5));
	memset(s->sha256, 0, sizeof(s->sha256));
	s->have_whole = s->nparts <= 1;
	if (s->nparts == 1) {
		memcpy(s->md5, s->parts[0].md5, 16);
		memcpy(s->sha256, s->parts[0].sha256, 32);
	} else if (s->nparts == 0 &&
	    (!EVP_DigestFinal_ex(st->pmd5, s->md5, NULL) ||
	    !EVP_DigestFinal_ex(st->psha, s->sha256, NULL))) {
		errno = ENOMEM;
		return -1;
	}
	state_free(st);
	s->st = NULL;
	return 0;
}

void
sums_free(struct sums *s)
{
	if (s == NULL)
		return;
	state_free(s->st);
	free(s->parts);
	free(s);
}

int
sums_fd(int fd, uint64_t part_size, struct sums **out, struct err *e)
{
	enum { BUFSZ = 256 * 1024 };
	struct sums *s = NULL;
	unsigned char *buf = NULL;
	off_t off = 0;
	ssize_t n;
	int rc = -1;

	*out = NULL;
	if ((s = sums_new(part_size)) == NULL || (buf = malloc(BUFSZ)) == NULL) {
		err_sys(e, EX_OSERR, "cannot start hashing");
		goto out;
	}
	while ((n = file_pread_full(fd, buf, BUFSZ, off)) > 0) {
		if (sums_update(s, buf, (size_t)n) < 0) {
			err_sys(e, EX_OSERR, "cannot hash");
			goto out;
		}
		off += n;
	}
	if (n < 0) {
		err_sys(e, EX_IOERR, "cannot read");
		goto out;
	}
	if (sums_finish(s) < 0) {
		err_sys(e, EX_OSERR, "cannot hash");
		goto out;
	}
	*out = s;
	s = NULL;
	rc = 0;
out:
	free(buf);
	sums_free(s);
	return rc;
}

char *
sums_base64(const unsigned char *bin, size_t n, char *out)
{
	static const char b[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)bin[i] << 16 | bin[i + 1] << 8 | bin[i + 2];
		out[o++] = b[v >> 18];
		out[o++] = b[(v >> 12) & 63];
		out[o++] = b[(v >> 6) & 63];
		out[o++] = b[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)bin[i] << 16;
		if (i + 1 < n)
			v |= bin[i + 1] << 8;
		out[o++] = b[v >> 18];
		out[o++] = b[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

char *
sums_multipart_etag(const struct sums *s, char *buf, size_t bufsz)
{
	unsigned char md[16];
	char hex[33];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	size_t i;
	int ok = c && EVP_DigestInit_ex(c, EVP_md5(), NULL);

	for (i = 0; ok && i < s->nparts; i++)
		ok = EVP_DigestUpdate(c, s->parts[i].md5, 16);
	ok = ok && EVP_DigestFinal_ex(c, md, NULL);
	EVP_MD_CTX_free(c);
	if (!ok)
		memset(md, 0, sizeof(md));
	snprintf(buf, bufsz, "%s-%zu", hex_encode(md, 16, hex), s->nparts);
	return buf;
}

int
sums_write(int dirfd, const char *tmpname, const char *name,
    const struct sums *s, struct err *e)
{
	char line[256], h1[65], h2[65];
	char *dir = NULL, *slash;
	FILE *f = NULL;
	size_t i;
	int fd = -1, rc = -1;

	fd = openat(dirfd, tmpname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644);
	if (fd < 0) {
		err_sys(e, err_ex_for_errno(errno), "cannot create %s", tmpname);
		return -1;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		err_sys(e, EX_OSERR, "cannot create %s", tmpname);
		goto out;
	}
	fd = -1;
	fprintf(f, "rec-sums 1\nsize %" PRIu64 "\npart-size %" PRIu64 "\n",
	    s->size, s->part_size);
	if (s->have_whole)
		fprintf(f, "md5 %s\nsha256 %s\n", hex_encode(s->md5, 16, h1),
		    hex_encode(s->sha256, 32, h2));
	else
		fputs("md5 -\nsha256 -\n", f);
	fprintf(f, "parts %zu\n", s->nparts);
	for (i = 0; i < s->nparts; i++) {
		const struct sums_part *p = &s->parts[i];
		snprintf(line, sizeof(line), "part %zu %" PRIu64 " %" PRIu64
		    " %s %s\n", i, p->off, p->len, hex_encode(p->md5, 16, h1),
		    hex_encode(p->sha256, 32, h2));
		fputs(line, f);
	}
	fputs("end\n", f);
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) < 0) {
		err_sys(e, err_ex_for_errno(errno), "cannot write %s", tmpname);
		goto out;
	}
	if (fclose(f) != 0) {
		f = NULL;
		err_sys(e, err_ex_for_errno(errno), "cannot write %s", tmpname);
		goto out;
	}
	f = NULL;
	if (renameat(dirfd, tmpname, dirfd, name) < 0) {
		err_sys(e, err_ex_for_errno(errno), "cannot rename %s to %s",
		    tmpname, name);
		goto out;
	}
	if ((dir = strdup(name)) == NULL) {
		err_sys(e, EX_OSERR, "cannot sync directory of %s", name);
		goto done;
	}
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	if (file_fsync_dir(dirfd, slash ? dir : ".") < 0) {
		err_sys(e, err_ex_for_errno(errno), "cannot sync directory of %s",
		    name);
		goto done;
	}
	rc = 0;
	goto done;
out:
	if (f != NULL)
		fclose(f);
	if (fd >= 0)
		close(fd);
	unlinkat(dirfd, tmpname, 0);
done:
	free(dir);
	return rc;
}

static int
unhex(const char *h, unsigned char *bin, size_t n)
{
	size_t i;

	if (strlen(h) != 2 * n)
		return -1;
	for (i = 0; i < 2 * n; i++) {
		int c = h[i], v;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else
			return -1;
		if (i % 2 == 0)
			bin[i / 2] = (unsigned char)(v << 4);
		else
			bin[i / 2] |= (unsigned char)v;
	}
	return 0;
}

/* Parse an unsigned decimal that fills the whole string. */
static int
num(const char *p, uint64_t *v)
{
	char *end;

	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	*v = strtoull(p, &end, 10);
	return (errno || *end) ? -1 : 0;
}

int
sums_read(int dirfd, const char *name, struct sums **out, struct err *e)
{
	char *buf = NULL, *line, *save = NULL, *tok[7];
	struct sums *s = NULL;
	size_t len, lineno = 0, want = 0;
	uint64_t v, off = 0;
	int rc = -1, ended = 0;

	*out = NULL;
	if (file_slurp(dirfd, name, 16 << 20, &buf, &len) < 0) {
		err_sys(e, errno == ENOENT ? EX_NOINPUT : EX_IOERR,
		    "cannot read %s", name);
		return -1;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		err_sys(e, EX_OSERR, "cannot read %s", name);
		goto out;
	}
	if (memchr(buf, '\0', len) != NULL || len == 0 || buf[len - 1] != '\n')
		goto bad;
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), lineno++) {
		int nt = 0;
		char *t, *s2 = NULL;

		if (ended)
			goto bad;
		for (t = strtok_r(line, " ", &s2); t != NULL && nt < 7;
		    t = strtok_r(NULL, " ", &s2))
			tok[nt++] = t;
		if (t != NULL)
			goto bad;
		switch (lineno) {
		case 0:
			if (nt != 2 || strcmp(tok[0], "rec-sums") ||
			    strcmp(tok[1], "1"))
				goto bad;
			continue;
		case 1:
			if (nt != 2 || strcmp(tok[0], "size") ||
			    num(tok[1], &s->size))
				goto bad;
			continue;
		case 2:
			if (nt != 2 || strcmp(tok[0], "part-size") ||
			    num(tok[1], &s->part_size) || s->part_size == 0)
				goto bad;
			continue;
		case 3:
			/* "-": absent (several parts, see sums.h) */
			if (nt != 2 || strcmp(tok[0], "md5"))
				goto bad;
			s->have_whole = strcmp(tok[1], "-") != 0;
			if (s->have_whole && unhex(tok[1], s->md5, 16))
				goto bad;
			continue;
		case 4:
			if (nt != 2 || strcmp(tok[0], "sha256") ||
			    (strcmp(tok[1], "-") == 0) == s->have_whole ||
			    (s->have_whole && unhex(tok[1], s->sha256, 32)))
				goto bad;
			continue;
		case 5:
			if (nt != 2 || strcmp(tok[0], "parts") || num(tok[1], &v))
				goto bad;
			if (v != (s->size + s->part_size - 1) / s->part_size)
				goto bad;
			/* whole-file hashes for one part, "-" for several */
			if (s->have_whole != (v <= 1))
				goto bad;
			want = (size_t)v;
			if (want && (s->parts = calloc(want,
			    sizeof(*s->parts))) == NULL) {
				err_sys(e, EX_OSERR, "cannot read %s", name);
				goto out;
			}
			continue;
		}
		if (nt == 1 && strcmp(tok[0], "end") == 0) {
			ended = 1;
			continue;
		}
		if (nt != 6 || strcmp(tok[0], "part") || s->nparts >= want ||
		    num(tok[1], &v) || v != s->nparts)
			goto bad;
		{
			struct sums_part *p = &s->parts[s->nparts];
			if (num(tok[2], &p->off) || p->off != off ||
			    num(tok[3], &p->len) || p->len == 0 ||
			    p->len > s->part_size ||
			    (s->nparts + 1 < want && p->len != s->part_size) ||
			    unhex(tok[4], p->md5, 16) ||
			    unhex(tok[5], p->sha256, 32))
				goto bad;
			off += p->len;
			s->nparts++;
		}
	}
	if (!ended || s->nparts != want || off != s->size || lineno < 6)
		goto bad;
	*out = s;
	s = NULL;
	rc = 0;
	goto out;
bad:
	err_set(e, EX_DATAERR, "malformed sums file %s (line %zu)", name,
	    lineno + 1);
out:
	sums_free(s);
	free(buf);
	return rc;
}
