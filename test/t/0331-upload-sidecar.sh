# An archive whose size is not the one its sidecar (.sums) vouches for
# changed after rec-archive wrote it: rec-upload never uploads it, moves
# it and its sidecars to corrupt/, logs the loss with the full path and
# exits 65; the other archives are uploaded. The same for bytes changed
# in place when rec-upload must hash the archive (one PUT of a sidecar of
# several parts).
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"
s3_setup srv bkt

mkdir -p sp/seg
export REC_SPOOL=$PWD/sp REC_CONFIG=$PWD/rec.conf
cat >rec.conf <<C
station = st1
[upload]
endpoint = $S3_ENDPOINT
bucket = bkt
part-size = 5M
multipart-threshold = 100M
max-tries = 2
C
inbucket() { $S3/aws srv s3 ls --recursive s3://bkt/ | grep -c "$1" || :; }

mkseg -n 6 -l 4800 -S st1 -x 7 sp/seg
rec-archive -q --spool sp --max-bytes 60K
set -- $(cd sp/out && ls | grep -v '\.sums$' | grep -v '\.idx$')
[ $# -ge 3 ] || fail "expected 3 archives or more, got $*"
bad=$1
echo x >>sp/out/$bad	# one byte the archive run did not vouch for
expect_exit 65 rec-upload 2>log
expect_grep "^rec-upload: error: $PWD/sp/out/$bad has .* bytes, its sidecar $bad.sums vouches for" log
expect_grep "^rec-upload: error: moved $PWD/sp/out/$bad to $PWD/sp/corrupt/" log
for f in $bad $bad.sums $bad.idx; do
	[ -e sp/corrupt/$f ] || fail "$f not in corrupt/"
done
[ "$(inbucket "$bad")" = 0 ] || fail "$bad was uploaded"
! grep -q "$bad" sp/ledger || fail "$bad in the ledger"
shift
for a in "$@"; do
	[ "$(inbucket "$a")" = 1 ] || fail "$a not uploaded"
done
[ -z "$(ls sp/out)" ] || fail "out/ not empty: $(ls sp/out)"

say "same size, other bytes, hashed for one PUT: also set aside"
n=20261128T050000.000Z_20261128T060000.000Z_st1.tar
head -c 12000000 /dev/urandom >sp/out/$n
s3sums sp/out/$n 5242880	# three parts: no whole-file hashes
printf 'X' | dd of=sp/out/$n bs=1 seek=6000000 conv=notrunc 2>/dev/null
expect_exit 65 rec-upload 2>log
expect_grep "error: $PWD/sp/out/$n no longer matches its sidecar" log
[ -e sp/corrupt/$n ] || fail "$n not in corrupt/"
[ -e sp/corrupt/$n.sums ] || fail "$n.sums not in corrupt/"
[ "$(inbucket "$n")" = 0 ] || fail "$n was uploaded"
