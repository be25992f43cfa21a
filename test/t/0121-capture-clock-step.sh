# The wall clock stepped back by two hours, then forward by three,
# while rec-capture records (test/shim/clockstep moves CLOCK_REALTIME
# only, as an NTP step does; the card is alsafault's perfect 8000 Hz
# clock on CLOCK_MONOTONIC_RAW, through the real ALSA path), with an
# overrun after the first step that lost nothing:
# - no frame is lost or counted lost: no gap, First Frame every 8000,
#   the audio bit for bit, "no loss measurable" for the overrun;
# - each step is logged once with its size, and written into the one
#   segment it fell in (REC|Clock Steps, -7200 s and +10800 s);
# - Timestamps follow the clock: the segment after the step back is
#   two hours before its predecessor's end;
# - names never go backwards: after the step back they go on in
#   capture order (1 s apart), then follow the clock again once it is
#   ahead.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/data/asoundrc.sh"

key() { wavdump -g "$2" | sed -n "s/^$1: //p"; }
clock() { printf '%s\n' "$@" >clock.tmp && mv clock.tmp clock; }
segs_ge() { [ "$(ls sp/seg 2>/dev/null | wc -l)" -ge "$1" ]; }

rate=8000
pacer -r $rate -c 1 -f S16_LE -d 12 --seed 9 -n >src.raw
asoundrc_file src "$PWD/src.raw"
clock 'offset 0'
REC_CLOCKSTEP=$PWD/clock REC_ALSAFAULT='xrun@52000+0' \
REC_ALSAFAULT_RATE=$rate REC_ALSAFAULT_PACE=1 \
LD_PRELOAD="$REC_BUILD/test/shim/alsafault.so $REC_BUILD/test/shim/clockstep.so${LD_PRELOAD:+ $LD_PRELOAD}" \
	timeout 60 rec-capture -D src -r $rate -c 1 -t 1 -d 10 --spool sp \
	--station s 2>cap.err &
pid=$!
# Step when segments are out, not at a time: 3 published -> back 2 h;
# 7 published -> forward 3 h (1 h ahead of where it began).
wait_until 30 segs_ge 3
clock 'offset -7200'
wait_until 30 segs_ge 7
clock 'offset 3600'
wait $pid || { cat cap.err; fail "rec-capture failed"; }
cat cap.err
set -- sp/seg/*.wav
[ $# = 10 ] || fail "want 10 segments, got $#"

say "no loss: First Frame every 8000, no gap, the audio bit for bit"
i=0
for f; do
	[ "$(key 'REC|First Frame' "$f")" = $((i * 8000)) ] ||
		fail "$f: First Frame $(key 'REC|First Frame' "$f")"
	[ "$(key 'REC|Lost Frames' "$f")" = 0 ] || fail "$f: lost frames"
	i=$((i + 1))
done
python3 "$REC_TOP/test/data/capcheck.py" src.raw 2 "$@" >check ||
	{ cat check; fail "segments differ from the source"; }
expect_grep ' frames=80000 lost=0 end=80000$' check
expect_grep 'overrun (the reader was late) at .*: no loss measurable' cap.err
expect_grep 'done: 80000 frames in 10 segments, 1 overruns, 0 frames lost' \
	cap.err
grep 'lost [0-9]* frames' cap.err && fail "a step counted as lost audio"

say "each step logged once, in the one segment it fell in"
[ "$(grep -c 'wall clock was stepped back by 7200\.0' cap.err)" = 1 ] ||
	fail "the step back is not logged once"
[ "$(grep -c 'wall clock was stepped forward by 10800\.0' cap.err)" = 1 ] ||
	fail "the step forward is not logged once"
for f; do
	echo "$f $(key Timestamp "$f") $(key 'REC|First Frame' "$f") $(key 'REC|Clock Steps' "$f")"
done | tee segs
# (measured between two readings of the clocks: to some microseconds)
[ "$(grep -Ec ':(-7200\.000|-7199\.999)' segs)" = 1 ] ||
	fail "the step back is not in one segment"
[ "$(grep -Ec ':(\+10800\.000|\+10799\.999)' segs)" = 1 ] ||
	fail "the step forward is not in one segment"

say "timestamps follow the clock; names never go backwards"
python3 - segs <<'EOT' || fail "timestamps or names"
import sys, datetime
rows = [l.split() for l in open(sys.argv[1])]
def ts(s): return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
def nm(p): return datetime.datetime.strptime(p.split("/")[-1][:19], "%Y%m%dT%H%M%S.%f")
names = [nm(r[0]) for r in rows]
if names != sorted(names) or len(set(names)) != len(names):
    sys.exit("names out of order")
step = {}   # segment index -> step seconds
for i, r in enumerate(rows):
    for s in (r[3].split(",") if len(r) > 3 else []):
        step[i] = float(s.split(":")[1])
back = [i for i, v in step.items() if v < 0][0]
fwd = [i for i, v in step.items() if v > 0][0]
# a step inside segment i moves the Timestamp of segment i+1 (or of i
# itself when it came at offset 0)
for i in range(len(rows) - 1):
    d = (ts(rows[i + 1][1]) - ts(rows[i][1])).total_seconds()
    want = 1.0
    for j, v in step.items():
        off = int([s for s in rows[j][3].split(",")][0].split(":")[0])
        if (j == i and off > 0) or (j == i + 1 and off == 0):
            want += v
    if abs(d - want) > 0.005:
        sys.exit("segments %d and %d are %.6f s apart, want %.6f" % (i, i + 1, d, want))
# after the step back, names in capture order, 1 s apart, until the
# step forward puts the clock ahead again
for i in range(back + 1, fwd + 1):
    gap = (names[i] - names[i - 1]).total_seconds()
    if i <= fwd and abs(gap - 1.0) > 0.0015 and not (i == fwd + 1):
        sys.exit("name %d is %.3f s after the last, want 1 (capture order)" % (i, gap))
last = rows[-1]
if abs((nm(last[0]) - ts(last[1])).total_seconds()) > 0.001:
    sys.exit("the last name does not follow the clock again")
print("steps in segments", back, fwd)
EOT
