# A power cut while a segment is being finished: wav_finish syncs the
# data size, then the final GUANO chunk, then sets the RIFF size and
# turns the first guan chunk into JUNK. Whatever subset of those writes
# reached the disk (the header updated or not, in part; the GUANO tail
# absent, cut, zeroed or complete; the data size stale), recovery
# publishes a valid WAV whose PCM is the original audio exactly, with no
# GUANO text counted as PCM, the start-of-segment metadata and the gaps
# of the journal kept, and nothing that holds audio quarantined. A
# segment whose final chunk was complete is published byte for byte as
# it would have been.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"

say "wav_finish syncs the data size, then the tail, before the rename"
pacer -r 8000 -c 1 -d 2.5 --seed 5 -n >a.raw
REC_FAULT_LOG=$PWD/sync.log faulty rec-capture -D - -r 8000 -c 1 -t 1 \
	--spool spl --station s <a.raw
for f in spl/seg/*.wav; do
	b=$(basename "$f")
	grep -F "$b" sync.log | sed 's/ .*//' | tr '\n' ' ' >order
	[ "$(cat order)" = "fdatasync fdatasync fsync rename " ] ||
		{ cat sync.log; fail "$b: order of syncs: $(cat order)"; }
done

# cut FMT RATE SECONDS: a finished segment in the formats' corners (S16
# stereo; S24 mono with an odd number of frames, so a pad byte)
cut() {
	local fmt=$1 rate=$2 dur=$3 ch=$4 dir=sp-$1
	say "$fmt, $ch channel(s): every state a power cut can leave"
	pacer -r "$rate" -c "$ch" -f "$fmt" -d "$dur" --seed 9 -n |
		rec-capture -D - -r "$rate" -c "$ch" -f "$fmt" -t 100 \
		--spool "src-$fmt" --station s
	set -- "src-$fmt"/seg/*.wav
	[ $# = 1 ] || fail "want one segment"
	wavdump -p "$1" >"$fmt.pcm"
	mkdir -p "$dir/tmp"
	python3 - "$1" "$dir/tmp" "$fmt" <<'EOT' >"$fmt.states"
import os, struct, sys
src, tmp, fmt = sys.argv[1:4]
b = open(src, "rb").read()
# walk the chunks: the start-of-segment JUNK, the data, the final guan
off, junk, data = 12, None, None
while off + 8 <= len(b):
    cid, ln = b[off:off + 4], struct.unpack("<I", b[off + 4:off + 8])[0]
    if cid == b"JUNK" and junk is None:
        junk = off
    if cid == b"data":
        data = off
        break
    off += 8 + ln + (ln & 1)
dl = struct.unpack("<I", b[data + 4:data + 8])[0]
pcm_end = data + 8 + dl
body = b[:pcm_end]
# the final text, with a gap the journal also holds
g = b[pcm_end + (dl & 1) + 8:].rstrip(b"\0").decode()
lines = [l for l in g.splitlines() if not l.startswith(("REC|Gaps", "REC|Lost"))]
text = ("\n".join(lines) + "\nREC|Gaps: 10+5\nREC|Lost Frames: 5\n").encode()
tail = b"\0" * (dl & 1) + b"guan" + struct.pack("<I", len(text)) + text + \
    b"\0" * (len(text) & 1)

def header(b, size, riff, isjunk):
    b = bytearray(b)
    b[data + 4:data + 8] = size
    b[4:8] = riff
    b[junk:junk + 4] = b"JUNK" if isjunk else b"guan"
    return b

new_size = struct.pack("<I", dl)
final = bytes(header(body, new_size, struct.pack("<I", len(body) + len(tail) - 8),
                     True)) + tail
open("final-" + fmt + ".wav", "wb").write(final)
tails = {
    "absent": b"",
    "cut": tail[:len(tail) // 2],
    "zeroed": b"\0" * len(tail),
    # its first page written, the rest not (reads as zeros)
    "page": tail[:len(tail) // 3] + b"\0" * (len(tail) - len(tail) // 3),
    "complete": tail,
}
sizes = {
    "stale": b"\xff\xff\xff\xff",
    "torn": new_size[:2] + b"\xff\xff",
    "set": new_size,
}
n = 0
for sz, sv in sizes.items():
    for tn, tv in tails.items():
        # a stale data size with a tail that is not complete cannot
        # happen: the size is synced before the tail is written
        if sz != "set" and tn not in ("absent", "complete"):
            continue
        for riff in (0, 1):
            for isjunk in (0, 1):
                n += 1
                f = header(body, sv, struct.pack("<I", len(body) + len(tail) - 8
                               if riff else 0), isjunk) + tv
                name = "20260101T0000%02d.000Z_s.wav" % n
                open(tmp + "/" + name, "wb").write(f)
                open(tmp + "/" + name + ".gaps", "w").write("10+5")
                print(name, sz, tn, "riff" if riff else "-", "junk" if isjunk else "guan")
EOT
	rec-capture -D - -r "$rate" -c "$ch" -f "$fmt" --spool "$dir" \
		--station s </dev/null 2>"$fmt.err" ||
		{ cat "$fmt.err"; fail "$fmt: recovery failed"; }
	[ -z "$(ls "$dir/corrupt")" ] ||
		{ cat "$fmt.err"; fail "$fmt: quarantined: $(ls "$dir/corrupt")"; }
	[ -z "$(ls "$dir/tmp" | grep -v '^\.')" ] || fail "$fmt: left in tmp/: $(ls "$dir/tmp")"
	while read -r name sz tn riff junk; do
		st="$fmt $sz size, $tn tail, $riff, $junk"
		f=$dir/seg/$name
		[ -f "$f" ] || { cat "$fmt.err"; fail "$st: not published"; }
		wavdump -p "$f" | cmp -s - "$fmt.pcm" || fail "$st: PCM differs"
		wavdump -i "$f" | grep -q 'finished=1$' || fail "$st: not finished"
		fr=$(wavdump -i "$f" | sed 's/^frames=\([0-9]*\).*/\1/')
		[ "$(soxi -s "$f")" = "$fr" ] || fail "$st: sox reads $(soxi -s "$f") frames, want $fr"
		wavdump -g "$f" >g.txt
		[ "$(grep -c '^GUANO|Version' g.txt)" = 1 ] || fail "$st: GUANO"
		for k in 'REC|Station: s' 'REC|Run: ' 'Timestamp: ' 'REC|Gaps: 10+5' \
			'REC|Lost Frames: 5' "REC|Frames: $fr"; do
			grep -q "^$k" g.txt || { cat g.txt; fail "$st: no '$k'"; }
		done
		python3 - "$f" <<'EOT' || fail "$st: chunks"
import struct, sys
b = open(sys.argv[1], "rb").read()
assert struct.unpack("<I", b[4:8])[0] + 8 == len(b), "RIFF size"
off, ids = 12, []
while off + 8 <= len(b):
    ln = struct.unpack("<I", b[off + 4:off + 8])[0]
    ids.append(b[off:off + 4].decode())
    off += 8 + ln + (ln & 1)
assert off == len(b), "chunks do not end the file"
assert ids.count("guan") == 1 and ids[-1] == "guan", ids
EOT
		if [ "$tn" = complete ]; then
			cmp "$f" "final-$fmt.wav" || fail "$st: not the file it would have been"
		else
			grep -q '^REC|Recovered: true' g.txt || fail "$st: not marked recovered"
		fi
	done <"$fmt.states"
	say "$fmt: $(wc -l <"$fmt.states") states recovered"
}

cut S16_LE 8000 1.5 2
cut S24_3LE 7999 1 1
