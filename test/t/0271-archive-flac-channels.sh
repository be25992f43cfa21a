# codec flac with more channels than FLAC holds (8): a configuration
# that records more ([capture] channels > 8) is refused at start (78,
# naming both settings) instead of failing every run; a segment that
# still arrives with more channels is archived as a WAV member with a
# warning (exit 0), beside FLAC members for the others, and the
# manifest says which codec each member has.
. "$REC_TOP/test/lib.sh"

mkdir -p sp/seg orig
printf '[capture]\nchannels = 12\n[archive]\ncodec = flac\n' >many.conf
printf '[capture]\nchannels = 12\n' >many-wav.conf
printf '[capture]\nchannels = 8\n[archive]\ncodec = flac\n' >eight.conf

say "codec = flac with [capture] channels = 12: 78, one clear line"
mkseg -n 1 -l 4800 sp/seg
expect_exit 78 rec-archive --config many.conf --spool sp 2>log
expect_grep 'many.conf:4: codec flac holds at most 8 channels, and many.conf:2: \[capture\] channels is 12' log
[ "$(wc -l <log)" = 1 ] || fail "more than one line: $(cat log)"
expect_exit 78 rec-archive --config many-wav.conf --spool sp --codec flac 2>log
expect_grep '^rec-archive: error: --codec: codec flac holds at most 8 channels' log
[ -f sp/seg/*.wav ] || fail "the segment was touched"
say "  8 channels, or codec wav, are fine"
expect_exit 0 rec-archive -q --config eight.conf --spool sp
mkseg -n 1 -l 4800 -t 20261128T040000.000Z sp/seg
expect_exit 0 rec-archive -q --config many-wav.conf --spool sp
rm -rf sp; mkdir -p sp/seg

say "a 12-channel segment with --codec flac: a WAV member, a warning, 0"
mkseg -n 2 -l 4800 -c 2 sp/seg
mkseg -n 1 -l 4800 -c 12 -t 20261128T031500.200Z sp/seg
mkseg -n 1 -l 4800 -c 1 -t 20261128T031500.300Z sp/seg
cp sp/seg/*.wav orig/
wide=20261128T031500.200Z_station1.wav
rc=0
rec-archive --spool sp --codec flac 2>log || rc=$?
[ $rc = 0 ] || { cat log >&2; fail "exit $rc"; }
expect_grep "warning: sp/seg/$wide has 12 channels, more than FLAC holds (8): archived as a WAV member" log
[ -z "$(ls -A sp/seg)" ] || fail "segments left: $(ls sp/seg)"
a=$(ls sp/out/*.tar)
mkdir x
tar -xf "$a" -C x
cmp "x/$wide" "orig/$wide" || fail "the WAV member differs from its segment"
[ "$(ls x/*.flac | wc -l)" = 3 ] || fail "not 3 FLAC members: $(ls x)"
for f in x/*.flac; do flac -t -s "$f"; done
python3 - "$a" x/manifest.json <<'E'
import json, sys
m = json.load(open(sys.argv[2]))
assert m['codec'] == 'flac', m['codec']
for s in m['segments']:
    wide = s['channels'] == 12
    assert s.get('codec') == ('wav' if wide else None), s
    assert ('pcm_offset' in s) == wide and ('pcm_sha256' in s) != wide, s
E
expect_exit 0 rec-archive --verify "$a" 2>log
expect_grep ': ok: 4 segments' log
say "  --verify decodes the FLAC members and compares the WAV member"
python3 - "$a" <<'E'
import sys, tarfile, io
src = tarfile.open(sys.argv[1])
out = tarfile.open('bad.tar', 'w', format=tarfile.PAX_FORMAT)
for m in src.getmembers():
    data = src.extractfile(m).read()
    if m.name.endswith('.wav'):
        data = data[:-10] + bytes(b ^ 1 for b in data[-10:])
    out.addfile(m, io.BytesIO(data))
out.close()
E
expect_exit 65 rec-archive --verify bad.tar 2>log
expect_grep "member $wide: SHA-256" log
