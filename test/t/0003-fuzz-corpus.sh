# Every fuzz target (test/fuzz/fuzz_NAME.c) runs without a finding over
# its committed seed corpus test/fuzz/corpus/NAME/: the replay binaries
# $REC_BUILD/fuzz/NAME (a plain main, no libFuzzer) are built with the
# suite's compiler, so under `make check-san` this is ASan/UBSan on every
# parser of untrusted bytes. Every target has a corpus and every corpus
# a target. The reproducers of open findings (test/fuzz/crashes/) are not
# replayed here; `make fuzz` explores further (test/fuzz/fuzz.mk).
. "$REC_TOP/test/lib.sh"

src=$REC_TOP/test/fuzz
n=0
for c in "$src"/fuzz_*.c; do
	t=$(basename "$c" .c)
	t=${t#fuzz_}
	bin=$REC_BUILD/fuzz/$t
	[ -x "$bin" ] || fail "no replay binary $bin (make tests builds it)"
	[ -d "$src/corpus/$t" ] || fail "fuzz target $t has no corpus in $src/corpus/$t"
	k=$(ls "$src/corpus/$t" | wc -l)
	[ "$k" -gt 0 ] || fail "corpus $src/corpus/$t is empty"
	rc=0
	"$bin" "$src/corpus/$t" >"$t.out" 2>&1 || rc=$?
	[ "$rc" = 0 ] || { cat "$t.out"; fail "$t: replay exits $rc"; }
	expect_grep "^replay: $k inputs" "$t.out"
	say "$t: $k inputs"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no fuzz targets in $src"
for d in "$src"/corpus/*/; do
	t=$(basename "$d")
	[ -f "$src/fuzz_$t.c" ] || fail "corpus $d has no target fuzz_$t.c"
done
# the driver reports an input it cannot read (66), so a typo is no pass
expect_exit 66 "$REC_BUILD/fuzz/aname" no-such-input
