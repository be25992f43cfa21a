# abort-stale follows ListMultipartUploads past one page (IsTruncated,
# NextKeyMarker, NextUploadIdMarker): with the test hook
# REC_TEST_MAX_UPLOADS=2 (sent as max-uploads=2) against a real Ceph RGW,
# seven stale uploads of this station spread over four pages are all
# aborted, the listing ends, and another station's upload (on the last
# page) is left alone. Requests are counted through test/s3/faultproxy.
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"
s3_setup srv bkt
s3_cleanup_hook() { $S3/faultproxy stop "$PWD/px" >/dev/null 2>&1; }
$S3/faultproxy start "$PWD/px" "$S3_ENDPOINT" >/dev/null ||
	fail "cannot start the faultproxy"
. px/proxy.env

for d in 21 22 23 24 25 26 27; do
	n=202611${d}T000000.000Z_202611${d}T010000.000Z_st1.tar
	s3op "$S3_ENDPOINT" bkt create "st1/2026/11/$d/$n" >/dev/null ||
		fail "cannot create an upload of $n"
done
# sorts after all of st1's: on the last page
s3op "$S3_ENDPOINT" bkt create \
	"st1/2026/11/29/20261129T000000.000Z_20261129T010000.000Z_st2.tar" \
	>/dev/null || fail "cannot create the upload of st2"
s3op "$S3_ENDPOINT" bkt list st1/ >before
[ $(wc -l <before) = 8 ] || fail "uploads before: $(cat before)"

mkdir -p sp/out
export REC_SPOOL=$PWD/sp REC_CONFIG=$PWD/rec.conf
cat >rec.conf <<C
station = st1
[upload]
endpoint = $PROXY_ENDPOINT
bucket = bkt
stale-after = 0
C
# one archive, so that the pass runs (and looks for stale uploads)
n0=20261128T000000.000Z_20261128T010000.000Z_st1.tar
head -c 10000 /dev/urandom >sp/out/$n0
s3sums sp/out/$n0

REC_TEST_MAX_UPLOADS=2 timeout 120 rec-upload -v 2>log ||
	{ cat log >&2; fail "rec-upload failed"; }
[ ! -f sp/out/$n0 ] || fail "archive kept"
[ $(grep -c 'aborted stale upload of s3://bkt/st1/' log) = 7 ] ||
	{ cat log >&2; fail "not 7 uploads aborted"; }
for d in 21 22 23 24 25 26 27; do
	expect_grep "aborted stale upload of s3://bkt/st1/2026/11/$d/" log
done
s3op "$S3_ENDPOINT" bkt list st1/ >after
[ "$(cut -f1 after)" = st1/2026/11/29/20261129T000000.000Z_20261129T010000.000Z_st2.tar ] ||
	fail "left pending: $(cat after)"
# pages of two: at least four listings, each asking for two, the later
# ones after a key marker
$S3/faultproxy stop "$PWD/px" >/dev/null
grep 'GET /bkt?' px/proxy.log | grep 'uploads' >lists || :
[ $(wc -l <lists) -ge 4 ] || fail "listings: $(cat px/proxy.log)"
[ $(grep -c 'max-uploads=2' lists) = $(wc -l <lists) ] ||
	fail "max-uploads not sent: $(cat lists)"
[ $(grep -c 'key-marker=' lists) -ge 3 ] || fail "no markers: $(cat lists)"
say "abort-stale over $(wc -l <lists) pages ok"
