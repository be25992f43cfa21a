# A segment that lost frames thousands of times: its gap journal is far
# over 8 KiB, and recovery after a crash keeps every gap within the
# recovered frames (REC|Gaps, REC|Lost Frames); recd counts every one of
# them as an overrun (no fixed-size buffer reads REC|Gaps: lib/segmeta).
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"

jget() {	# jget EXPR: a value from rec-status --json (python syntax on j)
	rec-status --spool spool --json 2>/dev/null |
		python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"
}

say "a segment cut off by a crash, with a 2600-gap journal"
pacer -r 8000 -c 1 -f S16_LE -d 1 --seed 3 -n |
	rec-capture -D - -r 8000 -c 1 -t 100 --spool src --station t0114 2>src.err ||
	{ cat src.err; fail "rec-capture failed"; }
set -- src/seg/*.wav
[ $# = 1 ] || fail "want one segment, got $#"
wavdump -p "$1" >src.pcm
mkdir -p sp1/tmp spool/tmp
# the state a kill -9 leaves: the first chunk still "guan", no final
# chunk, the sizes never set; the journal's gaps at every third frame,
# one more past the end (dropped)
python3 - "$1" sp1/tmp >want <<'EOT'
import os, shutil, struct, sys
src, tmp = sys.argv[1:3]
b = bytearray(open(src, "rb").read())
off, junk, data = 12, None, None
while off + 8 <= len(b):
    cid, ln = bytes(b[off:off + 4]), struct.unpack("<I", b[off + 4:off + 8])[0]
    if cid == b"JUNK" and junk is None:
        junk = off
    if cid == b"data":
        data = off
        break
    off += 8 + ln + (ln & 1)
dl = struct.unpack("<I", b[data + 4:data + 8])[0]
b = b[:data + 8 + dl]
b[data + 4:data + 8] = b"\xff\xff\xff\xff"
b[4:8] = b"\0\0\0\0"
b[junk:junk + 4] = b"guan"
name = os.path.basename(src)
open(os.path.join(tmp, name), "wb").write(b)
gaps = ["%d+%d" % (3 * i, 1 + i % 7) for i in range(2600)]
journal = ",".join(gaps + ["99999+5"])
assert len(journal) > 8 * 1024
open(os.path.join(tmp, name + ".gaps"), "w").write(journal)
print(",".join(gaps), sum(1 + i % 7 for i in range(2600)))
EOT
read -r want_gaps want_lost <want
name=$(basename "$1")
cp sp1/tmp/* spool/tmp/
say "journal: $(wc -c <"sp1/tmp/$name.gaps") bytes, $want_lost frames lost"

say "recovery keeps every gap"
rec-capture -D - -r 8000 -c 1 -t 100 --spool sp1 --station t0114 </dev/null 2>rec.err ||
	{ cat rec.err; fail "the restart failed"; }
expect_grep 'recovered' rec.err
wavdump -p "sp1/seg/$name" | cmp -s - src.pcm || fail "PCM differs"
wavdump -g "sp1/seg/$name" >g.txt
expect_grep '^REC|Recovered: true$' g.txt
[ "$(sed -n 's/^REC|Gaps: //p' g.txt)" = "$want_gaps" ] ||
	fail "REC|Gaps is not the journal's ($(sed -n 's/^REC|Gaps: //p' g.txt | wc -c) bytes)"
expect_grep "^REC|Lost Frames: $want_lost\$" g.txt
[ -z "$(ls sp1/tmp | grep -v '^\.')" ] || fail "left in tmp/: $(ls sp1/tmp)"

say "recd counts every gap"
cat >rec.conf <<'EOF'
spool = spool
station = t0114
[capture]
device = -
rate = 8000
channels = 1
format = S16_LE
segment = 100s
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
wait_until 30 test -f "spool/seg/$name"
wait_until 30 eval '[ "$(jget "j[\"capture\"][\"lost_frames\"]")" = $want_lost ]'
[ "$(jget 'j["capture"]["overruns"]')" = 2600 ] ||
	fail "2600 gaps are $(jget 'j["capture"]["overruns"]') overruns"
expect_grep "$name: $want_lost frames lost" recd.log
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
trap - EXIT
exec 3>&-
[ "$rc" = 0 ] || { cat recd.log; fail "recd exited $rc on SIGTERM"; }
