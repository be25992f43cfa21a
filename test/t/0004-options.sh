# One options layer for every tool (lib/opt): -q on the command line wins
# over verbose = yes in rec.conf, in every tool; a bad value in rec.conf
# exits 78 naming FILE:LINE; a bad flag value exits 64 naming the flag;
# long options only outside rec-capture (no -c/-d/-r/-t in rec-archive).
. "$REC_TOP/test/lib.sh"

export AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=not-a-secret
# chatty FILE: stderr has info or debug lines
chatty() { grep -Eq '^[a-z-]+: (info|debug): ' "$1"; }

say "rec-capture: -q beats verbose = yes"
printf 'station = st\n[capture]\nverbose = yes\nrate = 8000\nsegment = 1s\n' >cap.conf
head -c 32000 /dev/zero >in.raw	# 2 s at 8 kHz, 16 bits
rec-capture --config cap.conf --spool sp -D - <in.raw 2>v.err
chatty v.err || { cat v.err; fail "rec-capture: verbose = yes logs nothing"; }
grep -q ': debug: ' v.err || fail "rec-capture: verbose = yes is not debug"
rec-capture -q --config cap.conf --spool sp2 -D - <in.raw 2>q.err
[ ! -s q.err ] || { cat q.err; fail "rec-capture -q is not quiet"; }

say "rec-archive: -q beats verbose = yes"
printf '[archive]\nverbose = yes\n' >arc.conf
cp -r sp spc
rec-archive --config arc.conf --spool sp 2>v.err
grep -q ': debug: ' v.err || { cat v.err; fail "rec-archive: verbose = yes is not debug"; }
rec-archive -q --config arc.conf --spool spc 2>q.err
[ ! -s q.err ] || { cat q.err; fail "rec-archive -q is not quiet"; }
[ -n "$(ls spc/out)" ] || fail "rec-archive -q archived nothing"

say "rec-upload: -q beats verbose = yes"
mkdir -p up
printf '[upload]\nbucket = b\nendpoint = http://127.0.0.1:9\nverbose = yes\n' >up.conf
rec-upload --config up.conf --spool up 2>v.err
grep -q ': debug: ' v.err || { cat v.err; fail "rec-upload: verbose = yes is not debug"; }
rec-upload -q --config up.conf --spool up 2>q.err
[ ! -s q.err ] || { cat q.err; fail "rec-upload -q is not quiet"; }

say "recd: -q beats verbose = yes"
printf 'spool = rs\n[capture]\ndevice = -\nrate = 8000\n[archive]\nmin-count = 1000\n[recd]\nverbose = yes\ninterval = 1s\n' >recd.conf
for q in "" -q; do
	rm -rf rs
	mkfifo in$q
	exec 3<>in$q
	recd $q --config recd.conf <in$q 2>recd$q.err &
	pid=$!
	wait_until 30 test -s rs/status
	kill -TERM $pid
	wait $pid || fail "recd $q: exit $?"
	exec 3>&-
done
grep -Eq '^recd: (info|debug): ' recd.err || { cat recd.err; fail "recd: verbose = yes logs nothing"; }
if grep -Eq '^recd: (info|debug): ' recd-q.err; then
	cat recd-q.err; fail "recd -q is not quiet"
fi

say "a bad value in rec.conf: 78 with FILE:LINE, in every tool"
for t in capture archive upload recd; do
	printf 'spool = bs\n[upload]\nbucket = b\n[%s]\nverbose = perhaps\n' $t >bad-$t.conf
done
expect_exit 78 rec-capture --config bad-capture.conf -D - </dev/null 2>err
expect_grep "bad-capture.conf:5: bad verbose 'perhaps'" err
expect_exit 78 rec-archive --config bad-archive.conf 2>err
expect_grep "bad-archive.conf:5: bad verbose 'perhaps'" err
expect_exit 78 rec-upload --config bad-upload.conf 2>err
expect_grep "bad-upload.conf:5: bad verbose 'perhaps'" err
expect_exit 78 recd --config bad-recd.conf </dev/null 2>err
expect_grep "bad-recd.conf:5: bad verbose 'perhaps'" err
printf 'spool = bs\n[archive]\nmin-bytes = lots\n' >bad2.conf
expect_exit 78 rec-archive --config bad2.conf 2>err
expect_grep "bad2.conf:3: bad min-bytes 'lots'" err
printf 'spool = bs\n[upload]\nbucket = b\nlimit-rate = fast\n' >bad3.conf
expect_exit 78 rec-upload --config bad3.conf 2>err
expect_grep "bad3.conf:4: bad limit-rate 'fast'" err
printf 'spool = bs\n[recd]\nstop-timeout = 10x\n' >bad4.conf
expect_exit 78 recd --config bad4.conf </dev/null 2>err
expect_grep "bad4.conf:3: bad stop-timeout '10x'" err
printf 'spool = bs\n[status]\nverbose = yes\n' >bad5.conf
expect_exit 78 rec-status --config bad5.conf 2>err
expect_grep "bad5.conf:[0-9]*: unknown section" err
[ ! -e bs ] || fail "a config error created the spool"

say "a bad flag value: 64 naming the flag, and the flag beats the file"
expect_exit 64 rec-capture -r fast -D - </dev/null 2>err
expect_grep "bad --rate 'fast'" err
expect_exit 64 rec-archive --min-count many 2>err
expect_grep "bad --min-count 'many'" err
expect_exit 64 rec-archive --codec mp3 2>err
expect_grep "bad --codec 'mp3': use wav or flac" err
expect_exit 64 rec-upload --config up.conf --limit-rate fast 2>err
expect_grep "bad --limit-rate 'fast'" err
expect_exit 64 recd --config 2>err
expect_grep "option '--config' needs a value" err
expect_exit 64 rec-status --spool 2>err
expect_grep "option '--spool' needs a value" err
expect_exit 0 rec-archive -q --config bad2.conf --min-bytes 1G --spool spc

say "short options: arecord's in rec-capture only"
for f in -c -d -r -R -i -t -w; do
	expect_exit 64 rec-archive $f x
done
for f in -D -r -c -f -d -t; do
	expect_exit 64 recd $f x
	expect_exit 64 rec-upload $f x
	expect_exit 64 rec-status $f x
done
