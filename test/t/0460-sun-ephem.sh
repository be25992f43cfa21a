# lib/sun (sunrise, sunset, civil dawn and dusk; polar day and night)
# agrees with an independent implementation, PyEphem (Debian's
# python3-ephem), within one minute at 21 latitudes from 70 S to 78 N,
# nine longitudes, four elevations and 60 dates of four years (solstices,
# equinoxes, leap days, year ends): 2520 events, about 370 of them polar
# days or nights on which both must agree that the sun stays up or down.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"
py=/usr/bin/python3
$py -c 'import ephem' 2>/dev/null ||
	fail "no python3-ephem (scripts/deps/sched.apt)"

$py "$REC_TOP/test/data/sunephem.py" cases >cases
suntimes <cases >ours
[ "$(wc -l <ours)" = $((2 * $(wc -l <cases))) ] || fail "suntimes lost lines"
$py "$REC_TOP/test/data/sunephem.py" compare <ours >report ||
	{ tail -n 20 report >&2; fail "lib/sun and PyEphem disagree"; }
tail -n 1 report
expect_grep ' 0 misses$' report
