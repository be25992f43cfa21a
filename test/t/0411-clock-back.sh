# A clock that steps back (a Pi without an RTC boots behind while seg/
# holds segments from before the power cut): rec-capture names segments
# after the newest name in the spool, so seg/ is in capture order while
# the GUANO timestamps step back. The archive of such a run is still an
# archive: rec-archive makes one of them, recd counts it while it waits
# (and does not claim "everything is uploaded"), rec-upload uploads it.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"
S3=$REC_TOP/test/s3
[ -f "$REC_TOP/.cache/npm/node_modules/@20minutes/s3rver/package.json" ] ||
	skip "s3rver is not installed (scripts/deps.sh)"

mkdir -p before after spool/seg
mkseg -S t0411 -n 2 -l 4800 -r 48000 -c 1 -t 20261128T100000.000Z before
mkseg -S t0411 -n 2 -l 4800 -r 48000 -c 1 -t 20260101T000000.000Z after
mv before/* spool/seg/
# the names rec-capture gives after the power cut: after the newest name
mv after/20260101T000000.000Z_t0411.wav spool/seg/20261128T100000.200Z_t0411.wav
mv after/20260101T000000.100Z_t0411.wav spool/seg/20261128T100000.300Z_t0411.wav

say "rec-archive archives the four segments into one archive"
expect_exit 0 rec-archive --spool spool --min-count 1 2>arc.log
cat arc.log
[ -z "$(ls spool/seg)" ] || fail "left in seg/: $(ls spool/seg)"
[ -z "$(ls spool/corrupt)" ] || fail "moved to corrupt/: $(ls spool/corrupt)"
ls spool/out | grep '_t0411\.tar$' >archives || fail "no archive: $(ls spool/out)"
[ "$(wc -l <archives)" = 1 ] || fail "archives: $(cat archives)"
a=$(cat archives)

say "recd counts it while it is pending (the server is not there)"
cat >rec.conf <<EOF2
spool = spool
station = t0411
[capture]
device = -
rate = 48000
channels = 1
[upload]
endpoint = http://127.0.0.1:9
bucket = field
addressing = path
timeout = 1s
[recd]
interval = 1s
drain-deadline = 2s
EOF2
# the input ends at once: the session is over, the drain cannot upload
expect_exit 75 recd --config rec.conf </dev/null 2>recd.log
expect_grep 'session is over with 0 segments and 1 archives' recd.log
expect_exit 69 rec-status --config rec.conf --json >status.json
n=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["pending"]["archives"])' <status.json)
[ "$n" = 1 ] || { cat status.json; fail "rec-status counts $n archives"; }
[ -f "spool/out/$a" ] || fail "$a left out/ without an upload"

say "rec-upload uploads it"
trap '"$S3/s3rver" stop srv >/dev/null 2>&1 || true' EXIT
REC_S3_TTL=300 "$S3/s3rver" start srv
"$S3/mkbucket" srv field
. srv/env
umask 077
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
	"$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >creds
umask 022
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
sed -e "s|^endpoint = .*|endpoint = $S3_ENDPOINT\nregion = $S3_REGION\ncredentials-file = $PWD/creds|" \
	rec.conf >up.conf
expect_exit 0 rec-upload --config up.conf 2>up.log
cat up.log
[ ! -e "spool/out/$a" ] || fail "$a is still in out/"
expect_grep "	$a\$" spool/ledger
"$S3/aws" srv s3 ls --recursive s3://field/ >bucket
expect_grep "$a\$" bucket
