# rec-capture: every bad input gets a one-line error and its sysexits
# code (64 usage, 69 device, 73 spool, 78 config); flags beat rec.conf.
. "$REC_TOP/test/lib.sh"

# err_is CODE cmd...: exit CODE with exactly one line on stderr that
# names the program
err_is() {
	local want=$1 rc=0
	shift
	"$@" >out 2>err </dev/null || rc=$?
	[ "$rc" = "$want" ] || { cat err >&2; fail "expected exit $want, got $rc: $*"; }
	[ "$(grep -c . err)" = 1 ] || { cat err >&2; fail "not one line: $*"; }
	grep -q '^rec-capture: error: ' err || { cat err >&2; fail "bad format: $*"; }
}

say "usage and values: 64"
err_is 64 rec-capture --no-such-flag
err_is 64 rec-capture -r abc
expect_grep "bad --rate 'abc'" err
err_is 64 rec-capture -r 0
err_is 64 rec-capture -r 1000000
err_is 64 rec-capture -c 0
err_is 64 rec-capture -c 33
err_is 64 rec-capture -f U8
err_is 64 rec-capture -d 5x
err_is 64 rec-capture -t 0
err_is 64 rec-capture -t 1ms -r 100
err_is 64 rec-capture -t 30h -c 2
err_is 64 rec-capture --buffer nope
err_is 64 rec-capture --station 'a_b'
err_is 64 rec-capture extra-arg
err_is 64 rec-capture -D

say "-h matches the man page SYNOPSIS, -V"
rec-capture -h >help
expect_grep '^usage: rec-capture \[-hqVv\] \[-D device\]' help
rec-capture -V | grep -q '^rec-capture [0-9]'
for f in D r c f d t align buffer spool config station; do
	grep -q -e "-$f\b" -e "--$f\b" help || fail "-h lacks $f"
	grep -q -e "^\.Op Fl $f" -e "^\.Op Fl -$f" -e "Fl $f " \
		"$REC_TOP/man/rec-capture.1" || fail "man SYNOPSIS lacks $f"
done

say "bad config: 78, naming file and line"
printf 'spool = %s\n[capture]\nrate = 48000\nratee = 1\n' "$PWD/sp" >bad.conf
err_is 78 rec-capture --config bad.conf -D -
expect_grep 'bad.conf:4' err
printf '[capture]\nchannels = many\n' >bad2.conf
err_is 78 rec-capture --config bad2.conf -D -
expect_grep "bad2.conf:2: bad channels 'many'" err
printf '[capture]\nalign = perhaps\n' >bad3.conf
REC_CONFIG=$PWD/bad3.conf err_is 78 rec-capture -D -
expect_grep 'bad3.conf:2' err
printf '[capture\n' >bad4.conf
err_is 78 rec-capture --config bad4.conf -D -
printf 'station = no_underscore\n' >bad5.conf
err_is 78 rec-capture --config bad5.conf -D -
printf 'latitude = 95\nlongitude = 13\n' >bad7.conf
err_is 78 rec-capture --config bad7.conf -D -
expect_grep "bad7.conf:1: bad latitude '95'" err
printf 'longitude = 13.4\n' >bad8.conf
err_is 78 rec-capture --config bad8.conf -D -
expect_grep "bad8.conf:1: longitude without latitude" err
say "a flag wins over a bad value in the file"
printf '[capture]\nrate = nope\n' >bad6.conf
rec-capture --config bad6.conf -r 8000 -D - --spool sp --station s1 \
	</dev/null 2>err || { cat err; fail "flag did not win"; }

say "unknown device: 69"
err_is 69 rec-capture -D no_such_pcm --spool sp --station s1
say "unwritable spool: 73"
: >afile
err_is 73 rec-capture -D - --spool afile/spool --station s1
err_is 73 env REC_SPOOL=$PWD/afile rec-capture -D -

say "good settings from the file; REC_SPOOL and flags"
printf 'spool = %s/fromconf\nstation = confst\n[capture]\nrate = 8000\nsegment = 1\nformat = S24_3LE\nchannels = 3\n' "$PWD" >good.conf
head -c 108000 /dev/urandom >in.raw	# 1.5 s at 8 kHz, 3 x 24 bits
rec-capture --config good.conf -D - -q <in.raw
ls fromconf/seg >names
[ "$(wc -l <names)" = 2 ] || fail "want 2 segments: $(cat names)"
grep -q '_confst\.wav$' names || fail "station from the file"
wavdump -p fromconf/seg/*.wav | cmp - in.raw
wavdump -i fromconf/seg/*.wav | head -1 | grep -q 'rate=8000 channels=3 format=S24_3LE'
[ -z "$(wavdump -g fromconf/seg/*.wav | grep '^Loc ')" ] ||
	fail "a place written without one in rec.conf"
say "the station's place goes into GUANO's standard Loc keys"
{ printf 'latitude = -33.8568\nlongitude = 151.2153\nelevation = 12.5\n'
  cat good.conf; } | sed "s|/fromconf|/placed|" >placed.conf
rec-capture --config placed.conf -D - -q <in.raw
for f in placed/seg/*.wav; do
	wavdump -g "$f" >g.txt
	expect_grep '^Loc Position: -33.856800 151.215300$' g.txt
	expect_grep '^Loc Elevation: 12.5$' g.txt
done
REC_SPOOL=$PWD/envsp rec-capture --config good.conf -D - -q <in.raw
[ -n "$(ls envsp/seg)" ] || fail "REC_SPOOL not honoured"
rec-capture --config good.conf --spool flagsp -D - -q <in.raw
[ -n "$(ls flagsp/seg)" ] || fail "--spool not honoured"
say "two captures of one station in one spool: the second is refused"
mkfifo slow
# exec: the holder is the sleep itself, so killing it closes the FIFO
( exec 3>slow; exec sleep 120 ) & holder=$!
rec-capture -D - --spool lk --station one -r 8000 <slow 2>first.err & first=$!
# "recording" is logged once it holds the lock
wait_until 60 grep -q recording first.err
rc=0; rec-capture -D - --spool lk --station one -r 8000 </dev/null 2>second.err || rc=$?
kill "$holder" 2>/dev/null || true
wait "$first" || fail "first capture failed: $(cat first.err)"
[ "$rc" = 75 ] || { cat second.err; fail "second capture: exit $rc"; }
expect_grep 'another rec-capture records station one' second.err
