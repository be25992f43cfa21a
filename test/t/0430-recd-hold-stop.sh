# recd(8) supervision rules, with stand-ins next to a copy of recd (it runs
# the tools beside it):
# - a capture that exits 78 is held: not restarted (while cycles go on)
#   until SIGHUP, which starts it again;
# - a rec.conf broken before a SIGHUP is reported once (not again on the
#   timer) and the old settings keep running: capture is not restarted;
# - on SIGTERM a child that ignores SIGTERM is killed after stop-timeout,
#   and recd still exits 0.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"

mkdir bin
cp "$(command -v recd)" bin/recd
cat >bin/rec-capture <<'EOF'
#!/bin/sh
echo "$$" >>"$T0430/captures"
if [ "$(cat "$T0430/mode")" = 78 ]; then exit 78; fi
trap '' TERM
exec sleep 600
EOF
cat >bin/rec-archive <<'EOF'
#!/bin/sh
echo run >>"$T0430/cycles"
exit 0
EOF
printf '#!/bin/sh\nexit 0\n' >bin/rec-upload
chmod +x bin/*
export T0430=$PWD
: >captures
: >cycles
echo 78 >mode

cat >rec.conf <<EOF
spool = spool
station = t0430
[recd]
interval = 1s
stop-timeout = 1s
EOF
cp rec.conf good.conf
lines() { wc -l <"$1"; }

bin/recd --config rec.conf </dev/null 2>recd.log &
pid=$!
trap 'kill -9 $pid ${cap:-} 2>/dev/null || :' EXIT

say "exit 78: held, cycles go on, capture is not started again"
wait_until 60 grep -q 'rec-capture exited with 78: not retrying before a reload' recd.log
c0=$(lines cycles)
wait_until 60 eval '[ "$(lines cycles)" -ge $((c0 + 3)) ]'
[ "$(lines captures)" = 1 ] || fail "a held capture was started again: $(lines captures) starts"
[ "$(grep -c 'rec-capture exited with 78' recd.log)" = 1 ] || fail "held capture reported again"

say "SIGHUP starts it again"
echo run >mode
kill -HUP $pid
wait_until 60 eval '[ "$(lines captures)" = 2 ]'
cap=$(tail -n 1 captures)
wait_until 60 kill -0 "$cap"

say "a broken rec.conf at SIGHUP: one error, the old settings go on"
printf 'spool = spool\nstation = t0430\n[recd]\nintervall = 1s\n' >rec.conf
kill -HUP $pid
wait_until 60 grep -q 'keeping the old settings' recd.log
c0=$(lines cycles)
wait_until 60 eval '[ "$(lines cycles)" -ge $((c0 + 3)) ]'
[ "$(grep -c 'keeping the old settings' recd.log)" = 1 ] ||
	{ cat recd.log >&2; fail "the broken config was reported more than once"; }
grep 'keeping the old settings' recd.log | grep -q 'rec.conf:4' ||
	fail "the error does not name the file and line"
[ "$(lines captures)" = 2 ] || fail "capture was restarted for a broken config"
kill -0 "$cap" || fail "capture stopped"

say "SIGTERM: a child that ignores it is killed after stop-timeout"
kill -TERM $pid
rc=0
wait $pid || rc=$?
[ "$rc" = 0 ] || { cat recd.log >&2; fail "recd exited $rc"; }
expect_grep "rec-capture (pid $cap) did not stop in 1s: killing it" recd.log
! kill -0 "$cap" 2>/dev/null || fail "capture $cap still runs"
