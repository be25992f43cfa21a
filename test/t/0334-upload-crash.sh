# rec-upload killed (kill -9, a test hook) at every step of its commit:
# after the PUT or Complete, after the ledger line, after each unlink
# (archive, .sums, .upload, .idx). The next run finishes the job: one
# ledger line per archive, out/ empty (no state or sidecar left for
# ever), the object in the bucket equal to the archive, no pending
# multipart upload. Single PUT and multipart.
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"
s3_setup srv bkt

mkdir -p sp/out sp/seg
export REC_SPOOL=$PWD/sp REC_CONFIG=$PWD/rec.conf
cat >rec.conf <<C
station = st1
[upload]
endpoint = $S3_ENDPOINT
bucket = bkt
part-size = 5M
C
h=10
for kind in put multipart; do
	for step in put ledger unlink-archive unlink-sums unlink-upload \
		unlink-idx; do
		say "$kind: killed after '$step'"
		h=$((h + 1))
		n=20261128T${h}0000.000Z_20261128T${h}3000.000Z_st1.tar
		size=1000000
		[ $kind = put ] || size=12000000
		head -c $size /dev/urandom >sp/out/$n
		s3sums sp/out/$n 5242880
		# what rec-archive writes beside it (its segments are gone)
		printf 'rec-idx 1\n20261128T%s0000.000Z_st1.wav\nend\n' $h \
			>sp/out/$n.idx
		cp sp/out/$n .
		rc=0
		REC_TEST_CRASH=$step rec-upload 2>log || rc=$?
		[ $rc = 137 ] || { cat log >&2; fail "expected a kill (137), got $rc"; }
		rec-upload 2>log || { cat log >&2; fail "rerun failed"; }
		[ -z "$(ls -A sp/out)" ] || fail "left in out/: $(ls -A sp/out)"
		[ "$(grep -c "	$n\$" sp/ledger)" = 1 ] ||
			fail "$n: not one ledger line: $(cat sp/ledger)"
		$S3/aws srv s3 cp --only-show-errors \
			"s3://bkt/st1/2026/11/28/$n" got
		cmp got $n || fail "$n differs in the bucket"
	done
done
$S3/aws srv s3api list-multipart-uploads --bucket bkt >mpu
! grep -q UploadId mpu || fail "pending multipart uploads: $(cat mpu)"
[ "$(wc -l <sp/ledger)" = 12 ] || fail "ledger: $(cat sp/ledger)"
