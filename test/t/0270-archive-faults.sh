# rec-archive when reading or writing fails: one unreadable segment (EIO
# after a bounded retry) goes to corrupt/ and the run archives the rest
# (exit 65), or stays in seg/ when it cannot be moved either (74); a
# segment that fails only once is read on retry (0); an open that fails
# while copying a segment fails the run (74, nothing archived, nothing
# lost); a FLAC member that reaches the staging file damaged is caught
# by decoding it back (74, the segments kept).
. "$REC_TOP/test/lib.sh"
check() { python3 "$REC_TOP/test/helpers/archcheck.py" "$@"; }
arcfault() { LD_PRELOAD="$REC_BUILD/test/shim/arcfault.so" "$@"; }

setup() {
	rm -rf sp orig
	mkdir -p sp/seg orig
	mkseg -n 4 -l 4800 sp/seg
	cp sp/seg/*.wav orig/
	bad=$(ls sp/seg | head -n 1)	# sorted first: read first every run
}

say "EIO on the first segment: quarantined, the rest archived, 65"
setup
REC_FAULT_EIO=seg/$bad faulty rec-archive --spool sp 2>log || rc=$?
[ "${rc:-0}" = 65 ] || { cat log >&2; fail "exit ${rc:-0}, not 65"; }
expect_grep "moved sp/seg/$bad to corrupt/: unreadable after 3 tries" log
expect_grep '1 segment moved to' log
[ -f "sp/corrupt/$bad" ] || fail "$bad not in corrupt/"
[ "$(ls sp/out/*.tar | wc -l)" = 1 ] || fail "no archive of the rest"
rm orig/$bad
check sp orig
tar -tf sp/out/*.tar | grep -c '\.wav$' | grep -qx 3 || fail "not 3 members"
say "  the next run has nothing left to stumble on"
expect_exit 0 rec-archive --spool sp

say "EIO once only: read on retry, everything archived, 0"
setup
REC_FAULT_EIO=seg/$bad REC_FAULT_EIO_COUNT=1 faulty rec-archive --spool sp 2>log ||
	{ cat log >&2; fail "a single EIO failed the run"; }
[ ! -e sp/corrupt/$bad ] || fail "quarantined after a successful retry"
check sp orig

say "EIO and corrupt/ cannot be written: skipped, the rest archived, 74"
setup
rc=0
REC_ARC_NO_CORRUPT=1 REC_FAULT_EIO=seg/$bad \
	LD_PRELOAD="$REC_BUILD/test/shim/arcfault.so:$REC_BUILD/test/shim/fault.so" \
	rec-archive --spool sp 2>log || rc=$?
[ $rc = 74 ] || { cat log >&2; fail "exit $rc, not 74"; }
expect_grep "cannot move sp/seg/$bad to sp/corrupt/: .*skipped" log
expect_grep '1 unreadable segment left in' log
[ -f "sp/seg/$bad" ] || fail "$bad not left in seg/"
[ "$(ls sp/out/*.tar | wc -l)" = 1 ] || fail "no archive of the rest"
check sp orig

say "EIO in a segment's audio (its header reads): quarantined, the rest archived, 65"
rm -rf sp orig
mkdir -p sp/seg orig
mkseg -n 4 -l 48000 sp/seg	# 192000 bytes of audio: read in one go
cp sp/seg/*.wav orig/
bad=$(ls sp/seg | sed -n 2p)
rc=0
REC_ARC_EIO=seg/$bad arcfault rec-archive --spool sp --max-bytes 500K 2>log || rc=$?
[ $rc = 65 ] || { cat log >&2; fail "exit $rc, not 65"; }
expect_grep "cannot read sp/seg/$bad: Input/output error" log
expect_grep "moved sp/seg/$bad to corrupt/: unreadable" log
[ -f "sp/corrupt/$bad" ] || fail "$bad not in corrupt/"
rm orig/$bad
check sp orig
[ -z "$(ls -A sp/seg)" ] || fail "left in seg/: $(ls sp/seg)"

say "open fails while copying a segment (EMFILE): 74, nothing lost"
for codec in wav; do
	setup
	rc=0
	# opens of the segment: collect, hash, copy: the third fails
	REC_ARC_EMFILE=$bad REC_ARC_EMFILE_SKIP=2 arcfault \
		rec-archive --spool sp --codec $codec 2>log || rc=$?
	[ $rc = 74 ] || { cat log >&2; fail "exit $rc, not 74"; }
	expect_grep "cannot open sp/seg/$bad: Too many open files" log
	[ -z "$(ls -A sp/out)$(ls -A sp/tmp)" ] || fail "left: $(ls -A sp/out sp/tmp)"
	check sp orig
done

say "a FLAC member damaged on its way to tmp/: decoded back, 74, kept"
setup
rc=0
REC_ARC_FLIP=.flac.part arcfault rec-archive --spool sp --codec flac 2>log || rc=$?
[ $rc = 74 ] || { cat log >&2; fail "exit $rc, not 74"; }
expect_grep 'FLAC member in .* does not decode.*segments are kept' log
[ -z "$(ls -A sp/out)$(ls -A sp/tmp)" ] || fail "left: $(ls -A sp/out sp/tmp)"
check sp orig
say "  without the damage the same run archives them"
rec-archive -q --spool sp --codec flac
check sp orig
