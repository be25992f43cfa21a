# Station names with ".wav" or ".tar" inside (pi.wave, lake.tarn-1: both
# valid, and both can be a host name) name segments and archives that
# parse back: rec-archive archives every segment, nothing goes to
# corrupt/, and a second run finds nothing wrong. "." and ".." are not
# station names: the tools that take one exit 78 at start.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"

mkdir -p sp/seg
mkseg -S pi.wave -n 3 -l 4800 -r 48000 -c 1 -t 20261128T031500.000Z sp/seg
mkseg -S lake.tarn-1 -n 3 -l 4800 -r 48000 -c 1 -t 20261128T041500.000Z sp/seg
[ "$(ls sp/seg | wc -l)" = 6 ] || fail "mkseg made $(ls sp/seg)"

say "rec-archive archives the segments of both stations"
expect_exit 0 rec-archive --spool sp --min-count 1 2>log
cat log
[ -z "$(ls sp/seg)" ] || fail "left in seg/: $(ls sp/seg)"
[ -z "$(ls sp/corrupt)" ] || fail "moved to corrupt/: $(ls sp/corrupt)"
ls sp/out | grep '\.tar$' >archives || fail "no archive in out/: $(ls sp/out)"
expect_grep '^20261128T031500\.000Z_20261128T031500\.300Z_pi\.wave\.tar$' archives
expect_grep '^20261128T041500\.000Z_20261128T041500\.300Z_lake\.tarn-1\.tar$' archives
[ "$(wc -l <archives)" = 2 ] || fail "archives: $(cat archives)"

say "a second run (its reconciliation reads the names back) is clean"
expect_exit 0 rec-archive --spool sp --min-count 1 2>log2
[ ! -s log2 ] || { cat log2; fail "the second run complained"; }
[ -z "$(ls sp/corrupt)" ] || fail "moved to corrupt/: $(ls sp/corrupt)"

say "'.' and '..' are refused at start (exit 78)"
for st in . ..; do
	printf 'spool = sp2\nstation = %s\n[capture]\ndevice = -\n' "$st" >bad.conf
	expect_exit 78 rec-capture --config bad.conf </dev/null 2>err
	expect_grep "rec-capture: error: bad.conf:2: bad station name '$st'" err
	printf 'spool = sp2\nstation = %s\n[upload]\nendpoint = http://127.0.0.1:9\nbucket = b\n' \
		"$st" >bad.conf
	expect_exit 78 rec-upload --config bad.conf 2>err
	expect_grep "bad station name '$st'" err
done
[ ! -e sp2/seg ] || fail "rec-capture made a spool with station '.'"
