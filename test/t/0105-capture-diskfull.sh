# Disk full (a real one: a 2 MiB tmpfs): the segment on disk stays
# valid, capture goes on into its ring buffer, the writer logs once and
# retries; when the ring is full the newest frames are dropped, counted
# and recorded as gaps; when space returns, capture carries on. Needs
# root to mount a tmpfs; skipped otherwise.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"

mkdir mnt
mount -t tmpfs -o size=2m tmpfs mnt 2>/dev/null || skip "cannot mount a tmpfs"
cleanup() { umount mnt 2>/dev/null || umount -l mnt 2>/dev/null || true; }
trap cleanup EXIT

rate=16000
pacer -r $rate -c 2 -f S16_LE -d 10 --seed 5 -n >exp.raw
head -c 1700k /dev/zero >mnt/filler
mkfifo in
: >cap.err
pacer -r $rate -c 2 -f S16_LE -d 10 --seed 5 >in 2>pacer.err &
pp=$!
rec-capture -D - -r $rate -c 2 -t 1 --buffer 2 --spool mnt/sp --station f \
	-v <in 2>cap.err &
cp=$!
say "waiting for the disk to fill"
n=0
until grep -q 'disk full' cap.err; do
	n=$((n + 1))
	[ $n -lt 600 ] || { cat cap.err; fail "the disk never filled"; }
	sleep 0.1
done
say "full; waiting for the source to end (the ring overflows meanwhile)"
wait $pp
say "space returns"
rm mnt/filler
rc=0; wait $cp || rc=$?
cat pacer.err cap.err
[ $rc = 0 ] || fail "rec-capture exit $rc"
expect_grep 'dropped=0$' pacer.err
[ "$(grep -c 'disk full' cap.err)" = 1 ] || fail "disk full logged more than once"
expect_grep 'disk space is back' cap.err
expect_grep 'warning: lost [0-9]* frames .* buffer full' cap.err
[ -z "$(ls mnt/sp/tmp | grep '\.wav$')" ] || fail "left in tmp/"
python3 "$REC_TOP/test/data/capcheck.py" exp.raw 4 mnt/sp/seg/*.wav >check ||
	{ cat check; fail "segments differ from the stream"; }
cat check
lost=$(sed -n 's/.* lost=\([0-9]*\) .*/\1/p' check)
frames=$(sed -n 's/.* frames=\([0-9]*\) .*/\1/p' check)
[ "$((frames + lost))" = $((10 * rate)) ] || fail "frames+lost != stream"
[ "$lost" -gt 0 ] || fail "nothing lost: the test did not test"
for f in mnt/sp/seg/*.wav; do soxi -s "$f" >/dev/null || fail "bad $f"; done
