# rec-find against RGW, on archives made by the real pipeline (see
# test/lib-find.sh: two stations over three days, WAV, FLAC, zstd and an
# age-encrypted archive, a gap between archives, a loss inside one and a
# segment missing in another): the listing and the summary per day; only
# the date prefixes of the range are listed (never the whole bucket), in
# pages with continuation tokens; --gaps reads the manifests from ranged
# GETs of the first bytes (through age with --identity) and reports the
# exact losses mkseg made and the segments whose clock was not synced;
# --json; the forms of TIME (--timezone, now-2h with the test hook
# REC_TEST_NOW); exit codes 64, 66, 69, 77.
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"
. "$REC_TOP/test/lib-find.sh"
FAULTPROXY_LOG_HEADERS=Range
export FAULTPROXY_LOG_HEADERS
find_fixture
F="rec-find --config find.conf"

say "the archives of 2026-11-28 and 29, all stations"
$F --from 2026-11-28 --to 2026-11-29 >out 2>err || { cat err; fail "rec-find"; }
cat out
expect_grep "^range 2026-11-28T00:00:00.000Z 2026-11-30T00:00:00.000Z$" out
expect_grep "^station stA$" out
expect_grep "^station stB$" out
expect_grep "^  archive 2026-11-27T23:59:00.000Z 2026-11-28T00:01:00.000Z [0-9]* - none plain $A1$" out
expect_grep "^  archive 2026-11-28T00:01:00.000Z 2026-11-28T00:03:01.000Z [0-9]* - none plain $A2$" out
expect_grep "^  archive 2026-11-28T00:10:00.000Z 2026-11-28T00:12:00.000Z [0-9]* - zstd encrypted $A3$" out
expect_grep "^  archive 2026-11-29T12:00:00.000Z 2026-11-29T12:02:00.000Z [0-9]* - zstd plain $B1$" out
expect_grep "^  archive 2026-11-29T12:10:00.000Z 2026-11-29T12:11:00.000Z [0-9]* - gzip plain $B2$" out
grep -q "$A4" out && fail "an archive outside the range"
grep -q 'misc_files\|notes' out && fail "a folder or key that is no station or archive"
[ "$(grep -c '^  archive' out)" = 5 ] || fail "not 5 archives"
size=$(grep "^  archive .*$A1" out | cut -d' ' -f6)
# bytes as the store has them
aws_size=$($S3/aws srv s3api head-object --bucket arc --key "stA/2026/11/27/$A1" \
	--query ContentLength --output text) || fail "aws head-object"
[ "$size" = "$aws_size" ] || fail "bytes $size, store $aws_size"
# per day: recorded (A1's minute after midnight, A2, A3), the gap
expect_grep "^  day 2026-11-28 recorded 5m01.000s gaps 1 6m59.000s$" out
expect_grep "^    gap 2026-11-28T00:03:01.000Z 2026-11-28T00:10:00.000Z 6m59.000s between archives$" out
expect_grep "^  day 2026-11-29 recorded 0.000s gaps 0 0.000s$" out
expect_grep "^  day 2026-11-29 recorded 3m00.000s gaps 1 8m00.000s$" out

say "only the date prefixes of the range were listed"
# (the proxy's log: "SECS N GET /arc?... -> forward 200")
grep -ao 'GET /arc?[^ ]*' px/proxy.log | grep 'list-type=2' >lists
cat lists
# the stations (the bucket's first level, with a delimiter), then each
# station's days: the day before the range (an archive may cross
# midnight) and the range's two
[ "$(wc -l <lists)" = 7 ] || fail "not 7 listings"
[ "$(grep -c 'delimiter=%2F' lists)" = 1 ] || fail "not one station listing"
for st in stA stB; do
	for d in 27 28 29; do
		[ "$(grep -c "prefix=$st%2F2026%2F11%2F$d%2F" lists)" = 1 ] ||
			fail "$st day $d not listed once"
	done
done
grep -E 'prefix=st[AB](&|$)|prefix=st[AB]%2F(&|$)|2026%2F12' lists &&
	fail "listed more than the range"
grep -v 'delimiter' lists | grep -E 'prefix=(&|$)' && fail "the whole bucket listed"

say "--station: no station listing; pages of one key with continuation tokens"
: >px/proxy.log
REC_TEST_MAX_KEYS=1 $F --station stA --from 2026-11-28 --to 2026-11-29 >out1 ||
	fail "rec-find --station"
grep -v stB out >want1
sed -n '/^station stB/q;p' out >want1
cmp want1 out1 || { diff want1 out1; fail "--station stA or pages differ"; }
grep -ao 'GET /arc?[^ ]*' px/proxy.log | grep 'list-type=2' >lists
grep -q delimiter lists && fail "stations listed although given"
grep -q 'continuation-token=' lists || fail "no continuation token: $(cat lists)"
grep -q 'stB' lists && fail "stB listed"

say "--gaps: manifests from the first bytes, exact losses"
: >px/proxy.log
$F -v --gaps --identity id --from 2026-11-28 --to 2026-11-29 >gout 2>glog ||
	{ cat glog; fail "rec-find --gaps"; }
cat gout
expect_grep "^  archive .* wav none plain $A1$" gout
expect_grep "^  archive .* flac none plain $A2$" gout
expect_grep "^  archive .* wav zstd encrypted $A3$" gout
expect_grep "^  archive .* wav zstd plain $B1$" gout
expect_grep "^  archive .* wav gzip plain $B2$" gout
expect_grep "^    segments 2 lost 0 frames$" gout
expect_grep "^    segments 4 lost 8000 frames clock unsynced 1$" gout
expect_grep "^    segments 3 lost 0 frames$" gout
expect_grep "^  day 2026-11-28 recorded 4m30.000s gaps 1 6m59.000s lost 2 31.000s$" gout
expect_grep "^    lost 2026-11-28T00:01:31.500Z 2026-11-28T00:01:32.500Z 1.000s 8000 frames in $A2$" gout
expect_grep "^    lost 2026-11-28T00:11:00.000Z 2026-11-28T00:11:30.000Z 30.000s between segments in $A3$" gout
# ranged GETs only, each far smaller than its archive
grep -a 'GET /arc/' px/proxy.log >gets
[ "$(grep -ci ' header range: bytes=0-262143' gets)" = 5 ] ||
	{ cat gets; fail "not 5 ranged GETs of 256 KiB"; }
expect_grep "manifest from its first 262144 of 1929216 bytes" glog

say "--gaps without the identity: the encrypted manifest is unreadable, the rest is there"
$F --gaps --from 2026-11-28T00:10 --to 2026-11-28T00:11 >nout 2>nlog ||
	fail "rec-find --gaps without identity"
expect_grep "$A3: cannot read its manifest: encrypted" nlog
expect_grep "manifest unreadable" nout

say "--json"
$F --json --gaps --identity id --from 2026-11-28 --to 2026-11-29 >j.json ||
	fail "rec-find --json"
python3 - "$A1" "$A2" "$A3" "$B1" "$B2" <<'PY' || fail "--json"
import json, sys
a1, a2, a3, b1, b2 = sys.argv[1:]
d = json.load(open("j.json"))
assert d["from"] == "2026-11-28T00:00:00.000Z" and d["to"] == "2026-11-30T00:00:00.000Z", d
st = {s["station"]: s for s in d["stations"]}
assert sorted(st) == ["stA", "stB"], st.keys()
arcs = {a["name"]: a for a in st["stA"]["archives"]}
assert sorted(arcs) == sorted([a1, a2, a3]), arcs.keys()
assert arcs[a2]["codec"] == "flac" and arcs[a2]["lost_frames"] == 8000
assert arcs[a2]["clock_unsynced"] == 1 and arcs[a1]["clock_unsynced"] == 0
assert arcs[a3]["encrypted"] is True and arcs[a3]["compress"] == "zstd"
assert arcs[a3]["lost_seconds"] == 30.0
assert arcs[a1]["key"] == "stA/2026/11/27/" + a1
assert arcs[a1]["rec_get"] == "rec-get --station stA --from 2026-11-27T23:59:00.000Z --to 2026-11-28T00:01:00.000Z"
days = {x["day"]: x for x in st["stA"]["days"]}
d28 = days["2026-11-28"]
assert d28["recorded_seconds"] == 270.0 and d28["gap_seconds"] == 419.0 and d28["lost_seconds"] == 31.0, d28
kinds = [s["kind"] for s in d28["spans"]]
assert kinds.count("gap") == 1 and kinds.count("lost") == 2 and kinds.count("recorded") == 3, kinds
b29 = st["stB"]["days"][1]
assert b29["recorded_seconds"] == 180.0 and b29["gap_seconds"] == 480.0 and b29["gaps"] == 1, b29
assert [a["name"] for a in st["stB"]["archives"]] == [b1, b2]
assert st["stB"]["archives"][1]["compress"] == "gzip" and st["stB"]["archives"][1]["segments"] == 2
print("json ok")
PY

say "TIME: minutes, fractions, --timezone, now-2h"
$F --from 2026-11-28T00:05 --to 2026-11-28T00:11:30.5Z >t1 || fail "minutes"
[ "$(grep -c '^  archive' t1)" = 1 ] && expect_grep "$A3" t1
$F --timezone Europe/Berlin --from 2026-11-28T01:05 --to 2026-11-28T01:11:30.5 >t2 ||
	fail "--timezone"
cmp t1 t2 || { diff t1 t2; fail "local time differs"; }
REC_TEST_NOW=2026-11-29T13:00:00Z $F --from now-2h >t3 || fail "now-2h"
expect_grep "^range 2026-11-29T11:00:00.000Z 2026-11-29T13:00:00.000Z$" t3
[ "$(grep -c '^  archive' t3)" = 2 ] && expect_grep "$B1" t3 && expect_grep "$B2" t3
expect_exit 64 $F --timezone Europe/Berlin --from 2026-03-29T02:30
expect_exit 64 $F --timezone Nowhere/City --from 2026-11-28
expect_exit 64 $F --from 2026-11-28T25:00

say "lib/s3 itself (test/helpers/s3get): GET whole, ranged, to a file; list; presign"
(
	. srv/env
	export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	G="s3get $S3_ENDPOINT arc"
	k1=stA/2026/11/27/$A1
	$G list "" / >l.txt || fail "list /"
	[ "$(cat l.txt)" = "$(printf 'pre misc_files/\npre stA/\npre stB/')" ] || fail "prefixes: $(cat l.txt)"
	REC_TEST_MAX_KEYS=2 $G list stA/ >l2.txt || fail "list stA/"
	[ "$(grep -c '^obj ' l2.txt)" = 5 ] || fail "stA's objects: $(cat l2.txt)"
	etag=$(grep "^obj $k1 " l2.txt | cut -d' ' -f4)
	size=$(grep "^obj $k1 " l2.txt | cut -d' ' -f3)
	$G getfd "$k1" 0 0 whole.tar >n.txt || fail "getfd"
	[ "$(cat n.txt)" = "$size" ] && [ "$(stat -c %s whole.tar)" = "$size" ] ||
		fail "getfd: $(cat n.txt) bytes"
	[ "$(md5sum <whole.tar | cut -d' ' -f1)" = "$etag" ] || fail "getfd: not the object"
	$G get "$k1" 1000 5000 5000 >part || fail "ranged get"
	dd if=whole.tar bs=1000 skip=1 count=5 status=none | cmp - part || fail "the range differs"
	$G get "$k1" 0 0 $size | cmp - whole.tar || fail "get whole"
	printf 'kept' >app.bin	# getfd writes at the file's offset
	$G getfd "$k1" $((size - 10)) 0 app.bin >/dev/null || fail "getfd tail"
	{ printf 'kept'; tail -c 10 whole.tar; } | cmp - app.bin || fail "getfd appended wrong"
	expect_exit 76 $G get "$k1" 0 0 1000		# longer than the cap
	expect_exit 66 $G get stA/nope 0 100 100	# no such key
	expect_exit 66 $G getfd stA/nope 0 0 nope.bin
	url=$($G presign "$k1" 60) || fail "presign"
	curl -sf "$url" | cmp - whole.tar || fail "presigned GET"
) || exit 1

say "exit codes: 64 --to before --from, 66 nothing, 69 store down, 77 denied"
expect_exit 64 $F --from 2026-11-29 --to 2026-11-28
expect_exit 64 $F --from 2026-11-28T10:00 --to 2026-11-28T09:00
expect_exit 66 $F --from 2026-11-20 --to 2026-11-21 >e66 2>l66
expect_grep "no archives between 2026-11-20T00:00:00.000Z and 2026-11-22T00:00:00.000Z" l66
# and the nearest ones, from a few listings by delimiter
expect_grep "stA: the nearest archive after the range starts 2026-11-27T23:59:00.000Z: stA/2026/11/27/$A1$" l66
expect_grep "stB: the nearest archive after the range starts 2026-11-29T12:00:00.000Z: stB/2026/11/29/$B1$" l66
grep -q 'before the range' l66 && fail "an archive before 2026-11-20?"
: >px/proxy.log
expect_exit 66 $F --station stA --from 2026-11-28T12:00 --to 2026-12-04 2>l66b
expect_grep "stA: the nearest archive before the range starts 2026-11-28T00:10:00.000Z: stA/2026/11/28/$A3$" l66b
expect_grep "stA: the nearest archive after the range starts 2026-12-05T00:00:00.000Z: stA/2026/12/05/$A4$" l66b
[ "$(grep -ao 'GET /arc?[^ ]*' px/proxy.log | grep -c 'list-type=2')" -le 24 ] ||
	fail "too many listings for the nearest archives"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
expect_exit 69 timeout 60 $F --endpoint http://127.0.0.1:$port --from 2026-11-28 >e69 2>l69
expect_grep "the store does not answer" l69
sed 's/^\(aws_secret_access_key = \).*/\1wrongwrongwrong/' creds >bad.creds
chmod 600 bad.creds
sed "s|$PWD/creds|$PWD/bad.creds|" find.conf >bad.conf
expect_exit 77 rec-find --config bad.conf --from 2026-11-28
say "bad flags 64, a bad rec.conf value 78 with FILE:LINE"
expect_exit 64 $F --addressing sideways --from 2026-11-28
expect_exit 64 $F --presign 8d --from 2026-11-28
expect_exit 64 $F --presign soon --from 2026-11-28
expect_exit 64 $F --station ../x --from 2026-11-28
expect_exit 64 $F --from 2026-11-28 extra
{ cat find.conf; echo 'max-tries = many'; } >bad2.conf
expect_exit 78 rec-find --config bad2.conf --from 2026-11-28 2>err78
expect_grep "bad2.conf:[0-9]*: bad max-tries 'many'" err78
say "rec-find ok"
