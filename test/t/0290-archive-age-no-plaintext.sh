# "Never plaintext on disk" (README, Encrypted archives): with a recipient,
# every byte rec-archive writes outside seg/ is ciphertext, except what the
# README names as plaintext: the FLAC staging file tmp/NAME.flac.part. The
# fault shim logs every file created, the first 512 bytes written to each
# fd, and every single write that holds the manifest's "segments" key or a
# stretch of a segment's PCM. A plaintext run under the same watch is the
# control: it must show the tar header and the patterns, or the watch is
# blind.
. "$REC_TOP/test/lib.sh"

age-keygen -o id 2>/dev/null
r=$(age-keygen -y id)

# hex of 48 bytes from the middle of each segment's data chunk
pcm_patterns() {
	python3 - "$@" <<'EOF'
import struct, sys
out = []
for f in sys.argv[1:]:
    d = open(f, "rb").read()
    i = 12
    while i + 8 <= len(d):
        cid, n = d[i:i + 4], struct.unpack("<I", d[i + 4:i + 8])[0]
        if cid == b"data":
            mid = i + 8 + n // 2
            out.append(d[mid:mid + 48].hex())
            break
        i += 8 + n + (n & 1)
print(",".join(out))
EOF
}
key_hex=$(printf '"segments"' | od -An -tx1 | tr -d ' \n')

# watch DIR [rec-archive flags]: archive DIR's segments under the shim,
# the log in DIR.log
watch() {
	local d=$1
	shift
	rm -f "$d.log"
	REC_FAULT_LOG=$PWD/$d.log REC_FAULT_HEADS=1 \
		REC_FAULT_GREP="$key_hex,$(pcm_patterns "$d"/seg/*.wav)" \
		faulty rec-archive -q --spool "$d" "$@"
}

# heads DIR: "PATH HEX" of every head written in DIR, outside seg/
heads() {
	awk -v sp="$PWD/$1/" '$1 == "head" && index($2, sp) == 1 &&
		index($2, sp "seg/") != 1 { print $2, $3 }' "$1.log"
}
is_tar() { [ "${1:514:10}" = 7573746172 ]; }	# "ustar" at 257
is_riff() { [ "${1:0:8}" = 52494646 ]; }
is_flac() { [ "${1:0:8}" = 664c6143 ]; }
is_age() { [ "${1:0:42}" = "$(printf age-encryption.org/v1 | od -An -tx1 | tr -d ' \n')" ]; }

# grep_files PATTERNS FILE...: print the files that hold one of them
grep_files() {
	python3 - "$@" <<'EOF'
import sys
pats = [bytes.fromhex(h) for h in sys.argv[1].split(",")]
for f in sys.argv[2:]:
    d = open(f, "rb").read()
    if any(p in d for p in pats):
        print(f)
EOF
}

for codec in wav flac; do
	say "control, $codec: a plaintext run shows its tar header and patterns"
	mkdir -p p$codec/seg
	mkseg -n 3 -l 9600 -x 290 p$codec/seg
	watch p$codec --codec $codec
	heads p$codec >p$codec.heads
	n=0
	while read -r path hex; do
		case $path in */out/*.tar | */tmp/*.tar.part) is_tar "$hex" && n=$((n + 1)) ;; esac
	done <p$codec.heads
	[ "$n" = 1 ] || { cat p$codec.heads; fail "the watch saw no tar written"; }
	grep -q "^match $PWD/p$codec/[a-z]*/.*\.tar\(\.part\)\? 0$" p$codec.log ||
		fail "the watch saw no manifest key written"
	if [ $codec = wav ]; then
		grep -q "^match $PWD/p$codec/[a-z]*/.*\.tar\(\.part\)\? [1-9]" p$codec.log ||
			fail "the watch saw no PCM written"
	fi

	say "encrypted, $codec: nothing plaintext outside seg/ but the FLAC stage"
	mkdir -p e$codec/seg
	mkseg -n 3 -l 9600 -x 290 e$codec/seg
	pats="$key_hex,$(pcm_patterns e$codec/seg/*.wav)"
	watch e$codec --codec $codec --recipient "$r"
	[ -z "$(ls e$codec/seg)" ] || fail "segments left in seg/"
	a=$(ls e$codec/out/*.tar.age)
	heads e$codec >e$codec.heads
	grep -q . e$codec.heads || fail "the watch saw no writes"
	ages=0 stages=0
	while read -r path hex; do
		is_tar "$hex" && fail "tar header written to $path"
		is_riff "$hex" && fail "RIFF header written to $path"
		if is_flac "$hex"; then
			case $path in
			"$PWD/e$codec/tmp/"*.flac.part*) stages=$((stages + 1)) ;;
			*) fail "FLAC header written to $path" ;;
			esac
		fi
		if is_age "$hex"; then ages=$((ages + 1)); fi
	done <e$codec.heads
	[ "$ages" -ge 1 ] || { cat e$codec.heads; fail "no age header seen"; }
	if [ $codec = flac ]; then
		[ "$stages" -ge 1 ] || fail "no FLAC staging file seen (README says there is one)"
	fi
	# no single write outside seg/ (and the stage) held the manifest or PCM
	awk -v sp="$PWD/e$codec/" '$1 == "match" && index($2, sp) == 1 &&
		index($2, sp "seg/") != 1 && $2 !~ /\.flac\.part/' \
		e$codec.log >e$codec.matches
	[ ! -s e$codec.matches ] || fail "plaintext written: $(cat e$codec.matches)"
	# every file created under the spool outside seg/ is one we know
	awk -v sp="$PWD/e$codec/" '$1 == "create" && index($2, sp) == 1 { print $2 }' \
		e$codec.log | sort -u >e$codec.created
	grep -q '\.tar\.age\.part$\|\.part$' e$codec.created ||
		{ cat e$codec.created; fail "the archive's creation was not seen"; }
	# what is left in out/ and tmp/ holds neither the key nor the PCM
	find e$codec/out e$codec/tmp -type f >e$codec.files
	grep -q . e$codec.files || fail "out/ is empty"
	left=$(grep_files "$pats" $(cat e$codec.files))
	[ -z "$left" ] || fail "plaintext in $left"
	ls e$codec/tmp | grep . && fail "tmp/ not empty" || :
	age -d -i id "$a" | tar -tf - | grep -qx manifest.json ||
		fail "the archive does not decrypt to a tar with a manifest"
done
