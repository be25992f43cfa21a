# rec-get against a real Ceph RGW, with archives made by the real
# pipeline (mkseg -> rec-archive -> rec-upload): WAV, FLAC, FLAC+zstd,
# WAV+age and FLAC+zstd+age (two recipients); clips inside a segment,
# across segments, archives, a day boundary and a gap (--gaps silence,
# split, fail), each compared sample by sample with the segments; only
# the members needed are fetched; a tampered member (65, nothing
# written); bad ranges (64, 66); no or a wrong identity (77); a store
# that is down (69); a key that can only read.
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"
s3_setup srv bkt
s3_use srv

R=16000 L=32000		# 2 s segments of 16 kHz stereo: 128 KB members
export REC_CONFIG=$PWD/rec.conf
cat >rec.conf <<C
station = station1
[upload]
endpoint = $S3_ENDPOINT
region = $S3_REGION
bucket = bkt
prefix = p/
credentials-file = $PWD/creds
C
age-keygen -o id1 2>/dev/null && age-keygen -o id2 2>/dev/null &&
	age-keygen -o id3 2>/dev/null || fail "age-keygen"
r1=$(age-keygen -y id1) r2=$(age-keygen -y id2)

# archive SPOOL START SEED ARCHIVE-FLAGS...: 5 segments from START (a run
# of its own), archived and uploaded; the segments kept in orig/
mkdir -p orig
archive() {
	local sp=$1 start=$2 seed=$3
	shift 3
	mkdir -p $sp/seg
	mkseg -n 5 -l $L -r $R -c 2 -t $start -x $seed \
		-L '-33.856800 151.215300' -E 12.5 $sp/seg
	cp $sp/seg/*.wav orig/
	rec-archive -q --spool $sp --min-count 1 "$@" || fail "archive $sp"
	rec-upload -q --spool $sp || fail "upload $sp"
}
archive w 20261128T235944.000Z 1 --codec wav
archive f 20261128T235954.000Z 2 --codec flac
archive z 20261129T000004.000Z 3 --codec flac --compress zstd
# 3 s with nothing recorded, then encrypted archives
archive a 20261129T000017.000Z 4 --codec wav --recipient "$r1" --recipient "$r2"
archive za 20261129T000027.000Z 5 --codec flac --compress zstd --recipient "$r1" --recipient "$r2"
# another station: one FLAC segment that lost 800 frames before frame
# 16000 (REC|Gaps), not in orig/
mkdir -p g/seg
mkseg -n 1 -l $L -r $R -c 2 -t 20261129T010000.000Z -x 6 -S gappy \
	-g 16000+800 g/seg
cp g/seg/*.wav gappy.wav
rec-archive -q --spool g --min-count 1 --codec flac || fail "archive g"
rec-upload -q --spool g || fail "upload g"
# and one encrypted to 900 recipients (random keys): an age header
# (87 KB) longer than the first GET
mkdir -p m/seg
mkseg -n 1 -l $L -r $R -c 2 -t 20261129T020000.000Z -x 7 -S many m/seg
cp m/seg/*.wav many.wav
python3 - >many.txt <<'E'
import os
C = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'
def polymod(v):
    g = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
    c = 1
    for x in v:
        b = c >> 25
        c = (c & 0x1ffffff) << 5 ^ x
        for i in range(5):
            c ^= g[i] if (b >> i) & 1 else 0
    return c
def bech32(hrp, data):
    acc = bits = 0
    v = []
    for b in data:
        acc = acc << 8 | b
        bits += 8
        while bits >= 5:
            bits -= 5
            v.append(acc >> bits & 31)
    if bits:
        v.append(acc << (5 - bits) & 31)
    h = [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]
    p = polymod(h + v + [0] * 6) ^ 1
    return hrp + '1' + ''.join(C[d] for d in v + [p >> 5 * (5 - i) & 31 for i in range(6)])
for _ in range(899):
    print(bech32('age', os.urandom(32)))
E
echo "$r1" >>many.txt
rec-archive -q --spool m --min-count 1 --recipients-file many.txt ||
	fail "archive m"
rec-upload -q --spool m || fail "upload m"
$S3/aws srv s3 ls --recursive s3://bkt/ >keys
[ $(grep -c '\.tar' keys) = 7 ] || fail "keys: $(cat keys)"

# want FROM TO: the PCM of [FROM, TO) from the segments in orig/, the
# silence of gaps as zeros (exact rational times, python)
want() {
	python3 - "$1" "$2" <<'E'
import glob, os, subprocess, sys
from datetime import datetime, timezone
from fractions import Fraction as F
def ns(s):
    s = s.rstrip('Z')
    main, frac = (s.split('.') + [''])[:2]
    d = datetime.strptime(main, '%Y-%m-%dT%H:%M:%S').replace(tzinfo=timezone.utc)
    return int(d.timestamp()) * 10**9 + int((frac + '000000000')[:9])
lo, hi = ns(sys.argv[1]), ns(sys.argv[2])
R, FB = 16000, 4
out, tend = bytearray(), None
for p in sorted(glob.glob('orig/*.wav')):
    n = os.path.basename(p)
    st = ns(datetime.strptime(n[:15], '%Y%m%dT%H%M%S').strftime('%Y-%m-%dT%H:%M:%S') + '.' + n[16:19])
    pcm = subprocess.run(['sox', p, '-t', 'raw', '-'], check=True,
                         stdout=subprocess.PIPE).stdout
    for k in range(len(pcm) // FB):
        t = st + (k * 10**9) // R
        if lo <= t < hi:
            if tend is not None and t > tend:
                gap = round(F(t - tend) * R / 10**9)
                out += bytes(gap * FB)
            out += pcm[k * FB:(k + 1) * FB]
            tend = st + ((k + 1) * 10**9) // R
sys.stdout.buffer.write(out)
E
}
# same FILE FROM TO: FILE's samples are the recording's
same() {
	want "$2" "$3" >want.raw
	sox "$1" -t raw - >got.raw 2>/dev/null || fail "sox cannot read $1"
	[ -s want.raw ] || fail "nothing wanted from $2 to $3"
	cmp -s got.raw want.raw || fail "$1: samples differ from $2 to $3 ($(stat -c %s got.raw) bytes, want $(stat -c %s want.raw))"
}

# the encrypted WAV archive again, as the stock age CLI writes it: the
# ranged chunk reads must open what `age -r` makes too
ka=$(awk '/_station1\.tar\.age$/ { print $4 }' keys)
$S3/aws srv s3 cp --only-show-errors "s3://bkt/$ka" a.age
age -d -i id1 a.age >a.tar && age -r "$r2" -r "$r1" -o a2.age a.tar ||
	fail "age CLI"
cmp -s a.age a2.age && fail "age CLI wrote the same bytes"
$S3/aws srv s3 cp --only-show-errors a2.age "s3://bkt/$ka"

# get ARGS...: rec-get, its messages in log; fails the test on an error
get() { rec-get "$@" 2>log || { cat log >&2; fail "rec-get $*"; }; }
fetched() { sed -n 's/.*fetched \([0-9]*\) bytes.*/\1/p' log; }

say "inside one segment of a WAV archive, sample-exact ends"
F=2026-11-28T23:59:45.1234567Z T=2026-11-28T23:59:45.5Z
get --from $F --to $T -o c1.wav
same c1.wav $F $T
# the first sample is the first at or after --from: frame 1976 of the
# segment (1975.5 frames after its start), 6024 frames before --to
grep -q 'Timestamp: 2026-11-28T23:59:45.123500Z' c1.wav || fail "Timestamp"
grep -q 'REC|Frames: 6024' c1.wav || fail "REC|Frames"
grep -q 'REC|Source Segments: 20261128T235944.000Z_station1.wav$' c1.wav ||
	fail "REC|Source Segments"
# only the manifest's first GET and the member: not the archive
[ "$(fetched)" -lt 220000 ] || fail "fetched $(fetched) bytes of 652288"
# -o a directory: named like a segment, after the first sample
mkdir -p outdir
get --from $F --to $T -o outdir
cmp -s outdir/20261128T235945.123Z_station1.wav c1.wav ||
	fail "outdir: $(ls outdir)"

say "across segments, archives (WAV, FLAC, zstd) and midnight, as FLAC"
F=2026-11-28T23:59:50.3Z T=2026-11-29T00:00:08.7Z
get --from $F --to $T --format flac -o c2.flac
flac -t -s c2.flac || fail "flac -t"
same c2.flac $F $T
metaflac --export-tags-to=- c2.flac | grep -q '^GUANO=GUANO|Version' ||
	fail "no GUANO in the FLAC"
metaflac --export-tags-to=- c2.flac >tags
for n in 20261128T235944.000Z_20261128T235954.000Z_station1.tar \
    20261128T235954.000Z_20261129T000004.000Z_station1.tar \
    20261129T000004.000Z_20261129T000014.000Z_station1.tar.zst; do
	grep -q "$n" tags || fail "$n not in REC|Source Archives"
done
# the station's place, from the segments through the manifests
grep -q '^Loc Position: -33.856800 151.215300$' tags || fail "no Loc Position"
grep -q '^Loc Elevation: 12.5$' tags || fail "no Loc Elevation"
say "the same clip given in Berlin time"
get --timezone Europe/Berlin --from '2026-11-29 00:59:50.3' \
	--to '2026-11-29T01:00:08.7' -o c2b.wav
same c2b.wav $F $T

say "across a gap into encrypted archives: silence (default), listed"
F=2026-11-29T00:00:12.25Z T=2026-11-29T00:00:30.75Z
get --from $F --to $T --identity id3 --identity id2 -o c3.wav
same c3.wav $F $T
expect_grep 'gap: nothing recorded for 48000 frames (3.000000 s) from 2026-11-29T00:00:14.000000Z: filled with silence' log
grep -q 'REC|Silence: 28000+48000$' c3.wav || fail "REC|Silence"
say "  as a WAV stream on standard output"
rec-get --from $F --to $T --identity id1 -o - 2>log >c4.wav || fail "-o -"
same c4.wav $F $T
say "  split: one file per continuous piece, named like segments"
get --from $F --to $T --identity id1 --gaps split -o pieces
[ "$(ls pieces | tr '\n' ' ')" = "20261129T000012.250Z_station1.wav 20261129T000017.000Z_station1.wav " ] ||
	fail "pieces: $(ls pieces)"
same pieces/20261129T000012.250Z_station1.wav $F 2026-11-29T00:00:14Z
same pieces/20261129T000017.000Z_station1.wav 2026-11-29T00:00:17Z $T
say "  fail: 65, the gap named, nothing written"
expect_exit 65 rec-get --from $F --to $T --identity id1 --gaps fail -o c5.wav 2>log
expect_grep 'gap: nothing recorded for 48000 frames (3.000000 s) from 2026-11-29T00:00:14' log
[ ! -e c5.wav ] && [ -z "$(ls -A . | grep '^\.c5')" ] || fail "c5.wav written"

say "frames lost inside a segment: silence in their place, or split there"
get --station gappy --from 2026-11-29T01:00:00.0Z --to 2026-11-29T01:00:03.0Z -o g1.wav
expect_grep 'gap: nothing recorded for 800 frames (0.050000 s) from 2026-11-29T01:00:01.000000Z: filled with silence' log
sox gappy.wav -t raw - | python3 -c '
import sys
b = sys.stdin.buffer.read()
sys.stdout.buffer.write(b[:64000] + bytes(3200) + b[64000:])' >want.raw
sox g1.wav -t raw - >got.raw
cmp -s got.raw want.raw || fail "g1.wav: samples differ"
get --station gappy --from 2026-11-29T01:00:00.0Z --to 2026-11-29T01:00:03.0Z \
	--gaps split -o gpieces
[ "$(ls gpieces | tr '\n' ' ')" = "20261129T010000.000Z_gappy.wav 20261129T010001.050Z_gappy.wav " ] ||
	fail "gpieces: $(ls gpieces)"
cat gpieces/*.wav | cmp -s - /dev/null && fail "empty pieces"
for f in gpieces/*.wav; do sox $f -t raw -; done >got.raw
sox gappy.wav -t raw - | cmp -s - got.raw || fail "the pieces differ"
expect_exit 65 rec-get --station gappy --from 2026-11-29T01:00:00.0Z \
	--to 2026-11-29T01:00:03.0Z --gaps fail -o g2.wav 2>log
[ ! -e g2.wav ] || fail "g2.wav written"

say "an age header longer than the first GET (900 recipients)"
get --station many --from 2026-11-29T02:00:00.0Z --to 2026-11-29T02:00:02.0Z \
	--identity id1 -o m1.wav
sox many.wav -t raw - >want.raw
sox m1.wav -t raw - | cmp -s - want.raw || fail "m1.wav: samples differ"

say "inside one segment of a WAV+age archive: only the chunks of its member"
F=2026-11-29T00:00:21.5Z T=2026-11-29T00:00:22.5Z
get --from $F --to $T --identity id1 -o c6.wav
same c6.wav $F $T
[ "$(fetched)" -lt 230000 ] || fail "fetched $(fetched) bytes of 652730"

say "no identity, a wrong one: 77 naming the archive"
expect_exit 77 rec-get --from $F --to $T -o c7.wav 2>log
expect_grep "$ka is encrypted" log
expect_exit 77 rec-get --from $F --to $T --identity id3 -o c7.wav 2>log
expect_grep "cannot decrypt $ka: no identity matches" log
[ ! -e c7.wav ] || fail "c7.wav written"

say "bad ranges: --to before --from 64, nothing recorded 66 (nearest named)"
expect_exit 64 rec-get --from 2026-11-29T00:00:10Z --to 2026-11-29T00:00:09Z
expect_exit 64 rec-get --from yesterday --to 2026-11-29
expect_exit 66 rec-get --from 2026-12-24 --to 2026-12-25 2>log
expect_grep 'nothing recorded by station1 from 2026-12-24T00:00:00.000000Z to 2026-12-26T00:00:00.000000Z' log
expect_grep 'nearest before: 20261129T000027.000Z_20261129T000037.000Z_station1.tar.zst.age' log
expect_exit 66 rec-get --from 2026-11-29T00:00:14.5Z --to 2026-11-29T00:00:15.5Z 2>log
expect_grep 'nearest before: 20261129T000004.000Z_20261129T000014.000Z_station1.tar.zst' log
expect_grep 'nearest after: 20261129T000017.000Z_20261129T000027.000Z_station1.tar.age' log

say "a key that can only read the bucket (bucket policy) is enough"
timeout 30 radosgw-admin -c srv/ceph.conf -n client.admin user create \
	--uid=reader --display-name=reader --access-key=READERKEY0000000000A \
	--secret=readersecret0000000000000000000000000000 >user.out 2>&1 ||
	fail "radosgw-admin user create: $(cat user.out)"
cat >policy.json <<'P'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
 "Principal": {"AWS": ["arn:aws:iam:::user/reader"]},
 "Action": ["s3:GetObject", "s3:ListBucket"],
 "Resource": ["arn:aws:s3:::bkt", "arn:aws:s3:::bkt/*"]}]}
P
$S3/aws srv s3api put-bucket-policy --bucket bkt --policy file://policy.json ||
	fail "put-bucket-policy"
(umask 077; printf '[default]\naws_access_key_id = READERKEY0000000000A\naws_secret_access_key = readersecret0000000000000000000000000000\n' >rcreds)
sed "s|^credentials-file = .*|credentials-file = $PWD/rcreds|" rec.conf >ro.conf
F=2026-11-28T23:59:58.0Z T=2026-11-29T00:00:06.0Z
get --config ro.conf --from $F --to $T -o c8.wav
same c8.wav $F $T
# and it can indeed not write
mkdir -p rsrv
sed 's/^AWS_ACCESS_KEY_ID=.*/AWS_ACCESS_KEY_ID=READERKEY0000000000A/
s/^AWS_SECRET_ACCESS_KEY=.*/AWS_SECRET_ACCESS_KEY=readersecret0000000000000000000000000000/' \
	srv/env >rsrv/env
$S3/aws rsrv s3 cp --only-show-errors "s3://bkt/$ka" /dev/null ||
	fail "the reader cannot read"
echo x >x.txt
$S3/aws rsrv s3 cp --only-show-errors x.txt s3://bkt/x.txt 2>/dev/null &&
	fail "the reader could write"

kw=$(awk '/_station1\.tar$/ { print $4; exit }' keys)
say "an archive stored twice (under another key): each segment once"
$S3/aws srv s3 cp --only-show-errors "s3://bkt/$kw" "s3://bkt/$kw.gz"
F=2026-11-28T23:59:47.5Z T=2026-11-28T23:59:50.5Z
get --from $F --to $T -o c12.wav
same c12.wav $F $T
$S3/aws srv s3 rm --only-show-errors "s3://bkt/$kw.gz"

say "a tampered member: 65 naming it, nothing written; others still read"
$S3/aws srv s3 cp --only-show-errors "s3://bkt/$kw" w.tar
python3 - w.tar <<'E2'
import json, sys, tarfile
t = tarfile.open(sys.argv[1])
m = json.load(t.extractfile(t.getmembers()[0]))
s = m['segments'][2]
b = bytearray(open(sys.argv[1], 'rb').read())
b[s['offset'] + s['pcm_offset'] + 1000] ^= 1
open(sys.argv[1], 'wb').write(bytes(b))
E2
$S3/aws srv s3 cp --only-show-errors w.tar "s3://bkt/$kw"
expect_exit 65 rec-get --from 2026-11-28T23:59:48.5Z --to 2026-11-28T23:59:49Z -o c9.wav 2>log
expect_grep "$kw: member 20261128T235948.000Z_station1.wav: .* bytes with SHA-256 .*, the manifest says .*: nothing written" log
[ ! -e c9.wav ] && [ -z "$(ls -A . | grep '^\.c9')" ] || fail "c9.wav written"
# a range that crosses it: nothing of the good members either
expect_exit 65 rec-get --from 2026-11-28T23:59:45Z --to 2026-11-28T23:59:52Z -o c9.wav 2>log
[ ! -e c9.wav ] || fail "c9.wav written"
get --from 2026-11-28T23:59:50.5Z --to 2026-11-28T23:59:51.0Z -o c10.wav
same c10.wav 2026-11-28T23:59:50.5Z 2026-11-28T23:59:51.0Z

say "a store that is down: 69 after the retries"
sed "s|^endpoint = .*|endpoint = http://127.0.0.1:9|" rec.conf >down.conf
echo "max-tries = 2" >>down.conf
expect_exit 69 rec-get --config down.conf --from $F --to $T -o c11.wav
[ ! -e c11.wav ] || fail "c11.wav written"
