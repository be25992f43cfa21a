# Heartbeat in the bucket: two stations PUT {prefix}{station}/health.json
# into one Ceph RGW bucket (rec-upload --heartbeat, and through recd on
# its own timer), with a fixed key order, a history copy, and a ledger
# line that counts in the budget. rec-status --bucket shows the one that
# keeps beating fresh and the one that stopped stale (its clock moved on
# by REC_TEST_NOW, never by sleeping): exit 0 fresh, 1 alarm, 2 stale,
# 69 store unreachable; --json for monitors. recd sends a last one at a
# clean stop, saying stopped. A heartbeat against a dead store fails
# (75) without holding the cycle lock: the audio goes.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"

pg= run=
s3_cleanup_hook() {
	if [ -n "$pg" ]; then kill -CONT -- "-$pg" 2>/dev/null || true; fi
	if [ -n "$run" ]; then kill -TERM "$run" 2>/dev/null || true; fi
}
s3_server_start srv
"$S3/mkbucket" srv fleetbkt
s3_use srv

# mkconf STATION INTERVAL [EXTRA]: rec.conf of one station
mkconf() {
	cat >"$1.conf" <<C
spool = $PWD/sp-$1
station = $1
[capture]
device = -
rate = 8000
channels = 1
[upload]
endpoint = $S3_ENDPOINT
region = $S3_REGION
bucket = fleetbkt
prefix = fleet/
addressing = path
credentials-file = $PWD/creds
timeout = 2s
max-tries = 2
[health]
heartbeat = $2
$3
C
}
get() { "$S3/aws" srv s3 cp --only-show-errors "s3://fleetbkt/$1" "$2"; }

# st1 declares an hour, st2 ten minutes: rec-status judges each by its own
mkconf st1 1h "heartbeat-history = yes"
mkconf st2 10m

say "each station sends its heartbeat"
rec-upload --config st1.conf --heartbeat 2>hb1.log ||
	{ cat hb1.log; fail "st1 heartbeat"; }
rec-upload --config st2.conf --heartbeat 2>hb2.log || { cat hb2.log; fail "st2 heartbeat"; }
expect_grep 'heartbeat sent: s3://fleetbkt/fleet/st1/health.json' hb1.log
get fleet/st1/health.json h1.json
get fleet/st2/health.json h2.json
# the history copy, named by the station's clock (its time)
hk=$(jq -r '.time | "fleet/st1/health/\(.[0:4])/\(.[5:7])/\(.[8:10])/\(.[0:4])\(.[5:7])\(.[8:10])T\(.[11:13])\(.[14:16])\(.[17:19])Z.json"' h1.json)
get "$hk" hist.json
cmp h1.json hist.json || fail "history copy differs"
[ "$(jq -r 'keys_unsorted | join(",")' h1.json)" = \
  "version,station,software,time,interval,uptime,recording,clock,levels,alarms,free_bytes,pending,last_upload,budget,loss" ] ||
	fail "key order: $(jq -c 'keys_unsorted' h1.json)"
jq -e '.version == 1 and .station == "st1" and .interval == 3600 and
	(.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{15}Z$")) and .recording.recd == "stopped" and
	.alarms == [] and .pending.archives == 0 and .free_bytes > 0' h1.json >/dev/null ||
	{ cat h1.json; fail "st1 health.json"; }
jq -e '.station == "st2" and .interval == 600' h2.json >/dev/null || fail "st2 health.json"
# no status yet: no levels; the clock as the kernel says it
jq -e '.levels == null and (.clock | keys_unsorted) == ["time", "synchronized",
	"est_error_us", "max_error_us", "unsynced_since", "waiting_since", "waiting_until"] and
	(.clock.synchronized | type) == "boolean"' h1.json >/dev/null ||
	{ jq .clock h1.json; fail "st1 health.json clock or levels"; }
# two PUTs for st1 (object and history), one for st2, each in the ledger
[ "$(awk -F'\t' '$7 == "health.json"' sp-st1/ledger | wc -l)" = 2 ] || fail "st1 ledger: $(cat sp-st1/ledger)"
awk -F'\t' -v n="$(wc -c <h2.json)" '$2 == "fleet/st2/health.json" && $3 == n { ok = 1 }
	END { exit !ok }' sp-st2/ledger || fail "st2 ledger: $(cat sp-st2/ledger)"

say "the budget counts heartbeats and stops them when it is used up"
sed -i 's/^max-tries = 2$/max-tries = 2\nmonthly-budget = 100/' st2.conf
expect_exit 75 rec-upload --config st2.conf --heartbeat 2>hb2b.log
expect_grep 'monthly budget reached' hb2b.log
sed -i '/^monthly-budget/d' st2.conf

say "recd sends one on its own timer, at once and between cycles"
mkfifo in2
exec 3<>in2	# capture waits for audio that never comes
n0=$(awk -F'\t' '$7 == "health.json"' sp-st2/ledger | wc -l)
recd --config st2.conf <in2 2>recd.log &
run=$!
wait_until 30 sh -c "[ \$(awk -F'\t' '\$7 == \"health.json\"' sp-st2/ledger | wc -l) -gt $n0 ]"
get fleet/st2/health.json h2.json
jq -e '.recording.recd == "running" and .uptime >= 0 and .recording.schedule == "continuous"' h2.json >/dev/null ||
	{ cat h2.json; fail "st2 health.json from recd"; }

say "a clean stop sends a last heartbeat: the fleet sees it stopped at once"
n1=$(awk -F'\t' '$7 == "health.json"' sp-st2/ledger | wc -l)
kill -TERM "$run"
wait "$run" || { cat recd.log; fail "recd exit"; }
run=
exec 3>&-
[ "$(awk -F'\t' '$7 == "health.json"' sp-st2/ledger | wc -l)" -gt "$n1" ] ||
	{ cat recd.log; fail "no heartbeat at the stop"; }
get fleet/st2/health.json h2.json
jq -e '.recording.recd == "stopped"' h2.json >/dev/null ||
	{ cat h2.json; fail "st2 health.json after the stop"; }

say "st1 keeps beating, st2 stopped: 30 minutes on, st1 is fresh, st2 stale"
rec-upload --config st1.conf --heartbeat 2>>hb1.log || fail "st1 second heartbeat"
# the test's clock (moved by make check-future as the store's is) + 30 min
later=$(date -u -d @$(($(date +%s) + 1800)) +%Y-%m-%dT%H:%M:%SZ)
expect_exit 2 env REC_TEST_NOW=$later rec-status --config st1.conf --bucket >fleet.txt
grep -E '^st1 +fresh ' fleet.txt || { cat fleet.txt; fail "st1 not fresh"; }
grep -E '^st2 +STALE ' fleet.txt || { cat fleet.txt; fail "st2 not stale"; }
[ "$(wc -l <fleet.txt)" = 2 ] || fail "not one line per station: $(cat fleet.txt)"
expect_exit 2 env REC_TEST_NOW=$later rec-status --config st1.conf --bucket --json >fleet.json
python3 - fleet.json <<'P' || fail "fleet json: $(cat fleet.json)"
import json, sys
j = json.load(open(sys.argv[1]))
s = {x["station"]: x for x in j["stations"]}
assert sorted(s) == ["st1", "st2"], s
assert s["st1"]["stale"] is False and s["st1"]["verdict"] == "ok", s["st1"]
assert s["st2"]["stale"] is True and s["st2"]["verdict"] == "stale", s["st2"]
assert s["st1"]["interval"] == 3600 and s["st2"]["interval"] == 600
assert 1700 <= s["st2"]["age"] <= 1900, s["st2"]["age"]
P

say "now: both fresh (0); files in corrupt/ are an alarm (1)"
expect_exit 0 rec-status --config st1.conf --bucket >fleet.txt
mkdir -p sp-st1/corrupt && echo x >sp-st1/corrupt/bad.wav
rec-upload --config st1.conf --heartbeat 2>>hb1.log || fail "st1 third heartbeat"
expect_exit 1 rec-status --config st1.conf --bucket >fleet.txt
grep -E '^st1 +fresh .*alarms: 1 files in corrupt/' fleet.txt || { cat fleet.txt; fail "no alarm"; }
rm sp-st1/corrupt/bad.wav

say "the store unreachable: 69"
sed "s|^endpoint = .*|endpoint = http://127.0.0.1:1|" st1.conf >down.conf
expect_exit 69 rec-status --config down.conf --bucket 2>down.log
expect_grep 'cannot list s3://fleetbkt/fleet/' down.log

say "a heartbeat against a hung store fails, holding no cycle lock; the audio goes"
n=20261128T120000.000Z_20261128T130000.000Z_st1.tar
mkdir -p sp-st1/out
head -c 100000 /dev/urandom >sp-st1/out/$n
cp sp-st1/out/$n sent
pg=$(s3_front_pgid srv)
kill -STOP -- "-$pg"
rec-upload --config st1.conf --heartbeat --deadline 3s 2>hbdown.log &
hb=$!
# while it waits for the store's answer, the cycle lock is free
wait_until 10 sh -c "ls -l /proc/$hb/fd 2>/dev/null | grep -q socket:"
flock -n sp-st1/lock true || fail "the heartbeat holds the cycle lock"
kill -0 $hb || fail "the heartbeat ended before the lock was tested"
rc=0; wait $hb || rc=$?
[ "$rc" = 75 ] || { cat hbdown.log; fail "heartbeat against a hung store: exit $rc"; }
expect_grep 'heartbeat s3://fleetbkt/fleet/st1/health.json not sent' hbdown.log
kill -CONT -- "-$pg"
pg=
rec-upload --config st1.conf 2>up.log || { cat up.log; fail "audio upload"; }
get "fleet/st1/2026/11/28/$n" got
cmp got sent || fail "the archive in the bucket differs"
[ ! -e sp-st1/out/$n ] || fail "archive still in out/"
