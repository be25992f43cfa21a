/*
 * cut: the planned frames written out, sample-exact: one WAV or FLAC
 * with GUANO (the silence of the gaps in it), or one file per continuous
 * piece (--gaps split), or standard output. Every file is made under a
 * temporary name (or an unlinked file) and renamed into place when
 * complete, so an error leaves no partial output.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <FLAC/stream_decoder.h>

#include "file.h"
#include "flacio.h"
#include "get.h"
#include "guano.h"
#include "log.h"
#include "utc.h"
#include "wav.h"

#define COPY	(256 * 1024)

/* Frames [k0, k1) of a WAV member (PCM at s->pcm_off) to out. */
static int
copy_wav(int fd, const struct manifest_seg *s, uint64_t k0, uint64_t k1,
    int out, unsigned char *buf)
{
	size_t fb = pcm_frame_bytes(&s->spec);
	uint64_t off = s->pcm_off + k0 * fb, end = s->pcm_off + k1 * fb;

	while (off < end) {
		size_t want = end - off > COPY ? COPY : (size_t)(end - off);
		ssize_t r = file_pread_full(fd, buf, want, (off_t)off);

		if (r != (ssize_t)want || file_write_all(out, buf, want) == -1)
			return -1;
		off += want;
	}
	return 0;
}

/* Decoding a FLAC member: the frames [k0, k1) in WAV layout to out. */
struct fdec {
	const struct pcm_spec *spec;
	uint64_t k0, k1, done;
	int out, err;
	unsigned char *buf;
};

static FLAC__StreamDecoderWriteStatus
fdec_write(const FLAC__StreamDecoder *d, const FLAC__Frame *fr,
    const FLAC__int32 *const b[], void *ctx)
{
	struct fdec *f = ctx;
	unsigned ch = f->spec->channels, sb = pcm_sample_bytes(f->spec->format);
	uint64_t pos = fr->header.number.sample_number;
	uint64_t n = fr->header.blocksize, i0, i1;
	unsigned char *p = f->buf;

	(void)d;
	i0 = f->k0 > pos ? f->k0 - pos : 0;
	i1 = f->k1 - pos < n ? f->k1 - pos : n;
	if (fr->header.channels != ch || (uint64_t)n * ch * sb > COPY) {
		f->err = EINVAL;
		return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
	}
	for (uint64_t i = i0; i < i1; i++)
		for (unsigned c = 0; c < ch; c++) {
			uint32_t v = (uint32_t)b[c][i];
			for (unsigned k = 0; k < sb; k++)
				*p++ = (unsigned char)(v >> (8 * k));
		}
	if (p > f->buf && file_write_all(f->out, f->buf,
	    (size_t)(p - f->buf)) == -1) {
		f->err = errno;
		return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
	}
	if (i1 > i0)
		f->done += i1 - i0;
	if (pos + n >= f->k1)
		return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;	/* enough */
	return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
}

static void
fdec_error(const FLAC__StreamDecoder *d, FLAC__StreamDecoderErrorStatus st,
    void *ctx)
{
	(void)d, (void)st;
	((struct fdec *)ctx)->err = EBADMSG;
}

/* Frames [k0, k1) of a FLAC member, seeking to k0. */
static int
copy_flac(int fd, const struct manifest_seg *s, uint64_t k0, uint64_t k1,
    int out, unsigned char *buf)
{
	struct fdec f = { &s->spec, k0, k1, 0, out, 0, buf };
	FLAC__StreamDecoder *d = FLAC__stream_decoder_new();
	FILE *fp = NULL;
	int dfd = -1, ok = 0;

	if (d == NULL || (dfd = dup(fd)) == -1 || lseek(dfd, 0, SEEK_SET) ==
	    -1 || (fp = fdopen(dfd, "rb")) == NULL)
		goto out;
	dfd = -1;
	if (FLAC__stream_decoder_init_FILE(d, fp, fdec_write, NULL,
	    fdec_error, &f) != FLAC__STREAM_DECODER_INIT_STATUS_OK)
		goto out;
	fp = NULL;		/* the decoder's now */
	if (!FLAC__stream_decoder_process_until_end_of_metadata(d))
		goto out;
	if (k0 > 0)
		FLAC__stream_decoder_seek_absolute(d, k0);
	else
		FLAC__stream_decoder_process_until_end_of_stream(d);
	if (f.done < k1 - k0 && f.err == 0 && k0 > 0)
		FLAC__stream_decoder_process_until_end_of_stream(d);
	ok = f.err == 0 && f.done == k1 - k0;
out:
	if (fp != NULL)
		fclose(fp);
	if (dfd != -1)
		close(dfd);
	if (d != NULL) {
		FLAC__stream_decoder_finish(d);
		FLAC__stream_decoder_delete(d);
	}
	if (!ok && errno == 0)
		errno = EBADMSG;
	return ok ? 0 : -1;
}

/* Append "x" to a comma list. */
static int
list_add(char **l, size_t *len, const char *x)
{
	size_t n = strlen(x);
	char *p;

	if (*l != NULL && strstr(*l, x) != NULL)	/* names: no repeats */
		return 0;
	p = realloc(*l, *len + n + 2);
	if (p == NULL)
		return -1;
	if (*len)
		p[(*len)++] = ',';
	memcpy(p + *len, x, n + 1);
	*len += n;
	*l = p;
	return 0;
}

/* The GUANO text of pieces [i, j). */
static int
make_guano(struct get *g, size_t i, size_t j, uint64_t frames,
    struct guano *gu)
{
	const struct manifest_seg *s0 = &g->arcs[g->pieces[i].arc].man.segs[
	    g->pieces[i].seg];
	char iso[40], *arcs = NULL, *segs = NULL, *gaps = NULL, num[48];
	size_t al = 0, sl = 0, gl = 0;
	uint64_t pos = 0;
	int ret = -1;

	for (size_t k = i; k < j; k++) {
		const struct piece *p = &g->pieces[k];
		const struct arc *a = &g->arcs[p->arc];

		if (k > i && p->gap > 0) {
			snprintf(num, sizeof num, "%" PRIu64 "+%" PRIu64, pos,
			    p->gap);
			if (list_add(&gaps, &gl, num) == -1)
				goto out;
			pos += p->gap;
		}
		pos += p->k1 - p->k0;
		if (list_add(&arcs, &al, a->name) == -1 ||
		    list_add(&segs, &sl, a->man.segs[p->seg].name) == -1)
			goto out;
	}
	if (guano_init(gu) == -1 ||
	    guano_add(gu, "Timestamp", "%s", utc_iso_ns(g->pieces[i].t0, iso,
	    sizeof iso)) == -1 ||
	    guano_add(gu, "Length", "%.6f", (double)frames /
	    s0->spec.rate) == -1 ||
	    guano_add(gu, "Samplerate", "%u", s0->spec.rate) == -1 ||
	    guano_add(gu, "REC|Station", "%s", g->station) == -1 ||
	    guano_add(gu, "REC|Channels", "%u", s0->spec.channels) == -1 ||
	    guano_add(gu, "REC|Format", "%s",
	    pcm_format_name(s0->spec.format)) == -1 ||
	    guano_add(gu, "REC|Frames", "%" PRIu64, frames) == -1 ||
	    guano_add(gu, "REC|Silence", "%s", gaps ? gaps : "") == -1 ||
	    guano_add(gu, "REC|Source Archives", "%s", arcs) == -1 ||
	    guano_add(gu, "REC|Source Segments", "%s", segs) == -1 ||
	    guano_add(gu, "REC|Tool", "rec-get %s", REC_VERSION) == -1)
		goto out;
	/* the place of the first sample's segment */
	if ((s0->loc_position[0] != '\0' && guano_add(gu, "Loc Position",
	    "%s", s0->loc_position) == -1) || (s0->loc_elevation[0] != '\0' &&
	    guano_add(gu, "Loc Elevation", "%s", s0->loc_elevation) == -1))
		goto out;
	ret = 0;
out:
	free(arcs);
	free(segs);
	free(gaps);
	return ret;
}

/* The PCM of pieces [i, j) with the silence of their gaps, to fd. */
static int
write_pcm(struct get *g, size_t i, size_t j, int fd, unsigned char *buf)
{
	for (size_t k = i; k < j; k++) {
		const struct piece *p = &g->pieces[k];
		struct arc *a = &g->arcs[p->arc];
		const struct manifest_seg *s = &a->man.segs[p->seg];
		size_t fb = pcm_frame_bytes(&s->spec);

		if (k > i && p->gap > 0) {
			uint64_t z = p->gap * fb;
			memset(buf, 0, COPY);
			while (z > 0) {
				size_t n = z > COPY ? COPY : (size_t)z;
				if (file_write_all(fd, buf, n) == -1)
					return -1;
				z -= n;
			}
		}
		errno = 0;
		if ((strcmp(s->codec, "flac") == 0 ? copy_flac :
		    copy_wav)(a->nfd[p->seg], s, p->k0, p->k1, fd, buf) == -1) {
			log_error("cannot decode member %s of %s: %s",
			    s->member, a->key, strerror(errno ? errno :
			    EBADMSG));
			return EX_DATAERR;
		}
	}
	return 0;
}

/* A new file in dir for final (dir/.final.XXXXXX): fd, path in tmp. */
static int
dir_tmp(const char *final, char *tmp, size_t len)
{
	const char *slash = strrchr(final, '/');

	if (slash)
		snprintf(tmp, len, "%.*s/.%s.XXXXXX", (int)(slash - final),
		    final, slash + 1);
	else
		snprintf(tmp, len, ".%s.XXXXXX", final);
	return mkostemp(tmp, O_CLOEXEC);
}

/* Write pieces [i, j) to path ("-": standard output). 0 or EX_. */
static int
write_out(struct get *g, size_t i, size_t j, const char *path)
{
	const struct manifest_seg *s0 = &g->arcs[g->pieces[i].arc].man.segs[
	    g->pieces[i].seg];
	struct guano gu = { 0 };
	unsigned char *buf = malloc(COPY);
	uint8_t head[WAV_MAX_HEAD];
	char tmp[4200], *tag = NULL, iso[40];
	uint64_t frames = 0, olen;
	unsigned char sha[32];
	size_t hlen;
	int wfd = -1, ofd = -1, ret = EX_IOERR;
	struct err e;

	for (size_t k = i; k < j; k++)
		frames += g->pieces[k].k1 - g->pieces[k].k0 +
		    (k > i ? g->pieces[k].gap : 0);
	tmp[0] = '\0';
	if (buf == NULL || make_guano(g, i, j, frames, &gu) == -1) {
		log_error("out of memory");
		ret = EX_OSERR;
		goto out;
	}
	/* the WAV: in place, or staged for FLAC and standard output */
	if (!g->flac && strcmp(path, "-") != 0)
		wfd = dir_tmp(path, tmp, sizeof tmp);
	else
		wfd = fetch_tmpfd();
	if (wfd == -1) {
		log_error("cannot create %s: %s", tmp[0] ? tmp : "a temporary "
		    "file", strerror(errno));
		ret = EX_CANTCREAT;
		goto out;
	}
	hlen = wav_head(head, sizeof head, &s0->spec, gu.buf, gu.len);
	if (hlen == 0 || file_write_all(wfd, head, hlen) == -1)
		goto werr;
	if ((ret = write_pcm(g, i, j, wfd, buf)) != 0) {
		if (ret == -1)
			goto werr;
		goto out;
	}
	if (wav_finish(wfd, hlen, frames * pcm_frame_bytes(&s0->spec), gu.buf,
	    gu.len) == -1)
		goto werr;
	if (strcmp(path, "-") == 0) {
		off_t off = 0;
		ssize_t r;
		while ((r = file_pread_full(wfd, buf, COPY, off)) > 0) {
			if (file_write_all(1, buf, (size_t)r) == -1) {
				log_error("cannot write to standard output: "
				    "%s", strerror(errno));
				ret = EX_IOERR;
				goto out;
			}
			off += r;
		}
		ret = r == 0 ? 0 : EX_IOERR;
		goto out;
	}
	if (g->flac) {
		if ((ofd = dir_tmp(path, tmp, sizeof tmp)) == -1) {
			log_error("cannot create %s: %s", tmp,
			    strerror(errno));
			ret = EX_CANTCREAT;
			goto out;
		}
		if (asprintf(&tag, "GUANO=%s", gu.buf) < 0) {
			ret = EX_OSERR;
			goto out;
		}
		if (flacio_encode(wfd, hlen, frames, &s0->spec, 5,
		    (const char *const *)&tag, 1, ofd, 0, &olen, sha,
		    &e) == -1) {
			log_error("cannot encode %s: %s", tmp, e.msg);
			ret = e.ex;
			goto out;
		}
		close(wfd);
		wfd = ofd;
		ofd = -1;
	}
	if (fchmod(wfd, 0666 & ~g->umask) == -1 || fsync(wfd) == -1 ||
	    rename(tmp, path) == -1) {
		log_error("cannot rename %s to %s: %s", tmp, path,
		    strerror(errno));
		ret = EX_CANTCREAT;
		goto out;
	}
	tmp[0] = '\0';
	log_info("wrote %s: %" PRIu64 " frames from %s", path, frames,
	    utc_iso_ns(g->pieces[i].t0, iso, sizeof iso));
	ret = 0;
	goto out;
werr:
	log_error("cannot write %s: %s", tmp[0] ? tmp : "a temporary file",
	    strerror(errno));
	ret = err_ex_for_errno(errno);
out:
	if (tmp[0] != '\0')
		unlink(tmp);
	if (ofd != -1)
		close(ofd);
	if (wfd != -1)
		close(wfd);
	free(tag);
	guano_free(&gu);
	free(buf);
	return ret;
}

int
cut_write(struct get *g)
{
	const struct manifest_seg *s0 = &g->arcs[g->pieces[0].arc].man.segs[
	    g->pieces[0].seg];
	size_t ngaps = 0, i;
	char iso[40];
	int ret;

	for (i = 0; i < g->npieces; i++) {
		const struct piece *p = &g->pieces[i];
		const struct manifest_seg *s = &g->arcs[p->arc].man.segs[p->seg];

		if (memcmp(&s->spec, &s0->spec, sizeof s->spec) != 0) {
			log_error("%s: segment %s is in another format than "
			    "%s (rate, channels or sample format)",
			    g->arcs[p->arc].key, s->name, s0->name);
			return EX_DATAERR;
		}
		if (i == 0 || p->gap == 0)
			continue;
		ngaps++;
		utc_iso_ns(p->gap_t, iso, sizeof iso);
		if (g->gaps == GAPS_FAIL)
			log_error("gap: nothing recorded for %" PRIu64 " frames "
			    "(%.6f s) from %s", p->gap, (double)p->gap /
			    s->spec.rate, iso);
		else
			log_warn("gap: nothing recorded for %" PRIu64 " frames "
			    "(%.6f s) from %s%s", p->gap, (double)p->gap /
			    s->spec.rate, iso, g->gaps == GAPS_SILENCE ?
			    ": filled with silence" : "");
	}
	if (ngaps > 0 && g->gaps == GAPS_FAIL) {
		log_error("%zu gaps from %s to %s (--gaps fail): nothing "
		    "written", ngaps, g->arcs[g->pieces[0].arc].name,
		    g->arcs[g->pieces[g->npieces - 1].arc].name);
		return EX_DATAERR;
	}
	if (g->gaps != GAPS_SPLIT)
		return write_out(g, 0, g->npieces, g->out);
	for (i = 0; i < g->npieces; ) {
		char name[4200], stamp[40];
		struct timespec ts = utc_from_ns(g->pieces[i].t0);
		size_t j = i + 1;

		while (j < g->npieces && g->pieces[j].gap == 0)
			j++;
		utc_name(&ts, stamp, sizeof stamp);
		snprintf(name, sizeof name, "%s/%s_%s.%s", g->out, stamp,
		    g->station, g->flac ? "flac" : "wav");
		if ((ret = write_out(g, i, j, name)) != 0)
			return ret;
		i = j;
	}
	return 0;
}
