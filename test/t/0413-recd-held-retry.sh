# An upload held after rec-upload's exit 78 (a TLS failure once taken for
# a bad config) is tried again on recd's slow timer, without a reload:
# out/ never grows for ever because an exit code was wrong once. The
# timer is an hour; REC_TEST_HELD_RETRY shortens it for this test. The
# tools are stand-ins next to a copy of recd (it runs the ones beside it).
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"

mkdir bin
cp "$(command -v recd)" bin/recd
cat >bin/rec-capture <<'EOF2'
#!/bin/sh
exec sleep 600
EOF2
cat >bin/rec-archive <<'EOF2'
#!/bin/sh
exit 0
EOF2
cat >bin/rec-upload <<'EOF2'
#!/bin/sh
echo "run" >>"$T0413_LOG"
exit 78
EOF2
chmod +x bin/rec-capture bin/rec-archive bin/rec-upload
export T0413_LOG=$PWD/uploads.log
: >uploads.log

cat >rec.conf <<EOF2
spool = spool
station = t0413
[recd]
interval = 1s
EOF2
mkdir -p spool/out
: >spool/out/20261128T031500.000Z_20261128T041500.000Z_t0413.tar

REC_TEST_HELD_RETRY=2s bin/recd --config rec.conf </dev/null 2>recd.log &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true' EXIT

say "exit 78 holds the upload; the slow timer tries it again, no reload"
wait_until 60 eval '[ "$(wc -l <uploads.log)" -ge 1 ]'
expect_grep 'rec-upload exited with 78: not retrying before a reload' recd.log
wait_until 60 eval '[ "$(wc -l <uploads.log)" -ge 3 ]'
expect_grep 'trying the held uploads again' recd.log
grep -q 'rereading' recd.log && fail "recd reloaded its config"

say "a bad REC_TEST_HELD_RETRY is refused"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 0 ] || fail "recd exited $rc on SIGTERM"
expect_exit 64 env REC_TEST_HELD_RETRY=soon bin/recd --config rec.conf </dev/null 2>bad.log
expect_grep "recd: error: bad REC_TEST_HELD_RETRY 'soon'" bad.log
