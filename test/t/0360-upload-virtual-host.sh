# Virtual-hosted addressing against a real Ceph RGW (rgw dns name =
# s3.local): with addressing = virtual every request goes to
# bkt.s3.local, which only [upload] resolve maps to 127.0.0.1 (s3.local
# itself maps to 127.0.0.2, where nothing listens, so a path-style request
# could not succeed). A single PUT and a multipart upload land in the
# bucket (read back path-style with the AWS CLI) and nothing is left
# pending. Without resolve the name cannot be resolved: 75, archives kept.
# A bad resolve entry is refused with FILE:LINE (78).
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"
export REC_RGW_CONF='rgw dns name = s3.local'
s3_setup srv bkt
unset REC_RGW_CONF
port=${S3_ENDPOINT##*:}

mkdir -p sp/out
export REC_SPOOL=$PWD/sp REC_CONFIG=$PWD/rec.conf
conf() {	# conf [RESOLVE]: rec.conf with that resolve line
	cat >rec.conf <<C
station = st1
[upload]
endpoint = http://s3.local:$port
insecure-http = yes
bucket = bkt
addressing = virtual
part-size = 5M
max-tries = 2
C
	[ $# = 0 ] || echo "resolve = $1" >>rec.conf
}
n1=20261128T031500.000Z_20261128T041500.000Z_st1.tar
n2=20261129T235959.999Z_20261130T005959.999Z_st1.tar.zst
head -c 1234567 /dev/urandom >sp/out/$n1
head -c 12000000 /dev/urandom >sp/out/$n2
s3sums sp/out/$n1
s3sums sp/out/$n2 5242880
cp sp/out/$n1 sp/out/$n2 .

# no resolve: the virtual host name is unknown to DNS
conf
expect_exit 75 rec-upload 2>log
expect_grep 'bkt\.s3\.local' log
expect_grep '[Rr]esolve' log
[ -f sp/out/$n1 ] && [ -f sp/out/$n2 ] || fail "archives deleted"
[ ! -s sp/ledger ] || fail "ledger written: $(cat sp/ledger)"

# bad entries: 78 with the file and line
for bad in s3.local:x:127.0.0.1 s3.local:$port s3.local:$port:nowhere \
	:$port:127.0.0.1 s3.local:70000:127.0.0.1 "s3.local:$port:[::1" \
	"s3.local:$port:127.0.0.1,"; do
	conf "$bad"
	expect_exit 78 rec-upload 2>log
	grep -qF "rec.conf:9: bad resolve '$bad'" log ||
		{ cat log >&2; fail "no FILE:LINE for '$bad'"; }
done

# resolve: the bucket's virtual host to RGW, the bare host to nowhere
# (and an unused entry with an address list, IPv6 in brackets)
conf "s3.local:$port:127.0.0.2 other.local:1:[::1],::1,127.0.0.3	bkt.s3.local:$port:127.0.0.1"
rec-upload -v 2>log || { cat log >&2; fail "upload failed"; }
[ -z "$(ls sp/out)" ] || { ls -la sp/out >&2; fail "out/ not empty"; }
[ $(wc -l <sp/ledger) = 2 ] || fail "ledger: $(cat sp/ledger)"
for k in st1/2026/11/28/$n1 st1/2026/11/29/$n2; do
	$S3/aws srv s3 cp --only-show-errors "s3://bkt/$k" got
	cmp got "./${k##*/}" || fail "$k differs"
done
grep -q "	st1/2026/11/29/$n2	12000000	[0-9a-f]*-3	" sp/ledger ||
	fail "no multipart ledger line: $(cat sp/ledger)"
$S3/aws srv s3api list-multipart-uploads --bucket bkt >mpu
! grep -q UploadId mpu || fail "pending multipart uploads: $(cat mpu)"
# the same with path-style: s3.local leads nowhere, so the uploads above
# did go to bkt.s3.local
head -c 1000 /dev/urandom >sp/out/$n1
sed -i 's/^addressing = virtual/addressing = path/' rec.conf
expect_exit 75 rec-upload 2>log
[ -f sp/out/$n1 ] || fail "archive deleted"
say "virtual-hosted uploads through resolve ok"
