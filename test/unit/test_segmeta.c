/* Unit tests of lib/segmeta: a round trip, gap lists longer than any
 * fixed buffer (over 8 KiB and 64 KiB of text), malformed values, missing
 * keys. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "check.h"
#include "guano.h"
#include "segmeta.h"

static void
round_trip(void)
{
	struct segmeta m, r;
	struct guano g;
	struct err e;

	memset(&m, 0, sizeof(m));
	m.station = "st-1";
	m.device = "hw:CARD=x,DEV=0";
	m.run = "0123456789abcdef0123456789abcdef";
	m.format = "S24_3LE";
	m.first_frame = 18446744073709551615ULL;
	m.channels = 2;
	m.frames = 48000;
	m.recovered = 1;
	CHECK(segmeta_gap_add(&m, 100, 5) == 0);
	CHECK(segmeta_gap_add(&m, 100, 7) == 0);	/* merged */
	CHECK(segmeta_gap_add(&m, 4000, 25) == 0);
	CHECK(m.ngaps == 2 && m.gaps[0].len == 12 && m.lost_frames == 37);

	CHECK(guano_init(&g) == 0);
	CHECK(segmeta_write(&g, &m, SEGMETA_HEAD) == 0);
	CHECK(guano_add(&g, "Length", "1.000000") == 0);
	CHECK(segmeta_write(&g, &m, SEGMETA_FINAL | SEGMETA_RECOVERED) == 0);
	CHECK(strstr(g.buf, "REC|Gaps: 100+12,4000+25\n") != NULL);
	CHECK(strstr(g.buf, "REC|Lost Frames: 37\n") != NULL);
	CHECK(strstr(g.buf, "REC|Recovered: true\n") != NULL);

	CHECK(segmeta_read(g.buf, g.len, &r, &e) == 0);
	CHECK(r.have == (SEGMETA_HEAD | SEGMETA_FINAL | SEGMETA_RECOVERED));
	CHECK_STR(r.station, m.station);
	CHECK_STR(r.device, m.device);
	CHECK_STR(r.run, m.run);
	CHECK_STR(r.format, m.format);
	CHECK(r.first_frame == m.first_frame);
	CHECK(r.channels == 2 && r.frames == 48000 && r.recovered == 1);
	CHECK(r.lost_frames == 37 && r.ngaps == 2);
	CHECK(r.ngaps == 2 && r.gaps[1].off == 4000 && r.gaps[1].len == 25);
	{
		uint64_t fr;

		CHECK(segmeta_frames(g.buf, g.len, &fr) == 0 && fr == 48000);
	}
	segmeta_free(&r);
	CHECK(r.gaps == NULL && r.strs == NULL);
	guano_free(&g);
	segmeta_free(&m);
}

/* n gaps written and read back: text far over any fixed buffer. */
static void
many_gaps(size_t n, size_t min_text)
{
	struct segmeta m, r;
	struct guano g;
	struct err e;
	char *text;
	size_t i;

	memset(&m, 0, sizeof(m));
	m.station = m.device = m.run = m.format = "";
	for (i = 0; i < n; i++)
		CHECK(segmeta_gap_add(&m, 1000000 + 10 * i, 3) == 0);
	text = segmeta_gaps_text(&m);
	CHECK(text != NULL && strlen(text) > min_text);
	free(text);
	CHECK(guano_init(&g) == 0);
	CHECK(segmeta_write(&g, &m, SEGMETA_FINAL) == 0);
	CHECK(segmeta_read(g.buf, g.len, &r, &e) == 0);
	CHECK(r.ngaps == n && r.lost_frames == 3 * n);
	for (i = 0; i < n && i < r.ngaps; i++)
		if (r.gaps[i].off != 1000000 + 10 * i || r.gaps[i].len != 3)
			break;
	CHECK(i == n);
	segmeta_free(&r);
	guano_free(&g);
	segmeta_free(&m);
}

/* text must be refused with EX_DATAERR and a message naming key. */
static void
bad(const char *text, const char *msg)
{
	struct segmeta r;
	struct err e;

	e.msg[0] = '\0';
	CHECK(segmeta_read(text, strlen(text), &r, &e) == -1);
	CHECK(e.ex == EX_DATAERR);
	if (strstr(e.msg, msg) == NULL)
		fprintf(stderr, "message '%s', want '%s'\n", e.msg, msg);
	CHECK(strstr(e.msg, msg) != NULL);
	segmeta_free(&r);
}

static void
malformed(void)
{
	struct segmeta m;
	uint64_t fr;

	bad("GUANO|Version: 1.0\nREC|Gaps: ten+2\n", "bad GUANO REC|Gaps 'ten+2'");
	bad("REC|Gaps: 10+\n", "REC|Gaps");
	bad("REC|Gaps: 10-5\n", "REC|Gaps");
	bad("REC|Gaps: 1+2,\n", "REC|Gaps");
	bad("REC|Gaps: 1+99999999999999999999\n", "REC|Gaps");
	bad("REC|Frames: 12x\n", "bad GUANO REC|Frames '12x'");
	bad("REC|Frames: -1\n", "REC|Frames");
	bad("REC|Frames: 18446744073709551616\n", "REC|Frames");
	bad("REC|Lost Frames: \n", "REC|Lost Frames");
	bad("REC|First Frame: 0x10\n", "REC|First Frame");
	bad("REC|Channels: 4294967296\n", "REC|Channels");
	CHECK(segmeta_frames("REC|Frames: 1 2\n", 16, &fr) == -1);
	/* blank gaps are none; spaces around the commas are read */
	CHECK(segmeta_gaps_parse(memset(&m, 0, sizeof(m)), " 1+2 , 3+4 ",
	    11) == 0 && m.ngaps == 2 && m.lost_frames == 6);
	CHECK(segmeta_gaps_parse(&m, "x", 1) == -1 && m.ngaps == 2 &&
	    m.lost_frames == 6);
	segmeta_free(&m);
}

static void
missing(void)
{
	static const char t[] = "GUANO|Version: 1.0\nTimestamp: x\n"
	    "REC|Recovered: yes\nREC|Gaps:\n";
	struct segmeta r;
	struct err e;
	uint64_t fr;

	CHECK(segmeta_read(t, sizeof(t) - 1, &r, &e) == 0);
	CHECK(r.have == (SEGMETA_RECOVERED | SEGMETA_GAPS));
	CHECK(r.recovered == 0 && r.ngaps == 0 && r.gaps == NULL);
	CHECK_STR(r.station, "");
	CHECK_STR(r.run, "");
	CHECK(r.frames == 0 && r.lost_frames == 0 && r.first_frame == 0);
	segmeta_free(&r);
	CHECK(segmeta_read("", 0, &r, &e) == 0 && r.have == 0);
	segmeta_free(&r);
	CHECK(segmeta_frames(t, sizeof(t) - 1, &fr) == -1);
	CHECK(segmeta_final_key("REC|Gaps", 8) && segmeta_final_key(
	    "REC|Recovered", 13) && !segmeta_final_key("REC|Run", 7) &&
	    !segmeta_final_key("REC|Gap", 7));
}

/* The REC|Level keys: written per channel, read back, -inf kept, a
 * list of the wrong length refused. */
static void
levels(void)
{
	struct segmeta m, r;
	struct guano g;
	struct err e;
	const char *bad = "REC|Level Peak: -1.00,-2.00\n"
	    "REC|Level RMS: -3.00\n";

	memset(&m, 0, sizeof(m));
	CHECK((m.levels = calloc(2, sizeof(*m.levels))) != NULL);
	m.nlevels = 2;
	m.levels[0].peak = -0.004;
	m.levels[0].rms = -3.0103;
	m.levels[0].dc = -0.0001;
	m.levels[0].clipped = 1234;
	m.levels[0].hum = 0.25;
	m.levels[1].peak = m.levels[1].rms = -INFINITY;
	m.levels[1].flat = 1;
	CHECK(guano_init(&g) == 0);
	CHECK(segmeta_write(&g, &m, SEGMETA_LEVELS) == 0);
	CHECK(strstr(g.buf, "REC|Level Peak: -0.00,-inf\n") != NULL);
	CHECK(strstr(g.buf, "REC|Level RMS: -3.01,-inf\n") != NULL);
	CHECK(strstr(g.buf, "REC|Level Clipped: 1234,0\n") != NULL);
	CHECK(strstr(g.buf, "REC|Level Flat: false,true\n") != NULL);
	CHECK(strstr(g.buf, "REC|Level Hum: 0.250,0.000\n") != NULL);
	CHECK(segmeta_final_key("REC|Level Hum", 13));
	CHECK(segmeta_read(g.buf, g.len, &r, &e) == 0);
	CHECK(r.have == SEGMETA_LEVELS && r.nlevels == 2);
	if (r.nlevels == 2) {
		CHECK(fabs(r.levels[0].rms + 3.01) < 1e-9);
		CHECK(r.levels[0].clipped == 1234 && !r.levels[0].flat);
		CHECK(fabs(r.levels[0].dc + 0.0001) < 1e-9);
		CHECK(isinf(r.levels[1].peak) && r.levels[1].peak < 0);
		CHECK(r.levels[1].flat && r.levels[1].hum == 0);
	}
	segmeta_free(&r);
	CHECK(segmeta_read(bad, strlen(bad), &r, &e) < 0 &&
	    e.ex == EX_DATAERR);
	segmeta_free(&r);
	guano_free(&g);
	segmeta_free(&m);
}

/* The REC|Clock keys: written, read back to the nanosecond, steps of
 * either sign merged at one frame, malformed values refused. */
static void
clock_keys(void)
{
	static const char *const bad[] = {
		"REC|Clock Synced: yes\n", "REC|Clock Error: -1\n",
		"REC|Clock Max Error: 1.0000000001\n", "REC|Clock PPM: +\n",
		"REC|Clock PPM: nan\n", "REC|Clock Steps: 10:7.000000000\n",
		"REC|Clock Steps: 10:+7.5\n", "REC|Clock Steps: 10:+7.000000000,\n",
		"REC|Clock Steps: 10+7.000000000\n", NULL,
	};
	struct segmeta m, r;
	struct guano g;
	struct err e;
	size_t i;

	memset(&m, 0, sizeof(m));
	m.clock_synced = 1;
	m.clock_est_ns = 1500000;
	m.clock_max_ns = 16000000001LL;
	m.clock_ppm = 100.0416;
	CHECK(segmeta_step_add(&m, 0, 5) == 0);
	CHECK(segmeta_step_add(&m, 96000, -7200000000013LL) == 0);
	CHECK(segmeta_step_add(&m, 96000, 13) == 0);	/* merged */
	CHECK(segmeta_step_add(&m, 200000, 3600123456789LL) == 0);
	CHECK(m.nsteps == 3);
	CHECK(guano_init(&g) == 0);
	CHECK(segmeta_write(&g, &m, SEGMETA_CLOCK | SEGMETA_CLOCK_PPM |
	    SEGMETA_CLOCK_STEPS) == 0);
	CHECK_STR(g.buf, "GUANO|Version: 1.0\n"
	    "REC|Clock Synced: true\n"
	    "REC|Clock Error: 0.001500000\n"
	    "REC|Clock Max Error: 16.000000001\n"
	    "REC|Clock PPM: +100.042\n"
	    "REC|Clock Steps: 0:+0.000000005,96000:-7200.000000000,"
	    "200000:+3600.123456789\n");
	CHECK(segmeta_read(g.buf, g.len, &r, &e) == 0);
	CHECK(r.have == (SEGMETA_CLOCK | SEGMETA_CLOCK_PPM |
	    SEGMETA_CLOCK_STEPS));
	CHECK(r.clock_synced == 1 && r.clock_est_ns == 1500000 &&
	    r.clock_max_ns == 16000000001LL);
	CHECK(fabs(r.clock_ppm - 100.042) < 1e-9);
	CHECK(r.nsteps == 3 && r.steps[1].off == 96000 &&
	    r.steps[1].ns == -7200000000000LL &&
	    r.steps[2].ns == 3600123456789LL && r.steps[0].ns == 5);
	segmeta_free(&r);
	CHECK(r.steps == NULL);
	segmeta_free(&m);
	guano_free(&g);

	/* Not synced; no steps: no Steps key. */
	memset(&m, 0, sizeof(m));
	CHECK(guano_init(&g) == 0);
	CHECK(segmeta_write(&g, &m, SEGMETA_CLOCK | SEGMETA_CLOCK_STEPS) == 0);
	CHECK(strstr(g.buf, "REC|Clock Synced: false\n") != NULL);
	CHECK(strstr(g.buf, "REC|Clock Steps") == NULL);
	guano_free(&g);

	for (i = 0; bad[i] != NULL; i++) {
		memset(&e, 0, sizeof(e));
		CHECK(segmeta_read(bad[i], strlen(bad[i]), &r, &e) == -1 &&
		    e.ex == EX_DATAERR);
		segmeta_free(&r);
	}
	CHECK(segmeta_final_key("REC|Clock Steps", 15) &&
	    segmeta_final_key("REC|Clock PPM", 13) &&
	    !segmeta_final_key("REC|Clock Synced", 16));
}

int
main(void)
{
	clock_keys();
	levels();
	round_trip();
	many_gaps(1000, 8 * 1024);
	many_gaps(8000, 64 * 1024);
	malformed();
	missing();
	return check_done();
}
