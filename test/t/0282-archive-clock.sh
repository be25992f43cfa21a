# rec-archive carries how each segment's time was known into manifest.json:
# - a segment with REC|Clock keys gets a "clock" object (synced,
#   est_error and max_error in seconds, ppm when measured, steps as
#   [offset, nanoseconds] when the wall clock stepped), the values exactly
#   as in its GUANO; one without them (older segments) has no "clock";
#   for WAV and FLAC archives, read with stock tar and python's json;
# - rec-archive --verify accepts those manifests;
# - a segment whose step lies past its last frame is quarantined (exit
#   65, the reason named), the others archived;
# - real rec-capture segments (stdin, test/shim/clockstep: a clock not
#   synced, esterror 250 us, maxerror 16 s) carry their clock through.
. "$REC_TOP/test/lib.sh"

# mkseg with the clock keys of a segment's start: SYNCED ERROR MAX_ERROR
mkseg_clock() {
	s=$1 e=$2 m=$3 && shift 3 &&
	mkseg "-KREC|Clock Synced=$s" "-KREC|Clock Error=$e" \
		"-KREC|Clock Max Error=$m" "$@"
}

for codec in wav flac; do
	say "$codec: segments with and without REC|Clock keys"
	rm -rf sp && mkdir -p sp/seg
	# 1: an older segment, no clock; 2: synced, nothing measured;
	# 3: not synced, a card 104.167 ppm fast, steps at its first frame,
	# to the nanosecond, and at its end (4800 frames)
	mkseg -n 1 -l 4800 -t 20261128T031500.000Z sp/seg
	mkseg_clock true 0.000012000 0.000345000 \
		-n 1 -l 4800 -t 20261128T031500.100Z -x 2 sp/seg
	mkseg_clock false 0.500000000 16.000512000 \
		-n 1 -l 4800 -t 20261128T031500.200Z -x 3 \
		'-KREC|Clock PPM=+104.167' \
		'-KREC|Clock Steps=0:-7200.000000000,1000:+0.000000001,4800:+10800.123456789' \
		sp/seg
	expect_exit 0 rec-archive -q --spool sp --min-count 3 --codec $codec
	a=$(ls sp/out/*.tar)
	expect_exit 0 rec-archive --verify -q "$a"
	tar xOf "$a" manifest.json >m.json
	python3 - <<'PY' || fail "$codec: the manifest's clocks"
import json
s = json.load(open('m.json'))['segments']
assert len(s) == 3, len(s)
assert 'clock' not in s[0], s[0]
assert s[1]['clock'] == {'synced': True, 'est_error': 0.000012,
                         'max_error': 0.000345}, s[1]['clock']
c = s[2]['clock']
assert list(c) == ['synced', 'est_error', 'max_error', 'ppm', 'steps'], c
assert c['synced'] is False and c['est_error'] == 0.5, c
assert c['max_error'] == 16.000512 and c['ppm'] == 104.167, c
assert c['steps'] == [[0, -7200000000000], [1000, 1],
                      [4800, 10800123456789]], c['steps']
assert all(type(v) is int for st in c['steps'] for v in st), c['steps']
PY
	# the key is the segment's last, in the fixed order
	grep -q '"clock": {' m.json || fail "no clock in the manifest text"
done

say "a step past the segment's last frame: quarantined, the others go"
rm -rf sp && mkdir -p sp/seg
mkseg_clock true 0 0 -n 1 -l 4800 -t 20261128T031500.000Z sp/seg
mkseg_clock true 0 0 -n 1 -l 4800 -t 20261128T031500.100Z \
	'-KREC|Clock Steps=4801:+1.000000000' sp/seg
expect_exit 65 rec-archive --spool sp --min-count 1 2>log
expect_grep 'moved sp/seg/20261128T031500.100Z_station1.wav to corrupt/: GUANO REC|Clock Steps at frame 4801, the file holds 4800' log
[ "$(ls sp/corrupt)" = 20261128T031500.100Z_station1.wav ] ||
	fail "not quarantined"
tar xOf sp/out/*.tar manifest.json | python3 -c '
import json, sys
s = json.load(sys.stdin)["segments"]
assert len(s) == 1 and s[0]["clock"]["synced"] is True, s' ||
	fail "the good segment's clock"

say "real rec-capture segments: a clock not synced, through the archive"
command -v rec-capture >/dev/null || skip "rec-capture is not built"
printf 'synced 0\nesterror 250\nmaxerror 16000000\n' >clock
head -c $((8000 * 2 * 2 + 4000 * 2)) /dev/urandom >in.raw
REC_CLOCKSTEP=$PWD/clock \
LD_PRELOAD="$REC_BUILD/test/shim/clockstep.so${LD_PRELOAD:+ $LD_PRELOAD}" \
	rec-capture -q -D - -r 8000 -c 1 -t 1 --spool cap --station cap \
	<in.raw 2>cap.err || { cat cap.err; fail "rec-capture failed"; }
[ "$(ls cap/seg | wc -l)" = 3 ] || fail "want 3 segments: $(ls cap/seg)"
expect_exit 0 rec-archive -q --spool cap --min-count 3
tar xOf cap/out/*.tar manifest.json | python3 -c '
import json, sys
s = json.load(sys.stdin)["segments"]
assert len(s) == 3, len(s)
for x in s:
    c = x["clock"]
    assert c["synced"] is False, c
    assert c["est_error"] == 0.00025 and c["max_error"] == 16.0, c
    assert "steps" not in c, c
' || fail "rec-capture's clocks in the manifest"
