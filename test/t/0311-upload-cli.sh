# rec-upload without a server: flags, --help against the man page's
# SYNOPSIS, configuration and credential errors, the cycle lock. Nothing
# in out/ is ever touched by a run that fails.
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
