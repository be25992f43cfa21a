/*
 * Unit tests: lib/sun against fixed values (PyEphem 4.1.4 at the same
 * altitudes, pressure 0), within a minute; polar day and night follow
 * the rule of sun.h. Test 0460 compares thousands more with PyEphem.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "sun.h"

#define NEAR(a, b)	(llabs((long long)(a) - (long long)(b)) <= 60)

static void
test_fixed(void)
{
	struct sun_times st;

	/* Berlin, 2026-12-02 (day 20789): 06:55:45 and 14:55:25 UTC */
	sun_day(20789, 52.52, 13.405, 0, SUN_RISESET, &st);
	CHECK(st.state == SUN_NORMAL);
	CHECK(NEAR(st.rise, 1796194545) && NEAR(st.set, 1796223325));
	CHECK(st.rise < st.transit && st.transit < st.set);
	sun_day(20789, 52.52, 13.405, 0, SUN_CIVIL, &st);
	CHECK(NEAR(st.rise, 1796192121) && NEAR(st.set, 1796225748));
	/* Sydney on a leap day, 2028-02-29 (day 21243) */
	sun_day(21243, -33.87, 151.21, 0, SUN_RISESET, &st);
	CHECK(NEAR(st.rise, 1835379733) && NEAR(st.set, 1835425950));
	/* the equator at 0 degrees on the 2026 equinox (day 20532) */
	sun_day(20532, 0, 0, 0, SUN_RISESET, &st);
	CHECK(NEAR(st.rise, 1773986651) && NEAR(st.set, 1774030241));
	/* the horizon's dip: a higher station sees the sun earlier */
	{
		struct sun_times hi;

		sun_day(20532, 0, 0, 2500, SUN_RISESET, &hi);
		CHECK(hi.rise < st.rise - 60 && hi.set > st.set + 60);
		sun_day(20532, 0, 0, -50, SUN_RISESET, &hi);
		CHECK(hi.rise == st.rise && hi.set == st.set);
	}
}

static void
test_polar(void)
{
	struct sun_times st;

	/* Tromso (69.65 N) on 2026-12-21 (day 20808): polar night */
	sun_day(20808, 69.65, 18.96, 0, SUN_RISESET, &st);
	CHECK(st.state == SUN_DOWN);
	CHECK(st.rise == st.transit && st.set == st.transit);
	/* ... but civil twilight around noon */
	sun_day(20808, 69.65, 18.96, 0, SUN_CIVIL, &st);
	CHECK(st.state == SUN_NORMAL && st.set - st.rise > 3600);
	/* ... and 2026-06-21 (day 20625): polar day, dawn..dusk too */
	sun_day(20625, 69.65, 18.96, 0, SUN_RISESET, &st);
	CHECK(st.state == SUN_UP);
	CHECK(llabs(st.rise - (st.transit - 43200)) < 60 &&
	    llabs(st.set - (st.transit + 43200)) < 60);
	{
		struct sun_times next;

		/* polar days join: this day's set is the next one's rise */
		sun_day(20626, 69.65, 18.96, 0, SUN_RISESET, &next);
		CHECK(next.state == SUN_UP && next.rise == st.set);
	}
	sun_day(20625, 69.65, 18.96, 0, SUN_CIVIL, &st);
	CHECK(st.state == SUN_UP);
	/* the south: McMurdo (77.85 S) has its polar day in December */
	sun_day(20808, -77.85, 166.67, 0, SUN_RISESET, &st);
	CHECK(st.state == SUN_UP);
	sun_day(20625, -77.85, 166.67, 0, SUN_CIVIL, &st);
	CHECK(st.state == SUN_DOWN);
	/* the poles themselves do not divide by zero */
	sun_day(20625, 90, 0, 0, SUN_RISESET, &st);
	CHECK(st.state == SUN_UP);
	sun_day(20625, -90, 0, 0, SUN_RISESET, &st);
	CHECK(st.state == SUN_DOWN);
}

int
main(void)
{
	test_fixed();
	test_polar();
	return check_done();
}
