# A symbolic link (or FIFO) in out/ is never followed: what it points to is
# never uploaded; the link is quarantined (exit 65), a real archive beside
# it is uploaded.
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"

s3_server_start srv
"$S3/mkbucket" srv bkt
s3_use srv
cat >rec.conf <<EOF
spool = sp
station = st1
[upload]
endpoint = $S3_ENDPOINT
region = $S3_REGION
bucket = bkt
addressing = path
credentials-file = $PWD/creds
EOF
mkdir -p sp/seg
echo "not for the bucket" >secret.txt
cp secret.txt secret.orig
l=20261128T031500.000Z_20261128T041500.000Z_st1.tar
mkseg -n 2 -l 4800 -t 20261128T050000.000Z -S st1 sp/seg
rec-archive -q --spool sp
ln -s "$PWD/secret.txt" "sp/out/$l"
mkfifo "sp/out/20261128T041500.000Z_20261128T042500.000Z_st1.tar"

expect_exit 65 rec-upload --config rec.conf 2>log
cat log
[ -L "sp/corrupt/$l" ] || fail "the link was not quarantined"
cmp secret.txt secret.orig
"$S3/aws" srv s3 ls --recursive s3://bkt/ >keys
[ "$(grep -c '\.tar$' keys)" = 1 ] || fail "want only the real archive in the bucket: $(cat keys)"
if grep -q "$l" keys; then fail "the link's target was uploaded"; fi
[ -z "$(ls sp/out | grep '\.tar$')" ] || fail "left in out/: $(ls sp/out)"
