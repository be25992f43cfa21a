# recd and rec-status: usage, config errors, one recd per spool, status
# file and exit codes, SIGTERM publishing capture's open segment.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"

jget() {	# jget EXPR: a value from rec-status --json (python syntax on j)
	rec-status --spool spool --json 2>/dev/null |
		python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"
}
nseg() { ls spool/seg | grep -c '\.wav$' || true; }

say "usage, --help matches the man page's SYNOPSIS"
recd --help >help.out
head -n 1 help.out >usage.line
expect_grep '^usage: recd \[-hqVv\] \[--config file\] \[--spool dir\] \[--syslog\]$' usage.line
for f in config spool syslog; do
	sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$REC_TOP/man/recd.8" |
		grep -q "^\.Op Fl -$f" || fail "recd.8 SYNOPSIS lacks --$f"
done
rec-status --help | head -n 1 >usage.line
expect_grep '^usage: rec-status \[-hqVv\] \[--json\] \[--html file\] \[--config file\]$' usage.line
for f in json config spool; do
	sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$REC_TOP/man/rec-status.1" |
		grep -q "^\.Op Fl -$f" || fail "rec-status.1 SYNOPSIS lacks --$f"
done
for m in recd.8 rec-status.1; do
	for s in NAME SYNOPSIS DESCRIPTION FILES SIGNALS "EXIT STATUS" EXAMPLES "SEE ALSO"; do
		grep -q "^\.Sh $s\$" "$REC_TOP/man/$m" || fail "$m has no $s section"
	done
	LC_ALL=C.UTF-8 groff -mdoc -Tutf8 -ww -z "$REC_TOP/man/$m" 2>groff.err
	[ ! -s groff.err ] || { cat groff.err; fail "groff warns about $m"; }
done
recd --version | grep -q '^recd [0-9]'
expect_exit 64 recd --bogus
expect_exit 64 recd extra-arg
expect_exit 64 rec-status --bogus

say "config errors are 78 and name the file and line"
printf 'spool = spool\n[recd]\ninterval = soon\n' >bad.conf
expect_exit 78 recd --config bad.conf 2>err
expect_grep 'bad.conf:3: bad interval' err
printf 'spool = spool\n[recd]\nintervall = 5\n' >bad.conf
expect_exit 78 recd --config bad.conf 2>err
expect_grep 'bad.conf:3' err
rc=0
recd --config missing.conf 2>err || rc=$?
[ "$rc" != 0 ] || fail "recd ran without its config file"
expect_grep 'missing.conf: No such file' err
[ ! -e spool ] || fail "a config error created the spool"

say "rec-status without a status file"
mkdir empty
expect_exit 66 rec-status --spool empty 2>err
expect_grep 'no status' err

# The capture source: a FIFO this shell keeps open for writing, so that
# capture reads whatever we write and never sees EOF.
cat >rec.conf <<'EOF'
spool = spool
station = t0400
[capture]
device = -
rate = 8000
channels = 1
format = S16_LE
segment = 1s
[archive]
min-count = 1000
[recd]
interval = 1s
stop-timeout = 20s
EOF
mkfifo in
exec 3<>in
recd --config rec.conf <in 2>recd.log &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true' EXIT

say "status while running"
wait_until 30 test -s spool/status
wait_until 30 eval '[ "$(jget "j[\"children\"][\"rec-capture\"][\"pid\"] > 0")" = True ]'
rec-status --config rec.conf >st.out
expect_grep '^recd  *running, pid '"$pid" st.out
expect_grep '^rec-capture *running' st.out
[ "$(jget 'j["recd"]["pid"]')" = "$pid" ] || fail "wrong recd pid in the status"
[ "$(jget 'j["recd"]["spool"]')" = "$PWD/spool" ] || fail "wrong spool"
[ "$(jget 'j["recd"]["config"]')" = "$PWD/rec.conf" ] || fail "wrong config"
[ "$(jget 'j["version"]')" = 1 ] || fail "wrong version"

say "a second recd on the same spool refuses"
expect_exit 75 recd --config rec.conf </dev/null 2>err2
expect_grep "$PWD/spool/recd.lock is held by another process: try again later (recd, pid $pid)" err2
expect_exit 75 recd --spool spool </dev/null 2>/dev/null

say "segments are counted; loss is 0"
head -c 40000 /dev/urandom >&3		# 2.5 s: 2 segments and a half
wait_until 30 eval '[ "$(nseg)" = 2 ]'
wait_until 30 eval '[ "$(jget "j[\"pending\"][\"segments\"]")" = 2 ]'
wait_until 30 eval '[ "$(jget "j[\"capture\"][\"segments\"]")" = 2 ]'
[ "$(jget 'j["capture"]["lost_frames"]')" = 0 ] || fail "frames lost"
[ "$(jget 'j["free_bytes"] > 0')" = True ] || fail "no free space shown"

say "SIGTERM: capture publishes its open segment, recd exits 0"
wait_until 30 eval 'ls spool/tmp | grep -q wav'
wait_until 30 eval 'cap=$(jget "j[\"children\"][\"rec-capture\"][\"pid\"]"); [ -d /proc/$cap ]'
sleep 1	# let capture read what we wrote (its segment grows in tmp/)
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 0 ] || { cat recd.log; fail "recd exited $rc on SIGTERM"; }
trap - EXIT
[ "$(nseg)" = 3 ] || { ls -l spool/seg spool/tmp; fail "the open segment was not published"; }
[ -z "$(ls spool/tmp)" ] || fail "tmp/ not empty: $(ls spool/tmp)"
total=$(wavdump -p spool/seg/*.wav | wc -c)
[ "$total" = 40000 ] || fail "segments hold $total bytes of PCM, not 40000"
kill -0 "$cap" 2>/dev/null && fail "capture still runs"
expect_exit 69 rec-status --config rec.conf >st.out
expect_grep '^recd  *not running (stopped' st.out
[ "$(jget 'j["recd"]["state"]')" = stopped ] || fail "state is not stopped"

say "a killed recd shows as dead"
recd --config rec.conf <in 2>>recd.log &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true' EXIT
wait_until 30 eval '[ "$(jget "j[\"recd\"][\"pid\"]")" = $pid ]'
wait_until 30 eval '[ "$(jget "j[\"children\"][\"rec-capture\"][\"pid\"] > 0")" = True ]'
cap=$(jget 'j["children"]["rec-capture"]["pid"]')
kill -9 "$pid"
wait "$pid" || true
# its capture dies with it (SIGTERM); until it has published its segment
# it holds recd.lock, which it inherited, and recd counts as alive
wait_until 30 eval '! kill -0 $cap 2>/dev/null'
[ "$(jget 'j["recd"]["state"]')" = dead ] || fail "a killed recd is not dead"
expect_exit 69 rec-status --spool spool >/dev/null
say "the next recd can start"
recd --config rec.conf <in 2>>recd.log &
pid=$!
wait_until 30 eval '[ "$(jget "j[\"recd\"][\"pid\"]")" = $pid ]'

say "loss recorded in a segment's GUANO shows in the status"
# Hold the cycle lock meanwhile: rec-archive would quarantine this
# hand-made segment (it lacks rec-capture's metadata) before recd reads it.
exec 4>spool/lock
flock 4
python3 - <<'PYEOF'
import struct
pcm = bytes(16000)                      # 1 s of 8 kHz mono silence
guano = (b"GUANO|Version: 1.0\nREC|Frames: 8000\n"
         b"REC|Gaps: 100+50,4000+25\nREC|Lost Frames: 75\n")
if len(guano) % 2:
    guano += b"\n"
fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt +
        b"data" + struct.pack("<I", len(pcm)) + pcm +
        b"guan" + struct.pack("<I", len(guano)) + guano)
open("spool/tmp/lossy.wav", "wb").write(b"RIFF" + struct.pack("<I", len(body)) + body)
PYEOF
mv spool/tmp/lossy.wav spool/seg/20261128T031500.000Z_t0400.wav
echo seg/20261128T031500.000Z_t0400.wav >spool/trigger
wait_until 30 eval '[ "$(jget "j[\"capture\"][\"lost_frames\"]")" = 75 ]'
[ "$(jget 'j["capture"]["overruns"]')" = 2 ] || fail "2 gaps are not 2 overruns"
expect_grep '20261128T031500.000Z_t0400.wav: 75 frames lost' recd.log
rec-status --spool spool >st.out
expect_grep '^loss *2 overruns, 75 frames lost in 1 segments' st.out
exec 4>&-

kill -TERM "$pid"
wait "$pid"
trap - EXIT
exec 3>&-
