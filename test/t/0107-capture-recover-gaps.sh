# A segment cut off by kill -9 still says what it lost (the writer keeps
# its gaps in tmp/NAME.gaps until it is published), at the right places:
# found from the stream itself, each gap is where the segment's frames
# leave the stream and as long as the span they skip. A clock set back
# behind names already archived never reuses them.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"

say "gaps survive kill -9"
# the stream, and the same paced; pacer's own buffer (-b) holds all of
# it, so that only rec-capture can lose frames
pacer -r 16000 -c 2 -f S16_LE -d 30 --seed 7 -n >exp.raw
pacer -r 16000 -c 2 -f S16_LE -d 30 -b 30 --seed 7 2>pacer.err |
	REC_FAULT_WRITE_STALL=1500@20 rec-capture -D - -r 16000 -c 2 -t 100 \
	--buffer 0.5 --spool sp --station l 2>cap.err &
for i in $(seq 100); do
	grep -q 'warning: lost' cap.err && break
	sleep 0.2
done
grep -q 'warning: lost' cap.err || { cat cap.err; fail "no loss happened"; }
sleep 1
pid=$(pgrep -f 'rec-capture -D - -r 16000 -c 2 -t 100' | head -n 1)
[ -n "$pid" ] || fail "rec-capture is not running"
kill -9 "$pid"
wait || true
logged=$(sed -n 's/.*warning: lost \([0-9]*\) frames.*/\1/p' cap.err |
	awk '{ s += $1 } END { print s }')
ls sp/tmp/*.wav.gaps >/dev/null || fail "no gap journal in tmp/"
ls sp/seg/*.wav >/dev/null 2>&1 && fail "a segment was published before the kill"
rec-capture -D - -r 16000 -c 2 -t 100 --spool sp --station l </dev/null 2>rec.err ||
	{ cat rec.err; fail "the restart failed"; }
cat rec.err
expect_grep 'recovered' rec.err
set -- sp/seg/*.wav
[ $# = 1 ] || fail "expected one recovered segment, got $#"
wavdump -g "$1" >g.txt
cat g.txt
expect_grep '^REC|Recovered: true' g.txt
lost=$(sed -n 's/^REC|Lost Frames: //p' g.txt)
[ "$lost" = "$logged" ] || fail "recovered segment says $lost frames lost, the log $logged"
grep -q '^REC|Gaps: [0-9]*+[0-9]*' g.txt || fail "no gaps in the recovered segment"
expect_grep '^REC|First Frame: 0$' g.txt	# the stream's first frame
# Where the segment leaves the stream and where it comes back: frame by
# frame against exp.raw; after a difference at segment frame k (stream
# frame t), the next 64 frames are searched for further on in the
# stream (a random stream: found once) to give the gap t..t+len.
wavdump -p "$1" >seg.raw
python3 - exp.raw seg.raw 4 >found <<'PY' || fail "the segment is not the stream minus gaps"
import sys
exp, seg, fb = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read(), int(sys.argv[3])
n, k, t, gaps = len(seg) // fb, 0, 0, []
while k < n:
    if seg[k * fb:(k + 1) * fb] == exp[t * fb:(t + 1) * fb]:
        k, t = k + 1, t + 1
        continue
    probe = seg[k * fb:min(k + 64, n) * fb]
    at = exp.find(probe, (t + 1) * fb)
    while at >= 0 and at % fb:
        at = exp.find(probe, at + 1)
    if at < 0:
        sys.exit("segment frame %d (stream frame %d): not in the stream" % (k, t))
    gaps.append("%d+%d" % (k, at // fb - t))
    t = at // fb
print(",".join(gaps))
PY
found=$(cat found)
rec=$(sed -n 's/^REC|Gaps: //p' g.txt)
say "gaps found in the stream: $found; REC|Gaps: $rec"
# a loss at the very end (offset = frames) leaves nothing to find it by
frames=$(sed -n 's/^REC|Frames: //p' g.txt)
rec_inner=$(echo "$rec" | tr ',' '\n' | grep -v "^$frames+" | paste -sd, -)
[ -n "$found" ] || fail "no gap found in the stream: nothing was lost"
[ "$found" = "$rec_inner" ] ||
	fail "REC|Gaps '$rec' do not match the stream's: '$found'"
ls sp/tmp/*.gaps >/dev/null 2>&1 && fail "the gap journal was left behind"

say "a clock behind archived names: new names sort after them"
mkdir -p sp2/out
future=$(date -u -d '+1 hour' +%Y%m%dT%H%M%S.000Z)
past=$(date -u -d '-1 hour' +%Y%m%dT%H%M%S.000Z)
touch "sp2/out/${past}_${future}_l.tar.idx"
pacer -r 8000 -c 1 -f S16_LE -d 3 -n | rec-capture -D - -r 8000 -c 1 -t 1 \
	--spool sp2 --station l 2>cap2.err || { cat cap2.err; fail "rec-capture failed"; }
expect_grep 'behind the newest name' cap2.err
n=0
for f in sp2/seg/*.wav; do
	b=$(basename "$f")
	[ "$b" \> "$future" ] || fail "$b does not sort after $future"
	n=$((n + 1))
done
[ "$n" = 3 ] || fail "expected 3 segments, got $n"
