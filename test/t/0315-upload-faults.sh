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

$S3/faultproxy start "$PWD/px" "$S3_ENDPOINT" \
	'PUT ~partNumber=2& #1 reset-mid-body' \
	'PUT ~partNumber=3& #1 stall 6' \
	'PUT ~partNumber=1& #2 status 500' \
	'PUT * #1-2 status 503 SlowDown retry-after=1' \
	'POST ~uploadId= #1 drop-response' \
	'POST ~uploadId= #2 status 200 InternalError'
. px/proxy.env
# one pass may give up on a request (75); --retry goes on until all is up
rec-upload --endpoint "$PROXY_ENDPOINT" --retry --deadline 5m 2>log ||
	{ cat log >&2; fail "upload failed"; }
for f in reset-mid-body stall 'status 500' 'status 503' drop-response \
	'status 200'; do
	grep -q "$f" px/proxy.log || fail "fault '$f' not applied"
done
expect_grep 'SlowDown' log

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
