# SIGTERM and SIGINT: the open segment gets a valid header and is
# published, exit 0. At start, what a crash left in tmp/ is repaired or
# quarantined, never deleted; another running station's files are left
# alone.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"

rate=8000
pacer -r $rate -c 1 -f S16_LE -d 60 --seed 2 -n >exp.raw
mkfifo in
for sig in TERM INT; do
	say "SIG$sig in mid-segment"
	rm -rf sp && : >cap.err
	pacer -r $rate -c 1 -f S16_LE -d 60 --seed 2 >in 2>/dev/null &
	pp=$!
	rec-capture -D - -r $rate -c 1 -t 1 --spool sp --station s -v <in \
		2>cap.err &
	cp=$!
	wait_until 60 eval '[ "$(grep -c "published .*/seg/" cap.err)" -ge 2 ]'
	sleep 0.$(rnd 9)
	kill -$sig $cp
	rc=0; wait $cp || rc=$?
	kill $pp 2>/dev/null || true; wait $pp 2>/dev/null || true
	[ $rc = 0 ] || { cat cap.err; fail "exit $rc after SIG$sig"; }
	[ -z "$(ls sp/tmp | grep '\.wav$')" ] || fail "left in tmp/"
	expect_grep 'stopped: ' cap.err
	# the segments before are whole (-t 1: $rate frames); the last one
	# is the segment in progress at the signal: partial, not empty,
	# finished (its header tells its length)
	for f in $(ls sp/seg/*.wav | head -n -1); do
		wavdump -i "$f" | grep -q "^frames=$rate " ||
			fail "$f is not a whole segment: $(wavdump -i "$f")"
	done
	info=$(wavdump -i "$(ls sp/seg/*.wav | tail -n 1)")
	say "last segment: $info"
	last=$(echo "$info" | sed -n 's/^frames=\([0-9]*\) .*/\1/p')
	[ -n "$last" ] || fail "no frame count: $info"
	[ "$last" -gt 0 ] && [ "$last" -lt $rate ] ||
		fail "the last segment is not partial: $info"
	case $info in *" finished=1"*) ;; *) fail "last segment not finished: $info" ;; esac
	python3 "$REC_TOP/test/data/capcheck.py" exp.raw 2 sp/seg/*.wav >check ||
		{ cat check; fail "segments differ"; }
	cat check
	set -- sp/seg/*.wav
	[ $# -ge 3 ] || fail "want a segment in progress published too"
done

say "recovery: garbage, an empty segment, a finished one never renamed"
rm -rf sp
rec-capture -D - -r $rate --spool sp --station s </dev/null
head -c 300 /dev/urandom >sp/tmp/20260101T000000.000Z_s.wav
: >sp/tmp/20260101T000001.000Z_s.wav
pacer -r $rate -c 1 -d 1.5 --seed 2 -n |
	rec-capture -D - -r $rate -c 1 -t 1 --spool src --station s
cp "$(ls src/seg/*.wav | head -n 1)" sp/tmp/20260101T000002.000Z_s.wav
cp "$(ls src/seg/*.wav | tail -n 1)" sp/tmp/20260101T000003.000Z_other.wav
printf 'not ours' >sp/tmp/notes.txt
rec-capture -D - -r $rate --spool sp --station s </dev/null 2>rec.err
cat rec.err
ls sp/tmp sp/seg sp/corrupt
[ -f sp/corrupt/20260101T000000.000Z_s.wav ] || fail "garbage not quarantined"
[ -f sp/corrupt/20260101T000001.000Z_s.wav ] || fail "empty not quarantined"
[ -f sp/seg/20260101T000002.000Z_s.wav ] || fail "finished one not published"
[ -f sp/seg/20260101T000003.000Z_other.wav ] || fail "other station's (not running) not published"
[ -f sp/tmp/notes.txt ] || fail "a file not ours was touched"
[ "$(grep -c 'moved .* to .*corrupt/' rec.err)" = 2 ] || fail "log lines"
cmp sp/seg/20260101T000002.000Z_s.wav "$(ls src/seg/*.wav | head -n 1)"

say "the segments of a station that is recording are left alone"
cp "$(ls src/seg/*.wav | head -n 1)" sp/tmp/20260101T000004.000Z_busy.wav
( exec 3>in; exec sleep 120 ) & holder=$!
rec-capture -D - -r $rate --spool sp --station busy <in 2>busy.err & bp=$!
wait_until 60 grep -q recording busy.err
# (busy's own start found its file; put one back as if it were writing)
cp "$(ls src/seg/*.wav | head -n 1)" sp/tmp/20260101T000005.000Z_busy.wav
rec-capture -D - -r $rate --spool sp --station s </dev/null 2>rec2.err
[ -f sp/tmp/20260101T000005.000Z_busy.wav ] || fail "a running station's file was taken"
kill $holder; wait $bp || fail "busy capture failed"
