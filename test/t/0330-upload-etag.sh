# ETags against a real RGW behind test/s3/faultproxy's etag rule. A store
# whose ETags are no MD5 at all (SSE-KMS, SSE-C, some S3-compatible
# stores) has verified our Content-MD5: the upload stands, is verified,
# in the ledger, and the archive deleted (0), with one info line. An
# MD5-shaped ETag that is not ours is a mismatch: 65, the archive and its
# sidecar kept, nothing deleted. Single PUT and multipart (part and
# Complete ETags) alike.
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"
s3_cleanup_hook() { "$S3/faultproxy" stop "$PWD/px" >/dev/null 2>&1; }
s3_setup srv bkt

mkdir -p sp/out
export REC_SPOOL=$PWD/sp REC_CONFIG=$PWD/rec.conf
cat >rec.conf <<C
station = st1
[upload]
bucket = bkt
part-size = 5M
max-tries = 2
C
mk() {	# mk HOUR BYTES: an archive with its sums; prints its name
	local n=20261128T${1}0000.000Z_20261128T${1}3000.000Z_st1.tar
	head -c $2 /dev/urandom >sp/out/$n
	s3sums sp/out/$n 5242880
	cp sp/out/$n .
	echo $n
}
uploaded() {	# uploaded NAME: gone from out/, one ledger line, object whole
	[ ! -e sp/out/$1 ] || fail "$1 still in out/"
	[ ! -e sp/out/$1.sums ] || fail "$1.sums still in out/"
	[ "$(grep -c "	$1\$" sp/ledger)" = 1 ] || fail "$1: not one ledger line"
	$S3/aws srv s3 cp --only-show-errors "s3://bkt/st1/2026/11/28/$1" got
	cmp got $1 || fail "$1 differs in the bucket"
}
kept() {	# kept NAME: archive and sidecar still there, not in the ledger
	cmp sp/out/$1 $1 || fail "$1 not kept"
	[ -s sp/out/$1.sums ] || fail "$1.sums not kept"
	! grep -q "	$1\$" sp/ledger 2>/dev/null || fail "$1 in the ledger"
}
# rules match the archive's hour in the key: each archive its own fault
$S3/faultproxy start "$PWD/px" "$S3_ENDPOINT" \
	'PUT T01 etag opaque' \
	'POST ~T02.*uploadId= etag opaque' \
	'PUT T03 etag md5' \
	'POST ~T04.*uploadId= etag md5' \
	'PUT ~T05.*partNumber=2& etag md5' \
	'PUT T06 etag kms' \
	'POST ~T07.*uploadId= etag kms'
. px/proxy.env
echo "endpoint = $PROXY_ENDPOINT" >>rec.conf

say "single PUT, an ETag that is no MD5: uploaded"
a1=$(mk 01 3000000)
rec-upload 2>log || { cat log >&2; fail "opaque ETag refused"; }
expect_grep "PUT .*T01.*etag \[rule 1\].*rewritten" px/proxy.log
expect_grep "info: the store's ETags are not MD5s" log
uploaded $a1

say "multipart, a Complete ETag that is no MD5: uploaded"
a2=$(mk 02 12000000)
rec-upload 2>log || { cat log >&2; fail "opaque multipart ETag refused"; }
expect_grep "POST .*T02.*etag \[rule 2\].*rewritten" px/proxy.log
[ "$(grep -c "ETags are not MD5s" log)" = 1 ] || fail "not said once"
uploaded $a2
[ ! -e sp/out/$a2.upload ] || fail "$a2.upload left"

say "SSE-KMS (an MD5-shaped ETag that is not the MD5, and the header saying so): uploaded"
a6=$(mk 06 3000000)
a7=$(mk 07 12000000)
rec-upload 2>log || { cat log >&2; fail "SSE-KMS ETags refused"; }
expect_grep "PUT .*T06.*etag \[rule 6\].*rewritten" px/proxy.log
expect_grep "POST .*T07.*etag \[rule 7\].*rewritten" px/proxy.log
# (a part's ETag goes through the same check as a single PUT's; a
# rewritten part ETag cannot be tested here: the Complete would then name
# a part the real store does not know)
uploaded $a6
uploaded $a7

say "MD5-shaped ETags that are not ours: 65, everything kept"
a3=$(mk 03 3000000)
a4=$(mk 04 12000000)
a5=$(mk 05 12000000)
expect_exit 65 rec-upload 2>log
expect_grep "PUT .*T03.*etag \[rule 3\]" px/proxy.log
expect_grep "POST .*T04.*etag \[rule 4\]" px/proxy.log
expect_grep "PUT .*T05.*partNumber=2&.*etag \[rule 5\]" px/proxy.log
expect_grep "error: .*/out/$a3 kept: .*ETag" log
expect_grep "error: .*/out/$a4 kept: the store answered ETag" log
expect_grep "error: .*/out/$a5 kept: .*ETag" log
kept $a3
kept $a4
kept $a5
uploaded $a1
uploaded $a2
[ -z "$(ls sp/corrupt 2>/dev/null)" ] || fail "something quarantined"
