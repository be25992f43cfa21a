# lib/s3 sends a key's path as it signed it: "./" and "../" segments
# reach a real Ceph RGW unchanged (libcurl would fold them, and the store
# answers 403 SignatureDoesNotMatch to what it then receives, or stores
# another key).  Each object is read back with the AWS CLI under its
# exact key and compared byte for byte.
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"
s3_setup srv bkt

i=0
for k in 'a/./b/../c d.bin' '../up.bin' 'x/..' './y/./z.bin' 'p//q/../r.bin'; do
	i=$((i + 1))
	head -c $((1000 + i * 777)) /dev/urandom >obj$i
	s3op "$S3_ENDPOINT" bkt put "$k" obj$i >etag 2>log ||
		{ cat log >&2; fail "put '$k' failed"; }
	[ "$(cat etag)" = "$(md5sum <obj$i | cut -c1-32)" ] ||
		fail "'$k': ETag $(cat etag)"
	$S3/aws srv s3api get-object --bucket bkt --key "$k" got >/dev/null ||
		fail "cannot get '$k' back"
	cmp got obj$i || fail "'$k' differs"
done
# nothing was stored under a folded name
$S3/aws srv s3api list-objects-v2 --bucket bkt --query 'Contents[].Key' \
	--output text >keys
for k in 'a/c d.bin' 'up.bin' 'y/z.bin' 'p/r.bin'; do
	! grep -qxF "$k" <(tr '\t' '\n' <keys) || fail "a folded key '$k' exists"
done
[ "$(tr '\t' '\n' <keys | wc -l)" = $i ] || fail "keys: $(cat keys)"
