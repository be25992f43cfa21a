# The server goes away for a while (its processes stopped: connections
# hang, as on a dead link), then comes back: archives pile up in out/,
# none is deleted while the server is away, recording goes on, and
# afterwards everything catches up: the bucket holds every frame, once.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"

archives() { ls spool/out | grep '\.tar$' || true; }

pg= run=
s3_cleanup_hook() {
	if [ -n "$pg" ]; then kill -CONT -- "-$pg" 2>/dev/null || true; fi
	if [ -n "$run" ]; then kill -TERM "$run" 2>/dev/null || true; fi
}
REC_S3_TTL=300 s3_server_start srv
"$S3/mkbucket" srv field
s3_use srv

# 16 kHz mono fed at 4x real time: an 8 s segment every 2 s, an archive
# of two every 4 s (and of all that waits when a cycle took longer).
cat >rec.conf <<EOF
spool = spool
station = t0403
[capture]
device = -
rate = 16000
channels = 1
segment = 8s
[archive]
min-count = 2
[upload]
endpoint = $S3_ENDPOINT
region = $S3_REGION
bucket = field
addressing = path
credentials-file = $PWD/creds
timeout = 1s
[recd]
interval = 1s
backoff-max = 2s
drain-deadline = 1m
EOF

say "recording 200 s of audio (50 s at 4x)"
# -b 1: a second of buffer, like a sound card's, so dropped=0 means
# that capture kept reading throughout the outage
pacer -r 64000 -c 1 -f S16_LE -d 50 -b 1 --seed 403 2>pacer.log |
	recd --config rec.conf 2>recd.log &
run=$!		# recd
wait_until 60 test -s spool/ledger

say "the server stops answering"
pg=$(s3_front_pgid srv)
[ -n "$pg" ] || fail "no server process group"
kill -STOP -- "-$pg"
# Watch out/ while it is away: archives only come, none goes. It comes
# back once an upload run gave up (recd retries later) and a second
# archive waits.
seen=
while [ "$(archives | wc -l)" -lt 2 ] || ! grep -q 'archives pending, retrying' recd.log; do
	now=$(archives)
	for a in $seen; do
		echo "$now" | grep -qx "$a" || fail "$a left out/ while the server was away"
	done
	seen=$now
	kill -0 "$run" 2>/dev/null || fail "recd ended during the outage"
	sleep 0.2
done
archives >during
cp spool/ledger ledger.during
say "$(wc -l <during) archives wait; the server comes back"
kill -CONT -- "-$pg"
pg=
rc=0
wait "$run" || rc=$?
run=
cat pacer.log
[ "$rc" = 0 ] || { tail -n 30 recd.log; fail "recd exited $rc"; }
expect_grep 'dropped=0' pacer.log
expect_grep 'session is over: everything is uploaded' recd.log
expect_grep 'rec-capture: info: done: .* 0 frames lost' recd.log
[ -z "$(find spool/seg spool/out -type f -name '*.wav' -o -type f -name '*.tar')" ] ||
	fail "something is left in the spool"

say "every archive that waited is in the bucket, and every frame"
while read -r a; do
	grep -q "/$a	" spool/ledger || fail "$a is not in the ledger"
	grep -q "/$a	" ledger.during && fail "$a was in the ledger during the outage"
done <during
pacer -n -r 64000 -c 1 -f S16_LE -d 50 --seed 403 >expected.pcm 2>/dev/null
mkdir dl x
"$S3/aws" srv s3 cp --recursive --only-show-errors s3://field/ dl/
find dl -type f -name '*.tar' | sort >keys
while read -r a; do grep -q "/$a\$" keys || fail "$a is not in the bucket"; done <during
while read -r k; do tar -tf "$k"; done <keys | grep '\.wav$' >members
sort members | uniq -d >dups
[ ! -s dups ] || fail "segments in two archives: $(cat dups)"
while read -r k; do tar -xmf "$k" -C x; done <keys
sort members | sed 's|^|x/|' | xargs wavdump -p >got.pcm
cmp got.pcm expected.pcm || fail "the bucket's audio differs from the input"
