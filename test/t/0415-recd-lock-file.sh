# recd.lock is a 0600 regular file of recd's own: a symbolic link put in
# its place is refused with 77 and its target left alone, the lock recd
# creates (or an old 0640 one) is 0600, and its children inherit it. A
# user who may read the spool but not open the lock gets recd's state as
# unknown from rec-status (exit 77), never "not running".
# The tools are stand-ins next to a copy of recd (it runs the ones beside it).
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"

mkdir bin
cp "$(command -v recd)" bin/recd
printf '#!/bin/sh\nexec sleep 600\n' >bin/rec-capture
printf '#!/bin/sh\nexit 0\n' >bin/rec-archive
printf '#!/bin/sh\nexit 0\n' >bin/rec-upload
chmod +x bin/rec-capture bin/rec-archive bin/rec-upload
cat >rec.conf <<EOF2
spool = spool
station = t0415
[recd]
interval = 1s
EOF2
rec-archive -q --spool spool		# the spool, made by a real tool
jget() {	# jget EXPR: a value from rec-status --json (python syntax on j)
	python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"
}

say "a link at recd.lock: refused with 77, its target untouched"
echo precious >victim
chmod 0644 victim
ln -s ../victim spool/recd.lock
# bounded: a recd that took the link would run on
expect_exit 77 timeout 60 bin/recd --config rec.conf </dev/null 2>err
expect_grep "cannot open $PWD/spool/recd.lock" err
[ "$(cat victim)" = precious ] || fail "the link's target was changed"
[ "$(stat -c %a victim)" = 644 ] || fail "the link's target mode changed"
[ -L spool/recd.lock ] || fail "the link was replaced"
rm spool/recd.lock

say "the lock recd creates is 0600, and its children hold it"
bin/recd --config rec.conf </dev/null 2>recd.log &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true' EXIT
wait_until 30 test -f spool/status
[ "$(stat -c %a spool/recd.lock)" = 600 ] ||
	fail "recd.lock is $(stat -c %a spool/recd.lock)"
expect_exit 0 rec-status --config rec.conf >st.txt
wait_until 30 eval '[ "$(rec-status --config rec.conf --json | jget "j[\"children\"][\"rec-capture\"][\"pid\"]")" != None ]'
cap=$(rec-status --config rec.conf --json | jget 'j["children"]["rec-capture"]["pid"]')
[ -n "$cap" ] && [ "$cap" != 0 ] || fail "no capture pid"
ls -l "/proc/$cap/fd" >capfd.txt 2>/dev/null || fail "cannot list capture's fds"
expect_grep "$PWD/spool/recd.lock" capfd.txt

say "an old 0640 lock is made 0600 by the next start"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 0 ] || fail "recd exited $rc on SIGTERM"
# its capture (killed with it) may still hold the lock for a moment
wait_until 30 eval '! kill -0 '"$cap"' 2>/dev/null'
chmod 0640 spool/recd.lock
bin/recd --config rec.conf </dev/null 2>recd2.log &
pid=$!
wait_until 30 eval 'rec-status --config rec.conf >/dev/null 2>&1'
[ "$(stat -c %a spool/recd.lock)" = 600 ] ||
	fail "recd.lock left $(stat -c %a spool/recd.lock)"

say "a user who cannot open the lock: recd's state is unknown, 77"
if [ "$(id -u)" != 0 ] || ! command -v useradd >/dev/null ||
    ! command -v setpriv >/dev/null; then
	say "skipped: needs root, useradd and setpriv"
else
	user=rec-t0415
	if ! id -u "$user" >/dev/null 2>&1; then
		useradd --system --no-create-home --user-group \
			--shell /bin/false "$user" || fail "cannot create $user"
		trap 'kill -9 $pid 2>/dev/null || true; userdel "$user" 2>/dev/null || true' EXIT
	fi
	uid=$(id -u "$user")
	gid=$(id -g "$user")
	chgrp "$gid" spool
	chmod 0755 .
	chmod 0644 rec.conf
	as_user() { setpriv --reuid="$uid" --regid="$gid" --clear-groups "$@"; }
	as_user cat spool/status >/dev/null || fail "setup: $user cannot read the status"
	expect_exit 77 as_user rec-status --config rec.conf >st.txt 2>err
	expect_grep '^recd        unknown: recd.lock cannot be tested (Permission denied)' st.txt
	expect_grep 'whether recd runs is unknown' err
	grep -q 'not running' st.txt && fail "rec-status said not running"
	rc=0
	as_user rec-status --config rec.conf --json >st.json 2>/dev/null || rc=$?
	[ "$rc" = 77 ] || fail "rec-status --json exited $rc"
	[ "$(jget 'j["recd"]["state"]' <st.json)" = unknown ] ||
		fail "state is not unknown: $(cat st.json)"
fi

kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 0 ] || fail "recd exited $rc on SIGTERM"
