# rec-status --html FILE (a station) and --bucket --html FILE (the fleet)
# write one self-contained page: headless Chromium renders it with the
# network refused, and the text of the DOM it built holds the station
# names, states, alarm texts, the clock and fresh/stale; no script,
# nothing fetched, a phone's viewport. The levels of the last hour are
# an inline SVG chart, from DIR/status for a station and from each
# health.json (which carries the status's levels) for the fleet: one
# line pair (RMS, peak) per channel, a legend line per channel with its
# number of points and last values; without levels "no level data".
# The screenshots are kept in $REC_BUILD/screens/ (the runner removes a
# passing test's directory).
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"
. "$REC_TOP/test/lib-browser.sh"

# dom_text DOM: the text of a dumped DOM, one line per text node
# (<style> and <script> contents left out)
dom_text() {
	python3 - "$1" <<'P'
import html.parser, sys
class T(html.parser.HTMLParser):
    skip = 0
    def handle_starttag(self, tag, a):
        if tag in ("style", "script"): self.skip += 1
    def handle_endtag(self, tag):
        if tag in ("style", "script"): self.skip -= 1
    def handle_data(self, d):
        d = " ".join(d.split())
        if d and not self.skip: print(d)
T().feed(open(sys.argv[1], encoding="utf-8").read())
P
}

screens=$REC_BUILD/screens
mkdir -p "$screens"
# self_contained PAGE: no script, no outside URL, a viewport for phones
self_contained() {
	! grep -qi '<script' "$1" || fail "$1 has a script"
	! grep -Eqi '(src|href)=|url\(|@import' "$1" || fail "$1 refers to another file"
	grep -q '<meta name="viewport" content="width=device-width' "$1" || fail "$1: no viewport"
}

# levels STATUS CHANNELS POINTS: add a "levels" member to a status file,
# POINTS one-minute buckets to 11:59, channel c at peak -6c, RMS -6c-10
# (dBFS) rising by 0.1 dB a point to the last
levels() {
	python3 - "$@" <<'P'
import json, sys
f, nch, npts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
j = json.load(open(f))
def lv(c, i, d):
    return round(-6 * (c + 1) - d + 0.1 * (i - npts + 1), 2)
j["levels"] = {"bucket": 60, "channels": nch,
    "last": {"start": "2026-11-28T11:59:50.000000Z", "seconds": 10,
        "channels": [{"peak": lv(c, npts - 1, 0), "rms": lv(c, npts - 1, 10),
            "dc": 0, "clipped": 0, "flat": False, "hum": 0.01}
            for c in range(nch)]},
    "points": [{"time": "2026-11-28T%02d:%02d:00.000000Z" % divmod(12 * 60 - npts + i, 60),
        "seconds": 60, "peak": [lv(c, i, 0) for c in range(nch)],
        "rms": [lv(c, i, 10) for c in range(nch)]} for i in range(npts)]}
json.dump(j, open(f, "w"), indent=1)
P
}
# chart DOM CHANNELS POINTS: the chart in the DOM has CHANNELS channels
# of POINTS points each (two lines each: RMS, peak)
chart() {
	python3 - "$@" <<'P'
import re, sys
d, nch, npts = open(sys.argv[1]).read(), int(sys.argv[2]), int(sys.argv[3])
svgs = re.findall(r"<svg.*?</svg>", d, re.S)
assert len(svgs) == 1, len(svgs)
lines = re.findall(r'<polyline[^>]* points="([^"]*)"', svgs[0])
assert len(lines) == 2 * nch, lines
for l in lines:
    assert len(l.split()) == npts, l
titles = re.findall(r"<g><title>(channel \d+)</title>", svgs[0])
assert titles == ["channel %d" % (c + 1) for c in range(nch)], titles
P
}

say "a station's page: recd gone, an upload held, the clock, levels of 2 channels"
mkdir -p sp
cat >st1.conf <<C
spool = $PWD/sp
station = st1
C
# recd's status file as a recd that was killed left it
cat >sp/status <<'J'
{"version": 1, "updated": "2026-11-28T12:00:00.000000Z",
 "recd": {"pid": 1, "started": "2026-11-28T11:00:00.000000Z", "uptime": 3600,
  "state": "running", "spool": "/sp", "config": null},
 "children": {
  "rec-capture": {"state": "running", "pid": 2, "started": null, "uptime": 0,
   "restarts": 0, "last_exit": null, "last_exit_at": null, "note": ""},
  "rec-archive": {"state": "idle", "pid": 0, "started": null, "uptime": 0,
   "runs": 3, "last_exit": 0, "last_exit_at": null, "note": ""},
  "rec-upload": {"state": "held", "pid": 0, "started": null, "uptime": 0,
   "runs": 3, "last_exit": 77, "last_exit_at": null,
   "note": "exit 77: waiting for a fix <and> a reload"}},
 "last_cycle": {"count": 3, "started": null, "ended": null,
  "archive_exit": 0, "upload_exit": 77, "result": "error"},
 "pending": {"segments": 2, "segment_bytes": 1000, "archives": 1,
  "archive_bytes": 5000, "corrupt": 0},
 "capture": {"segments": 10, "overruns": 0, "lost_frames": 0},
 "free_bytes": 123456789, "last_upload": null,
 "clock": {"synced": false, "est_error_us": 1500, "max_error_us": 16000000,
  "unsynced_since": "2026-11-28T11:00:00.000000Z",
  "waiting_since": null, "waiting_until": null},
 "alarms": [{"name": "clock", "channel": null,
  "raised": "2026-11-28T11:30:00.000000Z",
  "detail": "the kernel says the clock is not synced since 2026-11-28T11:00:00.000000Z"}]}
J
levels sp/status 2 45
# recd does not run: 69, as without --html; the page is all it writes
expect_exit 69 env REC_TEST_NOW=2026-11-28T12:30:00Z rec-status --config st1.conf --html station.html >out.txt
[ ! -s out.txt ] || fail "--html printed: $(cat out.txt)"
self_contained station.html
browser_dump station.html station.dom station.png
cp station.png "$screens/0471-station.png"
dom_text station.dom >station.txt
for t in 'rec: st1' 'dead' 'recd is not running (it did not stop cleanly)' \
    'rec-upload held: exit 77: waiting for a fix <and> a reload' \
    'clock: the kernel says the clock is not synced since 2026-11-28T11:00:00.000000Z' \
    'not synced since 2026-11-28T11:00:00.000000Z' \
    'channel 1: 45 points, last peak -6.0 dBFS, RMS -16.0 dBFS' \
    'channel 2: 45 points, last peak -12.0 dBFS, RMS -22.0 dBFS'; do
	grep -qxF "$t" station.txt || { cat station.txt; fail "station page lacks '$t'"; }
done
chart station.dom 2 45 || fail "station chart"
! grep -q 'no level data' station.txt || fail "station page: no level data"
grep -qx '2026-11-28 12:00:00 UTC (30m00s ago)' station.txt ||
	{ cat station.txt; fail "station page: no 'updated ... 30m ago'"; }
grep -q 'class="card stale"' station.dom || fail "recd gone is not red"

say "the fleet's page: st1 fresh with an alarm, st2 stale"
s3_server_start srv
"$S3/mkbucket" srv pagebkt
s3_use srv
mkconf() {
	cat >"$1.conf" <<C
spool = $PWD/sp-$1
station = $1
[upload]
endpoint = $S3_ENDPOINT
region = $S3_REGION
bucket = pagebkt
prefix = p/
addressing = path
credentials-file = $PWD/creds
[health]
heartbeat = $2
C
}
mkconf st1 1h
mkconf st2 10m
mkdir -p sp-st1/corrupt && echo x >sp-st1/corrupt/bad.wav
# st1: a recd that stopped cleanly left 3 channels of levels; st2 none
sed 's/"state": "running"/"state": "stopped"/' sp/status >sp-st1/status
levels sp-st1/status 3 7
# the kernel says synced (the clockstep shim), for st1 only
printf 'synced 1\nesterror 2500\nmaxerror 30000\n' >clock.state
REC_CLOCKSTEP=$PWD/clock.state \
	LD_PRELOAD="$REC_BUILD/test/shim/clockstep.so${LD_PRELOAD:+ $LD_PRELOAD}" \
	rec-upload --config st1.conf --heartbeat 2>hb.log || { cat hb.log; fail "st1 heartbeat"; }
rec-upload --config st2.conf --heartbeat 2>>hb.log || { cat hb.log; fail "st2 heartbeat"; }
# --bucket --json: each station's levels (st1's those of its status)
# and clock, from its health.json
env REC_TEST_NOW=2026-11-28T12:30:00Z rec-status --config st1.conf --bucket --json >fleet.json || :
python3 - fleet.json sp-st1/status <<'P' || fail "fleet json: $(cat fleet.json)"
import json, sys
s = {x["station"]: x for x in json.load(open(sys.argv[1]))["stations"]}
st = json.load(open(sys.argv[2]))
assert s["st1"]["levels"] == st["levels"], s["st1"]["levels"]
assert s["st2"]["levels"] is None, s["st2"]["levels"]
assert s["st1"]["clock"]["synced"] is True and s["st1"]["clock"]["est_error_us"] == 2500, s["st1"]["clock"]
# a stopped recd's "not synced since" is not the station's now
assert s["st1"]["clock"]["unsynced_since"] is None, s["st1"]["clock"]
assert any(a.startswith("clock: the kernel says") for a in s["st1"]["alarms"]), s["st1"]["alarms"]
P
later=$(date -u -d @$(($(date +%s) + 1800)) +%Y-%m-%dT%H:%M:%SZ)
expect_exit 2 env REC_TEST_NOW=$later rec-status --config st1.conf --bucket --html fleet.html >out.txt
[ ! -s out.txt ] || fail "--html printed: $(cat out.txt)"
self_contained fleet.html
browser_dump fleet.html fleet.dom fleet.png
cp fleet.png "$screens/0471-fleet.png"
dom_text fleet.dom >fleet.txt
for t in 'rec: stations' 's3://pagebkt/p/' 'st1' 'fresh' '1 files in corrupt/' 'st2' 'stale' 'stopped' \
    'clock: the kernel says the clock is not synced since 2026-11-28T11:00:00.000000Z' \
    'synced, est. error 2.5 ms' \
    'channel 1: 7 points, last peak -6.0 dBFS, RMS -16.0 dBFS' \
    'channel 3: 7 points, last peak -18.0 dBFS, RMS -28.0 dBFS' \
    'levels of the last hour: no level data'; do
	grep -qxF "$t" fleet.txt || { cat fleet.txt; fail "fleet page lacks '$t'"; }
done
# st1's card has the chart of 3 channels, st2's none
python3 - fleet.dom <<'P' || fail "fleet charts"
import re, sys
d = open(sys.argv[1]).read()
cards = re.findall(r'class="card \w+"><h2>([\w.-]+).*?(?=class="card |$)', d, re.S)
assert cards == ["st1", "st2"], cards
st1, st2 = re.split(r'class="card \w+"><h2>st2', d)
assert st1.count("<svg") == 1 and st2.count("<svg") == 0
assert len(re.findall("<polyline", st1)) == 6
P
# st1's card is orange (an alarm), st2's red (stale)
python3 - fleet.dom <<'P' || fail "card colours: $(grep -o 'class="card [a-z]*"><h2>[a-z0-9]*' fleet.dom)"
import re, sys
d = open(sys.argv[1]).read()
cards = dict((n, c) for c, n in re.findall(r'class="card (\w+)"><h2>([\w.-]+)', d))
assert cards == {"st1": "alarm", "st2": "stale"}, cards
P
