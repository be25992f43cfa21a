# recd's alarms (man/recd.8): a corpus with one channel flat and silent
# and the other clipping raises exactly flat and silence on channel 1 and
# clipping on channel 2, each once in the log and in the status with the
# time it was raised (rec-status, text and --json); healthy audio clears
# each once; a 50 Hz tone raises hum and clears it likewise. Audio older than pending-age raises pending-age, its
# removal clears it; free space under the floor raises free-space and a
# reload with a lower floor clears it. A bad [health] value is 78.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"

jget() {	# jget EXPR: a value from rec-status --json (python syntax on j)
	rec-status --spool spool --json 2>/dev/null |
		python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"
}
alarms() { jget '" ".join(sorted("%s:%s" % (a["name"], a["channel"] or 0) for a in j["alarms"]))'; }

# gen SECONDS CH1 CH2: 8 kHz stereo S16_LE, each channel "zero", "clip"
# (a 440 Hz sine 6 dB over full scale), "hum" (50 Hz at -20 dBFS) or
# "ok" (1 kHz at -20 dBFS)
gen() {
	python3 - "$@" <<'EOT'
import sys, math, struct
secs, kinds = float(sys.argv[1]), sys.argv[2:]
def v(k, i):
    if k == "zero":
        return 0
    if k == "clip":
        return max(-32768, min(32767, int(65536 * math.sin(2 * math.pi * 440 * i / 8000))))
    if k == "hum":
        return int(3277 * math.sin(2 * math.pi * 50 * i / 8000))
    return int(3277 * math.sin(2 * math.pi * 1000 * i / 8000))
out = bytearray()
for i in range(int(secs * 8000)):
    for k in kinds:
        out += struct.pack("<h", v(k, i))
sys.stdout.buffer.write(out)
EOT
}

conf() {
	cat >rec.conf <<EOT
spool = spool
station = t0450
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
silence-for = 2s
pending-age = 1d
upload-age = 0
free-space-floor = $1
EOT
}

say "a bad [health] value is 78 with FILE:LINE"
conf 0
echo 'clip-fraction = 2' >>rec.conf
expect_exit 78 recd --config rec.conf 2>err
expect_grep 'rec.conf:18: bad clip-fraction' err

say "flat and silent channel 1, clipping channel 2"
conf 0
mkfifo in
exec 3<>in
recd --config rec.conf <in 2>recd.log &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true' EXIT
gen 3 zero clip >&3
wait_until 30 eval '[ "$(alarms)" = "clipping:2 flat:1 silence:1" ]' ||
	{ cat recd.log; fail "alarms: $(alarms)"; }
for a in "flat on channel 1" "silence on channel 1" "clipping on channel 2"; do
	[ "$(grep -c "alarm raised: $a: " recd.log)" = 1 ] ||
		fail "'alarm raised: $a' not once in the log"
done
[ "$(grep -c 'alarm raised' recd.log)" = 3 ] || fail "other alarms raised"
[ "$(jget 'all(a["raised"] for a in j["alarms"])')" = True ] ||
	fail "an alarm without its time"
rec-status --spool spool >st.txt || :
expect_grep '^alarm       flat on channel 1, raised ' st.txt
expect_grep '^alarm       clipping on channel 2, raised .*samples at full scale' st.txt

say "healthy audio clears them, each once"
gen 3 ok ok >&3
wait_until 30 eval '[ -z "$(alarms)" ]' || fail "still raised: $(alarms)"
for a in "flat on channel 1" "silence on channel 1" "clipping on channel 2"; do
	[ "$(grep -c "alarm cleared: $a (raised at " recd.log)" = 1 ] ||
		fail "'alarm cleared: $a' not once in the log"
done
[ "$(grep -c 'alarm raised' recd.log)" = 3 ] || fail "raised again"
rec-status --spool spool >st.txt || :
expect_grep '^alarms      none$' st.txt

say "hum on channel 2, then gone"
gen 2 ok hum >&3
wait_until 30 eval '[ "$(alarms)" = "hum:2" ]' || fail "alarms: $(alarms)"
expect_grep 'alarm raised: hum on channel 2: 100% of the energy at 50/60 Hz' recd.log
gen 2 ok ok >&3
wait_until 30 eval '[ -z "$(alarms)" ]' || fail "still raised: $(alarms)"
[ "$(grep -c 'alarm cleared: hum on channel 2 (raised at ' recd.log)" = 1 ] ||
	fail "hum not cleared once"

say "audio older than pending-age"
set -- spool/seg/*.wav
shift $(($# - 1))	# a healthy one
cp "$1" spool/seg/.old && mv spool/seg/.old spool/seg/20200101T000000.000Z_t0450.wav
wait_until 30 eval '[ "$(alarms)" = "pending-age:0" ]' || fail "alarms: $(alarms)"
rm spool/seg/20200101T000000.000Z_t0450.wav
wait_until 30 eval '[ -z "$(alarms)" ]' || fail "still raised: $(alarms)"
expect_grep 'alarm cleared: pending-age (raised at ' recd.log

say "free space under the floor, then a reload lowers it"
conf 100%
kill -HUP $pid
wait_until 30 eval '[ "$(alarms)" = "free-space:0" ]' || fail "alarms: $(alarms)"
conf 0
kill -HUP $pid
wait_until 30 eval '[ -z "$(alarms)" ]' || fail "still raised: $(alarms)"
[ "$(grep -c 'alarm raised: free-space: ' recd.log)" = 1 ] || fail "free-space"
[ "$(grep -c 'alarm cleared: free-space ' recd.log)" = 1 ] || fail "free-space"

kill -TERM $pid
rc=0
wait $pid || rc=$?
trap - EXIT
exec 3>&-
[ "$rc" = 0 ] || { cat recd.log; fail "recd exited $rc on SIGTERM"; }
