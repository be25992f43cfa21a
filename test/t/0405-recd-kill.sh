# kill -9 at random moments, then restart, and again.
# Part 1: rec-archive, rec-upload and recd itself are killed (recd is
# started anew each time): nothing is lost, nothing is duplicated, the
# bucket's audio equals the input bit for bit.
# Part 2: rec-capture is killed too: what it had written survives (the
# segment is recovered); only what it held in memory is lost, and the
# bucket's audio is the input in order with at most one gap per kill,
# nothing twice.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"


recd_pid= pacer_pid=
s3_cleanup_hook() {
	if [ -n "$recd_pid" ]; then kill -TERM "$recd_pid" 2>/dev/null; fi
	if [ -n "$pacer_pid" ]; then kill -TERM "$pacer_pid" 2>/dev/null; fi
	return 0
}
REC_S3_TTL=600 s3_server_start srv
s3_use srv

# start_recd PART: a new recd reading the FIFO; retried while the old
# one's children still hold the spool (exit 75).
start_recd() {
	local i
	for i in $(seq 100); do
		recd --config rec$1.conf <in$1 2>>recd$1.log 3>&- &
		recd_pid=$!
		sleep 0.3
		kill -0 "$recd_pid" 2>/dev/null && return 0
		wait "$recd_pid" && fail "recd exited 0 at start"
	done
	fail "recd would not start again"
}
# child NAME: the pid of recd's child NAME, or nothing
child() { pgrep -P "$recd_pid" -x "$1" | head -n 1; }
# kill_child NAME: wait (up to 20 s) for NAME to run, kill -9 it at a
# random moment of its run. True when it was killed.
kill_child() {
	local p i
	for i in $(seq 2000); do
		p=$(child "$1")
		if [ -n "$p" ]; then
			sleep "0.0$(rnd 10)"
			kill -9 "$p" 2>/dev/null && return 0
		fi
		sleep 0.01
	done
	return 1
}
# end_session PART: let the pacer finish, close our end of the FIFO (EOF
# for capture) and wait for recd's drain.
end_session() {
	local rc=0
	wait "$pacer_pid" || true
	pacer_pid=
	kill -0 "$recd_pid" 2>/dev/null || start_recd "$1"
	exec 3>&-
	wait "$recd_pid" || rc=$?
	recd_pid=
	[ "$rc" = 0 ] || { tail -n 30 "recd$1.log"; fail "recd exited $rc"; }
	expect_grep 'session is over: everything is uploaded' "recd$1.log"
}
# fetch PART: the members of every archive of the part's bucket, joined in
# name order, into got$1.pcm; fails on a segment in two archives.
fetch() {
	mkdir "dl$1" "x$1"
	"$S3/aws" srv s3 cp --recursive --only-show-errors "s3://bkt$1/" "dl$1/"
	find "dl$1" -type f | sort >"keys$1"
	grep -v '\.tar\.xz$' "keys$1" && fail "unexpected objects in bkt$1"
	while read -r k; do tar -tf "$k"; done <"keys$1" | grep '\.wav$' >"members$1"
	sort "members$1" | uniq -d >dups
	[ ! -s dups ] || fail "segments in two archives: $(cat dups)"
	while read -r k; do tar -xmf "$k" -C "x$1"; done <"keys$1"
	sort "members$1" | sed "s|^|x$1/|" | xargs wavdump -p >"got$1.pcm"
}

conf() {	# conf PART
	"$S3/mkbucket" srv "bkt$1"
	cat >"rec$1.conf" <<EOF
spool = spool$1
station = t0405
[capture]
device = -
rate = 16000
channels = 1
segment = 2s
[archive]
min-count = 2
compress = xz
[upload]
endpoint = $S3_ENDPOINT
region = $S3_REGION
bucket = bkt$1
addressing = path
credentials-file = $PWD/creds
limit-rate = 48K
part-size = 5M
[recd]
interval = 1s
backoff-max = 2s
drain-deadline = 1m
EOF
}

say "part 1: kill -9 of rec-archive, rec-upload and recd"
conf 1
mkfifo in1
exec 3<>in1
# 16 kHz mono in real time (segment names come from the clock); the
# pacer's buffer holds what comes while no capture reads.
pacer -r 16000 -c 1 -f S16_LE -d 20 -b 20 --seed 4051 >&3 2>pacer1.log &
pacer_pid=$!
start_recd 1
kills=
for round in 1 2 3; do
	for what in rec-archive rec-upload recd; do
		if [ $what = recd ]; then
			sleep "$(rnd 3).$(rnd 10)"
			kill -9 "$recd_pid"
			wait "$recd_pid" || true
			kills="$kills recd"
			start_recd 1
		elif kill_child $what; then
			kills="$kills $what"
		fi
	done
done
say "killed:$kills"
case $kills in *rec-upload*) ;; *) fail "rec-upload was never killed" ;; esac
end_session 1
expect_grep 'dropped=0' pacer1.log
fetch 1
pacer -n -r 16000 -c 1 -f S16_LE -d 20 --seed 4051 >expected1.pcm 2>/dev/null
cmp got1.pcm expected1.pcm || fail "part 1: the bucket's audio differs from the input"
grep -E 'rec-capture: .* [1-9][0-9]* frames lost' recd1.log && fail "capture lost frames"

say "part 2: kill -9 of rec-capture as well"
conf 2
mkfifo in2
exec 3<>in2
pacer -r 16000 -c 1 -f S16_LE -d 15 -b 15 --seed 4052 >&3 2>pacer2.log &
pacer_pid=$!
start_recd 2
ckills=0
for round in 1 2 3; do
	sleep "1.$(rnd 10)"
	p=$(child rec-capture)
	if [ -n "$p" ]; then
		kill -9 "$p"
		ckills=$((ckills + 1))
	fi
	kill_child rec-upload || true
done
[ "$ckills" -ge 2 ] || fail "capture was killed only $ckills times"
end_session 2
fetch 2
pacer -n -r 16000 -c 1 -f S16_LE -d 15 --seed 4052 >expected2.pcm 2>/dev/null
python3 - "$ckills" <<'EOF'
# got2.pcm must be expected2.pcm with at most one gap per capture kill:
# whole frames, in order, nothing twice.
import sys
kills = int(sys.argv[1])
exp = open("expected2.pcm", "rb").read()
got = open("got2.pcm", "rb").read()
pos = off = gaps = 0
chunk = 3200				# 0.1 s of 16 kHz mono
while off < len(got):
    piece = got[off:off + chunk]
    if exp[pos:pos + len(piece)] == piece:
        pos += len(piece); off += len(piece); continue
    # a gap: find where the next frames come from, later in the input
    n = 1
    while exp[pos:pos + 2 * n] == got[off:off + 2 * n]:
        n += 1
    pos += 2 * (n - 1); off += 2 * (n - 1)
    j = exp.find(got[off:off + 64], pos)
    assert j > pos, "frames out of order or repeated at output byte %d" % off
    assert (j - pos) % 2 == 0, "a gap of a partial frame"
    gaps += 1
    print("gap of %d frames at output frame %d" % ((j - pos) // 2, off // 2))
    pos = j
assert gaps <= kills, "%d gaps for %d capture kills" % (gaps, kills)
# the last kill is long before the end: the stream's tail must be there
assert pos == len(exp), "the last %d frames are missing" % ((len(exp) - pos) // 2)
print("%d of %d frames, %d gaps, %d capture kills" %
      (len(got) // 2, len(exp) // 2, gaps, kills))
EOF
