/* Unit tests of lib/aname: archive and segment names, both ways. */
#include <errno.h>
#include <string.h>

#include "aname.h"
#include "check.h"
#include "utc.h"

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
	CHECK(aname_parse("20261128T041500.000Z_20261128T031500.250Z_s.tar",
	    &back) == -1);			/* ends before it starts */
	CHECK(aname_parse("x", &back) == -1);
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

	CHECK(aname_compress_parse("zstd", &c) == 0 && c == ANAME_ZSTD);
	CHECK(aname_compress_parse("bz2", &c) == -1);
	CHECK_STR(aname_compress_ext(ANAME_GZIP), ".gz");
	CHECK_STR(aname_compress_name(ANAME_NONE), "none");
	return check_done();
}
