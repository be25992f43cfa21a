# The session token against a real Ceph RGW with STS (rgw sts key, rgw s3
# auth use sts): temporary credentials from GetSessionToken upload an
# archive with AWS_SESSION_TOKEN (sent as x-amz-security-token), and from
# a credentials file with aws_session_token; the same temporary key
# without its token, or with a wrong one, is refused (77) and the archive
# kept. The token is never logged.
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"
export REC_RGW_CONF='rgw sts key = 0123456789abcdef
rgw s3 auth use sts = true'
s3_setup srv bkt
unset REC_RGW_CONF

# GetSessionToken needs a user policy that allows it (and S3 for the
# temporary keys); PutUserPolicy needs the user-policy capability
timeout 30 radosgw-admin -c srv/ceph.conf -n client.admin caps add \
	--uid=rec-test --caps='user-policy=*' >caps.out 2>&1 ||
	fail "radosgw-admin caps add: $(cat caps.out)"
cat >policy.json <<'P'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
 "Action": ["sts:GetSessionToken", "s3:*"], "Resource": "*"}]}
P
$S3/aws srv iam put-user-policy --user-name rec-test --policy-name sts \
	--policy-document file://policy.json || fail "put-user-policy"
$S3/aws srv sts get-session-token --output text --query \
	'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' >tmpcreds ||
	fail "get-session-token"
read -r tak tsk tok <tmpcreds
[ -n "$tok" ] && [ "$tak" != "$AWS_ACCESS_KEY_ID" ] || fail "no temporary credentials: $(cat tmpcreds)"

mkdir -p sp/out
export REC_SPOOL=$PWD/sp REC_CONFIG=$PWD/rec.conf
cat >rec.conf <<C
station = st1
[upload]
endpoint = $S3_ENDPOINT
bucket = bkt
part-size = 5M
max-tries = 2
C
n1=20261128T031500.000Z_20261128T041500.000Z_st1.tar
n2=20261129T000000.000Z_20261129T010000.000Z_st1.tar
head -c 300000 /dev/urandom >sp/out/$n1
s3sums sp/out/$n1
cp sp/out/$n1 .
tmp() { env AWS_ACCESS_KEY_ID="$tak" AWS_SECRET_ACCESS_KEY="$tsk" "$@"; }

# the temporary key without its token: refused, kept
expect_exit 77 tmp rec-upload 2>log
expect_grep 'InvalidAccessKeyId\|AccessDenied\|InvalidToken' log
[ -f sp/out/$n1 ] || fail "archive deleted"
# a wrong token (its last characters changed): refused, kept, not logged
bad=${tok%????}AAAA
[ "$bad" != "$tok" ] || bad=${tok%????}BBBB
expect_exit 77 tmp env AWS_SESSION_TOKEN="$bad" rec-upload -v 2>log
[ -f sp/out/$n1 ] || fail "archive deleted"
! grep -qF "${bad%????}" log || fail "token logged"
[ ! -s sp/ledger ] || fail "ledger written: $(cat sp/ledger)"

# the token from the environment: uploaded, through a proxy that logs
# the token header and Authorization of every request
s3_cleanup_hook() { $S3/faultproxy stop "$PWD/px" >/dev/null 2>&1; }
FAULTPROXY_LOG_HEADERS=x-amz-security-token,authorization \
	$S3/faultproxy start "$PWD/px" "$S3_ENDPOINT" >/dev/null ||
	fail "cannot start the faultproxy"
. px/proxy.env
tmp env AWS_SESSION_TOKEN="$tok" rec-upload -v --endpoint "$PROXY_ENDPOINT" \
	2>log || { cat log >&2; fail "upload with the session token failed"; }
$S3/faultproxy stop "$PWD/px" >/dev/null
# every request carried the token and signed it
nreq=$(grep -c ' -> ' px/proxy.log)
[ "$nreq" -ge 2 ] || fail "requests: $(cat px/proxy.log)"
[ $(grep -cF "header x-amz-security-token: $tok" px/proxy.log) = "$nreq" ] ||
	fail "not every request has the token: $(cat px/proxy.log)"
[ $(grep -c 'header authorization: AWS4-HMAC-SHA256 .*SignedHeaders=[a-z0-9;-]*;x-amz-security-token[;,]' \
	px/proxy.log) = "$nreq" ] ||
	fail "the token is not in every SignedHeaders: $(cat px/proxy.log)"
[ ! -f sp/out/$n1 ] || fail "archive kept"
expect_grep 'credentials from environment' log
! grep -qF "${tok%????}" log || fail "token logged"
$S3/aws srv s3 cp --only-show-errors "s3://bkt/st1/2026/11/28/$n1" got
cmp got $n1 || fail "$n1 differs"

# the token from a credentials file (aws_session_token), multipart
head -c 6000000 /dev/urandom >sp/out/$n2
s3sums sp/out/$n2 5242880
cp sp/out/$n2 .
(umask 077; printf '[tmp]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_session_token = %s\n' \
	"$tak" "$tsk" "$tok" >tmp.ini)
printf 'credentials-file = %s\nprofile = tmp\n' "$PWD/tmp.ini" >>rec.conf
rec-upload -v 2>log || { cat log >&2; fail "upload with aws_session_token failed"; }
! grep -qF "${tok%????}" log || fail "token logged"
$S3/aws srv s3 cp --only-show-errors "s3://bkt/st1/2026/11/29/$n2" got
cmp got $n2 || fail "$n2 differs"
[ $(wc -l <sp/ledger) = 2 ] || fail "ledger: $(cat sp/ledger)"
# and without the token line: refused
sed -i '/aws_session_token/d' tmp.ini
head -c 1000 /dev/urandom >sp/out/$n1
expect_exit 77 rec-upload 2>log
[ -f sp/out/$n1 ] || fail "archive deleted"
say "session token ok"
