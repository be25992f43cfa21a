# rec-archive: WAV archives that stock tar/bsdtar list and extract, with
# the members equal to the segments byte for byte; conditions; splitting;
# --verify; nothing to do.
. "$REC_TOP/test/lib.sh"
check() { python3 "$REC_TOP/test/helpers/archcheck.py" "$@"; }

mkdir -p sp/seg orig
mkseg -n 6 -l 12000 -r 48000 -c 2 sp/seg
cp sp/seg/*.wav orig/

say "no condition met: nothing happens, exit 0, nothing printed"
# segments named after the current time (whatever clock the run has, as
# make check-future moves it), so that a day is not over
mkdir -p young/seg
mkseg -n 6 -l 12000 -t "$(date -u +%Y%m%dT%H%M%S.000Z)" young/seg
rec-archive --spool young --min-count 7 --min-bytes 10M --max-age 1d >out.txt 2>&1
[ ! -s out.txt ] || { cat out.txt; fail "printed something"; }
[ "$(ls young/seg | wc -l)" = 6 ] && [ -z "$(ls young/out)" ] || fail "archived"

say "min-count not met: the fixed-name segments stay"
rec-archive -q --spool sp --min-count 7
[ "$(ls sp/seg | wc -l)" = 6 ] && [ -z "$(ls sp/out)" ] || fail "archived"

say "min-count met"
rec-archive --spool sp --min-count 6 --min-bytes 10M 2>log
expect_grep 'archived 6 segments' log
[ -z "$(ls sp/seg)" ] || fail "segments left in seg/"
a=$(ls sp/out/*.tar)
case $a in
sp/out/20261128T031500.000Z_20261128T031501.500Z_station1.tar) ;;
*) fail "archive name $a" ;;
esac
[ -f "$a.sums" ] && [ -f "$a.idx" ] || fail "sidecars missing"
check sp orig

say "GNU tar and bsdtar list and extract it; members equal the segments"
tar tf "$a" >tar.list
bsdtar tf "$a" >bsdtar.list
cmp tar.list bsdtar.list
[ "$(head -n 1 tar.list)" = manifest.json ] || fail "manifest not first"
(cd orig && ls) >orig.list
tail -n +2 tar.list | cmp - orig.list
mkdir x1 x2
tar xf "$a" -C x1
bsdtar xf "$a" -C x2
for f in orig/*.wav; do
	cmp "$f" "x1/${f#orig/}"
	cmp "$f" "x2/${f#orig/}"
done
tar tvf "$a" | grep -v ' rec/rec ' && fail "owner is not rec/rec" || :
say "joined PCM equals the segments' PCM (sox)"
for f in x1/2*.wav; do sox "$f" -t raw -; done >got.raw
for f in orig/*.wav; do sox "$f" -t raw -; done >want.raw
cmp got.raw want.raw
python3 - "$a" <<'PY'
import json, subprocess, sys
m = json.loads(subprocess.run(['tar', 'xOf', sys.argv[1], 'manifest.json'],
               check=True, stdout=subprocess.PIPE).stdout)
assert m['station'] == 'station1' and m['codec'] == 'wav', m
assert m['tool'].startswith('rec-archive '), m['tool']
assert m['start'] == '2026-11-28T03:15:00.000000Z', m['start']
assert m['end'] == '2026-11-28T03:15:01.500000Z', m['end']
s = m['segments']
assert len(s) == 6
for k in ('name', 'start', 'frames', 'rate', 'channels', 'format', 'gaps',
          'sha256', 'pcm_offset', 'pcm_bytes'):
    assert k in s[0], k
# WAV: the member's sha256 covers the PCM, no separate PCM hash
assert 'pcm_sha256' not in s[0], s[0]
assert s[1]['pcm_bytes'] == 12000 * 4, s[1]
assert s[1]['frames'] == 12000 and s[1]['rate'] == 48000
assert s[1]['channels'] == 2 and s[1]['format'] == 'S16_LE'
assert s[1]['start'] == '2026-11-28T03:15:00.250000Z'
PY
sha256sum x1/20261128T031500.250Z_station1.wav | cut -c1-64 >h1
tar xOf "$a" manifest.json | grep -A20 '031500.250Z' | grep '"sha256"' |
	grep -q "$(cat h1)" || fail "manifest sha256 is not the file's"

say "--verify (and -t) accept it"
rec-archive --verify "$a"
rec-archive --verify -q "$a"

say "nothing to do: exit 0 quietly"
rec-archive --spool sp >out.txt 2>&1
[ ! -s out.txt ] || { cat out.txt; fail "printed something"; }

say "max-age and min-bytes; with no condition everything is archived"
# a day old by the run's own clock (no fixed date: faketime deadlocks
# with ASan, and a fixed name ages past 1000d one day)
mkseg -n 2 -l 4800 -t "$(date -u -d '-1 day' +%Y%m%dT%H%M%S.000Z)" sp/seg
expect_exit 0 rec-archive -q --spool sp --max-age 1000d --min-count 3
[ "$(ls sp/seg | wc -l)" = 2 ] || fail "archived although younger than 1000d"
expect_exit 0 rec-archive -q --spool sp --max-age 1s --min-count 3
[ -z "$(ls sp/seg)" ] || fail "max-age did not start an archive"
mkseg -n 3 -l 4800 -t 20260102T000000.000Z sp/seg
rec-archive -q --spool sp --min-bytes 60K --min-count 9
[ "$(ls sp/seg | wc -l)" = 3 ] || fail "archived below min-bytes"
rec-archive -q --spool sp --min-bytes 50K --min-count 9
[ -z "$(ls sp/seg)" ] || fail "min-bytes did not start an archive"
mkseg -n 1 -l 4800 -t 20260103T000000.000Z sp/seg
rec-archive -q --spool sp
[ -z "$(ls sp/seg)" ] || fail "no conditions: not archived"

say "the same keys in rec.conf"
mkseg -n 2 -l 4800 -t 20260104T000000.000Z sp/seg
printf '[archive]\nmin-count = 3\n' >rec.conf
rec-archive -q --config rec.conf --spool sp
[ "$(ls sp/seg | wc -l)" = 2 ] || fail "[archive] min-count ignored"
printf 'spool = sp\n[archive]\nmin-count = 2\ncompress = gzip\n' >rec.conf
REC_CONFIG=rec.conf rec-archive -q
ls sp/out/20260104T000000.000Z_20260104T000000.200Z_station1.tar.gz

say "--max-bytes splits into archives that sort by time"
mkdir -p sp2/seg orig2
mkseg -n 10 -l 4800 -c 1 sp2/seg
cp sp2/seg/*.wav orig2/
rec-archive -q --spool sp2 --max-bytes 30K
n=$(ls sp2/out/*.tar | wc -l)
[ "$n" -ge 3 ] || fail "only $n archives"
for f in sp2/out/*.tar; do
	[ "$(stat -c %s "$f")" -le $((30 * 1024)) ] || fail "$f too big"
	rec-archive --verify -q "$f"
done
check sp2 orig2
check sp orig >/dev/null 2>&1 && fail "archcheck missed extra segments" || :

say "gaps, lost frames and recovery flags go into the manifest"
mkdir -p sp4/seg
mkseg -n 1 -l 4800 -g '100+50,2000+10' -R sp4/seg
rec-archive -q --spool sp4
tar xOf sp4/out/*.tar manifest.json >m.json
python3 - <<'PY'
import json
s = json.load(open('m.json'))['segments'][0]
assert s['gaps'] == [[100, 50], [2000, 10]], s['gaps']
assert s['recovered'] is True and s['run'] == '0000000000000001', s
PY

say "many gaps (a long REC|Gaps value) all reach the manifest"
mkdir -p sp5/seg
gaps=$(seq 0 99 | awk '{ printf "%s%d+%d", (NR > 1 ? "," : ""), $1 * 40, 3 }')
mkseg -n 1 -l 4800 -g "$gaps" sp5/seg
rec-archive -q --spool sp5
tar xOf sp5/out/*.tar manifest.json >m5.json
python3 - <<'PY'
import json
s = json.load(open('m5.json'))['segments'][0]
assert len(s['gaps']) == 100, len(s['gaps'])
assert s['gaps'][99] == [3960, 3], s['gaps'][99]
PY
