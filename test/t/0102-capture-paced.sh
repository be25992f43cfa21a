# rec-capture in real time: a paced source (test/helpers/pacer) writes
# PCM to its standard input through a bounded buffer, while the disk
# writer stalls 5 s again and again (REC_FAULT_WRITE_STALL). Nothing is
# dropped: the pacer never found its buffer full, and the segments hold
# the whole stream, bit for bit.
# The margins, from the test's own numbers, not the machine's speed:
# - the pacer's buffer (3 s, plus the pipe's 64 KiB = 0.34 s at 192 kB/s)
#   is shorter than a stall (5 s) by 1.6 s: a reader that waited for the
#   disk would overflow it at every stall, however fast the machine; a
#   reader that does not wait may be late by up to 3.3 s, far more than
#   any scheduling delay of a loaded machine;
# - the ring (--buffer 20) holds more than the whole stream (8 s), so no
#   writer, however slow, can fill it: the segments must hold everything.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"

pacer -r 48000 -c 2 -f S16_LE -d 8 --seed 7 -n >exp.raw
pacer -r 48000 -c 2 -f S16_LE -d 8 -b 3 --seed 7 2>pacer.err |
	REC_FAULT_WRITE_STALL=5000@100 rec-capture -D - -r 48000 -c 2 -t 1 \
	--buffer 20 --spool sp --station p -v 2>cap.err ||
	{ cat cap.err; fail "rec-capture failed"; }
cat pacer.err
expect_grep '^pacer: frames=384000 dropped=0$' pacer.err
expect_grep 'test fault: stalling 5000 ms' cap.err
python3 "$REC_TOP/test/data/capcheck.py" exp.raw 4 sp/seg/*.wav >check ||
	{ cat check; fail "segments differ from the stream"; }
cat check
expect_grep ' frames=384000 lost=0 end=384000$' check
wavdump -p sp/seg/*.wav | cmp - exp.raw
[ "$(ls sp/seg | wc -l)" = 8 ] || fail "want 8 segments"
