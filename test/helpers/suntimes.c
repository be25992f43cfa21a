/*
 * suntimes: lib/sun for test 0460. Reads "DAY LAT LON ELEV" lines (DAY:
 * days since 1970-01-01) and prints, per line and kind (0 rise/set, 1
 * civil), "DAY LAT LON ELEV KIND STATE TRANSIT RISE SET" in seconds UTC.
 */
#include <inttypes.h>
#include <stdio.h>

#include "sun.h"

int
main(void)
{
	long long day;
	double lat, lon, elev;
	struct sun_times st;
	int k;

	while (scanf("%lld %lf %lf %lf", &day, &lat, &lon, &elev) == 4) {
		for (k = 0; k < 2; k++) {
			sun_day(day, lat, lon, elev, (enum sun_kind)k, &st);
			printf("%lld %g %g %g %d %d %" PRId64 " %" PRId64
			    " %" PRId64 "\n", day, lat, lon, elev, k,
			    (int)st.state, st.transit, st.rise, st.set);
		}
	}
	return 0;
}
