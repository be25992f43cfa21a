# "Hashes computed once" (README, rec-upload(1): "rec-upload hashes
# nothing"): the archive's .sums sidecar, written by rec-archive, has the
# hashes every request sends, so an upload that succeeds at the first try
# reads each byte of the archive exactly once, to send it: in one PUT and
# in a multipart upload. The fault shim counts the bytes read(2)/pread(2)
# return on the archive's fd (REC_FAULT_COUNT).
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"
command -v radosgw >/dev/null || fail "no radosgw (scripts/deps.sh)"

s3_server_start srv
"$S3/mkbucket" srv bkt
s3_use srv

cat >rec.conf <<EOF
spool = $PWD/sp
station = t0350
[upload]
endpoint = $S3_ENDPOINT
region = $S3_REGION
bucket = bkt
credentials-file = $PWD/creds
part-size = 5M
multipart-threshold = 6M
max-tries = 1
EOF
export REC_CONFIG=$PWD/rec.conf

# one_upload WHAT FRAMES: archive 2 segments of FRAMES frames (48 kHz
# stereo S16: 192000 bytes a second), upload it under the shim, and check
# that its bytes were read once
one_upload() {
	local what=$1 frames=$2 etag=$3 a size got
	rm -rf sp reads.log
	mkdir -p sp/seg
	mkseg -n 2 -l "$frames" -r 48000 -c 2 -x 350 sp/seg
	rec-archive -q
	a=$(ls sp/out/*.tar)
	size=$(stat -c %s "$a")
	[ -f "$a.sums" ] || fail "rec-archive wrote no sidecar"
	cp "$a" archive.copy
	REC_FAULT_LOG=$PWD/reads.log REC_FAULT_COUNT=/sp/out/ \
		faulty rec-upload -v 2>up.log || { cat up.log >&2; fail "$what: upload failed"; }
	[ ! -e "$a" ] || fail "$what: archive still in out/"
	grep -qi 'hashing' up.log && fail "$what: rec-upload hashed the archive"
	# every line "count PATH BYTES" about the archive itself (one per fd)
	got=$(awk -v p="$PWD/$a" '$1 == "count" && $2 == p { n += $3 }
		END { print n + 0 }' reads.log)
	echo "# $what: $size bytes, $got read" >&2
	[ "$got" = "$size" ] || { cat reads.log >&2; fail "$what: read $got bytes of a $size-byte archive"; }
	"$S3/aws" srv s3 cp --only-show-errors "s3://bkt/$(cut -f2 sp/ledger)" back
	cmp back archive.copy || fail "$what: the object differs"
	cut -f4 sp/ledger | grep -q -e "$etag" || fail "$what: ETag $(cut -f4 sp/ledger)"
	echo "$size"
}

say "one PUT"
s1=$(one_upload "one PUT" 480000 '^"*[0-9a-f]\{32\}"*$')
[ "$s1" -lt $((5 * 1048576)) ] || fail "not a single-PUT size: $s1"

say "multipart (3 parts)"
s2=$(one_upload multipart 1600000 '-3"*$')
[ "$s2" -gt $((10 * 1048576)) ] || fail "not a 3-part size: $s2"
