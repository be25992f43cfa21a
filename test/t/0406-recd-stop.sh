# SIGTERM with a cycle in flight: within [recd] cycle-timeout the upload
# finishes before recd exits; past it the upload is stopped, its archive
# stays in out/ (never deleted unverified) and a later run completes it.
# No step depends on the machine's speed: the first upload is held
# (SIGSTOP) until recd has taken the SIGTERM and stopped capture, so the
# cycle is in flight whatever the speed; the second one stalls at the
# proxy for longer than anything here waits.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"
S3=$REC_TOP/test/s3
# RGW: an aborted PUT leaves nothing there (s3rver may keep a stub)
command -v radosgw >/dev/null || skip "no radosgw (scripts/deps.sh)"

pid= up=
cleanup() {
	if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null; fi
	# a held rec-upload would stay stopped for ever
	if [ -n "$up" ]; then kill -9 "$up" 2>/dev/null || :; fi
	"$S3/faultproxy" stop p >/dev/null 2>&1
	"$S3/rgw" stop srv >/dev/null 2>&1
	return 0
}
trap cleanup EXIT
REC_S3_TTL=300 "$S3/rgw" start srv
"$S3/mkbucket" srv field
. srv/env
umask 077
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
	"$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >creds
umask 022
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
objects() { "$S3/aws" srv s3 ls --recursive s3://field/ | grep -c '\.tar$' || true; }

conf() {	# conf CYCLE-TIMEOUT [ENDPOINT]
	local endpoint=${2:-$S3_ENDPOINT}
	cat >rec.conf <<EOF
spool = spool
station = t0406
[capture]
device = -
rate = 8000
channels = 1
segment = 2s
[archive]
min-count = 3
[upload]
endpoint = $endpoint
region = $S3_REGION
bucket = field
addressing = path
credentials-file = $PWD/creds
[recd]
interval = 1s
cycle-timeout = $1
stop-timeout = 5s
EOF
}
mkfifo in
exec 3<>in

say "SIGTERM during an upload, cycle-timeout 10m: the upload finishes"
# A copy of recd runs the tools beside it: there, a rec-upload that stops
# itself (SIGSTOP) before it runs the real one, until this test lets it go
# on. 10m is far more than the test holds it, however slow the machine.
mkdir bin
cp "$(command -v recd)" bin/recd
cat >bin/rec-upload <<EOF
#!/bin/sh
kill -STOP \$\$
exec "$REC_BUILD/bin/rec-upload" "\$@"
EOF
chmod +x bin/rec-upload
conf 10m
bin/recd --config rec.conf <in 2>recd.log 3>&- &
pid=$!
head -c 112000 /dev/urandom >&3		# 7 s: 3 segments and a part
# held: a child rec-upload of recd in the stopped state
held() {
	up=$(pgrep -P "$pid" -x rec-upload) &&
		case $(ps -o stat= -p "$up") in T*) ;; *) false ;; esac
}
wait_until 60 held
kill -TERM "$pid"
wait_until 60 grep -q 'recd: info: got Terminated: stopping' recd.log
# capture is stopped at once; the held cycle keeps recd running
wait_until 60 eval '! pgrep -P $pid -x rec-capture >/dev/null'
kill -0 "$pid" 2>/dev/null || { cat recd.log; fail "recd exited with the cycle in flight"; }
kill -CONT "$up"
up=
rc=0
wait "$pid" || rc=$?
pid=
[ "$rc" = 0 ] || { cat recd.log; fail "recd exited $rc"; }
expect_grep 'rec-upload: info: uploaded' recd.log
[ -z "$(ls spool/out | grep '\.tar$')" ] || fail "the archive is still in out/"
[ "$(objects)" = 1 ] || fail "the archive is not in the bucket"

say "SIGTERM during an upload, cycle-timeout 1s: the upload is stopped"
# The PUT stalls mid-body at the proxy for longer than anything here
# waits: only recd's cycle-timeout can end it, however fast the machine.
"$S3/faultproxy" start p "$S3_ENDPOINT" 'PUT * stall 600'
conf 1s "$(. p/proxy.env; echo "$PROXY_ENDPOINT")"
: >recd.log
recd --config rec.conf <in 2>recd.log 3>&- &
pid=$!
head -c 112000 /dev/urandom >&3
wait_until 60 eval 'pgrep -P $pid -x rec-upload >/dev/null'
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
[ "$rc" = 0 ] || { cat recd.log; fail "recd exited $rc"; }
expect_grep 'the cycle did not finish in 1s: stopping rec-upload' recd.log
grep -q 'rec-upload: info: uploaded' recd.log && fail "the upload was not stopped"
[ -n "$(ls spool/out | grep '\.tar$')" ] || fail "an unverified archive was deleted"
# (the stopped PUT may have reached the server whole: the next run checks
# and sends it again under the same key, which is allowed)
ls spool/out | grep '\.tar$' >kept

say "the next run completes it"
conf 1s			# straight to the server again
rec-upload --config rec.conf --limit-rate 0 2>up.log || { cat up.log; fail "rec-upload failed"; }
[ -z "$(ls spool/out | grep '\.tar$')" ] || fail "the archive is still in out/"
[ "$(objects)" = 2 ] || fail "not 2 archives in the bucket"
"$S3/aws" srv s3 cp --only-show-errors "s3://field/t0406/$(head -c 4 kept)/$(cut -c 5,6 kept)/$(cut -c 7,8 kept)/$(cat kept)" got.tar
tar -tf got.tar >members		# fails on a damaged tar
[ "$(grep -c '\.wav$' members)" -ge 3 ] || fail "the archive in the bucket is incomplete"
rec-archive --verify got.tar		# every member matches the manifest's SHA-256
exec 3>&-
