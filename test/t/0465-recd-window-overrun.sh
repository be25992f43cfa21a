# recd(8) with a [schedule] never lets a window run over: rec-capture
# ends a window by its frame count (--duration), so a source slower than
# its nominal rate (here an eighth of it: a device that was gone for a while
# looks the same) would record past the window's end. recd stops it a
# little after the end (SIGTERM: what it read is published) and takes
# that for the window's end, not a failure. Causal checks only: the
# capture cannot have its duration's frames by the time it is stopped.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"

rate=8000
start=$(($(date +%s) + 2))
hms() { date -u -d "@$1" +%H:%M:%S; }
cat >rec.conf <<EOF2
spool = $PWD/spool
station = t0465
[capture]
device = -
rate = $rate
channels = 1
format = S16_LE
segment = 1s
[archive]
min-count = 1000
[recd]
interval = 1s
[schedule]
period = $(hms $start)-$(hms $((start + 3)))
EOF2

: >recd.log
# paced at an eighth of the rate the config declares: far fewer frames
# than the window lasts, even with what the pipe held before it
pacer -r $((rate / 8)) -c 1 -f S16_LE -d 30 -b 30 --seed 465 2>pacer.err |
	recd --config rec.conf 2>recd.log &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
ended() { grep -q 'rec-capture ended with its window' recd.log; }
wait_until 60 ended || { cat recd.log >&2; fail "the window never ended"; }
kill -TERM $pid
rc=0
wait $pid || rc=$?
trap - EXIT
[ "$rc" = 0 ] || { cat recd.log >&2; fail "recd exited $rc"; }
expect_grep 'rec-capture still runs after its window ended: stopping it' recd.log
if grep -q 'restarting\|draining' recd.log; then
	cat recd.log >&2
	fail "the stop at the window's end taken for a failure"
fi
ms=$(sed -n 's/.*a window until .*: recording for \([0-9]*\)ms.*/\1/p' recd.log | head -n 1)
[ -n "$ms" ] || fail "no window start in the log"
frames=0
for f in spool/seg/*.wav; do
	[ -f "$f" ] || continue
	n=$(wavdump -p "$f" | wc -c)
	frames=$((frames + n / 2))
done
say "window of $ms ms, $frames frames recorded"
[ "$frames" -gt 0 ] || fail "nothing published"
[ "$frames" -lt $((ms * rate / 1000)) ] ||
	fail "the capture had all its frames: it was not stopped by recd"
