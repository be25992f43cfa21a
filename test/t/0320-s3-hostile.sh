# lib/s3 against hostile answers from test/s3/hostile-s3.py: nesting
# thousands deep (in an error and in a listing), a listing of a million
# empty elements, an 8 MB error message, and a listing whose markers do
# not advance.  Each ends in a clean error exit (75 for a 5xx after its
# tries, 76 for an answer we refuse, never a crash), under a memory cap,
# with a peak resident size of a few MB (the reader once kept a copy of
# every element's whole path: a 280 KB answer took 1.5 GiB).
. "$REC_TOP/test/lib.sh"
pids=
trap 'for p in $pids; do kill $p 2>/dev/null || :; done' EXIT
export AWS_ACCESS_KEY_ID=AKHOSTILE AWS_SECRET_ACCESS_KEY=SKHOSTILE
export REC_S3_TTL=120

start() {	# DIR MODE [N]: a hostile server; sets ep
	local i
	mkdir -p "$1"
	python3 "$REC_TOP/test/s3/hostile-s3.py" "$@" &
	pids="$pids $!"
	for i in $(seq 200); do
		[ -f "$1/port" ] && break
		sleep 0.1
	done
	[ -f "$1/port" ] || fail "hostile-s3 $2 did not start"
	ep=http://127.0.0.1:$(cat "$1/port")
}
# limited CMD...: with at most 400 MB of address space (not under ASan,
# which reserves terabytes of shadow memory)
limited() {
	if under_san; then "$@"; else (ulimit -v 400000; exec "$@"); fi
}
rss_ok() {	# WHAT: the peak resident size s3op wrote to ./rss is small
	under_san && return 0
	say "$1: peak RSS $(cat rss) KiB"
	[ "$(cat rss)" -lt 40000 ] || fail "$1: peak RSS $(cat rss) KiB"
}
head -c 1000 /dev/urandom >obj

say "an error answer nested 40000 deep (280 KB): retried, then 75"
start deep deep 40000
expect_exit 75 limited s3op -n 2 -m rss "$ep" bkt put k obj 2>log
expect_grep 'HTTP 500' log
expect_grep 'gave up after 2 tries' log
rss_ok deep

say "an error answer nested 9000 deep (63 KB, read whole): 75"
start deep9 deep 9000
expect_exit 75 limited s3op -n 2 -m rss "$ep" bkt put k obj 2>log
expect_grep 'HTTP 500' log
rss_ok deep9

say "a listing nested 40000 deep: refused, 76"
start deeplist deep-list 40000
expect_exit 76 limited s3op -m rss "$ep" bkt list p 2>log
expect_grep 'not XML within our limits' log
rss_ok deep-list

say "a listing of a million empty elements: refused, 76"
start many many 1000000
expect_exit 76 limited s3op -m rss "$ep" bkt list p 2>log
expect_grep 'not XML within our limits' log
rss_ok many

say "an 8 MB error message: cut at 64 KiB, 75"
start huge huge 8000000
expect_exit 75 limited s3op -n 2 -m rss "$ep" bkt put k obj 2>log
expect_grep 'HTTP 500' log
rss_ok huge

say "a listing that repeats its markers: an error, not a loop"
start marker marker
expect_exit 76 limited s3op "$ep" bkt list p 2>log
expect_grep 'does not advance' log
expect_grep "key-marker 'k1'" log
[ "$(grep -c '^GET ' marker/log)" = 2 ] ||
	fail "$(grep -c '^GET ' marker/log) listing requests, want 2"
