# One unreadable archive never stops rec-upload's pass (the fault shim
# makes reads of it fail with EIO): it is read again (3 tries), then moved
# with its sidecar to corrupt/, logged with its full path, and the pass
# goes on with the archives after it: exit 65. A read error that goes
# away on the next try costs nothing but a warning.
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
max-tries = 2
C
mk() {	# mk HOUR BYTES [nosums]: an archive (and its sums); prints its name
	local n=20261128T${1}0000.000Z_20261128T${1}3000.000Z_st1.tar
	head -c $2 /dev/urandom >sp/out/$n
	[ -n "${3:-}" ] || s3sums sp/out/$n 5242880
	cp sp/out/$n .
	echo $n
}
uploaded() {
	[ ! -e sp/out/$1 ] || fail "$1 still in out/"
	[ "$(grep -c "	$1\$" sp/ledger)" = 1 ] || fail "$1: not one ledger line"
	$S3/aws srv s3 cp --only-show-errors "s3://bkt/st1/2026/11/28/$1" got
	cmp got $1 || fail "$1 differs in the bucket"
}

a1=$(mk 01 1000000)
bad=$(mk 02 7000000)		# its sidecar is unreadable too
bad2=$(mk 03 2000000 nosums)	# no sidecar: hashing it fails
a4=$(mk 04 12000000)
rc=0
REC_FAULT_EIO=out/$bad faulty rec-upload 2>log || rc=$?
[ $rc = 65 ] || { cat log >&2; fail "expected 65, got $rc"; }
expect_grep "^rec-upload: error: $PWD/sp/out/$bad.sums: cannot read .*Input/output error" log
expect_grep "warning: .*/out/$bad: read error, trying again (3 of 3)" log
expect_grep "^rec-upload: error: moved $PWD/sp/out/$bad to $PWD/sp/corrupt/" log
[ -e sp/corrupt/$bad ] || fail "$bad not in corrupt/"
[ -e sp/corrupt/$bad.sums ] || fail "$bad.sums not in corrupt/"
uploaded $a1
uploaded $bad2
uploaded $a4
! grep -q "$bad" sp/ledger || fail "$bad in the ledger"

say "no sidecar, the archive itself unreadable"
bad3=$(mk 05 2000000 nosums)
a6=$(mk 06 1000000)
rc=0
REC_FAULT_EIO=out/$bad3 faulty rec-upload 2>log || rc=$?
[ $rc = 65 ] || { cat log >&2; fail "expected 65, got $rc"; }
expect_grep "^rec-upload: error: cannot hash $PWD/sp/out/$bad3: .*Input/output error" log
[ -e sp/corrupt/$bad3 ] || fail "$bad3 not in corrupt/"
uploaded $a6

say "a read error that goes away: a warning, and the upload"
a7=$(mk 07 3000000)
REC_FAULT_EIO=out/$a7 REC_FAULT_EIO_COUNT=1 faulty rec-upload 2>log ||
	{ cat log >&2; fail "a transient read error was not retried"; }
expect_grep "warning: .*/out/$a7: read error, trying again (2 of 3)" log
uploaded $a7
[ -z "$(ls sp/out)" ] || fail "out/ not empty: $(ls sp/out)"
