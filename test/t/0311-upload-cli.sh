# rec-upload without a server: flags, --help against the man page's
# SYNOPSIS, configuration and credential errors, the cycle lock. Nothing
# in out/ is ever touched by a run that fails. Then real uploads to RGW
# with -v: neither the secret key nor the SigV4 signing keys derived from
# it appear in rec-upload's stderr or in any file of the spool.
. "$REC_TOP/test/lib.sh"

mkdir sp
export REC_SPOOL=$PWD/sp REC_CONFIG=$PWD/rec.conf
printf '[upload]\nbucket = bkt\nendpoint = http://127.0.0.1:9\n' >rec.conf
a=sp/out/20261128T031500.000Z_20261128T041500.000Z_st1.tar
rec-upload --version | grep -q '^rec-upload '

# usage errors: 64
expect_exit 64 rec-upload --no-such-flag
expect_exit 64 rec-upload extra-argument
expect_exit 64 rec-upload --limit-rate lots
expect_exit 64 rec-upload --deadline soon
expect_exit 64 rec-upload --addressing sideways

# --help is the man page's SYNOPSIS
rec-upload --help >help
grep -q '^usage: rec-upload' help
for f in config spool station endpoint region bucket prefix addressing \
	limit-rate retry deadline wait; do
	grep -q -- "--$f" help || fail "--$f missing from --help"
	grep -q "Fl \\\\-$f\\|Fl -$f" "$REC_TOP/man/rec-upload.1" ||
		fail "--$f missing from man/rec-upload.1"
done

# no credentials at all: 77
mkdir -p sp/out && head -c 1000 /dev/urandom >$a
expect_exit 77 rec-upload 2>err
expect_grep 'no credentials' err

# credentials file: readable by others is refused (78), unreadable (77)
cat >creds <<'C'
[default]
aws_access_key_id = AKIDTEST
aws_secret_access_key = c2VjcmV0LXRoYXQtbXVzdC1ub3QtbGVhaw
C
chmod 644 creds
printf 'credentials-file = %s\n' "$PWD/creds" >>rec.conf
expect_exit 78 rec-upload 2>err
expect_grep 'readable by others' err
chmod 600 creds
# unreadable: a directory in its place would do, but root reads anything:
# use a missing file
sed -i "s|^credentials-file = .*|credentials-file = $PWD/nocreds|" rec.conf
expect_exit 77 rec-upload 2>err
expect_grep 'cannot read credentials file' err
# a profile the file lacks
sed -i "s|^credentials-file = .*|credentials-file = $PWD/creds|" rec.conf
printf 'profile = other\n' >>rec.conf
expect_exit 77 rec-upload 2>err
expect_grep "profile 'other'" err
sed -i '/^profile/d' rec.conf

# the same through ~/.aws/credentials and AWS_PROFILE
sed -i '/^credentials-file/d' rec.conf
mkdir -p .aws && cp creds .aws/credentials && chmod 640 .aws/credentials
expect_exit 78 rec-upload 2>err
expect_grep 'readable by others' err

# bad endpoints and bucket names: 78, before any network
export AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=secretsecret
expect_exit 78 rec-upload --endpoint ftp://127.0.0.1/ 2>err
expect_grep 'bad endpoint URL' err
expect_exit 78 rec-upload --endpoint 'http://127.0.0.1:9/some/path' 2>err
expect_exit 78 rec-upload --endpoint 'not a url' 2>err
expect_exit 78 rec-upload --bucket 'no/slash' 2>err
printf '[upload]\nendpoint = http://127.0.0.1:9\n' >rec.conf
expect_exit 78 rec-upload 2>err
expect_grep 'no bucket' err
printf '[upload]\nbucket = b\nendpoint = http://127.0.0.1:9\nparts = 3\n' >rec.conf
expect_exit 78 rec-upload 2>err
printf '[upload]\nbucket = b\nendpoint = http://127.0.0.1:9\npart-size = x\n' >rec.conf
expect_exit 78 rec-upload 2>err
expect_grep 'part-size' err
printf '[upload]\nbucket = b\nkey-template = {prefix}{station}\n' >rec.conf
expect_exit 78 rec-upload 2>err
expect_grep 'key-template' err

# secrets never reach the log
! grep -q 'c2VjcmV0\|secretsecret' err || fail "a secret was logged"

# the cycle lock: busy -> 75 at once, nothing touched
printf '[upload]\nbucket = b\nendpoint = http://127.0.0.1:9\nmax-tries = 1\n' >rec.conf
exec 9>>sp/lock
flock -n 9 || fail "cannot take the lock"
expect_exit 75 rec-upload 2>err
expect_grep 'lock' err
exec 9>&-

# nothing listens on port 9: pending (75), archive kept
expect_exit 75 rec-upload 2>err
expect_grep "remain" err
[ -f $a ] || fail "archive gone"
[ ! -e sp/ledger ] || fail "ledger written"

# --retry with a deadline: gives up at the deadline, 75, archive kept
expect_exit 75 rec-upload --retry --deadline 2s 2>err
expect_grep "deadline" err
[ -f $a ] || fail "archive gone"

say "a real upload with -v: no secret in stderr or in the spool"
command -v radosgw >/dev/null || fail "radosgw missing (scripts/deps.sh)"
. "$REC_TOP/test/lib-s3.sh"
s3_server_start "$PWD/srv"
"$S3/mkbucket" srv bkt
s3_use srv
secret=$(. srv/env; echo "$AWS_SECRET_ACCESS_KEY")
[ ${#secret} -ge 16 ] || fail "no secret key in srv/env"
rm -rf .aws
cat >rec.conf <<C
station = st1
[upload]
endpoint = $S3_ENDPOINT
region = $S3_REGION
bucket = bkt
part-size = 5M
credentials-file = $PWD/creds
C
b=sp/out/20261128T041500.000Z_20261128T051500.000Z_st1.tar
head -c 6000000 /dev/urandom >$b	# two parts: multipart
s3sums $a 5242880
s3sums $b 5242880
rec-upload -v 2>err || { cat err >&2; fail "upload failed"; }
[ -z "$(ls sp/out)" ] || fail "out/ not empty: $(ls sp/out)"
[ "$(wc -l <sp/ledger)" = 2 ] || fail "not 2 archives in the ledger"
expect_grep 'credentials from' err	# -v is on
# what must never be written: the secret, and the SigV4 keys derived from
# it (kDate, kRegion, kService, kSigning of the days around today, ours
# and the server's, whose clock rec-upload follows), as bytes, hex (either
# case) and base64
srvdate=$(curl -sSI "$S3_ENDPOINT/" | sed -n 's/^[Dd]ate: *//p' | tr -d '\r')
[ -n "$srvdate" ] || fail "no Date from the server"
python3 - "$secret" "$S3_REGION" "$srvdate" err sp >leaks <<'PY' || fail "scan failed"
import base64, datetime, email.utils, hashlib, hmac, os, sys
secret, region, srv, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
h = lambda k, m: hmac.new(k, m.encode(), hashlib.sha256).digest()
keys = {"secret key": secret.encode()}
days = set()
for today in (datetime.datetime.now(datetime.timezone.utc).date(),
              email.utils.parsedate_to_datetime(srv).date()):
    days |= {(today + datetime.timedelta(days=d)).strftime("%Y%m%d")
             for d in (-1, 0, 1)}
for day in sorted(days):
    k = h(b"AWS4" + secret.encode(), day)
    keys["kDate " + day] = k
    for what in (region, "s3", "aws4_request"):
        k = h(k, what)
        keys["k(" + what + ") " + day] = k
pats = {}	# name: [(bytes, case-insensitive)]
for name, k in keys.items():
    if name == "secret key":
        pats[name] = [(k, True)]
    else:
        pats[name] = [(k, False), (k.hex().encode(), True),
                      (base64.b64encode(k), False)]
paths = []
for f in files:
    if os.path.isdir(f):
        paths += [os.path.join(r, n) for r, _, ns in os.walk(f) for n in ns]
    else:
        paths.append(f)
for p in paths:
    if os.path.islink(p) or not os.path.isfile(p):
        continue
    data = open(p, "rb").read()
    low = data.lower()
    for name, ps in pats.items():
        for x, ci in ps:
            if x in data or (ci and x.lower() in low):
                print("%s: %s" % (p, name))
PY
[ ! -s leaks ] || { cat leaks >&2; fail "secret material written"; }
