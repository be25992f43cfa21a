# recd's clock alarm and level history (man/recd.8): with the kernel
# saying the clock is not synced (the clockstep shim) for longer than
# [health] clock-unsynced, the "clock" alarm is raised, once in the log
# and in the status with its time; rec-status shows "not synced since T"
# (text, --json); DIR/clock-wait while rec-capture runs is "recording
# waits for clock sync since T, records anyway at T"; the kernel saying
# synced clears the alarm once and rec-status shows the estimated error.
# Each segment's levels go into the status: the last segment's per
# channel and one-minute buckets (largest peak, power-mean RMS), and
# a restarted recd keeps that history.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"

jget() {	# jget EXPR: a value from rec-status --json (python syntax on j)
	rec-status --spool spool --json 2>/dev/null |
		python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"
}
alarms() { jget '" ".join(sorted("%s:%s" % (a["name"], a["channel"] or 0) for a in j["alarms"]))'; }
# clockstep LINES...: what the kernel says of the clock (replaced whole)
clockstep() {
	printf '%s\n' "$@" >clock.tmp && mv clock.tmp clock.state
}
# gen SECONDS: 8 kHz stereo S16_LE, channel 1 a 1 kHz sine at -20 dBFS
# peak, channel 2 at -6 dBFS peak
gen() {
	python3 - "$1" <<'EOT'
import sys, math, struct
out = bytearray()
for i in range(int(float(sys.argv[1]) * 8000)):
    s = math.sin(2 * math.pi * 1000 * i / 8000 + math.pi / 2)
    out += struct.pack("<hh", int(3277 * s), int(16423 * s))
sys.stdout.buffer.write(out)
EOT
}

cat >rec.conf <<EOT
spool = spool
station = t0451
[capture]
device = -
rate = 8000
channels = 2
format = S16_LE
segment = 1s
[archive]
min-count = 1000
[recd]
interval = 1s
[health]
clock-unsynced = 2s
pending-age = 0
upload-age = 0
free-space-floor = 0
EOT

say "a bad clock-unsynced is 78 with FILE:LINE"
sed 's/^clock-unsynced = 2s$/clock-unsynced = soon/' rec.conf >bad.conf
expect_exit 78 recd --config bad.conf 2>err
expect_grep 'bad.conf:14: bad clock-unsynced' err

say "the clock not synced for longer than clock-unsynced: the alarm"
clockstep 'synced 0' 'esterror 1500' 'maxerror 16000000'
shim="$REC_BUILD/test/shim/clockstep.so"
[ -f "$shim" ] || fail "no $shim"
mkfifo in
exec 3<>in
REC_CLOCKSTEP=$PWD/clock.state LD_PRELOAD="$shim${LD_PRELOAD:+ $LD_PRELOAD}" \
	recd --config rec.conf <in 2>recd.log &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true' EXIT
wait_until 30 eval '[ "$(alarms)" = "clock:0" ]'
[ "$(grep -c 'alarm raised: clock: the kernel says the clock is not synced since ' recd.log)" = 1 ] ||
	{ cat recd.log; fail "'alarm raised: clock' not once in the log"; }
[ "$(jget 'j["clock"]["synced"] is False and j["clock"]["unsynced_since"] is not None and j["clock"]["est_error_us"] == 1500 and j["clock"]["max_error_us"] == 16000000 and j["alarms"][0]["raised"] is not None')" = True ] ||
	fail "status clock: $(jget 'j["clock"]')"
since=$(jget 'j["clock"]["unsynced_since"]')
rec-status --spool spool >st.txt || :
expect_grep "^clock       not synced since $since\$" st.txt
expect_grep '^alarm       clock, raised .*: the kernel says the clock is not synced since ' st.txt

say "rec-capture waits for sync (DIR/clock-wait): the status says so"
ws=2026-11-28T12:00:00.000000Z wu=2026-11-28T12:10:00.000000Z
echo "$ws $wu" >spool/.cw && mv spool/.cw spool/clock-wait
wait_until 30 eval '[ "$(jget "j[\"clock\"][\"waiting_until\"]")" = "$wu" ]'
[ "$(jget 'j["clock"]["waiting_since"]')" = "$ws" ] || fail "waiting_since"
rec-status --spool spool >st.txt || :
expect_grep "^clock       recording waits for clock sync since $ws, records anyway at $wu\$" st.txt
rm spool/clock-wait
wait_until 30 eval '[ "$(jget "j[\"clock\"][\"waiting_since\"]")" = None ]'

say "the kernel says synced: cleared once, the error shown"
clockstep 'synced 1' 'esterror 1500' 'maxerror 20000'
wait_until 30 eval '[ -z "$(alarms)" ]'
[ "$(grep -c 'alarm cleared: clock (raised at .*): the clock is synced' recd.log)" = 1 ] ||
	{ cat recd.log; fail "'alarm cleared: clock' not once in the log"; }
[ "$(grep -c 'alarm raised' recd.log)" = 1 ] || fail "other alarms raised"
[ "$(jget 'j["clock"]["synced"] is True and j["clock"]["unsynced_since"] is None')" = True ] ||
	fail "status clock: $(jget 'j["clock"]')"
rec-status --spool spool >st.txt || :
expect_grep '^clock       synced, est. error 1.5 ms$' st.txt

say "levels: the last segment per channel, the hour in one-minute buckets"
[ "$(jget 'j["levels"]')" = None ] || fail "levels before any segment"
gen 4 >&3	# the last second stays open in rec-capture
wait_until 30 eval '[ "$(jget "j[\"capture\"][\"segments\"]")" -ge 3 ]'
python3 - <<'P' || { rec-status --spool spool --json; fail "status levels"; }
import json, math
j = json.load(open("spool/status"))
lv = j["levels"]
assert lv["bucket"] == 60 and lv["channels"] == 2, lv
last = lv["last"]["channels"]
assert len(last) == 2 and set(last[0]) == {"peak", "rms", "dc", "clipped", "flat", "hum"}, last
# a sine at -20 and -6 dBFS peak: RMS 3 dB lower
assert abs(last[0]["peak"] + 20) < 0.2 and abs(last[0]["rms"] + 23.01) < 0.2, last[0]
assert abs(last[1]["peak"] + 6) < 0.2 and abs(last[1]["rms"] + 9.01) < 0.2, last[1]
assert lv["last"]["seconds"] == 1, lv["last"]
pts = lv["points"]
n = j["capture"]["segments"]
assert 1 <= len(pts) <= 2, pts	# a few seconds: one minute, or two
assert sum(p["seconds"] for p in pts) == n, (n, pts)
for p in pts:
    assert p["time"].endswith(":00.000000Z"), p
    assert len(p["peak"]) == 2 and len(p["rms"]) == 2, p
    assert abs(p["rms"][0] + 23.01) < 0.2 and abs(p["peak"][1] + 6) < 0.2, p
P
rec-status --spool spool >st.txt || :
expect_grep '^levels      .*: ch1 peak -20.0 RMS -23.0 dBFS, ch2 peak -6.0 RMS -9.0 dBFS; [12] points in the last hour$' st.txt

say "a restarted recd keeps the history"
kill -TERM $pid
rc=0
wait $pid || rc=$?
[ "$rc" = 0 ] || { cat recd.log; fail "recd exited $rc on SIGTERM"; }
before=$(jget 'json.dumps(j["levels"], sort_keys=True)')
[ "$before" != null ] || fail "no levels after the stop"
REC_CLOCKSTEP=$PWD/clock.state LD_PRELOAD="$shim${LD_PRELOAD:+ $LD_PRELOAD}" \
	recd --config rec.conf <in 2>recd2.log &
pid=$!
wait_until 30 eval '[ "$(jget "j[\"recd\"][\"pid\"]")" = $pid ]'
[ "$(jget 'json.dumps(j["levels"], sort_keys=True)')" = "$before" ] ||
	fail "levels after a restart: $(jget 'j["levels"]')"
kill -TERM $pid
rc=0
wait $pid || rc=$?
trap - EXIT
exec 3>&-
[ "$rc" = 0 ] || { cat recd2.log; fail "recd exited $rc on SIGTERM"; }
