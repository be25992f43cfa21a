# rec-archive on bad input: corrupt segments go to corrupt/ (the rest is
# archived, exit 65); --verify refuses truncated and tampered archives
# (65); bad flags (64) and config (78); a full filesystem (75, nothing
# started; a small tmpfs when this machine lets us mount one, plus the
# free-space test hook).
. "$REC_TOP/test/lib.sh"
check() { python3 "$REC_TOP/test/helpers/archcheck.py" "$@"; }

say "bad flags and sizes: 64, one line"
mkdir -p sp/seg
for args in "--bogus" "--min-count x" "--min-count 0" "--min-bytes 10Q" \
    "--max-age 5x" "--codec mp3" "--compress bz2" "--flac-level 9" \
    "--max-bytes 0" "--max-bytes -1" "--verify" "extra-arg"; do
	rc=0
	rec-archive --spool sp $args 2>log || rc=$?
	[ $rc = 64 ] || fail "$args: exit $rc, not 64"
	[ -s log ] || fail "$args: no message"
done
rec-archive --help | grep -q '^usage: rec-archive'
rec-archive --version | grep -q '^rec-archive '

say "bad config: 78, with file:line"
printf '[archive]\nmin-bytes = lots\n' >bad.conf
expect_exit 78 rec-archive --config bad.conf --spool sp 2>log
expect_grep 'bad.conf:2: bad min-bytes' log
printf '[archive]\ncodex = flac\n' >bad.conf
expect_exit 78 rec-archive --config bad.conf --spool sp 2>log
printf '[upload]\npart-size = big\n' >bad.conf
expect_exit 78 rec-archive --config bad.conf --spool sp 2>log
expect_grep 'bad.conf:2' log

say "corrupt segments are quarantined, the rest archived, exit 65"
mkdir -p orig
mkseg -n 3 -l 4800 sp/seg
cp sp/seg/*.wav orig/
: >sp/seg/20261128T040000.000Z_station1.wav		# zero bytes
head -c 5000 /dev/urandom >sp/seg/20261128T040001.000Z_station1.wav
mkseg -n 1 -l 4800 -t 20261128T040002.000Z sp/seg
f=sp/seg/20261128T040002.000Z_station1.wav
head -c $(( $(stat -c %s $f) - 3000 )) $f >t	# truncated
mv t $f
sox -n -r 48000 -c 2 -b 16 sp/seg/20261128T040003.000Z_station1.wav \
	synth 0.1 sine 440			# a WAV without GUANO
cp orig/20261128T031500.000Z_station1.wav sp/seg/not-a-segment.wav
mkseg -n 1 -l 4800 -t 20261128T040004.000Z sp/seg	# no Timestamp
sed -i 's/Timestamp:/Timestamq:/' sp/seg/20261128T040004.000Z_station1.wav
mkseg -n 1 -l 4800 -t 20261128T040005.000Z -g 'ten+2' sp/seg	# bad gaps
expect_exit 65 rec-archive --spool sp 2>log
[ "$(grep -c 'moved .* to corrupt/' log)" = 7 ] || { cat log; fail "not 7 lines"; }
expect_grep '7 segments moved to' log
expect_grep 'no GUANO metadata' log
expect_grep 'no or bad GUANO Timestamp' log
expect_grep "bad GUANO REC|Gaps 'ten+2'" log
[ "$(ls sp/corrupt | wc -l)" = 7 ] || fail "corrupt/ does not hold 7"
check sp orig
a=$(ls sp/out/*.tar)

say "--verify: a good archive passes, damaged ones exit 65"
rec-archive --verify -q "$a"
size=$(stat -c %s "$a")
head -c $((size / 2)) "$a" >trunc.tar
expect_exit 65 rec-archive --verify trunc.tar 2>log
head -c 1000 "$a" >trunc2.tar
expect_exit 65 rec-archive --verify trunc2.tar
# flip a byte inside the second member's PCM
cp "$a" flip.tar
off=$(( 512 * 8 + 40000 ))
printf '\x55' | dd of=flip.tar bs=1 seek=$off conv=notrunc status=none
cmp -s flip.tar "$a" && fail "the flip changed nothing"
expect_exit 65 rec-archive --verify flip.tar 2>log
expect_grep 'SHA-256' log
# the sidecar catches it too
cp "$a.sums" flip.tar.sums
expect_exit 65 rec-archive --verify flip.tar 2>log
expect_grep 'does not match flip.tar.sums' log
# not an archive; a missing file
head -c 20000 /dev/urandom >junk.tar
expect_exit 65 rec-archive --verify junk.tar
expect_exit 66 rec-archive --verify no-such.tar
# a member not in the manifest
mkdir y && (cd y && tar xf "../$a" && echo x >extra.wav &&
	tar cf ../extra.tar --format=ustar manifest.json 2*.wav extra.wav)
expect_exit 65 rec-archive --verify extra.tar 2>log
expect_grep 'not in the manifest' log
# a member's offset that is not where the tar has it (rec-get would fetch
# other bytes); the same tar with the true offsets passes
mkdir z && (cd z && tar xf "../$a" &&
	tar cf ../same.tar --format=ustar manifest.json 2*.wav &&
	python3 -c '
import json
m = json.load(open("manifest.json"))
m["segments"][-1]["offset"] += 512
json.dump(m, open("manifest.json", "w"), indent=1)' &&
	tar cf ../moved.tar --format=ustar manifest.json 2*.wav)
rec-archive --verify same.tar || fail "a tar with the true offsets fails"
expect_exit 65 rec-archive --verify moved.tar 2>log
expect_grep 'starts at [0-9]* in the tar, the manifest says' log
# a FLAC member with a flipped byte
mkdir -p spf/seg && mkseg -n 2 -l 9600 spf/seg
rec-archive -q --spool spf --codec flac --compress zstd
b=$(ls spf/out/*.zst)
rec-archive --verify -q "$b"
zstd -q -d -c "$b" >fl.tar
rec-archive --verify -q fl.tar
cp fl.tar fl2.tar
printf '\xaa' | dd of=fl2.tar bs=1 seek=$(( $(stat -c %s fl.tar) - 3000 )) \
	conv=notrunc status=none
expect_exit 65 rec-archive --verify fl2.tar
head -c $(( $(stat -c %s "$b") - 100 )) "$b" >trunc.tar.zst
expect_exit 65 rec-archive --verify trunc.tar.zst

say "not enough free space (test hook): 75, nothing started"
mkdir -p sp3/seg orig3
mkseg -n 3 -l 48000 sp3/seg
cp sp3/seg/*.wav orig3/
REC_TEST_FREE_BYTES=100K expect_exit 75 rec-archive --spool sp3 2>log
expect_grep 'not enough free space in sp3' log
[ -z "$(ls -A sp3/out)$(ls -A sp3/tmp)" ] || fail "something was started"
check sp3 orig3

say "a full filesystem (tmpfs)"
mkdir -p fs
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=1500k,mode=0755 tmpfs fs 2>/dev/null
then
	trap 'umount fs 2>/dev/null || :' EXIT
	mkdir -p fs/seg orig4
	mkseg -n 3 -l 76800 -c 1 -f S32_LE fs/seg	# 3 x 300 KiB
	cp fs/seg/*.wav orig4/
	expect_exit 75 rec-archive --spool fs 2>log
	expect_grep 'not enough free space in fs' log
	[ -z "$(ls -A fs/out)$(ls -A fs/tmp)" ] || fail "something was started"
	check fs orig4
	say "ENOSPC while writing (the check fooled): 75, nothing left"
	REC_TEST_FREE_BYTES=1G expect_exit 75 rec-archive --spool fs 2>log
	expect_grep 'No space left on device' log
	[ -z "$(ls -A fs/out)$(ls -A fs/tmp)" ] || fail "partial files left"
	check fs orig4
	REC_TEST_FREE_BYTES=1G expect_exit 75 rec-archive --spool fs --codec flac \
		--flac-level 0 2>log
	expect_grep 'No space left on device' log
	[ -z "$(ls -A fs/out)$(ls -A fs/tmp)" ] || fail "partial files left"
	check fs orig4
	say "with room again it archives"
	rm orig4/20261128T031500.000Z_station1.wav \
		fs/seg/20261128T031500.000Z_station1.wav
	rec-archive -q --spool fs --max-bytes 400K
	check fs orig4
	umount fs
	trap - EXIT
else
	say "cannot mount a tmpfs here; the test hook above covers the check"
fi

say "a multi-part sidecar: every part checked, no whole-file hashes"
mkdir -p sp5/seg orig5
mkseg -n 2 -l 1200000 sp5/seg		# 2 x 4.8 MB: two 8 MiB parts
cp sp5/seg/*.wav orig5/
rec-archive -q --spool sp5
a5=$(ls sp5/out/*.tar)
grep -qx 'md5 -' "$a5.sums" && grep -qx 'sha256 -' "$a5.sums" &&
	grep -qx 'parts 2' "$a5.sums" || fail "sidecar: $(head -6 "$a5.sums")"
check sp5 orig5
rec-archive --verify -q "$a5"
# a byte flipped in the second part: the sidecar's part hashes catch it
cp "$a5" flip5.tar
cp "$a5.sums" flip5.tar.sums
printf '\x55' | dd of=flip5.tar bs=1 seek=$((9 * 1024 * 1024)) \
	conv=notrunc status=none
cmp -s flip5.tar "$a5" && fail "the flip changed nothing"
expect_exit 65 rec-archive --verify flip5.tar 2>log
expect_grep 'does not match flip5.tar.sums' log
# whole-file hashes with several parts: not what rec-archive writes,
# refused (no compatibility with formats never released)
ln "$a5" old5.tar
sed "s/^md5 -\$/md5 $(md5sum <"$a5" | cut -c1-32)/
	s/^sha256 -\$/sha256 $(sha256sum <"$a5" | cut -c1-64)/" \
	"$a5.sums" >old5.tar.sums
grep -qx 'md5 -' old5.tar.sums && fail "no whole-file hashes written"
expect_exit 65 rec-archive --verify old5.tar 2>log
expect_grep 'malformed sums file old5.tar.sums' log

say "a WAV manifest with a pcm_sha256 is refused (the member's covers it)"
mkdir o6 && (cd o6 && tar xf "../$a")
python3 - o6 <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
m = json.load(open(os.path.join(d, 'manifest.json')))
for s in m['segments']:
    b = open(os.path.join(d, s['member']), 'rb').read()
    o, n = s['pcm_offset'], s['pcm_bytes']
    s['pcm_sha256'] = hashlib.sha256(b[o:o + n]).hexdigest()
json.dump(m, open(os.path.join(d, 'manifest.json'), 'w'), indent=1)
PY
(cd o6 && tar cf ../old6.tar --format=pax manifest.json 2*.wav)
expect_exit 65 rec-archive --verify old6.tar 2>log
expect_grep 'pcm_sha256' log
