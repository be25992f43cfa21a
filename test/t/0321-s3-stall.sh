# lib/s3 gives up on a server that trickles its answer (4 bytes a second
# of a 1 MB body, above libcurl's old 1 B/s limit): by the low-speed
# limit (timeout), and
# by the deadline when the timeout is long.  Both end in 75 (temporary)
# before the server's own 60 s run out: the server logs "client-gone"
# when the client hung up first, "server-done" otherwise.  No timing is
# asserted, only that order.
. "$REC_TOP/test/lib.sh"
pids=
trap 'for p in $pids; do kill $p 2>/dev/null || :; done' EXIT
export AWS_ACCESS_KEY_ID=AKSTALL AWS_SECRET_ACCESS_KEY=SKSTALL
export REC_S3_TTL=150

start() {	# DIR: a trickling server; sets ep
	local i
	mkdir -p "$1"
	python3 "$REC_TOP/test/s3/hostile-s3.py" "$1" trickle &
	pids="$pids $!"
	for i in $(seq 200); do
		[ -f "$1/port" ] && break
		sleep 0.1
	done
	[ -f "$1/port" ] || fail "hostile-s3 did not start"
	ep=http://127.0.0.1:$(cat "$1/port")
}
gone_first() {	# DIR: the server saw the client hang up before its end
	local i
	for i in $(seq 90); do
		grep -q 'client-gone\|server-done' "$1/log" && break
		sleep 1
	done
	expect_grep 'client-gone' "$1/log"
	! grep -q 'server-done' "$1/log" || fail "the server finished first"
}
head -c 100 /dev/urandom >obj

say "timeout 2 s, 2 tries: the stall is a stall"
start slow
expect_exit 75 timeout 140 s3op -t 2 -n 2 "$ep" bkt put k obj 2>log
expect_grep 'too slow\|Timeout' log
expect_grep 'gave up after 2 tries' log
gone_first slow

say "timeout 100 s, deadline 3 s: the deadline holds mid-transfer"
start dl
expect_exit 75 timeout 140 s3op -t 100 -d 3 -n 2 "$ep" bkt put k obj 2>log
expect_grep 'deadline passed during the transfer' log
gone_first dl
