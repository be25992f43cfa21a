# rec-archive is single-flight on the spool's lock: a second run exits 75
# at once while another archive run (or anything else, e.g. rec-upload)
# holds it, or waits for it with --wait.
. "$REC_TOP/test/lib.sh"
check() { python3 "$REC_TOP/test/helpers/archcheck.py" "$@"; }

mkdir -p sp/seg orig
mkseg -n 4 -l 4800 sp/seg
cp sp/seg/*.wav orig/
mkfifo hold

# until_locked PID: wait until someone holds sp/lock (seen in /proc/locks,
# without taking it ourselves); fail if PID (the process meant to take it)
# is gone first. FIFOs are opened read-write (<>), which never blocks, so
# a run that dies early cannot hang us.
locked() {
	[ -e sp/lock ] &&
		grep -q "FLOCK .*:$(stat -c %i sp/lock) " /proc/locks
}
until_locked() {
	until locked; do
		kill -0 "$1" 2>/dev/null || fail "process $1 ended without the lock"
		sleep 0.05
	done
}

say "two runs at once: the one holding the lock archives, the other exits 75"
exec 3<>hold		# the first run reads it to EOF once it holds the lock
REC_TEST_HOLD=hold rec-archive -q --spool sp 3>&- &
first=$!
until_locked $first
expect_exit 75 rec-archive --spool sp 2>log
expect_grep '^rec-archive: error: sp/lock is held by another process: try again later$' log
[ "$(wc -l <log)" = 1 ] || fail "more than one line"
[ "$(ls sp/seg | wc -l)" = 4 ] || fail "the second run touched seg/"
exec 3>&-		# EOF: let the first go on
wait $first
[ -z "$(ls sp/seg)" ] || fail "the first run did not archive"
check sp orig

say "another holder of the lock (flock(1), like rec-upload): 75, or --wait"
mkseg -n 2 -l 4800 -t 20261128T040000.000Z sp/seg
cp sp/seg/*.wav orig/
mkfifo go
exec 4<>go
flock sp/lock sh -c 'echo held; read x <go' >held 4>&- &
holder=$!
until_locked $holder
expect_exit 75 rec-archive -q --spool sp
printf '[archive]\nwait = no\n' >rec.conf
expect_exit 75 rec-archive -q --config rec.conf --spool sp
rec-archive -q --spool sp --wait 4>&- &
waiter=$!
# proof that it waits on the lock: a blocked flock on the lock's inode
# ("->" in /proc/locks), not merely a run that has not got there yet
wait_until 60 eval 'grep -q -- "-> FLOCK .*:$(stat -c %i sp/lock) " /proc/locks'
# the waiter cannot have archived anything while the lock is held
[ "$(ls sp/seg | wc -l)" = 2 ] || fail "archived while the lock was held"
kill -0 $waiter || fail "--wait did not wait"
echo go >&4
exec 4>&-
wait $holder
wait $waiter
[ -z "$(ls sp/seg)" ] || fail "--wait run did not archive"
check sp orig

say "wait = yes in rec.conf waits too"
mkseg -n 1 -l 4800 -t 20261128T050000.000Z sp/seg
cp sp/seg/*.wav orig/
printf '[archive]\nwait = yes\n' >rec.conf
mkfifo go2
exec 5<>go2
flock sp/lock sh -c 'echo held; read x <go2' >held2 5>&- &
holder=$!
until_locked $holder
rec-archive -q --config rec.conf --spool sp 5>&- &
waiter=$!
kill -0 $waiter || fail "wait = yes did not wait"
echo go >&5
exec 5>&-
wait $holder
wait $waiter
check sp orig
