# The overrun and suspend paths of the ALSA reader (snd_pcm_readi
# returning -EPIPE / -ESTRPIPE), driven by the alsafault shim over the
# file plugin: each loss lands in its segment's GUANO as a gap at the
# right frame (REC|Gaps, REC|Lost Frames), the next segments' First Frame
# and Timestamp count the lost frames, the audio around the gaps is the
# source's, and an overrun that lost nothing is logged without a gap.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/data/asoundrc.sh"

key() { wavdump -g "$2" | sed -n "s/^$1: //p"; }

rate=8000
pacer -r $rate -c 1 -f S16_LE -d 6 --seed 8 -n >src.raw
asoundrc_file src "$PWD/src.raw"
# segment 0: overrun at its frame 5000 losing 800; segment 1 (First Frame
# 8800): suspend at its frame 4000 losing 1600; segment 2: an overrun
# that lost nothing
REC_ALSAFAULT='xrun@5000+800,suspend@12000+1600,xrun@20000+0' \
REC_ALSAFAULT_RATE=$rate LD_PRELOAD="$REC_BUILD/test/shim/alsafault.so" \
	rec-capture -D src -r $rate -c 1 -t 1 -d 4 --spool sp --station s \
	2>cap.err || { cat cap.err; fail "rec-capture failed"; }
cat cap.err
set -- sp/seg/*.wav
[ $# = 4 ] || fail "want 4 segments, got $#"
[ -z "$(ls sp/tmp | grep -v '^\.')" ] || fail "left in tmp/"

# seg N GAPS LOST FIRST
seg() {
	local f=$1
	[ "$(key 'REC|Gaps' "$f")" = "$2" ] || fail "$f: gaps '$(key 'REC|Gaps' "$f")', want '$2'"
	[ "$(key 'REC|Lost Frames' "$f")" = "$3" ] || fail "$f: lost $(key 'REC|Lost Frames' "$f"), want $3"
	[ "$(key 'REC|First Frame' "$f")" = "$4" ] || fail "$f: first frame $(key 'REC|First Frame' "$f"), want $4"
	[ "$(key 'REC|Frames' "$f")" = 8000 ] || fail "$f: frames"
}
seg "$1" 5000+800 800 0
seg "$2" 4000+1600 1600 8800
seg "$3" "" 0 18400
seg "$4" "" 0 26400

say "the audio between the gaps is the source's"
python3 "$REC_TOP/test/data/capcheck.py" src.raw 2 "$@" >check ||
	{ cat check; fail "segments differ from the source"; }
cat check
grep -q 'lost=2400 end=34400$' check || fail "want 2400 frames lost in 34400"

say "the timestamps count the lost frames"
python3 - "$(key Timestamp "$1")" "$(key Timestamp "$2")" "$(key Timestamp "$3")" <<'EOT' ||
import sys, datetime
t = [datetime.datetime.strptime(a, "%Y-%m-%dT%H:%M:%S.%fZ") for a in sys.argv[1:]]
us = [(b - t[0]) // datetime.timedelta(microseconds=1) for b in t[1:]]
sys.exit(0 if us == [1100000, 2300000] else "offsets %s" % us)
EOT
	fail "timestamps"

[ "$(grep -c 'warning: lost 800 frames (0.100 s) at .*: overrun' cap.err)" = 1 ] ||
	fail "overrun not logged"
[ "$(grep -c 'warning: lost 1600 frames (0.200 s) at .*: device suspended' cap.err)" = 1 ] ||
	fail "suspend not logged"
expect_grep 'warning: overrun (the reader was late) at .*: no loss measurable' cap.err
expect_grep 'done: 32000 frames in 4 segments, 3 overruns, 2400 frames lost' cap.err
