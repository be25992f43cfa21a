# rec-status tells whether recd runs from DIR/recd.lock (held by recd and
# its children), not from the pid in the status file: a live recd run
# under another name is running, a recd killed with -9 is not, even when
# its pid now belongs to another process called recd.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"

cat >rec.conf <<EOF2
spool = spool
station = t0412
[capture]
device = -
rate = 8000
channels = 1
[recd]
interval = 1s
EOF2
# status_rc: rec-status's exit code (0 running, 69 not)
status_rc() { local rc=0; rec-status --config rec.conf >st.txt 2>&1 || rc=$?; echo $rc; }
jget() {
	rec-status --config rec.conf --json 2>/dev/null |
		python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"
}

# a name that is not "recd" (its /proc/PID/comm): how it was installed
# is no business of rec-status
ln -s "$(command -v recd)" recd-0412
mkfifo in
exec 3<>in
./recd-0412 --config rec.conf <in 2>recd.log &
pid=$!
fake=
trap 'kill -9 $pid $fake 2>/dev/null || true' EXIT

say "a live recd is running"
wait_until 30 test -f spool/status
wait_until 30 eval '[ "$(status_rc)" = 0 ]'
expect_grep "^recd        running, pid $pid" st.txt
[ "$(jget 'j["recd"]["state"]')" = running ] || fail "state is not running"
[ "$(jget 'j["recd"]["pid"]')" = "$pid" ] || fail "pid is not $pid"

say "kill -9: not running (once its children, which keep the lock, are gone)"
cap=$(jget 'j["children"]["rec-capture"]["pid"]')
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
# rec-capture gets SIGTERM when recd dies, and publishes its segment
wait_until 30 eval '! kill -0 '"$cap"' 2>/dev/null'
expect_exit 69 rec-status --config rec.conf >st.txt
expect_grep '^recd        not running' st.txt
rc=0
rec-status --config rec.conf --json >st.json || rc=$?
[ "$rc" = 69 ] || fail "rec-status --json exited $rc"
python3 -c 'import json,sys; assert json.load(sys.stdin)["recd"]["state"] == "dead"' <st.json ||
	fail "not dead: $(cat st.json)"

say "its pid now names another process called recd: still not running"
mkdir fake
cp "$(command -v sleep)" fake/recd
fake/recd 600 &
fake=$!
python3 - "$fake" <<'EOF2'
import json, sys
j = json.load(open("spool/status"))
j["recd"]["pid"] = int(sys.argv[1])
json.dump(j, open("spool/status.new", "w"))
EOF2
mv spool/status.new spool/status
[ "$(cat /proc/$fake/comm)" = recd ] || fail "the fake is not called recd"
expect_exit 69 rec-status --config rec.conf >st.txt
expect_grep 'not running' st.txt
