#!/usr/bin/env python3
"""Compare lib/sun (test/helpers/suntimes) with PyEphem (test 0460).

Usage: sunephem.py cases    -> prints "DAY LAT LON ELEV" lines
       sunephem.py compare  <- reads suntimes' output, exits 1 on a miss

Each event of lib/sun must be within 60 s of PyEphem's, with PyEphem set
to the same altitudes (no refraction model: pressure 0; the sun's centre
at -0.833 degrees less the dip 0.0347*sqrt(elevation), or at -6).
Polar days: both must say the sun stays up (or down) all day. At the
edge of a polar season the two may disagree on whether the sun just
grazes the altitude: then the one that sees a crossing must see a
day (or night) shorter than 40 minutes, so the disagreement is about a
few minutes of grazing; those cases are counted and printed.
"""
import math
import sys

import ephem

EPOCH = ephem.Date('1970/1/1 00:00:00')


def to_ephem(t):
    return ephem.Date(EPOCH + t / 86400.0)


def to_unix(d):
    return (float(d) - float(EPOCH)) * 86400.0


def cases():
    lats = [-70, -66.6, -60, -45.5, -33.9, -23.4, -10, 0, 5.3, 23.4, 35,
            48.1, 52.5, 59.9, 64.1, 66.5, 67.5, 69.6, 71, 74, 78]
    lons = [-157.8, -122.4, -73.9, -3.7, 0, 13.4, 77.2, 139.7, 174.8]
    days = []
    for y0 in (2024, 2026, 2027, 2031):
        base = int((ephem.Date('%d/1/1' % y0) - EPOCH))
        days += [base + d for d in (0, 31, 59, 79, 100, 140, 171, 172,
                                    200, 240, 266, 300, 330, 355, 364)]
    i = 0
    for day in days:
        for lat in lats:
            lon = lons[i % len(lons)]
            elev = (0, 0, 350, 2400)[i % 4]
            i += 1
            print(day, lat, lon, elev)


def ephem_events(day, lat, lon, elev, kind, transit):
    o = ephem.Observer()
    o.lat = str(lat)
    o.lon = str(lon)
    o.elevation = 0
    o.pressure = 0
    if kind == 0:
        alt = -0.833 - 0.0347 * math.sqrt(max(elev, 0))
    else:
        alt = -6.0
    o.horizon = str(alt)
    sun = ephem.Sun()
    o.date = to_ephem(transit)
    start = to_ephem(transit)
    res = {}
    for name, fn in (('rise', o.previous_rising), ('set', o.next_setting)):
        try:
            t = to_unix(fn(sun, start=start, use_center=True))
        except ephem.AlwaysUpError:
            return 'up', None
        except ephem.NeverUpError:
            return 'down', None
        if abs(t - transit) > 13 * 3600:
            # no crossing within this solar day: polar
            sun.compute(o)
            return ('up' if float(sun.alt) > math.radians(alt)
                    else 'down'), None
        res[name] = t
    # transit check
    tr = to_unix(o.next_transit(sun, start=to_ephem(transit - 6 * 3600)))
    res['transit'] = tr
    return 'normal', res


def compare():
    bad = edge = n = polar = 0
    states = {0: 'normal', 1: 'up', 2: 'down'}
    for line in sys.stdin:
        f = line.split()
        day, lat, lon, elev = int(f[0]), float(f[1]), float(f[2]), float(f[3])
        kind, st = int(f[4]), states[int(f[5])]
        transit, rise, set_ = int(f[6]), int(f[7]), int(f[8])
        est, ev = ephem_events(day, lat, lon, elev, kind, transit)
        n += 1
        what = '%s lat %g lon %g elev %g %s' % (
            ephem.Date(to_ephem(day * 86400)).datetime().date(), lat, lon,
            elev, ('rise/set', 'dawn/dusk')[kind])
        if st == 'normal' and est == 'normal':
            worst = max(abs(rise - ev['rise']), abs(set_ - ev['set']),
                        abs(transit - ev['transit']))
            if worst > 60:
                bad += 1
                print('MISS %s: ours %d..%d ephem %d..%d (%.0f s)' % (
                    what, rise, set_, ev['rise'], ev['set'], worst))
        elif st == est:
            polar += 1
        else:
            # one sees a crossing, the other not: only at a season's edge
            if st == 'normal':
                span = set_ - rise
            else:
                span = ev['set'] - ev['rise']
            short = min(span, 86400 - span)
            if short < 40 * 60:
                edge += 1
                print('edge %s: ours %s, ephem %s, span %d s' % (
                    what, st, est, span))
            else:
                bad += 1
                print('MISS %s: ours %s, ephem %s' % (what, st, est))
    print('%d events, %d polar agreed, %d at a season edge, %d misses' % (
        n, polar, edge, bad))
    if n < 100 or polar < 10:
        print('too few cases')
        return 1
    return 1 if bad else 0


if __name__ == '__main__':
    if sys.argv[1] == 'cases':
        cases()
    else:
        sys.exit(compare())
