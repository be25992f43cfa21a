# A symbolic link or a FIFO in seg/ or tmp/ is never followed: a link in
# seg/ to a WAV outside the spool is not archived (the target untouched,
# the link moved to corrupt/, exit 65) while the real segment beside it
# is; a FIFO there does not hang the run. rec-capture does not recover
# through a link in tmp/: the link goes to corrupt/, the target keeps
# its bytes, and recording goes on.
. "$REC_TOP/test/lib.sh"
command -v rec-capture >/dev/null || skip "rec-capture is not built"

st=t0281
mkdir -p outside sp/seg
mkseg -S $st -n 1 -l 4800 -r 48000 -c 1 -t 20261128T090000.000Z outside
mkseg -S $st -n 1 -l 4800 -r 48000 -c 1 -t 20261128T100000.000Z sp/seg
t=outside/20261128T090000.000Z_$st.wav
cp "$t" target.orig
ln -s "$PWD/$t" "sp/seg/20261128T100001.000Z_$st.wav"
mkfifo "sp/seg/20261128T100002.000Z_$st.wav"

say "rec-archive archives the segment, quarantines the link and the FIFO"
expect_exit 65 timeout 60 rec-archive --spool sp --min-count 1 2>arc.log
cat arc.log
cmp "$t" target.orig
[ -L "sp/corrupt/20261128T100001.000Z_$st.wav" ] || fail "the link is not in corrupt/: $(ls -l sp/corrupt)"
[ -p "sp/corrupt/20261128T100002.000Z_$st.wav" ] || fail "the FIFO is not in corrupt/: $(ls -l sp/corrupt)"
[ -z "$(ls sp/seg)" ] || fail "left in seg/: $(ls sp/seg)"
a=$(ls sp/out/*_$st.tar)
tar tf "$a" >members
expect_grep "^20261128T100000\.000Z_$st\.wav\$" members
if grep -q 20261128T100001 members; then fail "the link's target was archived"; fi

say "rec-capture does not recover through a link in tmp/"
mkdir -p sp/tmp
ln -s "$PWD/$t" "sp/tmp/20261128T110000.000Z_$st.wav"
head -c $((48000 * 2)) /dev/zero >in.raw
expect_exit 0 rec-capture -q -D - -r 48000 -c 1 -f S16_LE -t 1 --spool sp \
	--station $st <in.raw 2>cap.log
cat cap.log
cmp "$t" target.orig
[ -L "sp/corrupt/20261128T110000.000Z_$st.wav" ] || fail "the tmp/ link is not in corrupt/: $(ls -l sp/corrupt)"
[ ! -e "sp/seg/20261128T110000.000Z_$st.wav" ] || fail "the link was recovered into seg/"
[ "$(ls sp/seg | wc -l)" = 1 ] || fail "seg/: $(ls sp/seg)"
