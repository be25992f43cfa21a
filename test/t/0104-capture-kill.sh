# kill -9 at random moments, then restart: every frame rec-capture had
# written before the kill is in a valid published segment (the segment
# in tmp/ is repaired from its length, marked REC|Recovered, published);
# nothing is left in tmp/, nothing is deleted, and the kept frames are
# the stream's frames at the right places.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/data/asoundrc.sh"

rate=48000 fb=4
pacer -r $rate -c 2 -f S16_LE -d 30 --seed 11 -n >exp.raw
asoundrc_file src "$PWD/exp.raw"
mkfifo in

# frames on disk now: published segments of the run, and the one in tmp/
on_disk() {
	local n=0 f fr
	for f in sp/seg/*.wav sp/tmp/*.wav; do
		[ -f "$f" ] || continue
		fr=$(wavdump -i "$f" 2>/dev/null | sed -n 's/^frames=\([0-9]*\) .*/\1/p')
		n=$((n + ${fr:-0}))
	done
	echo $n
}

want_total=0
for i in 1 2 3 4 5 6 7; do
	before=$(on_disk)
	if [ $i -le 5 ]; then
		ms=$((300 + $(rnd 1700)))
		say "round $i: paced stdin, kill -9 after $ms ms"
		pacer -r $rate -c 2 -f S16_LE -d 30 --seed 11 >in 2>/dev/null &
		pp=$!
		rec-capture -D - -r $rate -c 2 -t 0.5 --spool sp --station k \
			<in 2>"cap$i.err" &
	else
		ms=$((5 + $(rnd 60)))
		say "round $i: ALSA file source, kill -9 after $ms ms"
		pp=
		REC_FAULT_WRITE_STALL=20@7 rec-capture -D src -r $rate -c 2 \
			-t 0.5 -d 30 --spool sp --station k 2>"cap$i.err" &
	fi
	cp=$!
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
	kill -STOP $cp
	written=$(( $(on_disk) - before ))
	ls sp/tmp >"tmp$i"
	kill -9 $cp
	wait $cp 2>/dev/null || true
	[ -n "$pp" ] && { kill $pp 2>/dev/null || true; wait $pp 2>/dev/null || true; }
	say "written before the kill: $written frames; tmp/: $(tr '\n' ' ' <"tmp$i")"
	rec-capture -D - -r $rate -c 2 --spool sp --station k </dev/null \
		2>"restart$i.err" || { cat "restart$i.err"; fail "restart failed"; }
	cat "restart$i.err"
	[ -z "$(ls sp/tmp | grep '\.wav$')" ] || fail "left in tmp/: $(ls sp/tmp)"
	after=$(on_disk)
	[ $((after - before)) -ge "$written" ] ||
		fail "round $i: $((after - before)) frames published, $written were written"
	if grep -q '\.wav$' "tmp$i"; then
		grep -q 'recovered .* into seg/\|moved .* to .*corrupt' "restart$i.err" ||
			fail "round $i: no log line for the tmp/ segment"
	fi
done

say "every published segment is valid and matches the stream"
python3 "$REC_TOP/test/data/capcheck.py" exp.raw $fb sp/seg/*.wav >check ||
	{ cat check; fail "segments differ from the stream"; }
cat check
[ "$(wc -l <check)" -ge 5 ] || fail "want a run per round"
for f in sp/seg/*.wav; do
	soxi -s "$f" >/dev/null || fail "sox cannot read $f"
done
n=$(wavdump -g sp/seg/*.wav | grep -c '^REC|Recovered: true$' || true)
say "$n recovered segments"
[ "$n" -ge 1 ] || fail "no segment was recovered: the test did not test"
say "corrupt/ holds only files without audio"
for f in sp/corrupt/*; do
	[ -f "$f" ] || continue
	fr=$(wavdump -i "$f" 2>/dev/null | sed -n 's/^frames=\([0-9]*\) .*/\1/p')
	[ "${fr:-0}" = 0 ] || fail "$f has $fr frames"
done
