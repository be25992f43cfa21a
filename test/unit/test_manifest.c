/* Unit tests of lib/manifest: REC|Gaps, a round trip, strict reading. */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "check.h"
#include "manifest.h"
#include "utc.h"

static const char H[] =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

int
main(void)
{
	struct manifest_gap *g;
	struct manifest m, back;
	struct manifest_seg segs[2];
	struct err e;
	size_t n, len;
	char *json, *bad;

	CHECK(manifest_gaps_parse("", &g, &n) == 0 && n == 0 && g == NULL);
	CHECK(manifest_gaps_parse("10+5,100+20", &g, &n) == 0 && n == 2);
	CHECK(g[0].off == 10 && g[0].len == 5 && g[1].off == 100 &&
	    g[1].len == 20);
	free(g);
	CHECK(manifest_gaps_parse("10+", &g, &n) == -1);
	CHECK(manifest_gaps_parse("10-5", &g, &n) == -1);
	CHECK(manifest_gaps_parse("1+2,", &g, &n) == -1);
	CHECK(manifest_gaps_parse("x", &g, &n) == -1);

	memset(&m, 0, sizeof m);
	memset(segs, 0, sizeof segs);
	strcpy(m.station, "st1");
	strcpy(m.tool, "rec-archive 0.1.0");
	strcpy(m.codec, "wav");
	utc_parse_iso("2026-11-28T03:15:00.000001Z", &m.start);
	utc_parse_iso("2026-11-28T03:17:00Z", &m.end);
	for (int i = 0; i < 2; i++) {
		snprintf(segs[i].name, sizeof segs[i].name,
		    "20261128T03150%d.000Z_st1.wav", i);
		strcpy(segs[i].member, segs[i].name);
		segs[i].start = m.start;
		segs[i].frames = 48000;
		segs[i].spec.rate = 48000;
		segs[i].spec.channels = 2;
		segs[i].spec.format = PCM_S24_3LE;
		strcpy(segs[i].sha256, H);
		strcpy(segs[i].pcm_sha256, H);
		segs[i].pcm_off = 300;
		segs[i].pcm_len = 48000 * 6;
		segs[i].size = 300 + 48000 * 6 + 200;
		strcpy(segs[i].run, "00ff");
	}
	struct manifest_gap gaps[1] = { { 7, 9 } };
	segs[1].gaps = gaps;
	segs[1].ngaps = 1;
	segs[1].recovered = 1;
	segs[1].lost_frames = 9;
	m.segs = segs;
	m.nsegs = 2;
	CHECK(manifest_dump(&m, &json, &len, &e) == 0);
	CHECK(len == strlen(json) && json[len - 1] == '\n');
	CHECK(manifest_load(json, len, &back, &e) == 0);
	CHECK(back.nsegs == 2);
	CHECK_STR(back.station, "st1");
	CHECK(utc_ns(&back.start) == utc_ns(&m.start));
	CHECK_STR(back.segs[1].name, segs[1].name);
	CHECK(back.segs[1].ngaps == 1 && back.segs[1].gaps[0].off == 7 &&
	    back.segs[1].gaps[0].len == 9);
	CHECK(back.segs[1].recovered && back.segs[1].lost_frames == 9);
	CHECK(back.segs[0].spec.format == PCM_S24_3LE);
	CHECK(back.segs[0].pcm_off == 300);
	/* the same input gives the same bytes */
	{
		char *again;
		size_t alen;
		CHECK(manifest_dump(&back, &again, &alen, &e) == 0);
		CHECK(alen == len && memcmp(again, json, len) == 0);
		free(again);
	}
	manifest_free(&back);

	/* strict: a bad hash, a PCM range outside the member, junk */
	bad = strdup(json);
	memcpy(strstr(bad, H), "X", 1);
	CHECK(manifest_load(bad, len, &back, &e) == -1 && e.ex == EX_DATAERR);
	CHECK(strstr(e.msg, "sha256") != NULL);
	free(bad);
	bad = strdup(json);
	memcpy(strstr(bad, "\"pcm_offset\": 300"), "\"pcm_offset\": 900", 17);
	CHECK(manifest_load(bad, len, &back, &e) == -1);
	free(bad);
	CHECK(manifest_load("{", 1, &back, &e) == -1 && e.ex == EX_DATAERR);
	CHECK(manifest_load("[]", 2, &back, &e) == -1);
	bad = strdup(json);
	memcpy(strstr(bad, "rec-manifest 1"), "rec-manifest 9", 14);
	CHECK(manifest_load(bad, len, &back, &e) == -1);
	free(bad);
	bad = strdup(json);
	memcpy(strstr(bad, "\"member\": \"2"), "\"member\": \"/", 12);
	CHECK(manifest_load(bad, len, &back, &e) == -1);
	free(bad);
	free(json);

	/* WAV members now: no pcm_sha256 (sha256 covers the PCM range) */
	segs[0].pcm_sha256[0] = segs[1].pcm_sha256[0] = '\0';
	CHECK(manifest_dump(&m, &json, &len, &e) == 0);
	CHECK(strstr(json, "pcm_sha256") == NULL);
	CHECK(strstr(json, "\"pcm_offset\": 300") != NULL);
	CHECK(manifest_load(json, len, &back, &e) == 0);
	CHECK(back.nsegs == 2 && back.segs[0].pcm_sha256[0] == '\0' &&
	    back.segs[1].pcm_off == 300 && back.segs[1].pcm_len == 48000 * 6);
	CHECK_STR(back.segs[0].sha256, H);
	manifest_free(&back);
	free(json);
	/* FLAC members must have it */
	strcpy(m.codec, "flac");
	CHECK(manifest_dump(&m, &json, &len, &e) == 0);
	CHECK(manifest_load(json, len, &back, &e) == -1 &&
	    strstr(e.msg, "pcm_sha256") != NULL);
	free(json);
	strcpy(m.codec, "wav");
	/* an older WAV manifest's pcm_sha256 is still checked for form */
	strcpy(segs[0].pcm_sha256, H);
	CHECK(manifest_dump(&m, &json, &len, &e) == 0);
	bad = strdup(json);
	memcpy(strstr(bad, "\"pcm_sha256\": \"0") + 15, "Z", 1);
	CHECK(manifest_load(bad, len, &back, &e) == -1 &&
	    strstr(e.msg, "pcm_sha256") != NULL);
	free(bad);
	free(json);
	segs[0].pcm_sha256[0] = '\0';

	/* a WAV member in a FLAC archive (a segment FLAC cannot hold) says
	 * so; the archive's codec is every other member's */
	strcpy(m.codec, "flac");
	strcpy(segs[0].codec, "wav");
	strcpy(segs[1].codec, "flac");
	strcpy(segs[1].pcm_sha256, H);
	CHECK(manifest_dump(&m, &json, &len, &e) == 0);
	CHECK(strstr(json, "\"codec\": \"wav\"") != NULL);
	CHECK(strstr(strstr(json, "segments"), "\"codec\": \"flac\"") == NULL);
	CHECK(manifest_load(json, len, &back, &e) == 0);
	CHECK_STR(back.segs[0].codec, "wav");
	CHECK_STR(back.segs[1].codec, "flac");
	CHECK(back.segs[0].pcm_off == 300 && back.segs[0].pcm_sha256[0] == 0);
	CHECK_STR(back.segs[1].pcm_sha256, H);
	manifest_free(&back);
	bad = strdup(json);
	memcpy(strstr(bad, "\"codec\": \"wav\""), "\"codec\": \"mp3\"", 14);
	CHECK(manifest_load(bad, len, &back, &e) == -1 &&
	    strstr(e.msg, "codec") != NULL);
	free(bad);
	free(json);
	/* members and names are never repeated, nor named like the manifest */
	strcpy(segs[1].member, segs[0].member);
	CHECK(manifest_dump(&m, &json, &len, &e) == 0);
	CHECK(manifest_load(json, len, &back, &e) == -1 &&
	    strstr(e.msg, "segment 2: repeated 'member'") != NULL);
	free(json);
	strcpy(segs[1].member, "other.flac");
	strcpy(segs[1].name, segs[0].name);
	CHECK(manifest_dump(&m, &json, &len, &e) == 0);
	CHECK(manifest_load(json, len, &back, &e) == -1 &&
	    strstr(e.msg, "segment 2: repeated 'name'") != NULL);
	free(json);
	strcpy(segs[1].name, "x.wav");
	strcpy(segs[1].member, MANIFEST_NAME);
	CHECK(manifest_dump(&m, &json, &len, &e) == 0);
	CHECK(manifest_load(json, len, &back, &e) == -1 &&
	    strstr(e.msg, "repeated 'member'") != NULL);
	free(json);
	return check_done();
}
