# rec-upload(1) EXIT STATUS 74: "a local file could not be written or
# deleted": a ledger that cannot be written (a directory in its place) and
# an archive that cannot be removed (chattr +i: as root, mode bits stop
# nothing) are reported and end the run with 74; an unwritable ledger
# keeps the archive (nothing deleted without its ledger line).
# --wait waits for the cycle lock (a blocked flock on the lock's inode in
# /proc/locks) instead of exiting 75, then uploads.
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"
command -v radosgw >/dev/null || fail "no radosgw (scripts/deps.sh)"
command -v chattr >/dev/null || fail "no chattr (e2fsprogs)"

s3_server_start srv
"$S3/mkbucket" srv bkt
s3_use srv
cat >rec.conf <<EOF
spool = $PWD/sp
station = t0352
[upload]
endpoint = $S3_ENDPOINT
region = $S3_REGION
bucket = bkt
credentials-file = $PWD/creds
EOF
export REC_CONFIG=$PWD/rec.conf
imm=
s3_cleanup_hook() { [ -z "$imm" ] || chattr -i "$imm"; }

# archive N: one archive of 1 segment starting at hour N in out/
archive() {
	mkdir -p sp/seg
	mkseg -n 1 -l 4800 -t "20261128T0${1}0000.000Z" sp/seg
	rec-archive -q --min-count 1
}

say "the ledger cannot be written: 74, the archive kept"
archive 1
a=$(ls sp/out/*.tar)
rm -f sp/ledger
mkdir sp/ledger
expect_exit 74 rec-upload 2>log
expect_grep 'rec-upload: error: .*ledger' log
[ -f "$a" ] || fail "archive deleted without a ledger line"
rmdir sp/ledger

say "the archive cannot be removed: 74"
rec-upload 2>log || :	# settle the first one
rm -f sp/ledger
archive 2
a=$(ls sp/out/*.tar)
imm=$a
chattr +i "$a"
expect_exit 74 rec-upload 2>log
expect_grep "rec-upload: error: .*${a##*/}" log
grep -q . sp/ledger || fail "no ledger line for an uploaded archive"
chattr -i "$a"
imm=
rec-upload 2>log || { cat log >&2; fail "the next run did not settle it"; }
[ ! -e "$a" ] || fail "archive left"

say "--wait waits for the cycle lock"
archive 3
a=$(ls sp/out/*.tar)
mkfifo go
exec 4<>go
flock sp/lock sh -c 'read x <go' 4>&- &
holder=$!
wait_until 60 eval 'grep -q "FLOCK .*:$(stat -c %i sp/lock) " /proc/locks'
expect_exit 75 rec-upload 2>log
rec-upload --wait 2>wait.log 4>&- &
waiter=$!
wait_until 60 eval 'grep -q -- "-> FLOCK .*:$(stat -c %i sp/lock) " /proc/locks'
[ -f "$a" ] || fail "uploaded while the lock was held"
kill -0 $waiter || fail "--wait did not wait"
echo go >&4
exec 4>&-
wait $holder
rc=0
wait $waiter || rc=$?
[ "$rc" = 0 ] || { cat wait.log >&2; fail "--wait run exited $rc"; }
[ ! -e "$a" ] || fail "--wait run did not upload"
