# A multipart upload under a key near S3's limit of 1024 bytes, with
# RGW's UploadId: the state file (.upload) is sized from what it holds,
# so it is written, the upload completes and the object is whole.
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"
s3_setup srv bkt

mkdir -p sp/out
export REC_SPOOL=$PWD/sp REC_CONFIG=$PWD/rec.conf
cat >rec.conf <<C
station = st1
[upload]
endpoint = $S3_ENDPOINT
bucket = bkt
part-size = 5M
C
n=20261128T031500.000Z_20261128T041500.000Z_st1.tar
pfx=$(printf 'abcdefghi/%.0s' $(seq 95))	# 950 bytes
key=${pfx}st1/2026/11/28/$n
[ ${#key} -gt 1000 ] && [ ${#key} -le 1024 ] || fail "key of ${#key} bytes"
head -c 16000000 /dev/urandom >sp/out/$n	# 4 parts
s3sums sp/out/$n 5242880
cp sp/out/$n .
rec-upload --prefix "$pfx" 2>log || { cat log >&2; fail "upload failed"; }
[ -z "$(ls -A sp/out)" ] || fail "left in out/: $(ls -A sp/out)"
$S3/aws srv s3 cp --only-show-errors "s3://bkt/$key" got
cmp got $n || fail "the object differs"
grep -q "	$key	" sp/ledger || fail "no ledger line for the key"
