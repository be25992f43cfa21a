# A sound card whose crystal is 104 ppm fast (48005 frames a second
# for a nominal 48000), through the real ALSA path: the file plugin,
# with test/shim/alsafault delivering at 48005 Hz in real time and
# stamping every frame on CLOCK_MONOTONIC_RAW at that rate. rec-capture
# measures the rate (REC|Clock PPM +104.167) and times each segment by
# it: consecutive Timestamps are 96000/48005 s apart, not 2 s (208 us
# less each), so the timestamps follow the system clock instead of
# drifting 9 s a day from it. The segments stay sample-exact (First
# Frame, no gap, the audio bit for bit).
# Then the same card as a paced source on standard input (test/helpers/
# pacer at 48005 Hz, no device timestamps, only the times of the reads,
# which the scheduler jitters by milliseconds): the rate measured within
# 60 ppm (a rate not measured reads +0).
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/data/asoundrc.sh"

key() { wavdump -g "$2" | sed -n "s/^$1: //p"; }

pacer -r 48000 -c 1 -f S16_LE -d 12 --seed 5 -n >src.raw
asoundrc_file src "$PWD/src.raw"
REC_ALSAFAULT_RATE=48005 REC_ALSAFAULT_PACE=1 \
LD_PRELOAD="$REC_BUILD/test/shim/alsafault.so${LD_PRELOAD:+ $LD_PRELOAD}" \
	rec-capture -D src -r 48000 -c 1 -t 2 -d 10 --spool sp --station s \
	2>cap.err || { cat cap.err; fail "rec-capture failed"; }
cat cap.err
set -- sp/seg/*.wav
[ $# = 5 ] || fail "want 5 segments, got $#"

say "sample-exact: no gap, First Frame every 96000, the source's audio"
i=0
for f; do
	[ "$(key 'REC|First Frame' "$f")" = $((i * 96000)) ] ||
		fail "$f: First Frame $(key 'REC|First Frame' "$f")"
	[ "$(key 'REC|Lost Frames' "$f")" = 0 ] || fail "$f: lost frames"
	i=$((i + 1))
done
python3 "$REC_TOP/test/data/capcheck.py" src.raw 2 "$@" >check ||
	{ cat check; fail "segments differ from the source"; }
expect_grep ' frames=480000 lost=0 end=480000$' check

say "the rate measured, the timestamps by it"
for f; do key Timestamp "$f"; key 'REC|Clock PPM' "$f"; done >times
cat times
python3 - times <<'EOT' || fail "timestamps or rate"
import sys, datetime
v = open(sys.argv[1]).read().split()
ts = [datetime.datetime.strptime(a, "%Y-%m-%dT%H:%M:%S.%fZ") for a in v[0::2]]
ppm = [float(a) for a in v[1::2]]
bad = [p for p in ppm if abs(p - 104.1667) > 0.5]
if bad:
    sys.exit("PPM %s, want +104.167" % bad)
want = 96000 / 48005 * 1e6          # us: 1999791.7, not 2000000
for a, b in zip(ts, ts[1:]):
    us = (b - a) / datetime.timedelta(microseconds=1)
    if abs(us - want) > 20:
        sys.exit("segments %.0f us apart, want %.0f" % (us, want))
EOT

say "a paced source on standard input at 48005 Hz: the rate from the reads"
pacer -r 48005 -c 1 -f S16_LE -d 12 --seed 6 2>pacer.err |
	rec-capture -D - -r 48000 -c 1 -t 4 --spool sp2 --station s \
	2>cap2.err || { cat cap2.err; fail "rec-capture failed"; }
expect_grep 'dropped=0$' pacer.err
set -- sp2/seg/*.wav
[ $# = 4 ] || fail "want 4 segments, got $#"
ppm=$(key 'REC|Clock PPM' "$3")
echo "measured from the reads: $ppm ppm"
python3 -c "import sys; sys.exit(abs(float('$ppm') - 104.1667) > 60)" ||
	fail "PPM $ppm, want +104 within 60"
