# [capture] clock-sync: what the kernel says of its clock goes into every
# segment, and `wait` holds recording until it is synced, for at most
# clock-sync-timeout (test/shim/clockstep answers adjtimex: not synced,
# then synced with an estimated error of 1500 us; the machine's own
# clock state plays no part).
# - mark (default): records at once; Synced false, Error and Max Error
#   from the kernel;
# - wait: nothing is recorded while DIR/clock-wait says since when and
#   until when; synced -> recording starts, the file is gone, segments
#   say Synced true, Error 0.0015;
# - wait with a timeout of 2 s that passes: records anyway, marked;
# - a stop while waiting: exit 0, nothing recorded, no clock-wait left;
# - a bad value: exit 64 (flag) or 78 (rec.conf, with FILE:LINE).
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/data/asoundrc.sh"

key() { wavdump -g "$2" | sed -n "s/^$1: //p"; }
clock() { printf '%s\n' "$@" >clock.tmp && mv clock.tmp clock; }
shim="$REC_BUILD/test/shim/clockstep.so${LD_PRELOAD:+ $LD_PRELOAD}"
export REC_CLOCKSTEP=$PWD/clock

pacer -r 8000 -c 1 -f S16_LE -d 3 --seed 4 -n >src.raw
asoundrc_file src "$PWD/src.raw"

say "mark: records at once, the clock's state in every segment"
clock 'synced 0' 'esterror 16000000' 'maxerror 16000000'
LD_PRELOAD=$shim rec-capture -D src -r 8000 -t 1 -d 2 --spool m \
	--station s 2>m.err || { cat m.err; fail "rec-capture failed"; }
for f in m/seg/*.wav; do
	[ "$(key 'REC|Clock Synced' "$f")" = false ] || fail "$f: synced"
	[ "$(key 'REC|Clock Error' "$f")" = 16.000000000 ] || fail "$f: error"
	[ "$(key 'REC|Clock Max Error' "$f")" = 16.000000000 ] ||
		fail "$f: max error"
done
grep 'waits' m.err && fail "mark waited"

say "wait: nothing recorded until the clock is synced"
LD_PRELOAD=$shim timeout 60 rec-capture -D src -r 8000 -t 1 -d 2 \
	--clock-sync wait --clock-sync-timeout 1h --spool w --station s \
	2>w.err &
pid=$!
wait_until 30 test -f w/clock-wait
cat w/clock-wait
python3 - w/clock-wait <<'EOT' || fail "clock-wait: want SINCE UNTIL an hour apart"
import sys, datetime
a, b = open(sys.argv[1]).read().split()
f = lambda s: datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
sys.exit(abs((f(b) - f(a)).total_seconds() - 3600) > 0.001)
EOT
expect_grep 'not synced: recording waits for it until' w.err
sleep 2		# (a recorder that did not wait would have segments now)
[ -z "$(ls w/seg w/tmp | grep wav)" ] || fail "recorded while waiting"
kill -0 $pid || fail "rec-capture ended while waiting"
clock 'synced 1' 'esterror 1500' 'maxerror 30000'
wait $pid || { cat w.err; fail "rec-capture failed"; }
cat w.err
expect_grep 'clock is synced after [0-9.]* s: recording' w.err
[ ! -e w/clock-wait ] || fail "clock-wait left behind"
set -- w/seg/*.wav
[ $# = 2 ] || fail "want 2 segments, got $#"
for f; do
	[ "$(key 'REC|Clock Synced' "$f")" = true ] || fail "$f: not synced"
	[ "$(key 'REC|Clock Error' "$f")" = 0.001500000 ] || fail "$f: error"
	[ "$(key 'REC|Clock Max Error' "$f")" = 0.030000000 ] ||
		fail "$f: max error"
done

say "wait: the timeout passes, it records anyway, marked"
clock 'synced 0'
LD_PRELOAD=$shim rec-capture -D src -r 8000 -t 1 -d 1 --clock-sync wait \
	--clock-sync-timeout 2s --spool t --station s 2>t.err ||
	{ cat t.err; fail "rec-capture failed"; }
cat t.err
expect_grep 'still not synced after 2\.[0-9] s: recording anyway' t.err
[ ! -e t/clock-wait ] || fail "clock-wait left behind"
[ "$(key 'REC|Clock Synced' t/seg/*.wav)" = false ] || fail "not marked"

say "a stop while waiting: exit 0, nothing recorded, no clock-wait left"
LD_PRELOAD=$shim rec-capture -D src -r 8000 --clock-sync wait \
	--spool s --station s 2>s.err &
pid=$!
wait_until 30 test -f s/clock-wait
kill -TERM $pid
wait $pid || fail "exit $? after a stop while waiting"
expect_grep 'stopped before recording' s.err
[ ! -e s/clock-wait ] || fail "clock-wait left behind"
[ -z "$(ls s/seg s/tmp | grep wav)" ] || fail "recorded"

say "bad values"
expect_exit 64 rec-capture -D src --clock-sync later --spool b 2>b.err
expect_grep "clock-sync 'later'" b.err
printf '[capture]\nclock-sync-timeout = soon\n' >bad.conf
expect_exit 78 rec-capture -D src --config bad.conf --spool b 2>b.err
expect_grep "bad.conf:2: bad clock-sync-timeout 'soon'" b.err
