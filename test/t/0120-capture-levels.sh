# rec-capture measures every channel of every segment (REC|Level keys of
# its GUANO, man/rec-spool.5): peak, RMS and DC agree with sox's `stats`
# within 0.1 dB (0.0001 of full scale for DC), clipped samples and flat
# channels with a count made in Python, and a 50 Hz tone reads as hum.
# Corpora: 16-bit stereo (one channel dead at a constant value, one
# clipping), 24-bit 3 channels (hum, DC, a quiet tone), 32-bit mono.
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/data/asoundrc.sh"

key() { wavdump -g "$2" | sed -n "s/^REC|Level $1: //p"; }

# gen NAME RATE FMT SECONDS CHANNEL-EXPR...: raw PCM from Python
gen() {
	python3 - "$@" <<'EOT'
import sys, math, struct, random
name, rate, fmt, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
fns = [eval("lambda t: " + e, {"math": math, "random": random})
       for e in sys.argv[5:]]
bits = {"S16_LE": 16, "S24_3LE": 24, "S32_LE": 32}[fmt]
fs = 2 ** (bits - 1)
random.seed(7)
out = bytearray()
for i in range(int(secs * rate)):
    t = i / rate
    for fn in fns:
        v = fn(t)
        x = max(-fs, min(fs - 1, int(round(v * fs))))
        out += x.to_bytes(4, "little", signed=True)[: bits // 8]
open(name, "wb").write(out)
EOT
}

# clipflat FILE CH FMT: "clipped flat" of one channel of a raw file
clipflat() {
	python3 - "$@" <<'EOT'
import sys
raw, ch, nch, fmt = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
b = {"S16_LE": 2, "S24_3LE": 3, "S32_LE": 4}[fmt]
fs = 2 ** (8 * b - 1)
d = open(raw, "rb").read()
if b == 3:
    xs = [int.from_bytes(d[i:i + 3], "little", signed=True)
          for i in range(ch * 3, len(d), nch * 3)]
else:
    import array
    a = array.array("h" if b == 2 else "i", d)
    xs = a[ch::nch]
print(sum(1 for x in xs if x == fs - 1 or x == -fs),
      "true" if len(set(xs)) == 1 else "false")
EOT
}

# near A B TOL: |A - B| <= TOL, both -inf counts as equal
near() {
	awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN {
		if (a == b) exit 0
		if (a == "" || b == "" || a ~ /inf/ || b ~ /inf/) exit 1
		d = a - b; exit !(d <= t && -d <= t) }'
}

# case NAME RATE CH FMT CHANNEL-EXPR...: capture 1 s in 0.5 s segments, check
case_() {
	local n=$1 rate=$2 ch=$3 fmt=$4 f c i st want got
	shift 4
	say "$n: $rate Hz, $ch ch, $fmt"
	gen "$n.raw" "$rate" "$fmt" 1 "$@" || fail "$n: gen"
	asoundrc_file "$n" "$PWD/$n.raw"
	rec-capture -D "$n" -r "$rate" -c "$ch" -f "$fmt" -t 0.5 -d 1 \
		--spool "sp-$n" --station st 2>"$n.err" ||
		{ cat "$n.err"; fail "$n: rec-capture failed"; }
	i=0
	for f in "sp-$n"/seg/*.wav; do
		i=$((i + 1))
		# the segment's PCM alone, to count clipped samples in Python
		wavdump -p "$f" >"$n.$i.pcm" || fail "$n: wavdump -p $f"
		for c in $(seq 1 "$ch"); do
			sox "$f" -n remix "$c" stats 2>"$n.$i.$c.st" ||
				fail "$n: sox stats $f"
			st() { sed -n "s/^$1 *//p" "$n.$i.$c.st"; }
			pick() { key "$1" "$f" | cut -d, -f"$c"; }
			near "$(pick Peak)" "$(st 'Pk lev dB')" 0.1 ||
				fail "$n: $f ch $c peak $(pick Peak), sox $(st 'Pk lev dB')"
			near "$(pick RMS)" "$(st 'RMS lev dB')" 0.1 ||
				fail "$n: $f ch $c RMS $(pick RMS), sox $(st 'RMS lev dB')"
			near "$(pick DC)" "$(st 'DC offset')" 0.0001 ||
				fail "$n: $f ch $c DC $(pick DC), sox $(st 'DC offset')"
			want=$(clipflat "$n.$i.pcm" $((c - 1)) "$ch" "$fmt")
			got="$(pick Clipped) $(pick Flat)"
			[ "$got" = "$want" ] ||
				fail "$n: $f ch $c clipped/flat '$got', want '$want'"
			echo "$n ch$c $(pick Hum)" >>hum
		done
	done
	[ $i = 2 ] || fail "$n: $i segments, want 2"
}

case_ a 48000 2 S16_LE '-0.01' '1.5 * math.sin(2 * math.pi * 997 * t)'
case_ b 44100 3 S24_3LE '0.3 * math.sin(2 * math.pi * 50 * t) + 0.01 * random.uniform(-1, 1)' \
	'-0.25 + 0.1 * math.sin(2 * math.pi * 440 * t)' \
	'0.001 * math.sin(2 * math.pi * 3000 * t)'
case_ c 16000 1 S32_LE '0.5 * math.sin(2 * math.pi * 60 * t) + 0.5 * math.sin(2 * math.pi * 120 * t)'

say "hum: high on the 50 Hz and 60+120 Hz channels, low elsewhere"
cat hum
awk '($1 $2 == "bch1" || $1 $2 == "cch1") && $3 < 0.9 { print "low: " $0; bad = 1 }
     !($1 $2 == "bch1" || $1 $2 == "cch1") && $3 > 0.05 { print "high: " $0; bad = 1 }
     END { exit bad }' hum || fail "hum shares wrong"
[ "$(wc -l <hum)" = 12 ] || fail "$(wc -l <hum) hum values, want 12"

say "the flat channel and the clipping one, as the corpus has them"
f=$(ls sp-a/seg/*.wav | head -1)
[ "$(key Flat "$f")" = "true,false" ] || fail "flat: $(key Flat "$f")"
[ "$(key Clipped "$f" | cut -d, -f1)" = 0 ] || fail "clipped on ch 1"
[ "$(key Clipped "$f" | cut -d, -f2)" -gt 1000 ] || fail "no clipping on ch 2"

say "rec-archive carries the levels into manifest.json, FLAC and WAV"
for codec in wav flac; do
	rm -rf "sp-$codec" && cp -r sp-a "sp-$codec" || fail "cp"
	for f in sp-a/seg/*.wav; do
		key Peak "$f"; key RMS "$f"; key DC "$f"; key Clipped "$f"
		key Flat "$f"; key Hum "$f"
	done >want
	rec-archive -q --spool "sp-$codec" --codec "$codec" 2>"$codec.err" ||
		{ cat "$codec.err"; fail "rec-archive --codec $codec"; }
	set -- "sp-$codec"/out/*.tar
	[ $# = 1 ] && [ -f "$1" ] || fail "$codec: no archive: $*"
	tar xOf "$1" manifest.json >"$codec.json" || fail "$codec: tar"
	python3 - "$codec.json" >got <<'EOT' || fail "$codec: manifest"
import sys, json
m = json.load(open(sys.argv[1]))
for s in m["segments"]:
    lv = s["levels"]
    assert len(lv) == s["channels"]
    f = lambda v: "-inf" if v is None else "%.2f" % v
    print(",".join(f(c["peak"]) for c in lv))
    print(",".join(f(c["rms"]) for c in lv))
    print(",".join("%.6f" % c["dc"] for c in lv))
    print(",".join(str(c["clipped"]) for c in lv))
    print(",".join("true" if c["flat"] else "false" for c in lv))
    print(",".join("%.3f" % c["hum"] for c in lv))
EOT
	diff want got || fail "$codec: manifest levels differ from GUANO"
done
