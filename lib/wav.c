/*
 * wav: write segment headers, finish segments (sizes, final GUANO chunk)
 * and parse WAV files, including files a crash left half-written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "file.h"
#include "segmeta.h"
#include "wav.h"

#define GUANO_MAX	(1u << 20)	/* larger guan chunks are ignored */
#define TAIL_SCAN	(256u << 10)	/* see find_tail */

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

static unsigned
get16(const uint8_t *p)
{
	return p[0] | (p[1] << 8);
}

static uint32_t
get32(const uint8_t *p)
{
	return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* KSDATAFORMAT_SUBTYPE_PCM after its first two bytes (0x0001). */
static const uint8_t pcm_guid_tail[14] = {
	0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00,
	0x38, 0x9b, 0x71
};

static uint32_t
channel_mask(unsigned ch)
{
	static const uint32_t masks[] = { 0, 0x4, 0x3, 0x7, 0x33, 0x37,
		0x3f, 0x13f, 0x63f };

	return ch < sizeof(masks) / sizeof(masks[0]) ? masks[ch] : 0;
}

size_t
wav_head(uint8_t *buf, size_t cap, const struct pcm_spec *spec,
    const char *guano, size_t len)
{
	unsigned bits = pcm_sample_bits(spec->format);
	unsigned bytes = pcm_sample_bytes(spec->format);
	int ext = spec->channels > 2 || bits > 16;
	size_t fmtlen = ext ? 40 : 16, glen = len + (len & 1), need;
	uint8_t *p = buf;

	if (bits == 0 || spec->channels == 0 || spec->rate == 0)
		return 0;
	need = 12 + 8 + fmtlen + 8 + glen + 8;
	if (need > cap || need > WAV_MAX_HEAD)
		return 0;
	memcpy(p, "RIFF", 4);
	put32(p + 4, 0);
	memcpy(p + 8, "WAVE", 4);
	p += 12;
	memcpy(p, "fmt ", 4);
	put32(p + 4, fmtlen);
	put16(p + 8, ext ? 0xfffe : 1);
	put16(p + 10, spec->channels);
	put32(p + 12, spec->rate);
	put32(p + 16, spec->rate * spec->channels * bytes);
	put16(p + 20, spec->channels * bytes);
	put16(p + 22, bits);
	if (ext) {
		put16(p + 24, 22);
		put16(p + 26, bits);
		put32(p + 28, channel_mask(spec->channels));
		put16(p + 32, 1);
		memcpy(p + 34, pcm_guid_tail, 14);
	}
	p += 8 + fmtlen;
	memcpy(p, "guan", 4);
	put32(p + 4, len);
	memcpy(p + 8, guano, len);
	if (len & 1)
		p[8 + len] = 0;
	p += 8 + glen;
	memcpy(p, "data", 4);
	put32(p + 4, 0xffffffffu);	/* in progress: runs to EOF */
	p += 8;
	return p - buf;
}

/* Turn the first guan chunk of the header (the start-of-segment
 * metadata) into JUNK, so that a finished file has one GUANO chunk. */
static int
junk_head_guano(int fd, uint64_t data_off)
{
	uint8_t *head;
	uint64_t off;
	uint32_t clen;
	ssize_t n;
	int rc = -1;

	if ((head = malloc(data_off)) == NULL)
		return -1;
	n = file_pread_full(fd, head, data_off, 0);
	if (n < 0)
		goto out;
	if ((uint64_t)n != data_off) {
		errno = EIO;
		goto out;
	}
	for (off = 12; off + 8 <= data_off - 8; off += 8 + clen + (clen & 1)) {
		clen = get32(head + off + 4);
		if (memcmp(head + off, "guan", 4) == 0) {
			if (file_pwrite_all(fd, "JUNK", 4, off) < 0)
				goto out;
			break;
		}
	}
	rc = 0;
out:
	free(head);
	return rc;
}

/*
 * The order is what makes a power cut at any point recoverable (the
 * page cache writes pages back in any order, so each step is synced
 * before the next one may say it happened):
 *   1. cut the PCM to whole frames and set the data size; sync. From
 *      here on nothing appended can be taken for PCM.
 *   2. append the final guan chunk; sync. A crash before this sync
 *      leaves at most a cut or zeroed tail after a trusted data size.
 *   3. set the RIFF size and rename the first guan chunk to JUNK (its
 *      text stays: wav_parse still finds the start-of-segment metadata
 *      there). Only now may the header say finished; the caller's fsync
 *      makes it durable.
 */
int
wav_finish(int fd, uint64_t data_off, uint64_t data_len, const char *guano,
    size_t len)
{
	uint8_t hdr[4], *tail = NULL;
	uint64_t end = data_off + data_len;
	size_t pad = data_len & 1, tlen = pad + 8 + len + (len & 1);
	int rc = -1;

	if (data_off < 12 + 8 + 16 + 8 || data_off > WAV_MAX_HEAD ||
	    data_len > 0xffffffffULL - data_off - len - 64) {
		errno = EFBIG;
		return -1;
	}
	if (ftruncate(fd, end) < 0)
		return -1;
	put32(hdr, data_len);
	if (file_pwrite_all(fd, hdr, 4, data_off - 4) < 0 || fdatasync(fd) < 0)
		return -1;
	if ((tail = calloc(1, tlen)) == NULL)
		return -1;
	memcpy(tail + pad, "guan", 4);
	put32(tail + pad + 4, len);
	memcpy(tail + pad + 8, guano, len);
	if (file_pwrite_all(fd, tail, tlen, end) < 0 || fdatasync(fd) < 0)
		goto out;
	put32(hdr, end + tlen - 8);
	if (file_pwrite_all(fd, hdr, 4, 4) < 0 ||
	    junk_head_guano(fd, data_off) < 0)
		goto out;
	rc = 0;
out:
	free(tail);
	return rc;
}

static int
parse_fmt(const uint8_t *p, uint32_t len, struct pcm_spec *spec,
    struct err *e)
{
	unsigned tag, bits, align, ch;

	if (len < 16) {
		err_set(e, EX_DATAERR, "fmt chunk too short");
		return -1;
	}
	tag = get16(p);
	ch = get16(p + 2);
	spec->rate = get32(p + 4);
	align = get16(p + 12);
	bits = get16(p + 14);
	if (tag == 0xfffe) {
		if (len < 40 || get16(p + 24) != 1 ||
		    memcmp(p + 26, pcm_guid_tail, 14) != 0) {
			err_set(e, EX_DATAERR, "not PCM (extensible format)");
			return -1;
		}
		if (get16(p + 18) != bits) {
			err_set(e, EX_DATAERR, "valid bits %u of %u not "
			    "supported", get16(p + 18), bits);
			return -1;
		}
	} else if (tag != 1) {
		err_set(e, EX_DATAERR, "not PCM (format tag %u)", tag);
		return -1;
	}
	switch (bits) {
	case 16: spec->format = PCM_S16_LE; break;
	case 24: spec->format = PCM_S24_3LE; break;
	case 32: spec->format = PCM_S32_LE; break;
	default:
		err_set(e, EX_DATAERR, "%u-bit samples not supported", bits);
		return -1;
	}
	if (ch == 0 || ch > 32 || spec->rate == 0 || spec->rate > 768000) {
		err_set(e, EX_DATAERR, "bad channels %u or rate %u", ch,
		    spec->rate);
		return -1;
	}
	spec->channels = ch;
	if (align != ch * pcm_sample_bytes(spec->format)) {
		err_set(e, EX_DATAERR, "bad block align %u", align);
		return -1;
	}
	return 0;
}

/* Does the text of a chunk look like GUANO? (A chunk zeroed by a
 * crash, or another tool's, is not metadata.) */
static int
is_guano(const char *text, size_t len)
{
	return len >= 6 && memcmp(text, "GUANO|", 6) == 0;
}

/*
 * Is text (len bytes, the whole chunk) a complete final chunk for a
 * segment of `frames` frames? Written in one piece, it holds no NUL
 * (pages a crash did not write read as zeros), and REC|Frames counts
 * exactly the frames before it.
 */
static int
tail_check(const char *text, size_t len, uint64_t frames)
{
	uint64_t n;

	if (!is_guano(text, len) || memchr(text, '\0', len) != NULL ||
	    segmeta_frames(text, len, &n) < 0)
		return 0;
	return n == frames;
}

/* The text of the chunk at off (len bytes), malloc'd and NUL-terminated
 * into *out (NULL when too long or not GUANO); 0, or -1 on a read error. */
static int
read_guano(int fd, uint64_t off, uint32_t len, char **out, size_t *outlen)
{
	char *g;
	ssize_t n;

	*out = NULL;
	if (len > GUANO_MAX)
		return 0;
	if ((g = malloc(len + 1)) == NULL)
		return -1;
	n = file_pread_full(fd, g, len, off);
	if (n < 0) {
		free(g);
		return -1;
	}
	g[n] = '\0';
	*outlen = (size_t)n;
	if (!is_guano(g, (size_t)n)) {
		free(g);
		return 0;
	}
	*out = g;
	return 0;
}

/* Keep text as wi's GUANO (the last chunk wins); len is its chunk's. */
static void
set_guano(struct wav_info *wi, char *text, size_t len)
{
	free(wi->guano);
	wi->guano = text;
	wi->guano_len = strlen(text);	/* drop NUL padding */
	wi->tail_ok = tail_check(text, len, wi->frames);
}

/*
 * A data chunk whose size was never set runs to EOF; but a crash that
 * kept an appended final guan chunk and lost the data size (a file
 * finished by an older rec, which did not order the two) must not have
 * its GUANO text counted as PCM. Look in the last TAIL_SCAN bytes for a
 * guan chunk that ends the file, starts after whole frames (and a pad
 * byte) and passes tail_check. 1 when found (wi updated), 0 when not,
 * -1 on a read error.
 */
static int
find_tail(int fd, struct wav_info *wi, uint64_t fb)
{
	uint64_t span = wi->file_len - wi->data_off, win, pos, d, dl;
	uint32_t clen;
	uint8_t *buf, *p;
	char *text;
	ssize_t n;
	int rc = 0;

	win = span < TAIL_SCAN ? span : TAIL_SCAN;
	if (win < 8 || (buf = malloc(win)) == NULL)
		return win < 8 ? 0 : -1;
	n = file_pread_full(fd, buf, win, wi->file_len - win);
	if (n < 0 || (uint64_t)n != win) {
		free(buf);
		return n < 0 ? -1 : 0;
	}
	for (p = buf; (p = memmem(p, win - 8 - (p - buf) + 4, "guan", 4));
	    p++) {
		pos = wi->file_len - win + (uint64_t)(p - buf);
		clen = get32(p + 4);
		/* the chunk starts at data_len, or data_len + 1 (pad)
		 * when data_len is odd: always at an even offset */
		d = pos - wi->data_off;
		dl = d % fb == 0 ? d : d - 1;
		if (pos + 8 + clen + (clen & 1) != wi->file_len || (d & 1) ||
		    dl % fb != 0 || !tail_check((char *)p + 8, clen, dl / fb))
			continue;
		if ((text = malloc(clen + 1)) == NULL) {
			rc = -1;
			break;
		}
		memcpy(text, p + 8, clen);
		text[clen] = '\0';
		wi->data_len = dl;
		wi->frames = dl / fb;
		set_guano(wi, text, clen);
		rc = 1;
		break;
	}
	free(buf);
	return rc;
}

/*
 * A guan chunk (or, in the header, a JUNK chunk: wav_finish renames the
 * start-of-segment guan chunk, its text stays) at off. 0, or -1 with e.
 */
static int
parse_guan(int fd, struct wav_info *wi, const uint8_t *ch, uint64_t off,
    int have_data, struct err *e)
{
	uint32_t len = get32(ch + 4);
	int junk = memcmp(ch, "JUNK", 4) == 0;
	char *text;
	size_t n;

	if (junk && (have_data || wi->head_guano != NULL))
		return 0;
	if (off + 8 + len > wi->file_len) {
		if (!have_data && !junk) {
			err_set(e, EX_DATAERR, "truncated guan chunk");
			return -1;
		}
		return 0;	/* a final chunk cut short: ignored */
	}
	if (read_guano(fd, off + 8, len, &text, &n) < 0) {
		err_sys(e, EX_IOERR, "cannot read %s chunk", junk ? "JUNK" :
		    "guan");
		return -1;
	}
	if (text == NULL)
		return 0;
	if (!have_data && wi->head_guano == NULL) {
		wi->head_guano = strdup(text);
		if (wi->head_guano == NULL) {
			free(text);
			err_sys(e, EX_OSERR, "cannot read guan chunk");
			return -1;
		}
		wi->head_guano_len = strlen(text);
	}
	if (junk) {
		free(text);
		return 0;
	}
	set_guano(wi, text, len);
	/* the final chunk ends the file (but for its pad byte) */
	if (!have_data || off + 8 + len + (len & 1) != wi->file_len)
		wi->tail_ok = 0;
	return 0;
}

/* The data chunk (its header ch at off); 0, 1 when the data runs to
 * EOF (nothing after it), or -1 with e. */
static int
parse_data(int fd, struct wav_info *wi, const uint8_t *ch, uint64_t off,
    uint32_t riff, struct err *e)
{
	uint64_t dsize = get32(ch + 4), fb = pcm_frame_bytes(&wi->spec);

	wi->data_off = off + 8;
	if (dsize == 0xffffffffu || wi->data_off + dsize > wi->file_len) {
		/* in progress: the data runs to EOF (or to a final chunk
		 * whose data size a crash lost) */
		dsize = wi->file_len - wi->data_off;
		dsize -= dsize % fb;
		wi->data_len = dsize;
		wi->frames = dsize / fb;
		wi->finished = 0;
		switch (find_tail(fd, wi, fb)) {
		case -1:
			err_sys(e, EX_IOERR, "cannot read");
			return -1;
		case 0:
			return 1;
		}
		return 0;
	}
	if (dsize % fb) {
		err_set(e, EX_DATAERR, "data size %llu is not whole frames",
		    (unsigned long long)dsize);
		return -1;
	}
	wi->data_len = dsize;
	wi->frames = dsize / fb;
	wi->finished = riff != 0 && (uint64_t)riff + 8 <= wi->file_len;
	return 0;
}

int
wav_parse(int fd, struct wav_info *wi, struct err *e)
{
	uint8_t head[12], ch[8];
	struct stat st;
	uint64_t off;
	uint32_t id_len, riff;
	int have_fmt = 0, have_data = 0;
	ssize_t n;

	memset(wi, 0, sizeof(*wi));
	if (fstat(fd, &st) < 0) {
		err_sys(e, EX_IOERR, "cannot stat");
		return -1;
	}
	wi->file_len = st.st_size;
	n = file_pread_full(fd, head, 12, 0);
	if (n < 0) {
		err_sys(e, EX_IOERR, "cannot read");
		return -1;
	}
	if (n < 12 || memcmp(head, "RIFF", 4) || memcmp(head + 8, "WAVE", 4)) {
		err_set(e, EX_DATAERR, "not a RIFF/WAVE file");
		return -1;
	}
	riff = get32(head + 4);
	for (off = 12; off + 8 <= wi->file_len;) {
		n = file_pread_full(fd, ch, 8, off);
		if (n != 8) {
			err_sys(e, EX_IOERR, "cannot read chunk header");
			goto fail;
		}
		id_len = get32(ch + 4);
		if (memcmp(ch, "fmt ", 4) == 0 && !have_data) {
			uint8_t fmt[40];
			uint32_t l = id_len < 40 ? id_len : 40;

			n = file_pread_full(fd, fmt, l, off + 8);
			if (n < 0) {
				err_sys(e, EX_IOERR, "cannot read fmt chunk");
				goto fail;
			}
			if (n != (ssize_t)l) {
				err_set(e, EX_DATAERR, "truncated fmt chunk");
				goto fail;
			}
			if (parse_fmt(fmt, l, &wi->spec, e) < 0)
				goto fail;
			have_fmt = 1;
		} else if (memcmp(ch, "guan", 4) == 0 ||
		    memcmp(ch, "JUNK", 4) == 0) {
			if (parse_guan(fd, wi, ch, off, have_data, e) < 0)
				goto fail;
		} else if (memcmp(ch, "data", 4) == 0 && !have_data) {
			if (!have_fmt) {
				err_set(e, EX_DATAERR, "data before fmt");
				goto fail;
			}
			have_data = 1;
			n = parse_data(fd, wi, ch, off, riff, e);
			if (n < 0)
				goto fail;
			if (n == 1)
				break;
			id_len = wi->data_len;
		}
		off += 8 + (uint64_t)id_len + (id_len & 1);
	}
	if (!have_fmt || !have_data) {
		err_set(e, EX_DATAERR, "no %s chunk", have_fmt ? "data" : "fmt");
		goto fail;
	}
	return 0;
fail:
	wav_info_free(wi);
	return -1;
}

void
wav_info_free(struct wav_info *wi)
{
	free(wi->guano);
	free(wi->head_guano);
	wi->guano = wi->head_guano = NULL;
	wi->guano_len = wi->head_guano_len = 0;
}
