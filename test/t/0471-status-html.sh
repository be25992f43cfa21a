# rec-status --html FILE (a station) and --bucket --html FILE (the fleet)
# write one self-contained page: headless Chromium renders it with the
# network refused, and the text of the DOM it built holds the station
# names, states, alarm texts and fresh/stale; no script, nothing
# fetched, a phone's viewport. The screenshots are kept in
# $REC_BUILD/screens/ (the runner removes a passing test's directory).
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

say "a station's page: recd gone, an upload held, levels not yet known"
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
 "free_bytes": 123456789, "last_upload": null}
J
# recd does not run: 69, as without --html; the page is all it writes
expect_exit 69 env REC_TEST_NOW=2026-11-28T12:30:00Z rec-status --config st1.conf --html station.html >out.txt
[ ! -s out.txt ] || fail "--html printed: $(cat out.txt)"
self_contained station.html
browser_dump station.html station.dom station.png
cp station.png "$screens/0471-station.png"
dom_text station.dom >station.txt
for t in 'rec: st1' 'dead' 'recd is not running (it did not stop cleanly)' \
    'rec-upload held: exit 77: waiting for a fix <and> a reload' \
    'levels of the last hour: no level data'; do
	grep -qxF "$t" station.txt || { cat station.txt; fail "station page lacks '$t'"; }
done
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
rec-upload --config st1.conf --heartbeat 2>hb.log || { cat hb.log; fail "st1 heartbeat"; }
rec-upload --config st2.conf --heartbeat 2>>hb.log || { cat hb.log; fail "st2 heartbeat"; }
later=$(date -u -d @$(($(date +%s) + 1800)) +%Y-%m-%dT%H:%M:%SZ)
expect_exit 2 env REC_TEST_NOW=$later rec-status --config st1.conf --bucket --html fleet.html >out.txt
[ ! -s out.txt ] || fail "--html printed: $(cat out.txt)"
self_contained fleet.html
browser_dump fleet.html fleet.dom fleet.png
cp fleet.png "$screens/0471-fleet.png"
dom_text fleet.dom >fleet.txt
for t in 'rec: stations' 's3://pagebkt/p/' 'st1' 'fresh' '1 files in corrupt/' 'st2' 'stale' 'stopped'; do
	grep -qxF "$t" fleet.txt || { cat fleet.txt; fail "fleet page lacks '$t'"; }
done
# st1's card is orange (an alarm), st2's red (stale)
python3 - fleet.dom <<'P' || fail "card colours: $(grep -o 'class="card [a-z]*"><h2>[a-z0-9]*' fleet.dom)"
import re, sys
d = open(sys.argv[1]).read()
cards = dict((n, c) for c, n in re.findall(r'class="card (\w+)"><h2>([\w.-]+)', d))
assert cards == {"st1": "alarm", "st2": "stale"}, cards
P
