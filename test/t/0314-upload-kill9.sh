# kill -9 in the middle of multipart uploads (RGW), then a rerun: it
# resumes from the state file instead of starting over, the object is
# whole, and nothing is left in the bucket's pending multipart uploads.
# An upload nobody refers to (a crash before the state was written) is
# aborted as stale. Every run goes through test/s3/faultproxy (no
# faults), whose log shows the part PUTs: no run sends again a part the
# state file recorded, and the completing run sends each missing part
# once and nothing else.
. "$REC_TOP/test/lib.sh"
S3=$REC_TOP/test/s3
command -v radosgw >/dev/null || skip "radosgw missing (scripts/deps.sh)"
trap 'for p in px1 px2 px3; do $S3/faultproxy stop "$PWD/$p" >/dev/null 2>&1; done
	$S3/rgw stop "$PWD/srv" >/dev/null 2>&1' EXIT
$S3/rgw start "$PWD/srv" >/dev/null
set -a; . srv/env; set +a
$S3/mkbucket srv bkt

mkdir -p sp/out
export REC_SPOOL=$PWD/sp REC_CONFIG=$PWD/rec.conf
cat >rec.conf <<C
station = st1
[upload]
endpoint = $S3_ENDPOINT
bucket = bkt
part-size = 5M
stale-after = 0
C
n=20261128T031500.000Z_20261128T041500.000Z_st1.tar
head -c 31457280 /dev/urandom >sp/out/$n	# 6 parts
s3sums sp/out/$n 5242880
cp sp/out/$n .
key=st1/2026/11/28/$n
# an orphan: created, never recorded (its uploader died at once); and
# one of another station, which is not ours to abort
$S3/aws srv s3api create-multipart-upload --bucket bkt \
	--key st1/2026/11/27/20261127T000000.000Z_20261127T010000.000Z_st1.tar >orphan
$S3/aws srv s3api create-multipart-upload --bucket bkt \
	--key st1/2026/11/27/20261127T000000.000Z_20261127T010000.000Z_other.tar >other

parts() {
	local c
	c=$(grep -c '^part ' sp/out/$n.upload 2>/dev/null) || true
	echo "${c:-0}"
}
# proxy DIR: a fresh proxy (no faults) for one run, in $PROXY_ENDPOINT
proxy() {
	$S3/faultproxy start "$PWD/$1" "$S3_ENDPOINT"
	. "$1/proxy.env"
}
# put_parts DIR: the part numbers PUT through that proxy, one a line, sorted
put_parts() {
	awk '$3 == "PUT" && match($4, /[?&]partNumber=[0-9]+/) {
		print substr($4, RSTART + 12, RLENGTH - 12) }' "$1/proxy.log" |
		sort
}
# recorded: the part numbers the state file holds, one a line, sorted
recorded() {
	sed -n 's/^part \([0-9]*\) .*/\1/p' sp/out/$n.upload | sort
}
# run slowly; kill -9 once N parts are recorded
kill_after() {
	local want=$1 pid i
	rec-upload --endpoint "$PROXY_ENDPOINT" --limit-rate 4M 2>>log &
	pid=$!
	for i in $(seq 600); do
		[ "$(parts)" -ge "$want" ] && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.05
	done
	kill -9 $pid 2>/dev/null || fail "rec-upload ended before part $want"
	wait $pid 2>/dev/null || true
}
proxy px1
kill_after 2
p1=$(parts)
[ -f sp/out/$n ] || fail "archive gone after kill"
id1=$(sed -n 's/^upload-id //p' sp/out/$n.upload)
recorded >rec1
$S3/faultproxy stop "$PWD/px1"
proxy px2
kill_after $((p1 + 1))
id2=$(sed -n 's/^upload-id //p' sp/out/$n.upload)
[ "$id1" = "$id2" ] || fail "started over: $id1 -> $id2"
expect_grep "resuming upload ($p1 of 6 parts done)" log
recorded >rec2
$S3/faultproxy stop "$PWD/px2"
# the second run sent none of the parts the first one recorded
put_parts px2 >sent2
[ -s sent2 ] || { cat px2/proxy.log >&2; fail "no part went through the proxy"; }
[ -z "$(comm -12 rec1 sent2)" ] ||
	fail "recorded parts sent again: $(comm -12 rec1 sent2 | tr '\n' ' ')"

proxy px3
rec-upload --endpoint "$PROXY_ENDPOINT" 2>log2 ||
	{ cat log log2 >&2; fail "rerun failed"; }
expect_grep "resuming upload" log2
# the completing run sent exactly the parts missing from the state, once
put_parts px3 >sent3
seq 6 | sort | comm -23 - rec2 >missing
[ -s missing ] || fail "nothing was left for the completing run"
cmp -s sent3 missing || { cat px3/proxy.log >&2
	fail "completing run sent parts '$(tr '\n' ' ' <sent3)', missing were '$(tr '\n' ' ' <missing)'"; }
expect_grep "aborted stale upload of s3://bkt/st1/2026/11/27/20261127T000000.000Z_20261127T010000.000Z_st1.tar" log
[ -z "$(ls sp/out)" ] || fail "out/ not empty: $(ls sp/out)"
$S3/aws srv s3 cp --only-show-errors "s3://bkt/$key" got
cmp got $n || fail "object differs"
$S3/aws srv s3api list-multipart-uploads --bucket bkt >mpu
[ "$(grep -c UploadId mpu)" = 1 ] && grep -q '_other\.tar' mpu ||
	fail "pending multipart uploads: $(cat mpu)"
# every part went up at most twice (once, plus the one cut by a kill)
grep -q "ETag.*-6" <($S3/aws srv s3api head-object --bucket bkt --key "$key") ||
	fail "not a 6-part object"
