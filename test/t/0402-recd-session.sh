# End to end through recd into a real Ceph RGW: three minutes of 48 kHz
# stereo (fed at 9x real time), cycles while recording, and a drain when
# the input ends. Every frame is in the bucket: the members of all
# archives, joined in name order, equal the input bit for bit.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"
S3=$REC_TOP/test/s3
command -v radosgw >/dev/null || skip "no radosgw (scripts/deps.sh)"

trap '"$S3/rgw" stop srv >/dev/null 2>&1 || true' EXIT
REC_S3_TTL=600 "$S3/rgw" start srv
"$S3/mkbucket" srv field
. srv/env
umask 077
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
	"$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >creds
umask 022
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

cat >rec.conf <<EOF
spool = spool
station = t0402
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
prefix = e2e/
addressing = path
credentials-file = $PWD/creds
part-size = 5M
multipart-threshold = 8M
[recd]
interval = 2s
drain-deadline = 2m
EOF

say "180 s of audio through recd (pacer at 9x real time)"
# 432000 frames/s of 4-byte frames = 180 s of 48 kHz stereo in 20 s.
rc=0
# -b 1: a second of buffer, like a sound card's: dropped=0 means capture
# kept up, it is not the pipe holding the whole stream
pacer -r 432000 -c 2 -f S16_LE -d 20 -b 1 --seed 402 2>pacer.log |
	recd --config rec.conf 2>recd.log || rc=$?
cat pacer.log
[ "$rc" = 0 ] || { tail -n 30 recd.log; fail "recd exited $rc"; }
expect_grep 'frames=8640000 dropped=0' pacer.log
expect_grep 'session is over: everything is uploaded' recd.log
expect_grep 'rec-capture: info: done: 8640000 frames in 18 segments, 0 overruns, 0 frames lost' recd.log
# cycles ran while recording, not only at the end
n=$(sed -n '1,/rec-capture: info: done/p' recd.log | grep -c 'rec-upload: info: uploaded')
[ "$n" -ge 2 ] || fail "only $n uploads while recording"
# (an archive's .idx may stay in out/ until the next rec-archive run)
[ -z "$(find spool/seg spool/tmp spool/corrupt spool/out -type f ! -name '*.idx' ! -name '.*')" ] ||
	fail "the spool is not empty: $(ls -R spool)"

say "the bucket holds every frame, once, in order"
pacer -n -r 432000 -c 2 -f S16_LE -d 20 --seed 402 >expected.pcm 2>/dev/null
mkdir dl x
"$S3/aws" srv s3 cp --recursive --only-show-errors s3://field/ dl/
find dl -type f | sort >keys
[ "$(wc -l <keys)" = 6 ] || { cat keys; fail "not 6 archives"; }
grep -v '/e2e/t0402/.*\.tar$' keys && fail "unexpected objects"
while read -r k; do tar -tf "$k"; done <keys | grep '\.wav$' >members
sort members | uniq -d >dups
[ ! -s dups ] || fail "segments in two archives: $(cat dups)"
[ "$(wc -l <members)" = 18 ] || fail "not 18 segments"
while read -r k; do tar -xmf "$k" -C x; done <keys
sort members | sed 's|^|x/|' | xargs wavdump -p >got.pcm
cmp got.pcm expected.pcm || fail "the bucket's audio differs from the input"
[ "$(wc -l <spool/ledger)" = 6 ] || fail "the ledger has not 6 lines"

say "rec-status after the session"
expect_exit 69 rec-status --config rec.conf >st.out
cat st.out
expect_grep '^pending *0 segments (0 B), 0 archives' st.out
expect_grep '^loss *0 overruns, 0 frames lost in 18 segments' st.out
grep -q '^uploaded *never' st.out && fail "no upload time"
rec-status --config rec.conf --json >st.json || true
python3 - <<'EOF'
import json
j = json.load(open("st.json"))
assert j["recd"]["state"] == "stopped", j["recd"]
assert j["children"]["rec-capture"]["last_exit"] == 0
assert j["last_cycle"]["result"] == "ok", j["last_cycle"]
assert j["pending"]["archives"] == 0 and j["pending"]["segments"] == 0
assert j["last_upload"] is not None
EOF
