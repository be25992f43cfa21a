# Faults between rec-upload and a real RGW, from test/s3/faultproxy:
# connection resets mid-body, a stall, 500 and 503 SlowDown with
# Retry-After, a 200 carrying an <Error> and a lost answer to Complete,
# then a server clock two hours ahead and a device clock two hours behind.
# Every archive ends up uploaded exactly once and whole, nothing is
# deleted unverified, nothing is left in the pending multipart uploads.
. "$REC_TOP/test/lib.sh"
S3=$REC_TOP/test/s3
command -v radosgw >/dev/null || skip "radosgw missing (scripts/deps.sh)"
trap '$S3/faultproxy stop "$PWD/px" >/dev/null 2>&1
	$S3/rgw stop "$PWD/srv" >/dev/null 2>&1' EXIT
$S3/rgw start "$PWD/srv" >/dev/null
set -a; . srv/env; set +a
$S3/mkbucket srv bkt

mkdir -p sp/out
export REC_SPOOL=$PWD/sp REC_CONFIG=$PWD/rec.conf
cat >rec.conf <<C
station = st1
[upload]
bucket = bkt
part-size = 5M
timeout = 2
C
mk() {	# name bytes: an archive with its sums, and a copy to compare
	head -c $2 /dev/urandom >sp/out/$1
	s3sums sp/out/$1 5242880
	cp sp/out/$1 .
}
n1=20261128T010000.000Z_20261128T020000.000Z_st1.tar
n2=20261128T020000.000Z_20261128T030000.000Z_st1.tar.zst
n3=20261128T030000.000Z_20261128T040000.000Z_st1.tar.gz
mk $n1 3000000
mk $n2 16000000
mk $n3 11000000

# The stall: part 3 stops half-way for 60 s.  rec-upload counts a
# transfer under 1 KiB/s for `timeout` (2) seconds as stalled (lib/s3.c;
# libcurl averages the speed over the last few seconds, so the burst
# before the stall keeps it up for a while): it must give up on that try
# and send the part again long before the proxy would go on.
# The first Complete gets S3's 200 with an <Error> (nothing completed):
# taken for a success, the archive would be in the ledger and not in the
# bucket.  The second Complete is done upstream but its answer is lost.
$S3/faultproxy start "$PWD/px" "$S3_ENDPOINT" \
	'PUT ~partNumber=2& #1 reset-mid-body' \
	'PUT ~partNumber=3& #1 stall 60' \
	'PUT ~partNumber=1& #2 status 500' \
	'PUT * #1-2 status 503 SlowDown retry-after=1' \
	'POST ~uploadId= #1 status 200 InternalError' \
	'POST ~uploadId= #2 drop-response'
. px/proxy.env
# one pass may give up on a request (75); --retry goes on until all is up
rec-upload --endpoint "$PROXY_ENDPOINT" --retry --deadline 5m 2>log ||
	{ cat log >&2; fail "upload failed"; }
# (the log's first lines echo the rules: only " -> " lines are requests)
for f in 'reset-mid-body' 'status \[rule 3\] 500 ' 'status \[rule 4\] 503 ' \
	'drop-response' 'status \[rule 5\] 200 InternalError'; do
	grep -q -e " -> $f" px/proxy.log || fail "fault '$f' not applied"
done
expect_grep 'SlowDown' log
# the stall was detected and the part sent again: in the proxy's log the
# stalled part comes again on another connection and goes through, and
# rec-upload warned of the stall
cp px/proxy.log proxy1.log
set -- $(awk '$3 == "PUT" && $6 == "stall" { print $2, $4 }' proxy1.log)
[ $# = 2 ] || { cat proxy1.log >&2; fail "not one stall: $*"; }
awk -v c="$1" -v t="$2" '$3 == "PUT" && $4 == t && $2 != c && / 200$/' \
	proxy1.log | grep -q . ||
	{ cat proxy1.log >&2; fail "the stalled part was not sent again"; }
expect_grep 'too slow' log
# the first Complete's 200 with <Error> was acted on: that upload was
# completed again, not taken for done
t=$(awk '$3 == "POST" && $4 ~ /uploadId=/ { print $4; exit }' proxy1.log)
awk -v t="$t" '$3 == "POST" && $4 == t' proxy1.log | head -n 1 |
	grep -q 'status \[rule 5\] 200 InternalError$' ||
	{ cat proxy1.log >&2; fail "the first Complete did not get the <Error>"; }
[ "$(awk -v t="$t" '$3 == "POST" && $4 == t' proxy1.log | wc -l)" -ge 2 ] ||
	{ cat proxy1.log >&2; fail "the Complete after the <Error> was not retried"; }
expect_grep 'InternalError' log

check_all() {	# every archive: out/ empty, one ledger line, whole object
	local nm k
	[ -z "$(ls sp/out)" ] || fail "out/ not empty: $(ls sp/out)"
	for nm in "$@"; do
		[ "$(grep -c "/$nm	" sp/ledger)" = 1 ] ||
			fail "$nm not in the ledger exactly once"
		k=$(awk -F'\t' -v n="/$nm" 'index($2, n) { print $2 }' sp/ledger)
		$S3/aws srv s3 cp --only-show-errors "s3://bkt/$k" got
		cmp got $nm || fail "$k differs"
	done
	$S3/aws srv s3api list-multipart-uploads --bucket bkt >mpu
	! grep -q UploadId mpu || fail "pending multipart uploads: $(cat mpu)"
}
check_all $n1 $n2 $n3

# the server's clock is 2 h ahead: RequestTimeTooSkewed, corrected from
# its Date header (the proxy re-signs what it lets through)
$S3/faultproxy stop "$PWD/px"
n4=20261128T040000.000Z_20261128T050000.000Z_st1.tar
n5=20261128T050000.000Z_20261128T060000.000Z_st1.tar
mk $n4 2000000
mk $n5 12000000
$S3/faultproxy start "$PWD/px" "$S3_ENDPOINT" --keys srv/env \
	'* * skew-date 7200'
. px/proxy.env
rec-upload --endpoint "$PROXY_ENDPOINT" 2>log || { cat log >&2; fail "skewed"; }
expect_grep 'RequestTimeTooSkewed' px/proxy.log
expect_grep 'clock is off by 7' log
check_all $n1 $n2 $n3 $n4 $n5

# the device's clock is 2 h behind (no real-time clock)
# (libfaketime and ASan deadlock on clock_gettime: not under san)
if ! under_san; then
	n6=20261128T060000.000Z_20261128T070000.000Z_st1.tar
	mk $n6 7000000
	faketime -f "$(shifted -7200)" rec-upload --endpoint "$S3_ENDPOINT" 2>log ||
		{ cat log >&2; fail "device clock behind"; }
	expect_grep 'clock is off by' log
	check_all $n1 $n2 $n3 $n4 $n5 $n6
fi
