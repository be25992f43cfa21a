# A USB microphone unplugged and back, through the real ALSA path (the
# file plugin, with test/shim/alsagone making snd_pcm_readi fail with
# -ENODEV after N frames and snd_pcm_open fail until a flag file exists):
# rec-capture does not exit; it publishes the segment in progress at
# once (shorter), says so in one line and in DIR/device-lost, waits for
# the device by its name, and resumes. The gap is recorded in the segment
# that resumes, at exactly frame N of the timeline (offset 0, its First
# Frame = N), its length > 0 (the time it was gone: not checked against
# the clock); the audio before is the first N frames of the source, the
# audio after it the stream of the device that came back, bit for bit.
# The same when the read fails with -EBADFD in a handle whose state is
# SND_PCM_STATE_DISCONNECTED (REC_ALSAGONE_EBADFD).
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/data/asoundrc.sh"

key() { wavdump -g "$2" | sed -n "s/^$1: //p"; }
segs_are() { [ "$(ls sp/seg | wc -l)" = "$1" ]; }

rate=8000 N=10000
pacer -r $rate -c 1 -f S16_LE -d 3 --seed 1 -n >src1.raw
pacer -r $rate -c 1 -f S16_LE -d 4 --seed 2 -n >src2.raw
# the file plugin opens its infile at every snd_pcm_open: the device
# that comes back delivers src2 from its start
cp src1.raw src.raw
asoundrc_file src "$PWD/src.raw"

REC_ALSAGONE_AFTER=$N REC_ALSAGONE_FLAG=$PWD/flag \
REC_ALSAGONE_LOG=$PWD/shim.log \
LD_PRELOAD="$REC_BUILD/test/shim/alsagone.so${LD_PRELOAD:+:$LD_PRELOAD}" \
	timeout 120 rec-capture -D src -r $rate -c 1 -t 1 -d 4 --spool sp \
	--station s 2>cap.err &
pid=$!

say "gone: one line, the segment in progress published, DIR/device-lost"
wait_until 30 grep -q 'is gone' cap.err
wait_until 30 test -f sp/device-lost
wait_until 30 segs_are 2
[ -z "$(ls sp/tmp | grep -v '^\.')" ] || fail "a segment left in tmp/"
grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z src$' \
	sp/device-lost || { cat sp/device-lost; fail "device-lost"; }
set -- sp/seg/*.wav
[ "$(key 'REC|Frames' "$2")" = 2000 ] || fail "the cut segment: $(key 'REC|Frames' "$2") frames"
kill -0 $pid || fail "rec-capture exited"
expect_grep '^gone after 10000$' shim.log
# it keeps trying, quietly
wait_until 30 grep -q 'open gone' shim.log

say "back: the device returns with another stream"
cp src2.raw new.raw && mv new.raw src.raw
: >flag
rc=0
wait $pid || rc=$?
cat cap.err
[ $rc = 0 ] || fail "rec-capture exited $rc"
[ ! -e sp/device-lost ] || fail "device-lost left behind"
[ "$(grep -c 'warning: audio device src is gone (No such device): waiting for it to come back$' cap.err)" = 1 ] ||
	fail "want one 'gone' line"
[ "$(grep -c 'info: audio device src is back after [0-9.]* s: recording again$' cap.err)" = 1 ] ||
	fail "want one 'back' line"
expect_grep 'warning: lost [1-9][0-9]* frames .*: the audio device was gone$' cap.err
! grep -q 'error' cap.err || fail "an error logged"
[ "$(grep -c . cap.err)" = 5 ] || fail "want 5 lines on stderr"

say "the gap starts at frame $N, the audio around it is bit-exact"
set -- sp/seg/*.wav
[ $# = 5 ] || fail "want 5 segments, got $#"
[ "$(key 'REC|First Frame' "$1")" = 0 ] || fail "first frame of $1"
[ "$(key 'REC|First Frame' "$2")" = 8000 ] || fail "first frame of $2"
[ -z "$(key 'REC|Gaps' "$1")$(key 'REC|Gaps' "$2")" ] || fail "gaps before the loss"
[ "$(key 'REC|First Frame' "$3")" = $N ] || fail "the gap at $(key 'REC|First Frame' "$3"), want $N"
gap=$(key 'REC|Gaps' "$3")
case $gap in 0+[1-9]*) ;; *) fail "gaps of $3: '$gap', want 0+LENGTH" ;; esac
len=${gap#0+}
[ "$(key 'REC|Lost Frames' "$3")" = "$len" ] || fail "lost frames of $3"
[ "$(key 'REC|First Frame' "$4")" = $((N + len + 8000)) ] || fail "first frame of $4"
[ -z "$(key 'REC|Gaps' "$4")$(key 'REC|Gaps' "$5")" ] || fail "gaps after the return"
[ "$(key 'REC|Run' "$1")" = "$(key 'REC|Run' "$5")" ] || fail "one run"
wavdump -p "$1" "$2" | cmp - <(head -c $((N * 2)) src1.raw) ||
	fail "the audio before the loss is not the source's first $N frames"
wavdump -p "$3" "$4" "$5" | cmp - <(head -c $(((32000 - N) * 2)) src2.raw) ||
	fail "the audio after the return is not the returned device's"
expect_grep "done: 32000 frames in 5 segments, 0 overruns, $len frames lost" cap.err

say "a read that fails with EBADFD in a disconnected handle: the same"
cp src1.raw new.raw && mv new.raw src.raw
: >flag2	# there already: back at the first try, a second later
REC_ALSAGONE_AFTER=4000 REC_ALSAGONE_FLAG=$PWD/flag2 REC_ALSAGONE_EBADFD=1 \
LD_PRELOAD="$REC_BUILD/test/shim/alsagone.so${LD_PRELOAD:+:$LD_PRELOAD}" \
	timeout 120 rec-capture -D src -r $rate -c 1 -t 1 -d 2 --spool sp2 \
	--station s 2>cap2.err || { cat cap2.err; fail "rec-capture failed"; }
cat cap2.err
expect_grep 'audio device src is gone (No such device)' cap2.err
set -- sp2/seg/*.wav
[ $# = 3 ] || fail "want 3 segments, got $#"
[ "$(key 'REC|Frames' "$1")" = 4000 ] || fail "the cut segment"
[ "$(key 'REC|First Frame' "$2")" = 4000 ] || fail "the gap at $(key 'REC|First Frame' "$2")"
case $(key 'REC|Gaps' "$2") in 0+[1-9]*) ;; *) fail "gaps of $2" ;; esac
wavdump -p "$2" "$3" | cmp - <(head -c 24000 src1.raw) ||
	fail "the audio after the return"
