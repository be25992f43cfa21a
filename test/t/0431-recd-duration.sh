# recd(8) Sessions: `[capture] duration` ends a capture session by itself
# (while its input goes on), recd then drains the spool (archives every
# segment, uploads) and exits 0 when nothing is left. With the store down,
# the drain retries until `[recd] drain-deadline` and recd exits 75 with
# the archive kept in out/.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"
command -v radosgw >/dev/null || fail "no radosgw (scripts/deps.sh)"

s3_server_start srv
"$S3/mkbucket" srv field
s3_use srv

# conf ENDPOINT: a session of 10 s of audio in 4 s segments
conf() {
	cat <<EOF
spool = $PWD/spool
station = t0431
[capture]
device = -
rate = 48000
channels = 2
format = S16_LE
segment = 4s
duration = 10s
[archive]
min-count = 100
[upload]
endpoint = $1
region = $S3_REGION
bucket = field
credentials-file = $PWD/creds
max-tries = 2
timeout = 2s
[recd]
interval = 1s
drain-deadline = 3s
EOF
}

say "duration ends the session; recd drains and exits 0"
conf "$S3_ENDPOINT" >rec.conf
rc=0
# the input lasts far longer than the session (10x real time, 120 s)
pacer -r 480000 -c 2 -f S16_LE -d 120 --seed 431 2>/dev/null |
	recd --config rec.conf 2>recd.log || rc=$?
[ "$rc" = 0 ] || { tail -n 30 recd.log >&2; fail "recd exited $rc"; }
expect_grep 'rec-capture ended its session: draining the spool' recd.log
expect_grep 'rec-capture: info: done: 480000 frames in 3 segments' recd.log
expect_grep 'the session is over: everything is uploaded' recd.log
[ -z "$(find spool/seg spool/out -type f ! -name '*.idx')" ] ||
	fail "the spool is not empty: $(ls -R spool)"
[ "$(wc -l <spool/ledger)" -ge 1 ] || fail "nothing uploaded"
"$S3/aws" srv s3 ls --recursive s3://field/ >objects
[ "$(wc -l <objects)" = "$(wc -l <spool/ledger)" ] || fail "bucket: $(cat objects)"

say "store down: the drain gives up at drain-deadline, exit 75, archive kept"
rm -rf spool
s3_server_stop srv
conf "$S3_ENDPOINT" >rec.conf
rc=0
pacer -r 480000 -c 2 -f S16_LE -d 120 --seed 431 2>/dev/null |
	recd --config rec.conf 2>recd2.log || rc=$?
[ "$rc" = 75 ] || { tail -n 30 recd2.log >&2; fail "recd exited $rc, not 75"; }
expect_grep 'rec-capture ended its session: draining the spool' recd2.log
expect_grep 'the session is over with' recd2.log
[ -n "$(ls spool/out/*.tar 2>/dev/null)" ] || fail "no archive kept in out/"
[ -z "$(ls spool/seg)" ] || fail "the drain did not archive every segment"
[ ! -s spool/ledger ] || fail "ledger written with the store down"
