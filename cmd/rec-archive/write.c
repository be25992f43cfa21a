/*
 * write: one archive from a run of segments, committed crash-safely.
 *
 * Recipe (the heart of rec-archive; reconcile.c is its other half), one
 * function per step:
 *  1. step_members: every member's hash; FLAC: encode every segment into
 *     tmp/NAME.flac.part (the manifest, first member, needs every
 *     member's hash before the tar starts; staging on disk keeps memory
 *     small whatever the segments' length, at the cost of twice the FLAC
 *     bytes in free space, checked first).
 *  2. step_part: write the archive to tmp/NAME.part (O_EXCL): libarchive
 *     (pax, deterministic headers) -> compression filter -> age
 *     (optional) -> sink: hash for the sidecar, then write. fsync it,
 *     fsync tmp/ (so the .part's name survives a power cut as long as its
 *     .idx does).
 *  3. step_sidecars: tmp/NAME.sums -> out/NAME.sums, tmp/NAME.idx ->
 *     out/NAME.idx (each fsynced, renamed, out/ fsynced).
 *  4. step_commit: rename tmp/NAME.part -> out/NAME: the commit point;
 *     fsync out/, tmp/.
 *  5. step_remove: unlink the segments from seg/, fsync seg/.
 * The tmp files are lib/tmpfile objects: whatever step fails, job_free
 * rolls back the ones still in tmp/.
 * A kill before 4 leaves the segments in seg/ and only tmp files and
 * orphan sidecars, which reconcile() removes; a kill after 4 leaves
 * segments that out/NAME.idx names, which reconcile() removes.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "archive.h"
#include "file.h"
#include "flacio.h"
#include "hex.h"
#include "log.h"
#include "sums.h"
#include "tmpfile.h"
#include "utc.h"

#define COPY_BUF	(256 * 1024)
#define SINK_BUF	(1024 * 1024)

/*
 * Test hook: REC_TEST_CRASH=STEP kills the process with SIGKILL at STEP
 * (staged, part, sums, idx, commit, remove), so the crash tests reach
 * every point of the recipe, not only the ones a random kill hits.
 */
static void
crash_point(const char *step)
{
	const char *v = getenv("REC_TEST_CRASH");

	if (v != NULL && strcmp(v, step) == 0)
		raise(SIGKILL);
}

/* Where the archive's bytes go: hashed for the sidecar, then written. */
struct sink {
	int fd;
	struct sums *sums;
	unsigned char *buf;
	size_t len;
	int err;		/* errno of the first failure */
	struct age_enc *age;	/* NULL: no encryption */
	struct err aerr;
};

static int
sink_flush(struct sink *s)
{
	if (s->len == 0)
		return 0;
	if (sums_update(s->sums, s->buf, s->len) == -1 ||
	    file_write_all(s->fd, s->buf, s->len) == -1) {
		s->err = errno;
		return -1;
	}
	s->len = 0;
	return 0;
}

/* The bottom of the chain (also age's write fn). */
static int
sink_put(void *ctx, const void *buf, size_t len)
{
	struct sink *s = ctx;
	const unsigned char *p = buf;

	if (s->err) {
		errno = s->err;
		return -1;
	}
	while (len > 0) {
		size_t n = SINK_BUF - s->len < len ? SINK_BUF - s->len : len;
		memcpy(s->buf + s->len, p, n);
		s->len += n;
		p += n;
		len -= n;
		if (s->len == SINK_BUF && sink_flush(s) == -1)
			return -1;
	}
	return 0;
}

/* libarchive's write callback: into age, or straight to the sink. */
static la_ssize_t
la_write(struct archive *a, void *ctx, const void *buf, size_t len)
{
	struct sink *s = ctx;
	int rc;

	if (s->age != NULL)
		rc = age_enc_write(s->age, buf, len, &s->aerr);
	else
		rc = sink_put(s, buf, len);
	if (rc == -1) {
		if (s->err == 0)
			s->err = errno ? errno : EIO;
		archive_set_error(a, s->err, "%s", s->age != NULL ?
		    s->aerr.msg : strerror(s->err));
		return -1;
	}
	return (la_ssize_t)len;
}

uint64_t
archive_estimate(const struct opts *o, const struct seg *segs, size_t n)
{
	uint64_t in = 0;

	for (size_t i = 0; i < n; i++)
		in += segs[i].file_size + ARCHIVE_MEMBER_OVERHEAD + 1024;
	in += 65536;
	/* encryption: 16 bytes per 64 KiB chunk plus the header */
	if (o->nrs > 0)
		in += in / 4096 + 4096;
	/* FLAC: the members are staged in tmp/ before the tar is written */
	return o->codec_flac ? 2 * in : in;
}

/*
 * 1 when segment s becomes a FLAC member. A segment FLAC cannot hold
 * (more channels than it has room for) becomes a WAV member instead:
 * refusing it would fail every run, and the audio matters more than
 * its codec.
 */
static int
flac_member(const struct opts *o, const struct seg *s)
{
	return o->codec_flac && s->wi.spec.channels <= FLACIO_MAX_CHANNELS;
}

/* Member name and codec: the segment's name, with .flac for FLAC. */
static void
member_name(const struct opts *o, struct seg *s)
{
	if (flac_member(o, s)) {
		snprintf(s->m.member, sizeof s->m.member, "%.*s.flac",
		    (int)(strlen(s->name) - 4), s->name);
		snprintf(s->m.codec, sizeof s->m.codec, "flac");
		return;
	}
	snprintf(s->m.member, sizeof s->m.member, "%s", s->name);
	snprintf(s->m.codec, sizeof s->m.codec, "wav");
}

/*
 * Pass 1 for WAV members: hash each segment file whole (one read).  The
 * PCM is the range data_off .. data_off + data_len of the member, which
 * the member's SHA-256 covers: the manifest locates it (pcm_offset,
 * pcm_bytes) and hashes no byte twice.  A read error is tried again
 * (READ_TRIES in all); then SEG_UNREADABLE, after logging.
 */
static int
hash_wav(struct spool *sp, struct seg *s, unsigned char *buf)
{
	EVP_MD_CTX *all = EVP_MD_CTX_new();
	unsigned char h[32];
	uint64_t off = 0;
	int fd = -1, ret = EX_IOERR, tries = 0;

	if (all == NULL) {
		log_error("out of memory");
		ret = EX_OSERR;
		goto out;
	}
	fd = file_open_regular(sp->fd[SPOOL_SEG], s->name, O_RDONLY, 0);
	if (fd == -1) {
		log_error("cannot open %s/seg/%s: %s", sp->dir, s->name,
		    strerror(errno));
		goto out;
	}
	if (!EVP_DigestInit_ex(all, EVP_sha256(), NULL))
		goto crypto;
	while (off < s->file_size) {
		size_t want = s->file_size - off > COPY_BUF ? COPY_BUF :
		    (size_t)(s->file_size - off);
		ssize_t r = file_pread_full(fd, buf, want, (off_t)off);
		if (r < 0 && errno == EIO && ++tries < READ_TRIES) {
			/* from the start: the digest cannot be rewound */
			off = 0;
			if (!EVP_DigestInit_ex(all, EVP_sha256(), NULL))
				goto crypto;
			continue;
		}
		if (r < 0 || (size_t)r != want) {
			log_error("cannot read %s/seg/%s: %s", sp->dir,
			    s->name, r < 0 ? strerror(errno) :
			    "file shrank");
			ret = r < 0 && errno == EIO ? SEG_UNREADABLE :
			    EX_IOERR;
			goto out;
		}
		EVP_DigestUpdate(all, buf, want);
		off += want;
	}
	EVP_DigestFinal_ex(all, h, NULL);
	hex_encode(h, 32, s->m.sha256);
	s->m.pcm_sha256[0] = '\0';
	s->m.size = s->file_size;
	s->m.pcm_off = s->wi.data_off;
	s->m.pcm_len = s->wi.data_len;
	ret = 0;
	goto out;
crypto:
	log_error("out of memory");
	ret = EX_OSERR;
out:
	if (fd != -1)
		close(fd);
	EVP_MD_CTX_free(all);
	return ret;
}

/* The staged FLAC member read back: hashed as it is decoded. */
struct staged {
	int fd;
	uint64_t off, end;
	EVP_MD_CTX *md;
	int err;		/* errno of a failed read, or EIO if short */
};

static ssize_t
staged_read(void *ctx, void *buf, size_t len)
{
	struct staged *st = ctx;
	size_t want = st->end - st->off < len ? (size_t)(st->end - st->off) :
	    len;
	ssize_t r;

	if (want == 0)
		return 0;
	r = file_pread_full(st->fd, buf, want, (off_t)st->off);
	if (r < 0 || (size_t)r != want) {
		st->err = r < 0 ? errno : EIO;
		return -1;
	}
	EVP_DigestUpdate(st->md, buf, want);
	st->off += want;
	return r;
}

/*
 * Encode segment s as FLAC into the staging file at *stage_off (advanced
 * past it), with its GUANO text, date and encoder as Vorbis comments,
 * then read the member back as staged: hash it (STREAMINFO is patched
 * at the end, so only the finished bytes tell) and decode it, so that
 * the segment is only deleted for a member that gives its audio back.
 */
static int
encode_flac(struct spool *sp, const struct opts *o, struct seg *s,
    int stagefd, const char *stage, uint64_t *stage_off)
{
	char *tags[3] = { NULL, NULL, NULL };
	char iso[40];
	unsigned char h[32], pcm[32];
	struct staged st = { .fd = stagefd };
	uint64_t len = 0, frames;
	struct err e;
	int fd, ret = EX_IOERR;

	fd = file_open_regular(sp->fd[SPOOL_SEG], s->name, O_RDONLY, 0);
	if (fd == -1) {
		log_error("cannot open %s/seg/%s: %s", sp->dir, s->name,
		    strerror(errno));
		return EX_IOERR;
	}
	st.md = EVP_MD_CTX_new();
	if (st.md == NULL || !EVP_DigestInit_ex(st.md, EVP_sha256(), NULL) ||
	    asprintf(&tags[0], "GUANO=%s", s->wi.guano ? s->wi.guano :
	    "") < 0 || asprintf(&tags[1], "DATE=%s", utc_iso(&s->m.start,
	    iso, sizeof iso)) < 0 || asprintf(&tags[2],
	    "ENCODER=rec-archive %s", REC_VERSION) < 0) {
		log_error("out of memory");
		ret = EX_OSERR;
		goto out;
	}
	if (flacio_encode(fd, s->wi.data_off, s->wi.frames, &s->wi.spec,
	    o->flac_level, (const char *const *)tags, 3, stagefd, *stage_off,
	    &len, pcm, &e) == -1) {
		log_error("cannot encode %s/seg/%s into %s/tmp/%s: %s",
		    sp->dir, s->name, sp->dir, stage, e.msg);
		ret = e.ex;
		goto out;
	}
	hex_encode(pcm, 32, s->m.pcm_sha256);
	st.off = *stage_off;
	st.end = *stage_off + len;
	if (flacio_decode(staged_read, &st, &s->wi.spec, &frames, h,
	    &e) == -1) {
		if (st.err != 0) {
			log_error("cannot read %s/tmp/%s: %s", sp->dir, stage,
			    strerror(st.err));
			goto out;
		}
		log_error("cannot archive %s/seg/%s: its FLAC member in "
		    "%s/tmp/%s does not decode: %s; nothing archived, the "
		    "segments are kept", sp->dir, s->name, sp->dir, stage,
		    e.msg);
		ret = EX_IOERR;
		goto out;
	}
	if (st.off != st.end || frames != s->wi.frames ||
	    memcmp(h, pcm, 32) != 0) {
		log_error("cannot archive %s/seg/%s: its FLAC member in "
		    "%s/tmp/%s decodes to other audio; nothing archived, the "
		    "segments are kept", sp->dir, s->name, sp->dir, stage);
		ret = EX_IOERR;
		goto out;
	}
	EVP_DigestFinal_ex(st.md, h, NULL);
	hex_encode(h, 32, s->m.sha256);
	s->m.size = len;
	s->m.pcm_off = s->m.pcm_len = 0;
	*stage_off += len;
	ret = 0;
out:
	for (int i = 0; i < 3; i++)
		free(tags[i]);
	EVP_MD_CTX_free(st.md);
	close(fd);
	return ret;
}

/* Deterministic member header: owner rec 0/0, mode 0644, given mtime. */
static int
put_header(struct archive *a, const char *name, uint64_t size, time_t mtime)
{
	struct archive_entry *e = archive_entry_new();
	int rc;

	if (e == NULL)
		return ARCHIVE_FATAL;
	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_uname(e, "rec");
	archive_entry_set_gname(e, "rec");
	archive_entry_set_mtime(e, mtime, 0);
	rc = archive_write_header(a, e);
	archive_entry_free(e);
	return rc;
}

/* Copy len bytes from fd at off into the current member. */
static int
copy_member(struct archive *a, int fd, uint64_t off, uint64_t len,
    unsigned char *buf, int *rerr, const char *sha_hex)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char h[32];
	char hex[65];
	int ret = -1;

	if (md == NULL || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		*rerr = ENOMEM;
		goto out;
	}
	while (len > 0) {
		size_t want = len > COPY_BUF ? COPY_BUF : (size_t)len;
		ssize_t r = file_pread_full(fd, buf, want, (off_t)off);
		if (r < 0 || (size_t)r != want) {
			*rerr = r < 0 ? errno : EIO;
			goto out;
		}
		EVP_DigestUpdate(md, buf, want);
		if (archive_write_data(a, buf, want) != (la_ssize_t)want)
			goto out;
		off += want;
		len -= want;
	}
	/* The bytes archived must be the bytes the manifest hashed: a card
	 * that reads back differently must not cost the segments. */
	EVP_DigestFinal_ex(md, h, NULL);
	hex_encode(h, 32, hex);
	if (strcmp(hex, sha_hex) != 0) {
		*rerr = EBADMSG;
		goto out;
	}
	ret = 0;
out:
	EVP_MD_CTX_free(md);
	return ret;
}

static int
add_filter(struct archive *a, enum aname_compress c)
{
	switch (c) {
	case ANAME_GZIP: return archive_write_add_filter_gzip(a);
	case ANAME_ZSTD: return archive_write_add_filter_zstd(a);
	case ANAME_XZ: return archive_write_add_filter_xz(a);
	default: return archive_write_add_filter_none(a);
	}
}

/* The index text of segs[0..n) (lib/idx.h); NULL with errno. */
static char *
idx_text(const struct seg *segs, size_t n, size_t *len)
{
	const char **v = calloc(n + 1, sizeof *v);
	char *t = NULL;

	if (v == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		v[i] = segs[i].name;
	if (idx_format(v, n, &t, len) == -1)
		t = NULL;
	free(v);
	return t;
}

static int
ex_for(int errnum)
{
	return errnum == ENOSPC || errnum == EDQUOT ? EX_TEMPFAIL :
	    err_ex_for_errno(errnum);
}

/*
 * The archive's name into an and name: the first segment name's stamp,
 * the last one's plus its length, the station. From the names, which
 * sort in capture order, never from the GUANO times: a clock set back
 * must not give an archive a name before one already made. 0, or an
 * EX_ code after logging (EX_CANTCREAT: the name is taken in out/).
 */
static int
archive_name(struct spool *sp, const struct opts *o, const struct seg *segs,
    size_t n, struct aname *an, char *name, size_t len)
{
	const struct seg *last = &segs[n - 1];

	memset(an, 0, sizeof *an);
	an->start = segs[0].name_ts;
	an->end = utc_from_ns(utc_ns(&last->name_ts) +
	    utc_frames_ns(last->m.frames, last->m.spec.rate));
	snprintf(an->station, sizeof an->station, "%s", segs[0].station);
	an->compress = o->compress;
	an->encrypted = o->nrs > 0;
	if (aname_format(an, name, len) == NULL) {
		log_error("cannot name the archive of %s/seg/%s: %s", sp->dir,
		    segs[0].name, strerror(errno));
		return EX_SOFTWARE;
	}
	if (faccessat(sp->fd[SPOOL_OUT], name, F_OK,
	    AT_SYMLINK_NOFOLLOW) == 0) {
		log_error("cannot create %s/out/%s: File exists", sp->dir,
		    name);
		return EX_CANTCREAT;
	}
	return 0;
}

/*
 * One archive being written: what the steps of the recipe share. Its
 * three tmp files are rolled back by job_free whatever step failed; a
 * step that has published a sidecar removes it itself (unpublish_sums).
 */
struct job {
	struct spool *sp;
	const struct opts *o;
	struct seg *segs;
	size_t n;
	size_t *bad;			/* as archive_write_one's */
	struct aname an;
	char name[ANAME_MAX];		/* out/NAME */
	char part_name[ANAME_MAX + 16], stage_name[ANAME_MAX + 16];
	char idx_name[ANAME_MAX + 16];
	char sums_tmp[ANAME_MAX + 32], sums_out[ANAME_MAX + 32];
	struct tmpfile stage;		/* tmp/NAME.flac.part, FLAC only */
	struct tmpfile part;		/* tmp/NAME.part: the archive */
	struct tmpfile idx;		/* tmp/NAME.idx */
	struct sink sk;			/* into part */
	unsigned char *buf;		/* COPY_BUF bytes */
	char *json;			/* the manifest, jlen bytes */
	size_t jlen;
	uint64_t in_bytes;		/* the segments' size */
};

/* Name the archive and its files, allocate the buffers. 0 or EX_. */
static int
job_init(struct job *j, struct spool *sp, const struct opts *o,
    struct seg *segs, size_t n, size_t *bad)
{
	int ret;

	memset(j, 0, sizeof *j);
	j->sp = sp;
	j->o = o;
	j->segs = segs;
	j->n = n;
	j->bad = bad;
	tmpfile_init(&j->stage);
	tmpfile_init(&j->part);
	tmpfile_init(&j->idx);
	j->sk.fd = -1;
	ret = archive_name(sp, o, segs, n, &j->an, j->name, sizeof j->name);
	if (ret != 0)
		return ret;
	snprintf(j->part_name, sizeof j->part_name, "%s%s", j->name,
	    PART_SUFFIX);
	snprintf(j->stage_name, sizeof j->stage_name, "%s%s", j->name,
	    FLAC_PART_SUFFIX);
	snprintf(j->idx_name, sizeof j->idx_name, "%s%s", j->name,
	    IDX_SUFFIX);
	snprintf(j->sums_tmp, sizeof j->sums_tmp, "tmp/%s%s", j->name,
	    SUMS_SUFFIX);
	snprintf(j->sums_out, sizeof j->sums_out, "out/%s%s", j->name,
	    SUMS_SUFFIX);
	j->buf = malloc(COPY_BUF);
	j->sk.buf = malloc(SINK_BUF);
	if (j->buf == NULL || j->sk.buf == NULL) {
		log_error("out of memory");
		return EX_OSERR;
	}
	return 0;
}

/* Roll back what is left in tmp/ and free; safe after any step. */
static void
job_free(struct job *j)
{
	age_enc_free(j->sk.age);
	tmpfile_rollback(&j->idx);
	tmpfile_rollback(&j->part);
	tmpfile_rollback(&j->stage);
	sums_free(j->sk.sums);
	free(j->sk.buf);
	free(j->json);
	free(j->buf);
}

/* 1. Every member's hash; FLAC members encoded into the stage. */
static int
step_members(struct job *j)
{
	struct spool *sp = j->sp;
	const struct opts *o = j->o;
	uint64_t stage_off = 0;
	int ret;

	if (o->codec_flac && tmpfile_create(&j->stage, sp, j->stage_name) ==
	    -1) {
		log_error("cannot create %s/tmp/%s: %s", sp->dir,
		    j->stage_name, strerror(errno));
		return ex_for(errno);
	}
	for (size_t i = 0; i < j->n; i++) {
		struct seg *s = &j->segs[i];

		member_name(o, s);
		j->in_bytes += s->file_size;
		if (o->codec_flac && !flac_member(o, s))
			log_warn("%s/seg/%s has %u channels, more than FLAC "
			    "holds (%d): archived as a WAV member", sp->dir,
			    s->name, s->wi.spec.channels,
			    FLACIO_MAX_CHANNELS);
		ret = flac_member(o, s) ? encode_flac(sp, o, s, j->stage.fd,
		    j->stage_name, &stage_off) : hash_wav(sp, s, j->buf);
		if (ret == SEG_UNREADABLE) {
			*j->bad = i;
			ret = EX_IOERR;
		}
		if (ret != 0)
			return ret;
	}
	if (o->codec_flac)
		crash_point("staged");
	return 0;
}

/* libarchive's write callback of a dry run: bytes counted, not kept. */
static la_ssize_t
la_discard(struct archive *a, void *ctx, const void *buf, size_t len)
{
	(void)a, (void)ctx, (void)buf;
	return (la_ssize_t)len;
}

/*
 * The length of the tar header(s) put_header writes for this member
 * (512 for a ustar header; more with a pax extended header, for a long
 * name or a size past ustar's 8 GiB), measured by writing it in a dry
 * run with tar_open's format. Below 8 GiB the size does not change the
 * header's length: the dry member is empty, so that closing the dry run
 * pads nothing. 0 when libarchive fails.
 */
static uint64_t
header_len(const char *name, uint64_t size, time_t mtime)
{
	struct archive *a = archive_write_new();
	la_int64_t n = 0;

	if (a == NULL)
		return 0;
	if (size < 077777777777ULL)
		size = 0;
	if (archive_write_set_format_pax_restricted(a) == ARCHIVE_OK &&
	    archive_write_add_filter_none(a) == ARCHIVE_OK &&
	    archive_write_open(a, NULL, NULL, la_discard, NULL) ==
	    ARCHIVE_OK && put_header(a, name, size, mtime) == ARCHIVE_OK)
		n = archive_filter_bytes(a, 0);
	archive_write_close(a);
	archive_write_free(a);
	return n > 0 ? (uint64_t)n : 0;
}

#define TAR_BLOCKS(n)	(((n) + 511) / 512 * 512)

/*
 * Every member's offset in the tar stream for a manifest of jlen bytes:
 * the manifest's header and blocks, then each member's header, bytes and
 * padding. -1 when a header cannot be measured.
 */
static int
member_offsets(struct job *j, size_t jlen)
{
	uint64_t h = header_len(MANIFEST_NAME, jlen, j->an.start.tv_sec), off;

	if (h == 0)
		return -1;
	off = h + TAR_BLOCKS((uint64_t)jlen);
	for (size_t i = 0; i < j->n; i++) {
		struct seg *s = &j->segs[i];

		h = header_len(s->m.member, s->m.size, s->m.start.tv_sec);
		if (h == 0)
			return -1;
		s->m.offset = off + h;
		off = s->m.offset + TAR_BLOCKS(s->m.size);
	}
	return 0;
}

/*
 * The manifest (the first member) into j->json, with every member's
 * offset. The offsets depend on the manifest's length in 512-byte
 * blocks and the manifest holds them: dump with offsets for the last
 * length until that length's block count stays the same (offsets only
 * grow, so their digits do: this ends in a few rounds). 0 or EX_.
 */
static int
make_manifest(struct job *j)
{
	struct manifest m;
	struct err e;
	size_t guess = 0;
	int ret = 0;

	memset(&m, 0, sizeof m);
	snprintf(m.station, sizeof m.station, "%s", j->segs[0].station);
	snprintf(m.tool, sizeof m.tool, "rec-archive %s", REC_VERSION);
	snprintf(m.codec, sizeof m.codec, "%s", j->o->codec_flac ? "flac" :
	    "wav");
	m.start = j->an.start;
	m.end = j->an.end;
	m.nsegs = j->n;
	m.segs = calloc(j->n, sizeof *m.segs);
	if (m.segs == NULL) {
		log_error("out of memory");
		return EX_OSERR;
	}
	for (int round = 0; ; round++) {
		if (round == 16 || member_offsets(j, guess) == -1) {
			log_error("cannot lay out the tar of %s/tmp/%s",
			    j->sp->dir, j->part_name);
			ret = EX_SOFTWARE;
			break;
		}
		for (size_t i = 0; i < j->n; i++)
			m.segs[i] = j->segs[i].m; /* shallow: gaps stay segs' */
		free(j->json);
		j->json = NULL;
		if (manifest_dump(&m, &j->json, &j->jlen, &e) == -1) {
			log_error("%s", e.msg);
			ret = e.ex;
			break;
		}
		if (TAR_BLOCKS(j->jlen) == TAR_BLOCKS(guess))
			break;
		guess = j->jlen;
	}
	free(m.segs);
	return ret;
}

/* libarchive's settings: pax with deterministic headers, the filter. */
static int
tar_open(struct archive *a, enum aname_compress c, struct sink *sk)
{
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    add_filter(a, c) != ARCHIVE_OK ||
	    (c == ANAME_GZIP && archive_write_set_filter_option(a, "gzip",
	    "timestamp", NULL) < ARCHIVE_WARN) ||
	    /* no zero padding after a compressed stream (zstd refuses it) */
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open(a, sk, NULL, la_write, NULL) != ARCHIVE_OK)
		return -1;
	return 0;
}

/*
 * The manifest, then every member: a FLAC one from the stage, a WAV one
 * from seg/. 0; -1 for tar_failed (*rerr: errno of a failed read,
 * EBADMSG for bytes that read back otherwise than hashed, else 0); or an
 * EX_ code after logging.
 */
static int
tar_members(struct job *j, struct archive *a, int *rerr)
{
	struct spool *sp = j->sp;
	uint64_t stage_off = 0;

	if (put_header(a, MANIFEST_NAME, j->jlen, j->an.start.tv_sec) !=
	    ARCHIVE_OK || archive_write_data(a, j->json, j->jlen) !=
	    (la_ssize_t)j->jlen)
		return -1;
	for (size_t i = 0; i < j->n; i++) {
		struct seg *s = &j->segs[i];
		int src, rc;

		if (put_header(a, s->m.member, s->m.size,
		    s->m.start.tv_sec) != ARCHIVE_OK)
			return -1;
		/* the manifest's offsets are promises: check each one */
		if (archive_filter_bytes(a, 0) != (la_int64_t)s->m.offset) {
			log_error("cannot write %s/tmp/%s: member %s starts at "
			    "%" PRId64 " in the tar, the manifest says %"
			    PRIu64, sp->dir, j->part_name, s->m.member,
			    (int64_t)archive_filter_bytes(a, 0), s->m.offset);
			return EX_SOFTWARE;
		}
		if (flac_member(j->o, s)) {
			if (copy_member(a, j->stage.fd, stage_off, s->m.size,
			    j->buf, rerr, s->m.sha256) == -1)
				return -1;
			stage_off += s->m.size;
			continue;
		}
		src = file_open_regular(sp->fd[SPOOL_SEG], s->name, O_RDONLY,
		    0);
		if (src == -1) {
			log_error("cannot open %s/seg/%s: %s", sp->dir,
			    s->name, strerror(errno));
			return err_ex_for_errno(errno);
		}
		rc = copy_member(a, src, 0, s->m.size, j->buf, rerr,
		    s->m.sha256);
		close(src);
		if (rc == -1) {
			if (*rerr == EIO)
				*j->bad = i;
			return -1;
		}
	}
	return 0;
}

/* Log why the tar could not be written (a may be NULL); its EX_ code. */
static int
tar_failed(struct job *j, struct archive *a, int rerr)
{
	const char *dir = j->sp->dir, *part = j->part_name;
	const struct sink *sk = &j->sk;

	if (rerr == EBADMSG) {
		log_error("cannot write %s/tmp/%s: a member read back "
		    "differently from when it was hashed (a failing card?); "
		    "nothing archived, the segments are kept", dir, part);
		return EX_IOERR;
	}
	if (rerr != 0) {
		log_error("cannot read a member of %s/tmp/%s: %s", dir, part,
		    strerror(rerr));
		return EX_IOERR;
	}
	if (sk->err != 0) {
		if (sk->err == ENOSPC || sk->err == EDQUOT)
			log_error("not enough free space for %s/tmp/%s: %s",
			    dir, part, strerror(sk->err));
		else
			log_error("cannot write %s/tmp/%s: %s", dir, part,
			    sk->age != NULL && sk->aerr.msg[0] ? sk->aerr.msg :
			    strerror(sk->err));
		return ex_for(sk->err);
	}
	log_error("cannot write %s/tmp/%s: %s", dir, part, a != NULL ?
	    archive_error_string(a) : "out of memory");
	return EX_OSERR;
}

/* The tar stream through the sink: 0, or an EX_ code after logging. */
static int
write_tar(struct job *j)
{
	struct archive *a = archive_write_new();
	int rerr = 0, ret = -1;

	if (a != NULL && tar_open(a, j->o->compress, &j->sk) == 0)
		ret = tar_members(j, a, &rerr);
	if (ret == 0 && archive_write_close(a) != ARCHIVE_OK)
		ret = -1;
	if (ret == -1)
		ret = tar_failed(j, a, rerr);
	if (a != NULL)
		archive_write_free(a);
	return ret;
}

/* 2. The archive in tmp/NAME.part: written, fsynced, its name durable. */
static int
step_part(struct job *j)
{
	struct spool *sp = j->sp;
	const struct opts *o = j->o;
	struct sink *sk = &j->sk;
	struct err e;
	int ret;

	if (tmpfile_create(&j->part, sp, j->part_name) == -1) {
		log_error("cannot create %s/tmp/%s: %s", sp->dir,
		    j->part_name, strerror(errno));
		return ex_for(errno);
	}
	sk->fd = j->part.fd;
	sk->sums = sums_new(sums_part_size(o->part_size,
	    archive_estimate(o, j->segs, j->n)));
	if (sk->sums == NULL) {
		log_error("out of memory");
		return EX_OSERR;
	}
	if (o->nrs > 0) {
		sk->age = age_enc_new(o->rs, o->nrs, sink_put, sk, &e);
		if (sk->age == NULL) {
			log_error("cannot encrypt %s/tmp/%s: %s", sp->dir,
			    j->part_name, e.msg);
			return sk->err ? ex_for(sk->err) : e.ex;
		}
	}
	if ((ret = write_tar(j)) != 0)
		return ret;
	if (sk->age != NULL && age_enc_finish(sk->age, &e) == -1) {
		log_error("cannot encrypt %s/tmp/%s: %s", sp->dir,
		    j->part_name, e.msg);
		return sk->err ? ex_for(sk->err) : e.ex;
	}
	if (sink_flush(sk) == -1 || tmpfile_sync(&j->part) == -1) {
		log_error("cannot write %s/tmp/%s: %s", sp->dir, j->part_name,
		    strerror(sk->err ? sk->err : errno));
		return ex_for(sk->err ? sk->err : errno);
	}
	if (sums_finish(sk->sums) == -1) {
		log_error("cannot hash %s/tmp/%s: %s", sp->dir, j->part_name,
		    strerror(errno));
		return EX_SOFTWARE;
	}
	/* the .part's directory entry must be durable before .idx is */
	if (file_fsync_dir(sp->fd[SPOOL_TMP], NULL) == -1) {
		log_error("cannot sync %s/tmp: %s", sp->dir, strerror(errno));
		return EX_IOERR;
	}
	crash_point("part");
	tmpfile_rollback(&j->stage);
	return 0;
}

/* Take out/NAME.sums back (its archive will not be published). */
static void
unpublish_sums(struct job *j)
{
	unlinkat(j->sp->dirfd, j->sums_out, 0);
	file_fsync_dir(j->sp->fd[SPOOL_OUT], NULL);
}

/* tmp/NAME.idx, fsynced, -> out/NAME.idx. 0, or EX_ after logging. */
static int
write_idx(struct job *j)
{
	struct spool *sp = j->sp;
	char *itext;
	size_t ilen;
	int ret = 0;

	itext = idx_text(j->segs, j->n, &ilen);
	if (itext == NULL) {
		log_error("cannot make %s/tmp/%s: %s", sp->dir, j->idx_name,
		    strerror(errno));
		return EX_OSERR;
	}
	if (tmpfile_create(&j->idx, sp, j->idx_name) == -1 ||
	    file_write_all(j->idx.fd, itext, ilen) == -1 ||
	    tmpfile_sync(&j->idx) == -1 || tmpfile_close(&j->idx) == -1) {
		tmpfile_rollback(&j->idx);
		log_error("cannot write %s/tmp/%s: %s", sp->dir, j->idx_name,
		    strerror(errno));
		ret = ex_for(errno);
	} else if (tmpfile_commit(&j->idx, SPOOL_OUT, NULL) == -1) {
		log_error("cannot rename %s/tmp/%s to %s/out/%s: %s", sp->dir,
		    j->idx_name, sp->dir, j->idx_name, strerror(errno));
		ret = ex_for(errno);
	}
	free(itext);
	return ret;
}

/* 3. The sidecars: out/NAME.sums, then out/NAME.idx. */
static int
step_sidecars(struct job *j)
{
	struct spool *sp = j->sp;
	struct err e;
	int ret;

	if (sums_write(sp->dirfd, j->sums_tmp, j->sums_out, j->sk.sums,
	    &e) == -1) {
		log_error("cannot write %s/%s: %s", sp->dir, j->sums_out,
		    e.msg);
		return errno == ENOSPC ? EX_TEMPFAIL : e.ex;
	}
	crash_point("sums");
	if ((ret = write_idx(j)) != 0) {
		unpublish_sums(j);
		return ret;
	}
	crash_point("idx");
	return 0;
}

/* 4. The commit point: tmp/NAME.part becomes out/NAME. */
static int
step_commit(struct job *j)
{
	struct spool *sp = j->sp;
	int ret;

	if (tmpfile_commit(&j->part, SPOOL_OUT, j->name) == -1) {
		log_error("cannot rename %s/tmp/%s to %s/out/%s: %s", sp->dir,
		    j->part_name, sp->dir, j->name, strerror(errno));
		ret = ex_for(errno);
		/* the .idx goes first: reconcile reads an orphan .idx
		 * without its .part as "archive published" */
		unlinkat(sp->fd[SPOOL_OUT], j->idx_name, 0);
		file_fsync_dir(sp->fd[SPOOL_OUT], NULL);
		unpublish_sums(j);
		return ret;
	}
	crash_point("commit");
	return 0;
}

/* 5. The segments are in out/NAME now: remove them from seg/. */
static int
step_remove(struct job *j)
{
	struct spool *sp = j->sp;

	for (size_t i = 0; i < j->n; i++) {
		if (i == 1)
			crash_point("remove");
		if (unlinkat(sp->fd[SPOOL_SEG], j->segs[i].name, 0) == -1 &&
		    errno != ENOENT) {
			log_error("cannot remove %s/seg/%s: %s", sp->dir,
			    j->segs[i].name, strerror(errno));
			return EX_IOERR;
		}
	}
	if (file_fsync_dir(sp->fd[SPOOL_SEG], NULL) == -1) {
		log_error("cannot sync %s/seg: %s", sp->dir, strerror(errno));
		return EX_IOERR;
	}
	return 0;
}

/* Say it, and wake rec-upload. */
static void
announce(struct job *j)
{
	char line[ANAME_MAX + 8];

	log_info("archived %zu segments (%" PRIu64 " bytes) into %s/out/%s "
	    "(%" PRIu64 " bytes)", j->n, j->in_bytes, j->sp->dir, j->name,
	    j->sk.sums->size);
	snprintf(line, sizeof line, "out/%s", j->name);
	if (spool_trigger(j->sp, line) == -1)
		log_warn("cannot write to %s/trigger: %s", j->sp->dir,
		    strerror(errno));
}

int
archive_write_one(struct spool *sp, const struct opts *o, struct seg *segs,
    size_t n, size_t *bad)
{
	struct job j;
	int ret;

	*bad = n;
	if ((ret = job_init(&j, sp, o, segs, n, bad)) == 0 &&
	    (ret = step_members(&j)) == 0 &&
	    (ret = make_manifest(&j)) == 0 &&
	    (ret = step_part(&j)) == 0 &&
	    (ret = step_sidecars(&j)) == 0 &&
	    (ret = step_commit(&j)) == 0 &&
	    (ret = step_remove(&j)) == 0)
		announce(&j);
	job_free(&j);
	return ret;
}
