/* Unit tests of lib/aname: archive and segment names, both ways. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "aname.h"
#include "check.h"
#include "conf.h"
#include "utc.h"

/* Deterministic pseudo-random numbers, so a failure repeats. */
static uint64_t rng = 0x0410;

static unsigned
rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rng >> 33) % n;
}

/*
 * A station name conf_station_valid accepts: any of its characters, with
 * the suffixes names are made of (and their look-alikes) mixed in, up to
 * the longest allowed.
 */
static void
gen_station(char *st)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-";
	static const char *const bits[] = { ".wav", ".tar", ".age", ".gz",
	    ".zst", ".xz", ".tar.gz", ".tar.age", ".wave", ".tarn", ".sums",
	    ".idx", ".upload", ".part", ".", "..", "_" };
	size_t want = 1 + rnd(ANAME_STATION_MAX), n = 0;

	do {
		n = 0;
		while (n < want) {
			const char *b = rnd(3) ? NULL : bits[rnd(sizeof bits /
			    sizeof bits[0])];
			if (b != NULL && strcmp(b, "_") != 0 &&
			    n + strlen(b) <= want) {
				memcpy(st + n, b, strlen(b));
				n += strlen(b);
			} else {
				st[n++] = chars[rnd(sizeof chars - 1)];
			}
		}
		st[n] = '\0';
	} while (!conf_station_valid(st));
}

/* Format, then parse, every kind of name of one station. */
static void
round_trip(const char *station)
{
	static const char *const rests[] = { "", ".sums", ".idx", ".upload",
	    ".part", ".flac.part" };
	struct aname an, back;
	struct timespec ts;
	char name[ANAME_MAX], full[ANAME_MAX + 16], st[ANAME_STATION_MAX + 1];
	int ok;

	memset(&an, 0, sizeof an);
	an.start = utc_from_ns((int64_t)rnd(1u << 30) * 1000000000 +
	    (int64_t)rnd(1000) * 1000000);
	/* either order: the name's times are labels (a clock set back) */
	an.end = utc_from_ns(utc_ns(&an.start) +
	    ((int64_t)rnd(200000) - 100000) * 1000000);
	snprintf(an.station, sizeof an.station, "%s", station);
	for (int c = ANAME_NONE; c <= ANAME_XZ; c++)
		for (int enc = 0; enc <= 1; enc++) {
			an.compress = (enum aname_compress)c;
			an.encrypted = enc;
			ok = aname_format(&an, name, sizeof name) != NULL;
			CHECK(ok);
			if (!ok)
				continue;
			for (size_t r = 0; r < sizeof rests / sizeof rests[0];
			    r++) {
				snprintf(full, sizeof full, "%s%s", name,
				    rests[r]);
				ok = aname_parse(full, &back) ==
				    (int)strlen(name) &&
				    strcmp(back.station, station) == 0 &&
				    back.compress == an.compress &&
				    back.encrypted == enc &&
				    utc_ns(&back.start) == utc_ns(&an.start) &&
				    utc_ns(&back.end) == utc_ns(&an.end);
				CHECK(ok);
				if (!ok)
					fprintf(stderr, "  name %s\n", full);
			}
		}
	utc_name(&an.start, name, sizeof name);
	snprintf(full, sizeof full, "%s_%s.wav", name, station);
	ok = aname_seg_parse(full, &ts, st) == 0 && strcmp(st, station) == 0 &&
	    utc_ns(&ts) == utc_ns(&an.start);
	CHECK(ok);
	if (!ok)
		fprintf(stderr, "  segment %s\n", full);
	/* a segment name is exact: a sidecar suffix makes it something else */
	snprintf(full + strlen(full), sizeof full - strlen(full), ".sums");
	CHECK(aname_seg_parse(full, &ts, st) == -1);
}

/* Every station the config accepts gives names that parse back. */
static void
property_round_trip(void)
{
	static const char *const fixed[] = { "pi.wave", "lake.tarn-1",
	    "a.tar", "a.wav", "x.tar.gz", "x.tar.age", "y.wav.tar", ".tar",
	    ".wav", "...", "-", "a..b", "st.a-1" };
	char st[ANAME_STATION_MAX + 1];

	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		round_trip(fixed[i]);
	memset(st, 'z', ANAME_STATION_MAX);
	memcpy(st + ANAME_STATION_MAX - 4, ".tar", 4);
	st[ANAME_STATION_MAX] = '\0';
	round_trip(st);
	for (int i = 0; i < 3000; i++) {
		gen_station(st);
		round_trip(st);
	}
}

int
main(void)
{
	struct aname an, back;
	struct timespec ts;
	char buf[ANAME_MAX], st[ANAME_STATION_MAX + 1];
	enum aname_compress c;

	memset(&an, 0, sizeof an);
	CHECK(utc_parse_name("20261128T031500.000Z", &an.start) == 0);
	CHECK(utc_parse_name("20261128T041500.250Z", &an.end) == 0);
	strcpy(an.station, "station1");
	CHECK_STR(aname_format(&an, buf, sizeof buf),
	    "20261128T031500.000Z_20261128T041500.250Z_station1.tar");
	an.compress = ANAME_ZSTD;
	an.encrypted = 1;
	CHECK_STR(aname_format(&an, buf, sizeof buf),
	    "20261128T031500.000Z_20261128T041500.250Z_station1.tar.zst.age");
	CHECK(aname_format(&an, buf, 20) == NULL && errno == ERANGE);
	strcpy(an.station, "bad/station");
	CHECK(aname_format(&an, buf, sizeof buf) == NULL);

	/* parse: the length of the archive name, the rest is the caller's */
	CHECK(aname_parse("20261128T031500.000Z_20261128T041500.250Z_st.a-1"
	    ".tar.xz.idx", &back) == 55);
	CHECK_STR(back.station, "st.a-1");
	CHECK(back.compress == ANAME_XZ && !back.encrypted);
	CHECK(back.end.tv_nsec == 250000000);
	CHECK(aname_parse("20261128T031500.000Z_20261128T041500.250Z_s.tar",
	    &back) == 47);
	CHECK(back.compress == ANAME_NONE);
	CHECK(aname_parse("20261128T031500.000Z_20261128T041500.250Z_s.tar"
	    ".age.sums", &back) == 51 && back.encrypted);
	CHECK(aname_parse("20261128T031500.000Z_20261128T041500.250Z_s.tar"
	    ".gz.part", &back) == 50 && back.compress == ANAME_GZIP);
	/* not archive names */
	CHECK(aname_parse("20261128T031500.000Z_s.wav", &back) == -1);
	CHECK(aname_parse("20261128T031500.000Z_20261128T041500.250Z_s.tarx",
	    &back) == -1);
	/* an end before the start (a clock set back) is still a name */
	CHECK(aname_parse("20261128T041500.000Z_20261128T031500.250Z_s.tar",
	    &back) == 47);
	CHECK(back.end.tv_sec < back.start.tv_sec);
	CHECK(aname_latest_ns(&back) == utc_ns(&back.start));
	back.end.tv_sec += 7200;
	CHECK(aname_latest_ns(&back) == utc_ns(&back.end));
	CHECK(aname_parse("x", &back) == -1);
	/* all of the name, or not an archive name */
	CHECK(aname_is_archive("20261128T031500.000Z_20261128T041500.250Z_"
	    "s.tar.gz.age"));
	CHECK(aname_is_archive("20261128T031500.000Z_20261128T041500.250Z_"
	    "s.tar.sums.tar"));
	CHECK(!aname_is_archive("20261128T031500.000Z_20261128T041500.250Z_"
	    "s.tar.sums"));
	CHECK(!aname_is_archive("20261128T031500.000Z_20261128T041500.250Z_"
	    "s.tar.idx"));
	CHECK(!aname_is_archive("20261128T031500.000Z_s.wav"));
	CHECK(!aname_is_archive(""));
	/* an archive's end label: its last segment's name plus its length */
	CHECK(utc_frames_ns(4800, 48000) == 100000000);
	CHECK(utc_frames_ns(1, 44100) == 22675);
	/* frames * 1e9 would overflow 64 bits: */
	CHECK(utc_frames_ns(412316860428345ULL, 48000) ==
	    8589934592257187500LL);
	CHECK(utc_frames_ns(UINT64_MAX, 48000) == INT64_MAX);
	CHECK(utc_frames_ns(UINT64_MAX, 1) == INT64_MAX);
	CHECK(utc_frames_ns(5, 0) == 0);
	CHECK(aname_parse("20261128T031500.000Z_20261128T041500.250Z_.tar",
	    &back) == -1);

	/* segment names */
	CHECK(aname_seg_parse("20261128T031500.123Z_station1.wav", &ts,
	    st) == 0);
	CHECK_STR(st, "station1");
	CHECK(ts.tv_nsec == 123000000);
	CHECK(aname_seg_parse("20261128T031500.123Z_station1.wav.x", &ts,
	    st) == -1);
	CHECK(aname_seg_parse("not-a-segment.wav", &ts, st) == -1);
	CHECK(aname_seg_parse("20261128T031500.123Z_.wav", &ts, st) == -1);
	CHECK(aname_seg_parse("20261128T031500.123Z_...wav", &ts, st) == -1);
	CHECK(aname_seg_parse("20261128T031500.123Z_.wav.wav", &ts, st) == 0);
	CHECK_STR(st, ".wav");

	/* "." and ".." are not station names */
	CHECK(!conf_station_valid("."));
	CHECK(!conf_station_valid(".."));
	CHECK(conf_station_valid("..."));
	property_round_trip();

	CHECK(aname_compress_parse("zstd", &c) == 0 && c == ANAME_ZSTD);
	CHECK(aname_compress_parse("bz2", &c) == -1);
	CHECK_STR(aname_compress_ext(ANAME_GZIP), ".gz");
	CHECK_STR(aname_compress_name(ANAME_NONE), "none");
	return check_done();
}
