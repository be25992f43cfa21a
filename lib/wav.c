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
#include "wav.h"

#define GUANO_MAX	(1u << 20)	/* larger guan chunks are ignored */

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

int
wav_finish(int fd, uint64_t data_off, uint64_t data_len, const char *guano,
    size_t len)
{
	uint8_t hdr[8], pad = 0, *head = NULL;
	uint64_t end = data_off + data_len, off;
	uint32_t clen;
	ssize_t n;
	int rc = -1;

	if (data_off < 12 + 8 + 16 + 8 || data_off > WAV_MAX_HEAD ||
	    data_len > 0xffffffffULL - data_off - len - 64) {
		errno = EFBIG;
		return -1;
	}
	/* The data size first: a crash after this point leaves a file
	 * whose PCM ends where it should; wav_parse sees it unfinished
	 * (RIFF size 0) and wav_finish can run again. */
	if (ftruncate(fd, end) < 0)
		return -1;
	put32(hdr, data_len);
	if (file_pwrite_all(fd, hdr, 4, data_off - 4) < 0)
		return -1;
	if (data_len & 1) {
		if (file_pwrite_all(fd, &pad, 1, end) < 0)
			return -1;
		end++;
	}
	memcpy(hdr, "guan", 4);
	put32(hdr + 4, len);
	if (file_pwrite_all(fd, hdr, 8, end) < 0 ||
	    file_pwrite_all(fd, guano, len, end + 8) < 0)
		return -1;
	end += 8 + len;
	if (len & 1) {
		if (file_pwrite_all(fd, &pad, 1, end) < 0)
			return -1;
		end++;
	}
	put32(hdr, end - 8);
	if (file_pwrite_all(fd, hdr, 4, 4) < 0)
		return -1;
	/* The first guan chunk (the start-of-segment metadata) -> JUNK. */
	if ((head = malloc(data_off)) == NULL)
		return -1;
	n = file_pread_full(fd, head, data_off, 0);
	if (n < 0 || (uint64_t)n != data_off)
		goto out;
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
	if (n >= 0 && (uint64_t)n != data_off)
		errno = EIO;
	free(head);
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

static int
read_guano(int fd, uint64_t off, uint32_t len, struct wav_info *wi)
{
	char *g;
	ssize_t n;

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
	free(wi->guano);
	wi->guano = g;
	wi->guano_len = strlen(g);	/* drop NUL padding */
	return 0;
}

int
wav_parse(int fd, struct wav_info *wi, struct err *e)
{
	uint8_t head[12], ch[8];
	struct stat st;
	uint64_t off, dsize, fb;
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

			if (file_pread_full(fd, fmt, l, off + 8) != (ssize_t)l) {
				err_set(e, EX_DATAERR, "truncated fmt chunk");
				goto fail;
			}
			if (parse_fmt(fmt, l, &wi->spec, e) < 0)
				goto fail;
			have_fmt = 1;
		} else if (memcmp(ch, "guan", 4) == 0) {
			if (off + 8 + id_len > wi->file_len) {
				if (!have_data) {
					err_set(e, EX_DATAERR, "truncated "
					    "guan chunk");
					goto fail;
				}
				break;	/* a final chunk cut short */
			}
			if (read_guano(fd, off + 8, id_len, wi) < 0) {
				err_sys(e, EX_IOERR, "cannot read guan chunk");
				goto fail;
			}
		} else if (memcmp(ch, "data", 4) == 0 && !have_data) {
			if (!have_fmt) {
				err_set(e, EX_DATAERR, "data before fmt");
				goto fail;
			}
			have_data = 1;
			wi->data_off = off + 8;
			dsize = id_len;
			fb = pcm_frame_bytes(&wi->spec);
			if (dsize == 0xffffffffu ||
			    wi->data_off + dsize > wi->file_len) {
				/* in progress: the data runs to EOF */
				dsize = wi->file_len - wi->data_off;
				dsize -= dsize % fb;
				wi->data_len = dsize;
				wi->frames = dsize / fb;
				wi->finished = 0;
				break;
			}
			if (dsize % fb) {
				err_set(e, EX_DATAERR, "data size %llu is not "
				    "whole frames", (unsigned long long)dsize);
				goto fail;
			}
			wi->data_len = dsize;
			wi->frames = dsize / fb;
			wi->finished = riff != 0 && (uint64_t)riff + 8 <=
			    wi->file_len;
			id_len = dsize;
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
	wi->guano = NULL;
	wi->guano_len = 0;
}
