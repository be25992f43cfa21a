# Real time, the reason for the concurrency: a paced source at 48 kHz
# stereo for two minutes, with only a second of buffer, while archives
# are uploaded through a slow link (curl's rate limit, 300 kB/s). The
# source drops nothing, capture loses nothing, the bucket gets every
# frame.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"

REC_S3_TTL=600 s3_server_start srv
"$S3/mkbucket" srv field
s3_use srv

cat >rec.conf <<EOF
spool = spool
station = t0404
[capture]
device = -
rate = 48000
channels = 2
format = S16_LE
segment = 10s
[archive]
min-count = 3
[upload]
endpoint = $S3_ENDPOINT
region = $S3_REGION
bucket = field
addressing = path
credentials-file = $PWD/creds
limit-rate = 300K
[recd]
interval = 2s
drain-deadline = 2m
EOF

say "120 s paced, 1 s of source buffer, uploads at 300 kB/s"
rc=0
pacer -r 48000 -c 2 -f S16_LE -d 120 -b 1 --seed 404 2>pacer.log |
	recd --config rec.conf 2>recd.log || rc=$?
cat pacer.log
[ "$rc" = 0 ] || { tail -n 30 recd.log; fail "recd exited $rc"; }
expect_grep 'frames=5760000 dropped=0' pacer.log
expect_grep 'rec-capture: info: done: 5760000 frames in 12 segments, 0 overruns, 0 frames lost' recd.log
expect_grep 'session is over: everything is uploaded' recd.log
# uploads overlapped the recording (archives went up before its end)
n=$(sed -n '1,/rec-capture: info: done/p' recd.log | grep -c 'rec-upload: info: uploaded')
[ "$n" -ge 2 ] || fail "only $n uploads while recording"

say "the bucket holds every frame"
pacer -n -r 48000 -c 2 -f S16_LE -d 120 --seed 404 >expected.pcm 2>/dev/null
mkdir dl x
"$S3/aws" srv s3 cp --recursive --only-show-errors s3://field/ dl/
find dl -type f -name '*.tar' | sort >keys
[ "$(wc -l <keys)" = 4 ] || { cat keys; fail "not 4 archives"; }
while read -r k; do tar -tf "$k"; done <keys | grep '\.wav$' >members
sort members | uniq -d >dups
[ ! -s dups ] || fail "segments in two archives: $(cat dups)"
while read -r k; do tar -xmf "$k" -C x; done <keys
sort members | sed 's|^|x/|' | xargs wavdump -p >got.pcm
cmp got.pcm expected.pcm || fail "the bucket's audio differs from the input"
rec-status --config rec.conf >st.out || true
expect_grep '^loss *0 overruns, 0 frames lost in 12 segments' st.out
