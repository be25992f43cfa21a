# rec-upload against a second, independent S3 implementation
# (@20minutes/s3rver): single PUT, multipart (its ETag is the whole MD5),
# a missing sidecar; fetched back with the AWS CLI and compared byte for
# byte. A Complete repeated after a crash (s3rver answers 500) is settled
# by checking the object. Wrong secret: 77; missing bucket: 78.
. "$REC_TOP/test/lib.sh"
S3=$REC_TOP/test/s3
$S3/s3rver start "$PWD/srv" >/dev/null 2>err || {
	grep -q 'missing' err && skip "$(cat err)"
	cat err >&2; fail "cannot start s3rver"; }
trap '$S3/s3rver stop "$PWD/srv" >/dev/null 2>&1' EXIT
set -a; . srv/env; set +a
$S3/mkbucket srv bkt

mkdir -p sp/out
export REC_SPOOL=$PWD/sp REC_CONFIG=$PWD/rec.conf
cat >rec.conf <<C
[upload]
endpoint = $S3_ENDPOINT
bucket = bkt
part-size = 5M
key-template = {prefix}{YYYY}-{MM}-{DD}/{hh}/{station} {name}
prefix = Stätiön 7/
max-tries = 2
C
n1=20261128T031500.000Z_20261128T041500.000Z_st1.tar
n2=20261128T041500.000Z_20261128T051500.000Z_st1.tar.xz
head -c 777777 /dev/urandom >sp/out/$n1
head -c 11000000 /dev/urandom >sp/out/$n2
s3sums sp/out/$n2
cp sp/out/$n1 sp/out/$n2 .

# wrong secret first: 77, nothing deleted
expect_exit 77 env AWS_SECRET_ACCESS_KEY=nope rec-upload 2>log
[ -f sp/out/$n1 ] && [ -f sp/out/$n2 ] || fail "archive deleted"
expect_exit 78 rec-upload --bucket nosuchbucket 2>log
expect_grep 'NoSuchBucket' log

rec-upload 2>log || { cat log >&2; fail "upload failed"; }
[ -z "$(ls sp/out)" ] || fail "out/ not empty: $(ls sp/out)"
k1="Stätiön 7/2026-11-28/03/st1 $n1"
k2="Stätiön 7/2026-11-28/04/st1 $n2"
for k in "$k1" "$k2"; do
	$S3/aws srv s3 cp --only-show-errors "s3://bkt/$k" got
	cmp got "./${k##* }" || fail "$k differs"
done
[ $(wc -l <sp/ledger) = 2 ] || fail "ledger: $(cat sp/ledger)"

# the answer to Complete is lost (proxy): the retried Complete gets 500
# from s3rver; the object is checked and found whole
n3=20261128T051500.000Z_20261128T061500.000Z_st1.tar
head -c 6000000 /dev/urandom >sp/out/$n3
s3sums sp/out/$n3
cp sp/out/$n3 .
trap '$S3/faultproxy stop "$PWD/px" >/dev/null 2>&1
	$S3/s3rver stop "$PWD/srv" >/dev/null 2>&1' EXIT
$S3/faultproxy start "$PWD/px" "$S3_ENDPOINT" 'POST ~uploadId= #1 drop-response'
. px/proxy.env
rec-upload --endpoint "$PROXY_ENDPOINT" 2>log || { cat log >&2; fail "upload failed"; }
grep -q 'drop' px/proxy.log || fail "the proxy dropped nothing: $(cat px/proxy.log)"
expect_grep 'completed already' log
[ -z "$(ls sp/out)" ] || fail "out/ not empty: $(ls sp/out)"
$S3/aws srv s3 cp --only-show-errors "s3://bkt/Stätiön 7/2026-11-28/05/st1 $n3" got
cmp got $n3 || fail "$n3 differs"
[ $(wc -l <sp/ledger) = 3 ] || fail "ledger: $(cat sp/ledger)"
