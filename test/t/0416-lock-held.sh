# A held lock is reported the same way by every tool that takes one: one
# line from lib/spool naming the lock's full path, and exit 75 (try again
# later, so recd backs off and retries): rec-archive and rec-upload on
# the cycle lock DIR/lock, recd on DIR/recd.lock (with the holder's pid).
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"

sp=$PWD/sp
msg='is held by another process: try again later'
rec-archive -q --spool "$sp" || fail "cannot make the spool"
cat >creds <<'C'
[default]
aws_access_key_id = AKIDTEST
aws_secret_access_key = c2VjcmV0LXRoYXQtbXVzdC1ub3QtbGVhaw
C
chmod 600 creds
cat >rec.conf <<EOF
spool = $sp
station = t0416
[upload]
endpoint = http://127.0.0.1:9
region = us-east-1
bucket = bkt
credentials-file = $PWD/creds
EOF

say "the cycle lock held: rec-archive and rec-upload exit 75, one line"
exec 5<"$sp/lock"
flock -n 5 || fail "cannot take the cycle lock"
expect_exit 75 rec-archive --spool "$sp" 5<&- 2>a.log
expect_exit 75 rec-upload --config rec.conf 5<&- 2>u.log
for t in rec-archive:a rec-upload:u; do
	[ "$(cat "${t#*:}.log")" = "${t%:*}: error: $sp/lock $msg" ] ||
		{ cat "${t#*:}.log"; fail "${t%:*}: not the one held-lock line"; }
done
exec 5<&-

say "recd.lock held: recd exits 75, the same line with the pid"
echo 4242 >"$sp/recd.lock"
chmod 600 "$sp/recd.lock"
exec 5<"$sp/recd.lock"
flock -n 5 || fail "cannot take recd.lock"
expect_exit 75 recd --spool "$sp" </dev/null 5<&- 2>d.log
[ "$(cat d.log)" = "recd: error: $sp/recd.lock $msg (recd, pid 4242)" ] ||
	{ cat d.log; fail "recd: not the one held-lock line"; }
exec 5<&-
