# recd(8) --syslog: every line recd logs also goes to syslog(3) with the
# ident "recd" and its pid (LOG_PID), facility daemon, at the line's
# severity (error 3, warning 4, info 6: <PRI> 27, 28, 30), with the text of
# its stderr line; stderr keeps every line, the children's too (they are
# not asked to use syslog: their lines reach stderr only). `[recd] syslog =
# yes` does the same; without either nothing goes to syslog. A config
# that stops recd at startup is in syslog too.
# No root and no /dev/log: test/shim/syslogsock.so sends what recd passes
# to openlog/syslog, as glibc's datagrams, to a socket in this directory,
# where a listener writes them down.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"

mkdir bin
cp "$(command -v recd)" bin/recd
# stand-ins next to the copy (recd runs the tools beside it): a capture
# that says a line and exits 78 (held: recd logs an error), idle cycles
cat >bin/rec-capture <<'EOF'
#!/bin/sh
echo "rec-capture: info: stand-in for the capture" >&2
exit 78
EOF
printf '#!/bin/sh\nexit 0\n' >bin/rec-archive
printf '#!/bin/sh\nexit 0\n' >bin/rec-upload
chmod +x bin/*

sock=$PWD/log.sock
[ ${#sock} -lt 100 ] || fail "socket path too long for sun_path: $sock"
# the listener: one line per datagram into syslog.out; ends on a datagram
# "stop" (sent after the last recd is gone) or after 300 s by itself
python3 - "$sock" syslog.out <<'EOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(1)
end = time.monotonic() + 300
with open(sys.argv[2], "w") as out:
    while time.monotonic() < end:
        try:
            d = s.recv(65536)
        except socket.timeout:
            continue
        if d == b"stop":
            break
        out.write(d.decode("utf-8", "replace").replace("\n", "\\n") + "\n")
        out.flush()
EOF
lpid=$!
pid=
trap 'kill -9 $lpid ${pid:-} 2>/dev/null || :' EXIT
wait_until 30 test -S "$sock"

# recd with the shim (and any LD_PRELOAD already there, e.g. libfaketime);
# env execs recd, so that $! is recd's pid
shimmed=(env "REC_SYSLOG_SOCK=$sock"
	"LD_PRELOAD=$REC_BUILD/test/shim/syslogsock.so${LD_PRELOAD:+:$LD_PRELOAD}")
conf() {	# conf SPOOL [EXTRA-RECD-LINE]
	printf 'spool = %s\nstation = t0440\n[recd]\ninterval = 1s\n%s\n' \
		"$1" "${2:-}"
}
# stop_recd LOG: SIGTERM, recd exits 0
stop_recd() {
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" = 0 ] || { cat "$1"; fail "recd exited $rc"; }
	pid=
}

say "--syslog: errors, warnings and infos of recd, at their priority"
conf spool >rec.conf
"${shimmed[@]}" bin/recd --syslog --config rec.conf </dev/null 2>recd.log &
pid=$!
pid1=$pid
wait_until 60 grep -q 'recd: error: rec-capture exited with 78' recd.log
conf spool2 >rec.conf		# a warning: a new spool needs a restart
kill -HUP "$pid"
wait_until 60 grep -q 'recd: warning: the spool changed to' recd.log
echo 'bogus line' >rec.conf	# an error, the old settings kept
kill -HUP "$pid"
wait_until 60 grep -q 'keeping the old settings' recd.log
stop_recd recd.log
expect_grep 'rec-capture: info: stand-in for the capture' recd.log

say "[recd] syslog = yes without the flag"
conf spool 'syslog = yes' >rec.conf
"${shimmed[@]}" bin/recd --config rec.conf </dev/null 2>recd2.log &
pid=$!
pid2=$pid
wait_until 60 grep -q 'recd: error: rec-capture exited with 78' recd2.log
stop_recd recd2.log

say "neither: stderr only"
conf spool >rec.conf
"${shimmed[@]}" bin/recd --config rec.conf </dev/null 2>recd3.log &
pid=$!
pid3=$pid
wait_until 60 grep -q 'recd: error: rec-capture exited with 78' recd3.log
stop_recd recd3.log

say "--syslog and a config that stops recd at startup"
echo 'bogus line' >bad.conf
"${shimmed[@]}" bin/recd --syslog --config bad.conf </dev/null 2>recd4.log &
pid4=$!
rc=0
wait "$pid4" || rc=$?
[ "$rc" = 78 ] || { cat recd4.log; fail "recd exited $rc, not 78"; }
expect_grep '^recd: error: .*bad.conf' recd4.log

python3 -c 'import socket, sys
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"stop", sys.argv[1])' "$sock"
wait_until 30 eval '! kill -0 $lpid 2>/dev/null'
wait "$lpid" || fail "the listener failed"
cat syslog.out

# every datagram as glibc writes it: <PRI>Mmm dd hh:mm:ss IDENT[PID]: TEXT
if grep -Evq '^<[0-9]+>[A-Z][a-z]{2} [ 1-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] [a-z-]+\[[0-9]+\]: ' syslog.out; then
	fail "a datagram not in syslog's format"
fi
# expected: each "recd: SEVERITY: TEXT" line of stderr as <PRI>recd[PID]: TEXT
expected() {	# LOG PID
	sed -n "s/^recd: error: /<27>recd[$2]: /p; s/^recd: warning: /<28>recd[$2]: /p
		s/^recd: info: /<30>recd[$2]: /p; s/^recd: debug: /<31>recd[$2]: /p" "$1"
}
got() {		# PID: the datagrams of recd PID, without the time stamp
	sed -n "s/^\(<[0-9]*>\)... .. ..:..:.. \(recd\[$1\]: \)/\1\2/p" syslog.out
}
for r in "recd.log $pid1" "recd2.log $pid2" "recd4.log $pid4"; do
	set -- $r
	expected "$1" "$2" >want
	got "$2" >have
	[ -s want ] || fail "$1: no recd line"
	diff want have || fail "syslog differs from what recd $2 wrote on stderr ($1)"
done
got "$pid1" >have1
for p in 27 28 30; do
	grep -q "^<$p>recd\[$pid1\]: " have1 || fail "no line at <$p> from recd --syslog"
done
[ -z "$(got "$pid3")" ] || fail "without --syslog or syslog = yes, recd logged to syslog"
# the children did not log to syslog, and nothing else did
! grep -v '^<[0-9]*>... .. ..:..:.. recd\[' syslog.out ||
	fail "datagrams from something else than recd"
