# recd(8) with a [schedule]: capture runs only inside the windows. A
# clock-time period of 8 s starting 2 s from now, duty 2s/3s, gives three
# 2-second windows; recd starts rec-capture in each (the segments of a
# window start with it), ends it with the window (--duration: the last
# segment is shorter, published at once), and waits for the next one.
# A paced source, buffered so that nothing is dropped between windows:
# the segments, joined, equal the source bit for bit (each window's
# first frame follows the last one's last); each window's capture ends
# at its end, holds exactly the frames of its duration, never more than
# the window lasts, and every segment but its last is whole. (The pipe
# holds source frames from before a window, so the first frame's
# timestamp is not checked: rec-capture dates it back.) Then rec-status
# says "next window at" tomorrow's. Causal checks only, no timing.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"

rate=8000
start=$(($(date +%s) + 2))
hms() { date -u -d "@$1" +%H:%M:%S; }
cat >rec.conf <<EOF2
spool = $PWD/spool
station = t0462
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
period = $(hms $start)-$(hms $((start + 8)))
duty = 2s/3s
EOF2

pacer -r $rate -c 1 -f S16_LE -d 30 --seed 462 -n >exp.raw
: >recd.log
pacer -r $rate -c 1 -f S16_LE -d 30 -b 30 --seed 462 2>pacer.err |
	recd --config rec.conf 2>recd.log &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
ended() { [ "$(grep -c 'rec-capture ended with its window' recd.log)" -ge 3 ]; }
# the last window ends 8 s after start; the bound only stops a hang
wait_until 60 ended || { cat recd.log >&2; fail "no three windows"; }
# after the last window: the next is tomorrow's, and rec-status says so
next=$(date -u -d "@$((start + 86400))" +%Y-%m-%dT%H:%M:%S.000000Z)
shows_next() {
	rec-status --spool spool >status.out 2>&1
	grep -q "^schedule    next window at $next\$" status.out
}
wait_until 10 shows_next || { cat status.out >&2; fail "rec-status: $next"; }
kill -TERM $pid
rc=0
wait $pid || rc=$?
trap - EXIT
[ "$rc" = 0 ] || { cat recd.log >&2; fail "recd exited $rc"; }
if grep -q 'draining\|restarting' recd.log; then
	cat recd.log >&2
	fail "capture's window end taken for a failure or a session end"
fi
[ "$(grep -c 'a window until' recd.log)" = 3 ] || fail "not three starts"

for w in 0 3 6; do echo $((start + w)) $((start + w + 2)); done >windows
python3 - "$rate" windows exp.raw recd.log spool/seg/*.wav <<'EOT' || fail "segments"
import re, subprocess, sys
from datetime import datetime, timezone
rate = int(sys.argv[1])
wins = [tuple(map(int, l.split())) for l in open(sys.argv[2])]
exp = open(sys.argv[3], 'rb').read()
starts = re.findall(r'a window until (\S+): recording for (\d+)ms',
                    open(sys.argv[4]).read())
runs = {}
for f in sys.argv[5:]:
    g = dict(l.split(': ', 1) for l in subprocess.run(
        ['wavdump', '-g', f], check=True, capture_output=True,
        text=True).stdout.splitlines() if ': ' in l)
    pcm = subprocess.run(['wavdump', '-p', f], check=True,
                         capture_output=True).stdout
    runs.setdefault(g['REC|Run'], []).append((f, pcm))
runs = sorted(runs.values())
assert len(runs) == len(wins) == len(starts), 'runs %d windows %d starts %d' % (
    len(runs), len(wins), len(starts))
joined = b''
for (a, b), (end, ms), segs in zip(wins, starts, runs):
    end = datetime.strptime(end, '%Y-%m-%dT%H:%M:%S.%fZ').replace(
        tzinfo=timezone.utc).timestamp()
    frames = [len(p) // 2 for _, p in segs]
    print('window %d..%d: capture for %s ms to %d, frames %s' % (
        a, b, ms, end, frames))
    assert end == b, 'capture not ended at its window\'s end'
    assert 0 < int(ms) <= (b - a) * 1000, 'longer than its window'
    assert sum(frames) == int(ms) * rate // 1000, 'not its duration'
    assert all(n == rate for n in frames[:-1]), 'a short segment'
    assert 0 < frames[-1] <= rate
    joined += b''.join(p for _, p in segs)
assert exp[:len(joined)] == joined, 'not the source, bit for bit'
print('joined %d frames equal the source' % (len(joined) // 2))
EOT
