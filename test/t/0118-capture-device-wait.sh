# [capture] device-wait bounds the wait for a missing or lost device
# (test/shim/alsagone): 0 fails at once with 69 as a tool run by hand may
# want (one error line, nothing waited for); a duration waits that long,
# then 69; a device lost in the middle with device-wait = 0 ends the run
# with 69 after the segment in progress is published.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/data/asoundrc.sh"

pacer -r 8000 -c 1 -f S16_LE -d 2 --seed 5 -n >src.raw
asoundrc_file src "$PWD/src.raw"
# gone [AFTER] -- rec-capture...: with the shim, the flag never there
gone() {
	local after=$1
	shift 2
	REC_ALSAGONE_AFTER=$after REC_ALSAGONE_FLAG=$PWD/noflag \
	REC_ALSAGONE_LOG=$PWD/shim.log \
	LD_PRELOAD="$REC_BUILD/test/shim/alsagone.so${LD_PRELOAD:+:$LD_PRELOAD}" \
		timeout 60 "$@"
}

say "absent, device-wait = 0: 69 at once, one line"
printf '[capture]\ndevice-wait = 0\n' >now.conf
rc=0
gone '' -- rec-capture --config now.conf -D src -r 8000 --spool sp \
	--station s 2>err || rc=$?
cat err
[ $rc = 69 ] || fail "exit $rc, want 69"
[ "$(grep -c . err)" = 1 ] || fail "want one line"
expect_grep '^rec-capture: error: cannot open audio device src: No such device$' err
[ "$(grep -c 'open' shim.log)" = 1 ] || fail "tried more than once"
[ ! -e sp/device-lost ] || fail "device-lost"

say "absent, device-wait = 1.5s: waits, then 69"
printf '[capture]\ndevice-wait = 1.5s\n' >wait.conf
rm -f shim.log
rc=0
gone '' -- rec-capture --config wait.conf -D src -r 8000 --spool sp \
	--station s 2>err || rc=$?
cat err
[ $rc = 69 ] || fail "exit $rc, want 69"
expect_grep 'warning: audio device src is not there (No such device): waiting for it$' err
expect_grep 'error: audio device src is still not there after [0-9.]* s (device-wait): giving up$' err
[ "$(grep -c 'open gone' shim.log)" -ge 2 ] || fail "did not try again"
[ ! -e sp/device-lost ] || fail "device-lost left behind"

say "lost in the middle, device-wait = 0: the segment published, 69"
rm -f shim.log
rc=0
gone 6000 -- rec-capture --config now.conf -D src -r 8000 -t 1 --spool sp2 \
	--station s 2>err || rc=$?
cat err
[ $rc = 69 ] || fail "exit $rc, want 69"
expect_grep 'error: audio device src is gone (No such device)$' err
! grep -q waiting err || fail "it waited"
[ -z "$(ls sp2/tmp | grep -v '^\.')" ] || fail "left in tmp/"
wavdump -p sp2/seg/*.wav | cmp - <(head -c 12000 src.raw) ||
	fail "the 6000 frames before the loss are not all published"

say "a bad value: 78"
printf '[capture]\ndevice-wait = soon\n' >bad.conf
expect_exit 78 rec-capture --config bad.conf -D src --spool sp --station s
