/*
 * sun: sunrise, sunset and civil dawn and dusk for a date and a place,
 * in UTC, by the NOAA solar calculator's algorithm (Meeus, "Astronomical
 * Algorithms"; the NOAA spreadsheet), good to well under a minute between
 * the polar circles and to about a minute near polar day and night.
 *
 * The day: `day` counts days since 1970-01-01 (a calendar date, e.g. a
 * local date); its events are the ones around the solar transit nearest
 * to 12:00 mean solar time at the longitude on that date: the rise (or
 * dawn) before that transit and the set (or dusk) after it.
 *
 * Altitudes: sunrise and sunset when the sun's upper limb touches the
 * horizon with standard refraction (centre at -0.833 degrees), lowered by
 * the dip of the horizon seen from elevation metres (0.0347 * sqrt(m)
 * degrees); dawn and dusk when the centre is 6 degrees below the
 * geometric horizon (civil twilight), whatever the elevation.
 *
 * Days without the event: SUN_UP when the sun stays above the altitude
 * all day (polar day; for dawn/dusk: no night), SUN_DOWN when it stays
 * below (polar night). The rule callers apply (lib/schedule.h): on a
 * polar day the sun "rises" at the solar midnight before the transit
 * and "sets" at the one after it (halfway to the neighbouring days'
 * transits, so that polar days join without a gap); in polar night it
 * rises and sets at the transit, so that the nights join too. sun_day()
 * fills rise and set by that rule, so the arithmetic of a caller stays
 * the same on every day.
 */
#ifndef REC_SUN_H
#define REC_SUN_H

#include <stdint.h>

enum sun_kind {
	SUN_RISESET,		/* sunrise and sunset */
	SUN_CIVIL		/* dawn and dusk: the sun at -6 degrees */
};

enum sun_state {
	SUN_NORMAL = 0,		/* the sun crosses the altitude twice */
	SUN_UP = 1,		/* above it all day (polar day) */
	SUN_DOWN = 2		/* below it all day (polar night) */
};

struct sun_times {
	int64_t transit;	/* solar noon, seconds since the epoch (UTC) */
	int64_t rise, set;	/* the crossings (or the polar rule's times) */
	enum sun_state state;
};

/*
 * The events of day (days since 1970-01-01) at lat (degrees, north
 * positive, -90..90), lon (degrees, east positive) and elev (metres above
 * the surroundings; negative counts as 0), rounded to the second. Never
 * fails for finite arguments.
 */
void sun_day(int64_t day, double lat, double lon, double elev,
    enum sun_kind kind, struct sun_times *out);

#endif
