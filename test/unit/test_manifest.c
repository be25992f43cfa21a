/* Unit tests of lib/manifest: REC|Gaps, a round trip (levels and clock
 * too), strict reading. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "check.h"
#include "manifest.h"
#include "utc.h"

static const char H[] =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const char H2[] =
    "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

static int
same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/*
 * What manifest_load gave back against what the test put in, every field
 * of struct manifest and struct manifest_seg (lib/manifest.h): times are
 * whole microseconds (the file's precision); a member's codec left ""
 * comes back as the archive's; pcm_sha256 as put in, the PCM range of a
 * WAV member only (FLAC members do not carry one: 0).
 */
static void
same_manifest(const struct manifest *got, const struct manifest *want)
{
	CHECK_STR(got->station, want->station);
	CHECK_STR(got->tool, want->tool);
	CHECK_STR(got->codec, want->codec);
	CHECK(same_time(&got->start, &want->start));
	CHECK(same_time(&got->end, &want->end));
	CHECK(got->nsegs == want->nsegs);
	for (size_t i = 0; i < got->nsegs && i < want->nsegs; i++) {
		const struct manifest_seg *g = &got->segs[i], *w = &want->segs[i];
		const char *codec = w->codec[0] ? w->codec : want->codec;
		int wav = strcmp(codec, "wav") == 0;

		CHECK_STR(g->name, w->name);
		CHECK_STR(g->member, w->member);
		CHECK_STR(g->codec, codec);
		CHECK(same_time(&g->start, &w->start));
		CHECK(g->frames == w->frames);
		CHECK(g->spec.rate == w->spec.rate);
		CHECK(g->spec.channels == w->spec.channels);
		CHECK(g->spec.format == w->spec.format);
		CHECK(g->ngaps == w->ngaps);
		for (size_t k = 0; k < g->ngaps && k < w->ngaps; k++)
			CHECK(g->gaps[k].off == w->gaps[k].off &&
			    g->gaps[k].len == w->gaps[k].len);
		CHECK(g->ngaps > 0 || g->gaps == NULL);
		CHECK(g->lost_frames == w->lost_frames);
		CHECK(g->recovered == w->recovered);
		CHECK_STR(g->run, w->run);
		CHECK(g->first_frame == w->first_frame);
		CHECK(g->size == w->size);
		CHECK(g->offset == w->offset);
		CHECK_STR(g->sha256, w->sha256);
		CHECK_STR(g->pcm_sha256, w->pcm_sha256);
		CHECK(g->pcm_off == (wav ? w->pcm_off : 0));
		CHECK(g->pcm_len == (wav ? w->pcm_len : 0));
		CHECK(g->nlevels == w->nlevels);
		for (unsigned k = 0; k < g->nlevels && k < w->nlevels; k++) {
			const struct level_stat *a = &g->levels[k],
			    *b = &w->levels[k];

			CHECK(a->peak == b->peak && a->rms == b->rms);
			CHECK(a->dc == b->dc && a->hum == b->hum);
			CHECK(a->clipped == b->clipped && a->flat == b->flat);
		}
		CHECK(g->clock.have == w->clock.have);
		if (!w->clock.have)
			continue;
		CHECK(g->clock.synced == w->clock.synced);
		CHECK(g->clock.est_ns == w->clock.est_ns);
		CHECK(g->clock.max_ns == w->clock.max_ns);
		CHECK(g->clock.have_ppm == w->clock.have_ppm);
		CHECK(g->clock.ppm == (w->clock.have_ppm ? w->clock.ppm : 0));
		CHECK(g->clock.nsteps == w->clock.nsteps);
		CHECK(g->clock.nsteps > 0 || g->clock.steps == NULL);
		for (size_t k = 0; k < g->clock.nsteps &&
		    k < w->clock.nsteps; k++)
			CHECK(g->clock.steps[k].off == w->clock.steps[k].off &&
			    g->clock.steps[k].ns == w->clock.steps[k].ns);
	}
}

/*
 * manifest_load of json with the last `from` replaced by `to` (the last:
 * segment 2's clock is the end of the text): 0 or -1 (e filled); a
 * `from` not in json is a failed check (and -2).
 */
static int
load_changed(const char *json, const char *from, const char *to,
    struct err *e)
{
	const char *at = NULL, *p = json;
	struct manifest m;
	char *t;
	size_t n;
	int rc;

	while ((p = strstr(p, from)) != NULL)
		at = p++;
	CHECK(at != NULL);
	if (at == NULL)
		return -2;
	n = strlen(json) - strlen(from) + strlen(to);
	if ((t = malloc(n + 1)) == NULL)
		return -2;
	snprintf(t, n + 1, "%.*s%s%s", (int)(at - json), json, to,
	    at + strlen(from));
	rc = manifest_load(t, n, &m, e);
	if (rc == 0)
		manifest_free(&m);
	free(t);
	return rc;
}

/* The change is refused with EX_DATAERR naming `what` in segment 2. */
#define REFUSED(json, from, to, what) do { \
	struct err e_; \
	CHECK(load_changed(json, from, to, &e_) == -1 && \
	    e_.ex == EX_DATAERR && \
	    strstr(e_.msg, "segment 2: bad or missing '" what "'") != NULL); \
} while (0)

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
	/* every field of each segment differs from the other's */
	for (int i = 0; i < 2; i++) {
		snprintf(segs[i].name, sizeof segs[i].name,
		    "20261128T03150%d.000Z_st1.wav", i);
		snprintf(segs[i].member, sizeof segs[i].member,
		    "20261128T03150%d.000Z_st1.m.wav", i);
		segs[i].start = m.start;
		segs[i].start.tv_sec += 60 * i;
		segs[i].start.tv_nsec += 1000 * i;
		segs[i].frames = 48000 + 1000 * i;
		segs[i].spec.rate = 48000 - 4000 * i;
		segs[i].spec.channels = 2;
		segs[i].spec.format = PCM_S24_3LE;
		strcpy(segs[i].sha256, i ? H2 : H);
		segs[i].pcm_sha256[0] = '\0';	/* WAV: none */
		segs[i].pcm_off = 300 + 4 * i;
		segs[i].pcm_len = segs[i].frames * 6;
		segs[i].size = segs[i].pcm_off + segs[i].pcm_len + 200 + i;
		strcpy(segs[i].run, i ? "00ff" : "a1b2c3");
		segs[i].first_frame = 96000 * (uint64_t)i + 17;
		segs[i].offset = 1536 + 512 * 1000 * (uint64_t)i;
	}
	struct manifest_gap gaps[2] = { { 7, 9 }, { 5000000000ULL, 3 } };	/* 64 bits */
	segs[1].gaps = gaps;
	segs[1].ngaps = 2;
	segs[1].recovered = 1;
	segs[1].lost_frames = 12;
	struct level_stat lv[2] = {
		{ -0.5, -3.01, 0.000123, 0.25, 7, 0 },
		{ -INFINITY, -INFINITY, 0, 0, 0, 1 },
	};
	segs[1].levels = lv;
	segs[1].nlevels = 2;
	/* a clock: not synced, a measured card, steps back and forward to
	 * the nanosecond, one at the segment's last frame (49000 frames) */
	struct manifest_step steps[2] = {
		{ 0, -7200000000000LL }, { 49000, 10800000000001LL },
	};
	segs[1].clock.have = 1;
	segs[1].clock.synced = 0;
	segs[1].clock.est_ns = 512000;
	segs[1].clock.max_ns = 16000512000LL;
	segs[1].clock.have_ppm = 1;
	segs[1].clock.ppm = 104.167;
	segs[1].clock.steps = steps;
	segs[1].clock.nsteps = 2;
	m.segs = segs;
	m.nsegs = 2;
	CHECK(manifest_dump(&m, &json, &len, &e) == 0);
	CHECK(len == strlen(json) && json[len - 1] == '\n');
	CHECK(strstr(json, "\"rms\": -3.01,") != NULL);
	CHECK(strstr(json, "\"peak\": null,") != NULL);
	CHECK(strstr(json, "\"dc\": 0.000123,") != NULL);
	/* "clock" in segment 2 only, its keys in their order */
	{
		const char *c = strstr(json, "\"clock\": {");
		const char *k[] = { "\"synced\": false,",
		    "\"est_error\": 0.000512,", "\"max_error\": 16.000512,",
		    "\"ppm\": 104.167,", "\"steps\": [", "-7200000000000",
		    "49000,", "10800000000001" };

		CHECK(c != NULL && c > strstr(json, "\"name\": \"20261128T031501"));
		CHECK(c != NULL && strstr(c + 1, "\"clock\"") == NULL);
		for (size_t i = 0; c != NULL && i < sizeof k / sizeof *k; i++)
			CHECK((c = strstr(c, k[i])) != NULL);
	}
	CHECK(manifest_load(json, len, &back, &e) == 0);
	same_manifest(&back, &m);
	CHECK(utc_ns(&back.start) == utc_ns(&m.start));
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
	bad = strdup(json);
	memcpy(strstr(bad, "\"flat\": false"), "\"flat\": 0    ", 13);
	CHECK(manifest_load(bad, len, &back, &e) == -1 &&
	    strstr(e.msg, "levels") != NULL);
	free(bad);

	/* offsets: where the member lies in the tar, in 512-byte blocks */
	CHECK(strstr(json, "\"offset\": 513536") != NULL);
	bad = strdup(json);
	memcpy(strstr(bad, "\"offset\": 1536"), "\"offset\": 1537", 14);
	CHECK(manifest_load(bad, len, &back, &e) == -1 &&
	    strstr(e.msg, "segment 1: bad or missing 'offset'") != NULL);
	free(bad);
	bad = strdup(json);
	memcpy(strstr(bad, "\"offset\": 513536"), "\"offset\": 1e+03 ", 16);
	CHECK(manifest_load(bad, len, &back, &e) == -1);
	free(bad);

	/* a clock that is not one (the text unchanged loads) */
	CHECK(load_changed(json, "\"synced\": false", "\"synced\": false",
	    &e) == 0);
	REFUSED(json, "\"synced\": false,", "", "clock.synced");
	REFUSED(json, "\"synced\": false", "\"synced\": 0", "clock.synced");
	REFUSED(json, "\"synced\": false", "\"synced\": \"false\"",
	    "clock.synced");
	REFUSED(json, "\"est_error\": 0.000512,", "", "clock.est_error");
	REFUSED(json, "\"est_error\": 0.000512", "\"est_error\": -0.000512",
	    "clock.est_error");
	REFUSED(json, "\"est_error\": 0.000512", "\"est_error\": null",
	    "clock.est_error");
	REFUSED(json, "\"max_error\": 16.000512", "\"max_error\": -1",
	    "clock.max_error");
	REFUSED(json, "\"max_error\": 16.000512", "\"max_error\": \"16\"",
	    "clock.max_error");
	REFUSED(json, "\"max_error\": 16.000512", "\"max_error\": 1e300",
	    "clock.max_error");
	REFUSED(json, "\"ppm\": 104.167", "\"ppm\": \"+104.167\"",
	    "clock.ppm");
	REFUSED(json, "\"ppm\": 104.167", "\"ppm\": null", "clock.ppm");
	REFUSED(json, "-7200000000000", "-7200000000000.5", "clock.steps");
	REFUSED(json, "-7200000000000", "\"-7200\"", "clock.steps");
	REFUSED(json, "-7200000000000", "-7200000000000, 1", "clock.steps");
	REFUSED(json, "49000,", "49001,", "clock.steps");
	REFUSED(json, "49000,", "-1,", "clock.steps");
	REFUSED(json, "\"steps\": [", "\"steps\": [5, ", "clock.steps");
	REFUSED(json, "\"clock\": {", "\"clock\": [], \"x\": {", "clock");
	free(json);

	/* a clock without ppm and steps, synced: only its three keys; empty
	 * or wrong step lists refused */
	segs[1].clock.synced = 1;
	segs[1].clock.have_ppm = 0;
	segs[1].clock.nsteps = 0;
	segs[1].clock.steps = NULL;
	CHECK(manifest_dump(&m, &json, &len, &e) == 0);
	CHECK(strstr(json, "\"synced\": true,") != NULL);
	CHECK(strstr(json, "\"ppm\"") == NULL && strstr(json, "\"steps\"") ==
	    NULL);
	CHECK(manifest_load(json, len, &back, &e) == 0);
	same_manifest(&back, &m);
	manifest_free(&back);
	REFUSED(json, "\"max_error\": 16.000512", "\"max_error\": 16.000512, "
	    "\"steps\": []", "clock.steps");
	REFUSED(json, "\"max_error\": 16.000512", "\"max_error\": 16.000512, "
	    "\"steps\": [[1]]", "clock.steps");
	REFUSED(json, "\"max_error\": 16.000512", "\"max_error\": 16.000512, "
	    "\"steps\": 5", "clock.steps");
	/* an integer is a number of seconds too */
	CHECK(load_changed(json, "\"est_error\": 0.000512", "\"est_error\": 0",
	    &e) == 0);
	free(json);
	/* a step offset past the segment's frames, dumped as given */
	segs[1].clock.steps = steps;
	segs[1].clock.nsteps = 2;
	steps[1].off = segs[1].frames + 1;
	CHECK(manifest_dump(&m, &json, &len, &e) == 0);
	CHECK(manifest_load(json, len, &back, &e) == -1 &&
	    strstr(e.msg, "segment 2: bad or missing 'clock.steps'") != NULL);
	free(json);
	steps[1].off = segs[1].frames;
	segs[1].clock.have = 0;		/* no clock: older segments */
	CHECK(manifest_dump(&m, &json, &len, &e) == 0);
	CHECK(strstr(json, "clock") == NULL && strstr(json, "synced") == NULL);
	CHECK(manifest_load(json, len, &back, &e) == 0);
	same_manifest(&back, &m);
	manifest_free(&back);
	free(json);

	/* WAV members now: no pcm_sha256 (sha256 covers the PCM range) */
	segs[0].pcm_sha256[0] = segs[1].pcm_sha256[0] = '\0';
	CHECK(manifest_dump(&m, &json, &len, &e) == 0);
	CHECK(strstr(json, "pcm_sha256") == NULL);
	CHECK(strstr(json, "\"pcm_offset\": 300") != NULL);
	CHECK(manifest_load(json, len, &back, &e) == 0);
	same_manifest(&back, &m);
	manifest_free(&back);
	free(json);
	/* FLAC members must have it */
	strcpy(m.codec, "flac");
	CHECK(manifest_dump(&m, &json, &len, &e) == 0);
	CHECK(manifest_load(json, len, &back, &e) == -1 &&
	    strstr(e.msg, "pcm_sha256") != NULL);
	free(json);
	strcpy(m.codec, "wav");
	/* a WAV member with a PCM hash is refused: sha256 covers the PCM */
	strcpy(segs[0].pcm_sha256, H);
	CHECK(manifest_dump(&m, &json, &len, &e) == 0);
	CHECK(manifest_load(json, len, &back, &e) == -1 &&
	    strstr(e.msg, "pcm_sha256") != NULL);
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
	same_manifest(&back, &m);
	CHECK_STR(back.segs[0].codec, "wav");
	CHECK_STR(back.segs[1].codec, "flac");
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
