# recd(8): [upload] window = HH:MM-HH:MM runs rec-upload only inside the
# window, and while-recording = no not while capture runs; archiving goes
# on either way. A capture from a paced source makes an archive a second;
# with the window elsewhere in the day (or while-recording = no) no
# rec-upload runs although out/ fills; with a window around now it does
# (it has no bucket here: its "no bucket" error is the proof it ran).
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"

now=$(date +%s)
hm() { date -u -d "@$1" +%H:%M; }
# run NAME UPLOAD-LINES...: recd until out/ holds two archives
run() {
	local name=$1 pid rc=0
	shift
	mkdir "$name"
	{
		cat <<EOF2
spool = $PWD/$name/spool
station = t0463
[capture]
device = -
rate = 8000
segment = 1s
[archive]
min-count = 1
[recd]
interval = 1s
[upload]
EOF2
		printf '%s\n' "$@"
	} >"$name/rec.conf"
	: >"$name/recd.log"
	pacer -r 8000 -c 1 -f S16_LE -d 60 --seed 463 2>/dev/null |
		recd -v --config "$name/rec.conf" 2>"$name/recd.log" &
	pid=$!
	two() { [ "$(ls "$name/spool/out" 2>/dev/null | grep -c '\.tar$')" -ge 2 ]; }
	wait_until 30 two || { cat "$name/recd.log" >&2; fail "$name: no archives"; }
	# one more cycle after the second archive
	wait_until 30 grep -q 'archives wait\|rec-upload' "$name/recd.log" ||
		{ cat "$name/recd.log" >&2; fail "$name: no upload decision"; }
	kill -TERM $pid
	wait $pid || rc=$?
	[ "$rc" = 0 ] || { cat "$name/recd.log" >&2; fail "$name: recd exited $rc"; }
}

say "a window elsewhere in the day: archives wait"
run a "window = $(hm $((now + 7200)))-$(hm $((now + 10800)))"
expect_grep 'archives wait: outside the upload window' a/recd.log
if grep -q 'rec-upload' a/recd.log; then cat a/recd.log >&2; fail "uploaded outside the window"; fi

say "while-recording = no: archives wait while capture runs"
run b "while-recording = no"
expect_grep 'archives wait: capture runs (while-recording = no)' b/recd.log
if grep -q 'rec-upload' b/recd.log; then cat b/recd.log >&2; fail "uploaded while recording"; fi

say "a window around now: rec-upload runs"
run c "window = $(hm $((now - 3600)))-$(hm $((now + 3600)))" "window = 00:00-00:01"
expect_grep 'rec-upload: error: no bucket' c/recd.log

say "a bad window: 78 with its line"
printf '[upload]\nwindow = 5-9\n' >d.conf
expect_exit 78 recd --config d.conf --spool d 2>d.err
expect_grep "d.conf:2: bad window '5-9'" d.err
