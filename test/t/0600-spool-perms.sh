# The spool keeps other users out of its locks and refuses to be shared:
# a user who can read the spool (its group) cannot take the cycle lock
# (locks are 0600; flock(2) works on a read-only fd), an old 0640 lock
# is made 0600, a group-writable spool or a link at the lock is refused
# with 77 and the link's target is left alone.
. "$REC_TOP/test/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root to create a second user (useradd)"
command -v useradd >/dev/null || fail "no useradd (package passwd)"
command -v setpriv >/dev/null || fail "no setpriv (package util-linux)"

user=rec-t0600
if ! id -u "$user" >/dev/null 2>&1; then
	useradd --system --no-create-home --user-group --shell /bin/false \
		"$user" || fail "cannot create user $user"
	trap 'userdel "$user" 2>/dev/null || true' EXIT
fi
uid=$(id -u "$user")
gid=$(id -g "$user")
# as_user cmd...: run cmd as that user, with its group only
as_user() { setpriv --reuid="$uid" --regid="$gid" --clear-groups "$@"; }

say "a spool the other user may read (its group), not write"
rec-archive -q --spool sp
chgrp -R "$gid" sp
chmod 0755 .			# the scratch dir: let the user reach sp/
as_user ls sp/seg >/dev/null || fail "setup: $user cannot read the spool"
[ "$(stat -c %a sp/lock)" = 600 ] || fail "new lock is $(stat -c %a sp/lock)"

say "the reader cannot take (nor even open) the cycle lock"
# flock(1) opens read-only; it exits 66 when it cannot open the file
expect_exit 66 as_user flock -n -E 42 sp/lock true 2>log
expect_grep 'cannot open lock file' log
rec-archive -q --spool sp

say "an old 0640 lock is made 0600 by the next run"
chmod 0640 sp/lock
rec-archive -q --spool sp
[ "$(stat -c %a sp/lock)" = 600 ] || fail "lock left $(stat -c %a sp/lock)"
expect_exit 66 as_user flock -n -E 42 sp/lock true 2>log

say "a group-writable spool (or state) is refused: 77"
chmod g+w sp
expect_exit 77 rec-archive --spool sp 2>log
expect_grep 'unsafe spool sp: writable by its group' log
# rec-capture returns the spool's own code, so recd holds it (77), not
# a restart loop on a "cannot create" (73)
expect_exit 77 rec-capture -D - -r 8000 -c 1 -f S16_LE --spool sp \
	--station t0600 </dev/null 2>log
expect_grep 'unsafe spool sp: writable by its group' log
chmod g-w sp
chmod o+w sp/out
expect_exit 77 rec-archive --spool sp 2>log
expect_grep 'unsafe spool sp/out: writable by others' log
chmod o-w sp/out
rec-archive -q --spool sp

say "a link at the lock is refused, its target untouched"
echo precious >victim
rm sp/lock
ln -s ../victim sp/lock
expect_exit 77 rec-archive --spool sp 2>log
expect_grep 'sp/lock' log
[ "$(cat victim)" = precious ] || fail "the link's target was changed"
[ "$(stat -c %a victim)" = 644 ] || fail "the link's target mode changed"
rm sp/lock
rec-archive -q --spool sp
