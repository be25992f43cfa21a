# Loss is never silent: when the disk writer stalls longer than the ring
# buffer holds, the reader drops the newest frames, and every lost span
# is logged and recorded as a gap (REC|Gaps, REC|Lost Frames) in the
# segment where it belongs. The frames that were kept are exactly the
# stream's frames at the places the gaps say; kept + lost = the stream.
# Margins from the test's own numbers, not the machine's speed: a write
# takes at most the ring's 0.5 s, so with a stall every 10th write (of
# 1.5 s, three rings) the first stall starts within 5 s of a 6 s stream,
# and frames must be lost; the pacer's buffer (5 s, and a 1 s pipe) lets
# the reader be late by 6 s without the source dropping anything.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/data/asoundrc.sh"

check() {	# EXPECTED FB TOTAL SEGMENTS...
	local exp=$1 fb=$2 total=$3
	shift 3
	python3 "$REC_TOP/test/data/capcheck.py" "$exp" "$fb" "$@" >check ||
		{ cat check; fail "segments differ from the stream"; }
	cat check
	[ "$(wc -l <check)" = 1 ] || fail "one run"
	lost=$(sed -n 's/.* lost=\([0-9]*\) .*/\1/p' check)
	frames=$(sed -n 's/.* frames=\([0-9]*\) .*/\1/p' check)
	[ "$((frames + lost))" = "$total" ] || fail "frames+lost != $total"
	[ "$lost" -gt 0 ] || fail "nothing was lost: the test did not test"
}

say "real time: stalls of 1.5 s with a ring of 0.5 s"
pacer -r 16000 -c 2 -f S16_LE -d 6 --seed 3 -n >exp.raw
pacer -r 16000 -c 2 -f S16_LE -d 6 -b 5 --seed 3 2>pacer.err |
	REC_FAULT_WRITE_STALL=1500@10 rec-capture -D - -r 16000 -c 2 -t 1 \
	--buffer 0.5 --spool sp --station l 2>cap.err ||
	{ cat cap.err; fail "rec-capture failed"; }
cat pacer.err cap.err
expect_grep 'dropped=0$' pacer.err
check exp.raw 4 96000 sp/seg/*.wav
expect_grep 'warning: lost [0-9]* frames .* buffer full' cap.err
say "the log counts every lost frame"
[ "$(sed -n 's/.*warning: lost \([0-9]*\) frames.*/\1/p' cap.err |
	awk '{ s += $1 } END { print s }')" = "$lost" ] ||
	fail "logged loss != recorded loss"
expect_grep "frames lost$" cap.err
grep -q " $lost frames lost$" cap.err || fail "summary does not count $lost"

say "--align with losses: every segment still ends on a boundary"
pacer -r 16000 -c 1 -f S16_LE -d 6 --seed 4 -n >expa.raw
pacer -r 16000 -c 1 -f S16_LE -d 6 -b 5 --seed 4 2>/dev/null |
	REC_FAULT_WRITE_STALL=1500@10 rec-capture -D - -r 16000 -c 1 -t 1 \
	--align --buffer 0.5 --spool spa --station l 2>capa.err ||
	{ cat capa.err; fail "rec-capture failed"; }
check expa.raw 2 96000 spa/seg/*.wav
for f in spa/seg/*.wav; do wavdump -g "$f"; echo; done >guanos
python3 - guanos <<'EOT' || fail "a segment does not end on a boundary"
import sys, datetime
segs = [dict(l.split(": ", 1) if ": " in l else (l.rstrip(":"), "")
             for l in b.splitlines() if l)
        for b in open(sys.argv[1]).read().split("GUANO|Version: 1.0\n")[1:]]
rate = 16000
for g in segs[:-1]:
    t = datetime.datetime.strptime(g["Timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ")
    us = t.second * 10**6 + t.microsecond
    n = int(g["REC|Frames"])
    gaps = [tuple(map(int, x.split("+"))) for x in g["REC|Gaps"].split(",") if x]
    inner = sum(l for o, l in gaps if 0 < o < n)
    trail = sum(l for o, l in gaps if o == n)
    end = us + (n + inner) * 10**6 / rate
    off = end % 10**6
    print(g["Timestamp"], n, g["REC|Gaps"], off)
    if trail == 0:	# on the boundary, or less than a frame after it
        assert off < 10**6 / rate + 1 or off > 10**6 - 1, off
    else:		# or a loss that runs over the boundary
        assert end // 10**6 < (end + trail * 10**6 / rate) // 10**6 or off < 1
EOT

say "ALSA source, a stall at the first write"
# The file source is not paced: rec-capture reads it as a device, at the
# wall clock's pace, unless it gets ahead of the clock (then it waits for
# the disk). Every write stalls 1 s and takes at most the ring's 0.5 s:
# the writer drains less than half of real time, whatever the machine's
# speed, so the reader keeps to the clock and the ring must overflow.
head -c $((2 * 44100 * 3)) /dev/urandom >in.raw
asoundrc_file src "$PWD/in.raw"
REC_FAULT_WRITE_STALL=1000@1 rec-capture -D src -r 44100 -c 1 -f S24_3LE \
	-t 1 -d 2 --buffer 0.5 --spool sp2 --station a 2>cap2.err ||
	{ cat cap2.err; fail "rec-capture failed"; }
cat cap2.err
check in.raw 3 88200 sp2/seg/*.wav

say "a source faster than real time (a file) waits for the disk: no loss"
# Until it is ahead of the clock by 0.3 s (two periods and 0.1 s) it is
# read as a device: a ring of 5 s lets the writer start 4.7 s late (a
# loaded machine) without a loss; a reader that did not wait for the
# disk would overflow it 7 times over (40 s).
head -c $((40 * 8000 * 4)) /dev/urandom >fast.raw
asoundrc_file fast "$PWD/fast.raw"
REC_FAULT_WRITE_STALL=300@4 rec-capture -D fast -r 8000 -c 2 -t 5 -d 40 \
	--buffer 5 --spool sp3 --station a 2>cap3.err ||
	{ cat cap3.err; fail "rec-capture failed"; }
cat cap3.err
wavdump -p sp3/seg/*.wav | cmp - fast.raw
! grep -q 'lost [0-9]* frames' cap3.err || fail "frames lost from a file"
REC_FAULT_WRITE_STALL=300@4 rec-capture -D - -r 8000 -c 2 -t 5 \
	--buffer 0.5 --spool sp4 --station a <fast.raw 2>cap4.err ||
	{ cat cap4.err; fail "rec-capture failed"; }
wavdump -p sp4/seg/*.wav | cmp - fast.raw
! grep -q 'lost [0-9]* frames' cap4.err || fail "frames lost from stdin"
