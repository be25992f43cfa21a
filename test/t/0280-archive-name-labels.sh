# Names from what sorts, never from a clock that stepped back: segments
# whose GUANO timestamps step back (a Pi without an RTC after a power
# cut) but whose names are in capture order give an archive whose start
# and end labels come from the names (the first name's stamp; the last
# name's stamp plus its length). And rec-capture names new segments after
# the later label of every archive of its station in out/ and the ledger
# (a whole ledger, any line), and after the newest name in seg/, while
# its clock is behind all of them (names in 2037, which a 32-bit time_t
# holds: no faketime, which deadlocks in ASan's allocator).
. "$REC_TOP/test/lib.sh"
command -v rec-capture >/dev/null || skip "rec-capture is not built"

st=t0280
mkdir -p before after sp/seg
mkseg -S $st -n 2 -l 4800 -r 48000 -c 1 -t 20371128T100000.000Z before
mkseg -S $st -n 2 -l 4800 -r 48000 -c 1 -t 20260101T000000.000Z after
mv before/* sp/seg/
mv after/20260101T000000.000Z_$st.wav sp/seg/20371128T100000.200Z_$st.wav
mv after/20260101T000000.100Z_$st.wav sp/seg/20371128T100000.300Z_$st.wav

say "the archive's labels come from the segment names"
expect_exit 0 rec-archive --spool sp --min-count 1 2>arc.log
[ -z "$(ls sp/seg)" ] || fail "left in seg/: $(ls sp/seg)"
ls sp/out >out.list
expect_grep "^20371128T100000\.000Z_20371128T100000\.400Z_$st\.tar\$" out.list

# 1.5 s of audio: two segments of 1 s
head -c $((48000 * 2 * 3 / 2)) /dev/zero >in.raw
# capture SPOOL: record in.raw (the clock is behind every name below);
# the names of the new segments into SPOOL.new
capture() {
	ls "$1/seg" >"$1.old"
	rec-capture -q -D - -r 48000 -c 1 -f S16_LE -t 1 --spool "$1" \
		--station $st <in.raw 2>"$1.log"
	ls "$1/seg" | grep "_$st\.wav\$" | grep -v -x -F -f "$1.old" \
		>"$1.new" || true
	[ "$(wc -l <"$1.new")" = 2 ] || fail "$1: new segments: $(cat "$1.new")"
}
# after SPOOL STAMP: every new segment of SPOOL is named after STAMP
after() {
	local n
	while read -r n; do
		[[ $n > $2 ]] || fail "$1: seg/$n is not after $2"
	done <"$1.new"
}

say "an archive in out/ whose end label is before its start"
mkdir -p sp2/out sp2/seg
: >"sp2/out/20371128T120000.000Z_20371128T110000.000Z_$st.tar"
: >"sp2/out/20371128T113000.000Z_20371128T114000.000Z_$st.tar.sums"
capture sp2
after sp2 20371128T120000.000Z

say "the ledger: a line at its start, over 64 KiB before its end"
mkdir -p sp3/seg
l=20371128T130000.000Z_20371128T110000.000Z_$st.tar
printf '2037-11-28T13:00:00Z\tk/%s\t10\tetag\t2037-11-28T13:00:00.000000Z\t2037-11-28T11:00:00.000000Z\t%s\n' "$l" "$l" >sp3/ledger
for i in $(seq 1 600); do
	l=20261101T000000.000Z_20261101T000100.000Z_$st.tar
	printf '2026-11-01T00:01:00Z\t%0100d/%s\t10\tetag\t2026-11-01T00:00:00.000000Z\t2026-11-01T00:01:00.000000Z\t%s\n' "$i" "$l" "$l"
done >>sp3/ledger
# another station's later archive does not count
l=20371128T140000.000Z_20371128T140100.000Z_other.tar
printf '2037-11-28T14:01:00Z\tk/%s\t10\tetag\t2037-11-28T14:00:00.000000Z\t2037-11-28T14:01:00.000000Z\t%s\n' "$l" "$l" >>sp3/ledger
[ "$(stat -c %s sp3/ledger)" -gt 65536 ] || fail "the ledger is too small"
capture sp3
after sp3 20371128T130000.000Z
while read -r n; do
	[[ $n < 20371128T140000.000Z ]] || fail "sp3: seg/$n is after the other station's archive"
done <sp3.new

say "the newest name in seg/"
cp sp2/seg/"$(head -n 1 sp2.new)" "sp/seg/20371128T150000.000Z_$st.wav"
capture sp
after sp 20371128T150000.000Z
