# A multipart upload that cannot be resumed starts over, once, and ends
# whole: (1) the store forgot the UploadId of out/X.upload (aborted behind
# our back): "gone from the store", a new upload, every part sent again;
# (2) the state names another key (the prefix changed): the old upload is
# aborted and a new one made under the new key. Against a real Ceph RGW;
# the first, interrupted runs go through test/s3/faultproxy, which
# refuses part 2 (403: exit 77, part 1 done and noted).
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"
s3_setup srv bkt
s3_cleanup_hook() { $S3/faultproxy stop "$PWD/px" >/dev/null 2>&1; }
$S3/faultproxy start "$PWD/px" "$S3_ENDPOINT" \
	'PUT ~partNumber=2& status 403 AccessDenied' >/dev/null ||
	fail "cannot start the faultproxy"
. px/proxy.env

mkdir -p sp/out
export REC_SPOOL=$PWD/sp REC_CONFIG=$PWD/rec.conf
cat >rec.conf <<C
station = st1
[upload]
endpoint = $S3_ENDPOINT
bucket = bkt
part-size = 5M
C
pending() { $S3/aws srv s3api list-multipart-uploads --bucket bkt >mpu; grep -c UploadId mpu || :; }
n1=20261128T031500.000Z_20261128T041500.000Z_st1.tar
n2=20261129T031500.000Z_20261129T041500.000Z_st1.tar
k1=st1/2026/11/28/$n1

# (1) interrupted after part 1, then the store forgets the upload
head -c 12000000 /dev/urandom >sp/out/$n1
s3sums sp/out/$n1 5242880
cp sp/out/$n1 .
expect_exit 77 rec-upload --endpoint "$PROXY_ENDPOINT" 2>log
grep -q '^part 1 ' sp/out/$n1.upload && ! grep -q '^part 2 ' sp/out/$n1.upload ||
	fail "state: $(cat sp/out/$n1.upload)"
id=$(sed -n 's/^upload-id //p' sp/out/$n1.upload)
$S3/aws srv s3api abort-multipart-upload --bucket bkt --key "$k1" --upload-id "$id" ||
	fail "cannot abort $id"
[ "$(pending)" = 0 ] || fail "pending: $(cat mpu)"
rec-upload 2>log || { cat log >&2; fail "upload after the store forgot it failed"; }
expect_grep "out/$n1: resuming upload (1 of 3 parts done)" log
expect_grep "out/$n1: the upload is gone from the store: starting over" log
[ ! -e sp/out/$n1 ] && [ ! -e sp/out/$n1.upload ] || fail "left in out/: $(ls sp/out)"
$S3/aws srv s3 cp --only-show-errors "s3://bkt/$k1" got
cmp got $n1 || fail "$k1 differs"
[ "$(pending)" = 0 ] || fail "pending: $(cat mpu)"

# (2) interrupted, then the prefix changes: the old upload is aborted
head -c 12000000 /dev/urandom >sp/out/$n2
s3sums sp/out/$n2 5242880
cp sp/out/$n2 .
expect_exit 77 rec-upload --endpoint "$PROXY_ENDPOINT" 2>log
[ "$(pending)" = 1 ] || fail "pending: $(cat mpu)"
rec-upload --prefix new/ 2>log || { cat log >&2; fail "upload under the new prefix failed"; }
expect_grep "out/$n2: upload state does not match the archive: starting over" log
! grep -q 'resuming upload' log || fail "resumed: $(cat log)"
$S3/aws srv s3 cp --only-show-errors "s3://bkt/new/st1/2026/11/29/$n2" got
cmp got $n2 || fail "new/... differs"
[ "$(pending)" = 0 ] || fail "the old upload is left: $(cat mpu)"
! $S3/aws srv s3api head-object --bucket bkt --key "st1/2026/11/29/$n2" >/dev/null 2>&1 ||
	fail "an object under the old key"
[ $(wc -l <sp/ledger) = 2 ] || fail "ledger: $(cat sp/ledger)"
say "restarts ok"
