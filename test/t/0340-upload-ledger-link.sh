# The ledger is never written or read through a symbolic link
# (lib/ledger): with DIR/ledger a link to a file outside the spool,
# rec-upload cannot read it (nor record an upload in it), so it keeps the
# archive in out/ and exits 74; the file the link points to is untouched.
# rec-archive's reconciliation refuses to read it too.
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"

s3_server_start srv
"$S3/mkbucket" srv bkt
s3_use srv
cat >rec.conf <<EOF
spool = sp
station = t0340
[upload]
endpoint = $S3_ENDPOINT
region = $S3_REGION
bucket = bkt
addressing = path
credentials-file = $PWD/creds
EOF
mkdir -p sp/seg
mkseg -n 2 -l 4800 -t 20261128T050000.000Z -S t0340 sp/seg
rec-archive -q --spool sp
a=$(cd sp/out && ls *_t0340.tar)
printf 'not a ledger\n' >elsewhere
cp elsewhere elsewhere.orig
ln -s "$PWD/elsewhere" sp/ledger

expect_exit 74 rec-upload --config rec.conf 2>log
cat log
expect_grep "cannot read sp/ledger: Too many levels of symbolic links" log
cmp elsewhere elsewhere.orig
[ -L sp/ledger ] || fail "the ledger link is gone"
[ -f "sp/out/$a" ] || fail "out/$a went without a ledger line"

say "an orphan .idx: rec-archive does not read the ledger through the link"
rm "sp/out/$a"
expect_exit 74 rec-archive --spool sp 2>arc.log
cat arc.log
expect_grep "cannot read sp/ledger" arc.log
[ -f "sp/out/$a.idx" ] || fail "the .idx went without the ledger"
cmp elsewhere elsewhere.orig
