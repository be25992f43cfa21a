# One bad file never stops rec-capture: a tmp/ segment that cannot be
# read (EIO) after three tries moves to corrupt/, the others are
# recovered, recording starts, the loss is logged with the full path and
# the exit status is 65; a read error that goes away is retried and
# recovers the file (exit 0); a file that cannot be opened for a lack of
# descriptors (EMFILE) stays in tmp/ for the next start, and one that can
# neither be read nor moved is skipped (exit 74), recording all the same.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"

rate=8000
pacer -r $rate -c 1 -d 1 --seed 4 -n |
	rec-capture -D - -r $rate -c 1 -t 10 --spool src --station s
seg=$(ls src/seg/*.wav)
pacer -r $rate -c 1 -d 1 --seed 6 -n >new.raw
A=20260101T000001.000Z_s.wav B=20260101T000002.000Z_s.wav
C=20260101T000003.000Z_s.wav

# setup: a fresh spool with A, B and C in tmp/
setup() {
	rm -rf sp
	mkdir -p sp/tmp
	for f in $A $B $C; do cp "$seg" "sp/tmp/$f"; done
}

# recorded: A and C recovered, and the new audio recorded after them
recorded() {
	cmp "$seg" "sp/seg/$A" || fail "$1: A not recovered"
	cmp "$seg" "sp/seg/$C" || fail "$1: C not recovered"
	ls sp/seg | grep -v "^$A\$\|^$B\$\|^$C\$" >new || true
	[ "$(wc -l <new)" = 1 ] || fail "$1: nothing recorded after recovery"
	wavdump -p "sp/seg/$(cat new)" | cmp - new.raw || fail "$1: recording differs"
}

run() {	# expected exit, then env assignments for the shim
	local want=$1 rc=0
	shift
	env "$@" LD_PRELOAD="$REC_BUILD/test/shim/fault.so" rec-capture -D - \
		-r $rate -c 1 -t 10 --spool sp --station s <new.raw 2>cap.err || rc=$?
	cat cap.err
	[ "$rc" = "$want" ] || fail "$*: exit $rc, want $want"
}

say "EIO on every read of tmp/B: quarantined, the rest goes on (65)"
setup
run 65 REC_FAULT_EIO=tmp/$B
recorded EIO
cmp "$seg" "sp/corrupt/$B" || fail "B not quarantined as it was"
[ ! -e "sp/tmp/$B" ] || fail "B left in tmp/"
expect_grep "error: cannot read sp/tmp/$B: Input/output error" cap.err
expect_grep "error: moved sp/tmp/$B to sp/corrupt/" cap.err
[ "$(grep -c "cannot read sp/tmp/$B (try [12] of 3)" cap.err)" = 2 ] ||
	fail "want two retries logged"

say "EIO twice only: the third try reads it (0)"
setup
run 0 REC_FAULT_EIO=tmp/$B REC_FAULT_EIO_COUNT=2
recorded "EIO twice"
cmp "$seg" "sp/seg/$B" || fail "B not recovered"
[ -z "$(ls sp/corrupt)" ] || fail "quarantined: $(ls sp/corrupt)"

say "EMFILE opening tmp/B: left for the next start (74)"
setup
run 74 REC_FAULT_EMFILE=$B
recorded EMFILE
cmp "$seg" "sp/tmp/$B" || fail "B not left in tmp/ as it was"
[ -z "$(ls sp/corrupt)" ] || fail "quarantined: $(ls sp/corrupt)"
expect_grep "error: cannot open sp/tmp/$B: Too many open files" cap.err
expect_grep "error: left sp/tmp/$B for the next start: Too many open files" cap.err
rec-capture -D - -r $rate --spool sp --station s </dev/null 2>cap2.err ||
	{ cat cap2.err; fail "the next start failed"; }
cmp "$seg" "sp/seg/$B" || fail "B not recovered by the next start"

say "EIO, and corrupt/ has no room for its name: skipped (74)"
setup
mkdir -p sp/corrupt
: >"sp/corrupt/$B"
for i in $(seq 999); do : >"sp/corrupt/$B.$i"; done
run 74 REC_FAULT_EIO=tmp/$B
recorded "EIO, no move"
cmp "$seg" "sp/tmp/$B" || fail "B not left in tmp/ as it was"
expect_grep "error: cannot read sp/tmp/$B: Input/output error" cap.err
expect_grep "error: cannot move sp/tmp/$B to sp/corrupt/: .*; skipped" cap.err
