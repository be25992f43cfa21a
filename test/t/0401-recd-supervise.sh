# recd keeps rec-capture running: a kill -9 is followed by a restart that
# recovers the open segment; exit 78 is held (no hammering) until a fixed
# config is reloaded; SIGHUP restarts capture only when its settings
# changed.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"

jget() {
	rec-status --spool spool --json 2>/dev/null |
		python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"
}
cap_pid() { jget 'j["children"]["rec-capture"]["pid"]'; }
cap_state() { jget 'j["children"]["rec-capture"]["state"]'; }
restarts() { jget 'j["children"]["rec-capture"]["restarts"]'; }
# capture_running: a live rec-capture is recorded in the status
capture_running() {
	local p
	p=$(cap_pid)
	[ "$p" != 0 ] && [ -n "$p" ] && [ "$(cat /proc/$p/comm 2>/dev/null)" = rec-capture ]
}
# log_count PATTERN: lines of recd.log matching
log_count() { grep -c -e "$1" recd.log || true; }

conf() {	# conf RATE SEGMENT MINCOUNT
	cat >rec.conf <<EOF
spool = spool
station = t0401
[capture]
device = -
rate = $1
channels = 1
segment = $2
[archive]
min-count = $3
[recd]
interval = 1s
backoff-max = 2s
EOF
}
conf 8000 1s 1000
mkfifo in
exec 3<>in
recd -v --config rec.conf <in 2>recd.log &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true' EXIT
wait_until 30 capture_running
p1=$(cap_pid)

say "kill -9 of capture: restarted, its open segment recovered"
head -c 24000 /dev/urandom >&3		# 1.5 s: one segment and a half
wait_until 30 eval '[ "$(ls spool/seg | wc -l)" = 1 ]'
wait_until 30 eval '[ -n "$(ls spool/tmp)" ]'
sleep 0.5	# capture writes the half segment into tmp/
kill -9 "$p1"
wait_until 30 eval '[ "$(restarts)" = 1 ]'
wait_until 30 capture_running
p2=$(cap_pid)
[ "$p2" != "$p1" ] || fail "same capture pid after a restart"
wait_until 30 eval '[ "$(ls spool/seg | wc -l)" = 2 ]'	# recovered
[ -z "$(ls spool/tmp | grep wav)" ] || fail "a segment was left in tmp/"
# the second segment is the one the kill cut off: its GUANO says it was
# recovered; the first was published by capture itself and does not
set -- spool/seg/*.wav
wavdump -g "$1" >g1.txt
wavdump -g "$2" >g2.txt
expect_grep '^REC|Recovered: true' g2.txt
! grep -q '^REC|Recovered: true' g1.txt || { cat g1.txt >&2
	fail "$1, published by capture, says it was recovered"; }
expect_grep 'rec-capture was killed by signal 9' recd.log

say "kill -9 again: a second restart (with backoff), recording goes on"
kill -9 "$p2"
wait_until 30 eval '[ "$(restarts)" = 2 ]'
wait_until 30 capture_running
head -c 20000 /dev/urandom >&3		# a segment and a quarter
wait_until 30 eval '[ "$(ls spool/seg | wc -l)" = 3 ]'

say "a bad capture setting (exit 78) is held, not hammered"
p3=$(cap_pid)
conf 0 1s 1000		# rate 0: rec-capture refuses it with 78
kill -HUP "$pid"
wait_until 30 eval '[ "$(cap_state)" = held ]'
r=$(restarts)
n=$(log_count 'rec-capture exited with 78')
[ "$n" = 1 ] || fail "capture exit 78 logged $n times"
# Let a few timer ticks (interval 1s) go by: still held, no new start.
t=$(jget 'j["updated"]')
wait_until 30 eval '[ "$(jget "j[\"updated\"]")" != "$t" ]'
t=$(jget 'j["updated"]')
wait_until 30 eval '[ "$(jget "j[\"updated\"]")" != "$t" ]'
[ "$(cap_state)" = held ] || fail "capture is not held any more"
[ "$(restarts)" = "$r" ] || fail "a held capture was restarted"
[ "$(log_count 'rec-capture exited with 78')" = 1 ] || fail "capture hammered"
rec-status --spool spool >st.out || true
expect_grep '^rec-capture *held.*waiting for a fix' st.out

say "fixed config + SIGHUP: capture runs again"
conf 8000 1s 1000
kill -HUP "$pid"
wait_until 30 capture_running
[ "$(cap_state)" = running ] || fail "capture not running after the fix"
p4=$(cap_pid)

say "SIGHUP without a capture change does not restart capture"
conf 8000 1s 999	# only [archive] changed
n=$(log_count 'rereading')
kill -HUP "$pid"
wait_until 30 eval '[ "$(log_count rereading)" -gt "$n" ]'
sleep 0.5
[ "$(cap_pid)" = "$p4" ] || fail "capture restarted for an [archive] change"
n=$(log_count 'rereading')
kill -HUP "$pid"
wait_until 30 eval '[ "$(log_count rereading)" -gt "$n" ]'
sleep 0.5
[ "$(cap_pid)" = "$p4" ] || fail "capture restarted for nothing"
kill -0 "$p4" || fail "capture died"

say "SIGHUP after a capture change restarts it"
conf 8000 2s 999
kill -HUP "$pid"
wait_until 30 eval '[ "$(cap_pid)" != "$p4" ] && capture_running'
expect_grep 'capture settings changed' recd.log

say "the archive cycle still runs: min-count 1 archives the segments"
conf 8000 2s 1
kill -HUP "$pid"
wait_until 60 eval '[ -n "$(ls spool/out | grep "\.tar$")" ]'
[ "$(jget 'j["last_cycle"]["archive_exit"]')" = 0 ] || fail "archive exit"

kill -TERM "$pid"
wait "$pid"
trap - EXIT
exec 3>&-
