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
	mkseg -n 5 -l $L -r $R -c 2 -t $start -x $seed $sp/seg
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
$S3/aws srv s3 ls --recursive s3://bkt/ >keys
[ $(grep -c '\.tar' keys) = 5 ] || fail "keys: $(cat keys)"

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

say "inside one segment of a WAV archive, sample-exact ends"
rec-get --from 2026-11-28T23:59:45.1234567Z --to 2026-11-28T23:59:45.5Z -o c1.wav 2>log ||
	{ cat log; fail "rec-get"; }
same c1.wav 2026-11-28T23:59:45.1234567Z 2026-11-28T23:59:45.5Z
cat log
