# A stop signal while rec-capture waits for its audio device (absent at
# start, or gone in the middle; test/shim/alsagone) is a clean stop: exit
# 0, what was recorded published, DIR/device-lost removed.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/data/asoundrc.sh"

opens_gone() { [ "$(grep -c 'open gone' shim.log 2>/dev/null)" -ge "$1" ]; }

pacer -r 8000 -c 1 -f S16_LE -d 2 --seed 4 -n >src.raw
asoundrc_file src "$PWD/src.raw"

say "absent at start, then SIGTERM"
REC_ALSAGONE_FLAG=$PWD/flag REC_ALSAGONE_LOG=$PWD/shim.log \
LD_PRELOAD="$REC_BUILD/test/shim/alsagone.so${LD_PRELOAD:+:$LD_PRELOAD}" \
	timeout 60 rec-capture -D src -r 8000 -c 1 -t 1 --spool sp \
	--station s 2>cap.err &
pid=$!
wait_until 30 test -f sp/device-lost
wait_until 30 opens_gone 2
kill -TERM $pid
rc=0
wait $pid || rc=$?
cat cap.err
[ $rc = 0 ] || fail "exit $rc"
expect_grep 'warning: audio device src is not there (No such device): waiting for it$' cap.err
expect_grep 'info: stopped before recording$' cap.err
! grep -q 'recording src' cap.err || fail "said it was recording"
[ ! -e sp/device-lost ] || fail "device-lost left behind"
[ -z "$(ls sp/seg)" ] || fail "segments without audio"

say "gone in the middle, then SIGTERM"
rm -f shim.log
REC_ALSAGONE_AFTER=12000 REC_ALSAGONE_FLAG=$PWD/flag \
REC_ALSAGONE_LOG=$PWD/shim.log \
LD_PRELOAD="$REC_BUILD/test/shim/alsagone.so${LD_PRELOAD:+:$LD_PRELOAD}" \
	timeout 60 rec-capture -D src -r 8000 -c 1 -t 1 --spool sp2 \
	--station s 2>cap2.err &
pid=$!
wait_until 30 test -f sp2/device-lost
wait_until 30 opens_gone 1
kill -TERM $pid
rc=0
wait $pid || rc=$?
cat cap2.err
[ $rc = 0 ] || fail "exit $rc"
[ ! -e sp2/device-lost ] || fail "device-lost left behind"
[ -z "$(ls sp2/tmp | grep -v '^\.')" ] || fail "left in tmp/"
wavdump -p sp2/seg/*.wav | cmp - <(head -c 24000 src.raw) ||
	fail "the 12000 frames before the loss are not all published"
expect_grep 'stopped: 12000 frames in 2 segments, 0 overruns, 0 frames lost' cap2.err
