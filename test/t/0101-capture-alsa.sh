# rec-capture on the real ALSA path (alsa-lib's file plugin over null):
# the PCM of all segments joined equals the input bit for bit, for
# several rates, channel counts, formats and segment lengths, with
# --align and with a stop in mid-segment; every segment has exactly
# rate x length frames (but the first with --align and the last), a
# correct header (sox agrees) and its GUANO metadata.
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/data/asoundrc.sh"

key() { wavdump -g "$2" | sed -n "s/^$1: //p"; }

# case NAME RATE CH FMT SEG DUR [--align]
case_() {
	local n=$1 rate=$2 ch=$3 fmt=$4 seg=$5 dur=$6 align=${7:-}
	local bps frames segf total=0 first=0 i=0 f fr ff want
	say "$n: $rate Hz, $ch ch, $fmt, segments of $seg s, $dur s $align"
	case $fmt in S16_LE) bps=2 ;; S24_3LE) bps=3 ;; S32_LE) bps=4 ;; esac
	frames=$(python3 -c "print(int($dur * $rate))")
	segf=$(python3 -c "print(int($seg * $rate))")
	head -c $((frames * ch * bps)) /dev/urandom >"$n.raw"
	asoundrc_file "$n" "$PWD/$n.raw"
	rec-capture -D "$n" -r "$rate" -c "$ch" -f "$fmt" -t "$seg" -d "$dur" \
		$align --spool "sp-$n" --station "st-$n" 2>"$n.err" ||
		{ cat "$n.err"; fail "$n: rec-capture failed"; }
	[ -z "$(ls "sp-$n/tmp" | grep -v '^\.')" ] || fail "$n: left in tmp/"
	set -- "sp-$n"/seg/*.wav
	wavdump -p "$@" | cmp - "$n.raw" || fail "$n: joined PCM differs"
	for f in "$@"; do
		i=$((i + 1))
		fr=$(key 'REC|Frames' "$f")
		ff=$(key 'REC|First Frame' "$f")
		[ "$ff" = "$first" ] || fail "$n: $f first frame $ff, want $first"
		[ "$(soxi -s "$f")" = "$fr" ] || fail "$n: sox reads $(soxi -s "$f") frames, want $fr"
		[ "$(key Samplerate "$f")" = "$rate" ] || fail "$n: rate"
		[ "$(key 'REC|Channels' "$f")" = "$ch" ] || fail "$n: channels"
		[ "$(key 'REC|Format' "$f")" = "$fmt" ] || fail "$n: format"
		[ "$(key 'REC|Station' "$f")" = "st-$n" ] || fail "$n: station"
		[ "$(key 'REC|Device' "$f")" = "$n" ] || fail "$n: device"
		[ "$(key 'REC|Lost Frames' "$f")" = 0 ] || fail "$n: lost"
		[ -z "$(key 'REC|Gaps' "$f")" ] || fail "$n: gaps"
		[ "$(key 'Original Filename' "$f")" = "$(basename "$f")" ] ||
			fail "$n: Original Filename"
		key Timestamp "$f" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z$' ||
			fail "$n: Timestamp $(key Timestamp "$f")"
		key 'REC|Run' "$f" | grep -Eq '^[0-9a-f]{32}$' || fail "$n: run id"
		[ "$(wavdump -g "$f" | grep -c '^GUANO|Version: 1.0$')" = 1 ] ||
			fail "$n: one GUANO chunk"
		want=$segf
		if [ $i = $# ]; then want=$((frames - first))
		elif [ $i = 1 ] && [ -n "$align" ]; then want=$fr
		fi
		[ "$fr" = "$want" ] || fail "$n: $f has $fr frames, want $want"
		first=$((first + fr))
	done
	[ "$first" = "$frames" ] || fail "$n: $first frames in all, want $frames"
	[ "$(wavdump -g "$@" | sed -n 's/^REC|Run: //p' | sort -u | wc -l)" = 1 ] ||
		fail "$n: one run id"
	ls "sp-$n/seg" >names && sort -c names || fail "$n: names do not sort"
}

case_ a 48000 2 S16_LE 1 3.5
case_ b 44100 1 S24_3LE 0.5 2
case_ c 8000 6 S32_LE 1 2.25
case_ d 22050 3 S16_LE 1 3
case_ e 96000 2 S32_LE 2 5 --align

say "--align: the second segment starts on a multiple of 2 s UTC"
set -- sp-e/seg/*.wav
ts=$(key Timestamp "$2")
python3 - "$ts" <<'EOT' || fail "not aligned: $ts"
import sys, datetime
t = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%S.%fZ")
us = (t.second % 2) * 1000000 + t.microsecond
# on the boundary, or less than one frame (96 kHz) after it
sys.exit(0 if us <= 11 else 1)
EOT
case "$(basename "$2")" in *[02468].000Z_st-e.wav) ;;
	*) fail "name not on the boundary: $2" ;; esac

say "a 16-bit stereo segment is plain PCM that Python's wave module reads"
python3 - sp-a/seg/*.wav <<'EOT'
import sys, wave
n = 0
for f in sys.argv[1:]:
    w = wave.open(f)
    assert w.getnchannels() == 2 and w.getsampwidth() == 2
    assert w.getframerate() == 48000
    n += w.getnframes()
assert n == 168000, n
EOT

say "the trigger FIFO gets one line per published segment"
asoundrc_file trig "$PWD/a.raw"
mkdir -p sp-t && mkfifo sp-t/trigger
exec 3<>sp-t/trigger			# a reader that never blocks the writer
rec-capture -D trig -r 48000 -c 2 -t 1 -d 3.5 --spool sp-t --station t
timeout 5 head -n 4 <&3 >lines
exec 3<&-
ls sp-t/seg | sed 's|^|seg/|' | diff - lines
