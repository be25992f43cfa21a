# A USB microphone not there yet at boot, under recd (test/shim/alsagone:
# snd_pcm_open fails with -ENODEV until a flag file exists): rec-capture
# does not exit 69; it says so in one line, keeps trying quietly about
# once a second, and the status shows "device lost since T" (rec-status,
# text and --json). recd spends no restart on it. When the device appears
# capture records, from the device's first frame, with no gap.
# A name no ALSA configuration knows still fails at once (0100: exit 69).
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/data/asoundrc.sh"

key() { wavdump -g "$2" | sed -n "s/^$1: //p"; }
jget() {
	rec-status --spool spool --json 2>/dev/null |
		python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"
}
cap_pid() { jget 'j["children"]["rec-capture"]["pid"]'; }
lost_since() { jget 'j["capture"]["device_lost"]' 2>/dev/null; }
is_lost() {
	lost_since | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z$'
}
not_lost() { [ "$(lost_since)" = None ]; }
opens_gone() { [ "$(grep -c 'open gone' shim.log 2>/dev/null)" -ge "$1" ]; }
have_seg() { [ -n "$(ls spool/seg)" ]; }

pacer -r 8000 -c 1 -f S16_LE -d 2 --seed 3 -n >src.raw
asoundrc_file src "$PWD/src.raw"
cat >rec.conf <<EOC
spool = spool
station = t0116
[capture]
device = src
rate = 8000
channels = 1
segment = 1s
[archive]
min-count = 1000
[recd]
interval = 1s
EOC
REC_ALSAGONE_FLAG=$PWD/flag REC_ALSAGONE_LOG=$PWD/shim.log \
LD_PRELOAD="$REC_BUILD/test/shim/alsagone.so${LD_PRELOAD:+:$LD_PRELOAD}" \
	recd -v --config rec.conf 2>recd.log &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true' EXIT

say "absent: capture waits, the status says since when"
wait_until 30 is_lost
rec-status --spool spool >st.txt
expect_grep '^audio       device lost since [0-9-]* [0-9:]* UTC (' st.txt
p1=$(cap_pid)
[ "$p1" != 0 ] && kill -0 "$p1" || fail "rec-capture is not running"
wait_until 30 opens_gone 3	# it keeps trying ...
[ "$(grep -c 'rec-capture: warning: audio device src is not there (No such device): waiting for it$' recd.log)" = 1 ] ||
	{ cat recd.log; fail "want one 'not there' line"; }
! grep -q 'rec-capture: error' recd.log || { cat recd.log; fail "an error"; }
[ "$(jget 'j["children"]["rec-capture"]["restarts"]')" = 0 ] ||
	fail "a restart was spent"

say "the device appears: recording from its first frame"
: >flag
wait_until 30 have_seg
wait_until 30 not_lost
rec-status --spool spool >st.txt
! grep -q 'device lost' st.txt || fail "still lost: $(cat st.txt)"
[ "$(cap_pid)" = "$p1" ] || fail "rec-capture was restarted"
[ "$(jget 'j["children"]["rec-capture"]["restarts"]')" = 0 ] ||
	fail "a restart was spent"
expect_grep 'rec-capture: info: audio device src is there after [0-9.]* s$' recd.log
set -- spool/seg/*.wav
[ "$(key 'REC|First Frame' "$1")" = 0 ] || fail "first frame"
[ -z "$(key 'REC|Gaps' "$1")" ] || fail "a gap at the start"
wavdump -p "$1" | cmp - <(head -c 16000 src.raw) || fail "not the device's audio"

kill -TERM "$pid"
wait "$pid"
trap - EXIT
