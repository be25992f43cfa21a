# Every signal a terminal, systemd or a supervisor can send loses
# nothing: on HUP, INT, TERM, QUIT, PWR and ALRM rec-capture (reading a
# real ALSA device, its dispositions at their defaults as recd leaves
# them) publishes the open segment, drains its buffer and exits 0; USR1,
# USR2 and PIPE are ignored and it records on. Either way the joined
# segments equal the source bit for bit and nothing is left in tmp/.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/data/asoundrc.sh"

ulimit -c 0			# QUIT's default action dumps core
cp=
trap '[ -z "$cp" ] || kill $cp 2>/dev/null || true' EXIT
rate=8000
pacer -r $rate -c 1 -f S16_LE -d 120 --seed 3 -n >src.raw
asoundrc_file src "$PWD/src.raw"

# published N: wait until the log says N segments were published
published() {
	local i
	for i in $(seq 600); do
		[ "$(grep -c 'published .*/seg/' cap.err)" -ge "$1" ] && return 0
		kill -0 "$cp" 2>/dev/null || { cat cap.err; fail "rec-capture died"; }
		sleep 0.1
	done
	cat cap.err
	fail "no $1 segments published after 60 s"
}

# check SIG: what was published is the start of the source, exactly
check() {
	[ -z "$(ls sp/tmp | grep -v '^\.')" ] || fail "SIG$1: left in tmp/: $(ls sp/tmp)"
	[ -z "$(ls sp/corrupt)" ] || fail "SIG$1: quarantined: $(ls sp/corrupt)"
	wavdump -p sp/seg/*.wav >got.raw
	n=$(stat -c %s got.raw)
	[ "$n" -gt 0 ] || fail "SIG$1: nothing recorded"
	head -c "$n" src.raw | cmp - got.raw || fail "SIG$1: segments differ from the source"
	for f in sp/seg/*.wav; do
		soxi -s "$f" >/dev/null || fail "SIG$1: sox cannot read $f"
	done
	say "SIG$1: $((n / 2)) frames in $(ls sp/seg | wc -l) segments, as the source"
}

# start: rec-capture on the ALSA file source, slowed down so that it is
# still recording when the signal comes (-d: it ends by itself anyway)
start() {
	rm -rf sp
	: >cap.err
	REC_FAULT_WRITE_STALL=100@1 rec-capture -D src -r $rate -c 1 -t 0.25 \
		-d 100 --spool sp --station s -v 2>cap.err &
	cp=$!
}

for sig in HUP INT TERM QUIT PWR ALRM; do
	say "SIG$sig in mid-segment"
	start
	published 2
	kill -$sig $cp
	rc=0; wait $cp || rc=$?
	[ $rc = 0 ] || { cat cap.err; fail "exit $rc after SIG$sig"; }
	expect_grep 'stopped: ' cap.err
	check $sig
	[ "$(ls sp/seg | wc -l)" -ge 3 ] || fail "SIG$sig: want the open segment published too"
done

for sig in USR1 USR2 PIPE; do
	say "SIG$sig is ignored: it records on"
	start
	published 2
	kill -$sig $cp
	kill -$sig $cp
	n=$(grep -c 'published .*/seg/' cap.err)
	published $((n + 2))
	kill -TERM $cp
	rc=0; wait $cp || rc=$?
	[ $rc = 0 ] || { cat cap.err; fail "exit $rc after SIG$sig and SIGTERM"; }
	check $sig
done

say "a stop signal during the recovery of tmp/: recovered, then exit 0"
rm -rf sp
pacer -r $rate -c 1 -d 1 --seed 3 -n |
	rec-capture -D - -r $rate -c 1 -t 10 --spool sp0 --station s
seg=$(ls sp0/seg/*.wav)
mkdir -p sp/tmp
for i in 1 2 3 4 5 6; do
	cp "$seg" "sp/tmp/2026010${i}T000000.000Z_s.wav"
done
# (the hang-up arrives while it works through tmp/: REC_FAULT_EIO_COUNT
# makes the first reads fail and be retried, which takes long enough)
REC_FAULT_EIO=/tmp/2026010 REC_FAULT_EIO_COUNT=2 faulty exec \
	rec-capture -D src -r $rate -c 1 --spool sp --station s 2>cap.err &
cp=$!
for i in $(seq 100); do
	grep -q 'try 1 of' cap.err && break
	sleep 0.1
done
expect_grep 'try 1 of' cap.err
kill -HUP $cp
rc=0; wait $cp || rc=$?
[ $rc = 0 ] || { cat cap.err; fail "exit $rc after SIGHUP in recovery"; }
for i in 1 2 3 4 5 6; do
	cmp "$seg" "sp/seg/2026010${i}T000000.000Z_s.wav" ||
		{ cat cap.err; fail "tmp/ segment $i not recovered as it was"; }
done
[ -z "$(ls sp/tmp | grep -v '^\.')" ] || fail "left in tmp/: $(ls sp/tmp)"
