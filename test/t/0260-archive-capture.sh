# rec-archive on real rec-capture segments: PCM from a file through
# rec-capture into seg/, archived as FLAC (then as WAV); the members'
# PCM, decoded by the stock flac and joined, equals the input bit for
# bit, and the manifest carries rec-capture's metadata.
. "$REC_TOP/test/lib.sh"
command -v rec-capture >/dev/null || skip "rec-capture is not built"

for fmt in S16_LE S24_3LE; do
	say "$fmt: rec-capture -> rec-archive --codec flac"
	rm -rf sp x && mkdir x
	bytes=$([ $fmt = S16_LE ] && echo 4 || echo 6)
	head -c $((48000 * bytes * 5 + 48000 * bytes / 2)) /dev/urandom >in.raw
	rec-capture -q -D - -r 48000 -c 2 -f $fmt -t 1 --spool sp \
		--station cap1 <in.raw
	[ "$(ls sp/seg | wc -l)" = 6 ] || fail "want 6 segments"
	rec-archive --spool sp --codec flac --compress xz 2>log
	expect_grep 'archived 6 segments' log
	a=$(ls sp/out/*_cap1.tar.xz)
	rec-archive --verify -q "$a"
	tar xf "$a" -C x
	for f in x/*.flac; do
		flac -t -s "$f"
		flac -d -s -c --force-raw-format --endian=little \
			--sign=signed "$f"
	done >got.raw
	cmp got.raw in.raw
	python3 - x/manifest.json $fmt <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
s = m['segments']
assert m['station'] == 'cap1' and len(s) == 6
assert all(x['format'] == sys.argv[2] and x['rate'] == 48000 for x in s)
assert sum(x['frames'] for x in s) == 48000 * 5 + 24000
assert all(len(x['run']) > 0 for x in s)
assert [x['first_frame'] for x in s] == [48000 * i for i in range(6)], s
PY
done

say "WAV members are the segments, byte for byte"
rm -rf sp x orig && mkdir x orig
rec-capture -q -D - -r 16000 -c 1 -t 1 --spool sp --station cap2 <in.raw
cp sp/seg/*.wav orig/
rec-archive -q --spool sp
tar xf sp/out/*_cap2.tar -C x
for f in orig/*.wav; do cmp "$f" "x/${f#orig/}"; done
python3 "$REC_TOP/test/helpers/archcheck.py" sp orig
