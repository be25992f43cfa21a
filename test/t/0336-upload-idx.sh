# A drained spool is empty: rec-upload removes out/NAME.idx with its
# archive once none of the segments it lists is still in seg/. When some
# are (rec-archive was killed between publishing the archive and removing
# its segments), the .idx stays for rec-archive's reconcile, which removes
# those segments (the ledger lists the archive) and then the .idx.
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
C

drained() {
	[ -z "$(ls -A sp/out sp/seg sp/tmp | grep -v ':$' | grep .)" ] ||
		fail "spool not drained: $(ls -A sp/out sp/seg sp/tmp)"
}

say "segments gone: the .idx goes with the archive"
mkseg -n 4 -l 4800 -S st1 -x 3 sp/seg
rec-archive -q --spool sp --max-bytes 60K
ls sp/out/*.idx >/dev/null || fail "rec-archive wrote no .idx"
rec-upload 2>log || { cat log >&2; fail "upload failed"; }
drained

say "segments still in seg/: the .idx stays for rec-archive"
mkseg -n 4 -l 4800 -S st1 -t 20261128T040000.000Z -x 4 sp/seg
rc=0
REC_TEST_CRASH=commit rec-archive -q --spool sp --max-bytes 60K || rc=$?
[ $rc = 137 ] || fail "expected a kill (137), got $rc"
a=$(cd sp/out && ls | grep -v '\.sums$' | grep -v '\.idx$')
[ -e sp/out/$a.idx ] || fail "no $a.idx"
nseg=$(ls sp/seg | wc -l)
rec-upload 2>log || { cat log >&2; fail "upload failed"; }
[ ! -e sp/out/$a ] || fail "$a not uploaded"
[ -e sp/out/$a.idx ] || fail "$a.idx removed while its segments are in seg/"
[ "$(ls sp/seg | wc -l)" = $nseg ] || fail "segments touched"
# a second run keeps it too
rec-upload 2>log || { cat log >&2; fail "upload failed"; }
[ -e sp/out/$a.idx ] || fail "$a.idx removed by the next run"
rec-archive --spool sp --max-bytes 60K 2>log
expect_grep "since uploaded" log
[ ! -e sp/out/$a.idx ] || fail "rec-archive left $a.idx"
rec-upload 2>log || { cat log >&2; fail "upload failed"; }
drained
