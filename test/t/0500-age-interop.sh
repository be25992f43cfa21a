# age interop: what lib/age.c writes, the stock age(1) reads (with each of
# several identities), and what `age -r` writes, lib/age.c reads. A flipped
# byte anywhere makes both refuse; bad keys, truncated and tampered files
# give clear errors and the documented exit codes (65 data, 66 no input,
# 77 no matching identity, 78 configuration).
. "$REC_TOP/test/lib.sh"

command -v age >/dev/null && command -v age-keygen >/dev/null ||
	skip "age and age-keygen are not installed"

# flip FILE OFFSET: xor one byte of FILE in place.
flip() {
	python3 - "$1" "$2" <<'EOF'
import sys
p, at = sys.argv[1], int(sys.argv[2])
with open(p, 'r+b') as f:
	f.seek(at)
	b = f.read(1)
	f.seek(at)
	f.write(bytes([b[0] ^ 0x20]))
EOF
}
# hdrlen FILE: bytes up to and including the MAC line.
hdrlen() {
	python3 - "$1" <<'EOF'
import sys
d = open(sys.argv[1], 'rb').read()
i = d.index(b'\n--- ')
print(d.index(b'\n', i + 1) + 1)
EOF
}

say "keys from age-keygen"
for i in 1 2 3 4; do
	age-keygen -o id$i 2>/dev/null && age-keygen -y id$i >r$i ||
		fail "age-keygen failed"
done
{ echo "# two owners"; echo; cat r2; cat r3; } >recipients.txt

say "payloads: empty, 1 byte, chunk edges, a tar archive"
: >p0
head -c 1 /dev/urandom >p1
head -c 65535 /dev/urandom >p65535
head -c 65536 /dev/urandom >p65536
head -c 65537 /dev/urandom >p65537
head -c $((3 * 65536)) /dev/urandom >p196608
mkdir seg && head -c 300000 /dev/urandom >seg/a.wav &&
	head -c 12345 /dev/urandom >seg/b.wav && tar cf ptar seg ||
	fail "cannot make test payloads"

say "ours -> age -d, every identity"
for p in p0 p1 p65535 p65536 p65537 p196608 ptar; do
	agetool -r "$(cat r1)" -R recipients.txt -o $p.age $p ||
		fail "agetool cannot encrypt $p"
	agetool --check-header $p.age || fail "structure check refuses $p.age"
	for i in 1 2 3; do
		age -d -i id$i $p.age >$p.out.$i ||
			fail "age cannot decrypt $p.age with id$i"
		cmp $p $p.out.$i || fail "age decrypts $p.age to other bytes"
	done
	expect_exit 1 age -d -i id4 -o /dev/null $p.age
	expect_exit 77 agetool -d -i id4 -o /dev/null $p.age
	# Sizes: header + nonce + data + 16 per chunk (one for empty).
	size=$(stat -c %s $p)
	chunks=$(( size == 0 ? 1 : (size + 65535) / 65536 ))
	[ $(stat -c %s $p.age) = $(( $(hdrlen $p.age) + 16 + size + 16 * chunks )) ] ||
		fail "$p.age has an unexpected size"
done
# Streaming through pipes works too.
cat ptar | agetool -r "$(cat r1)" | age -d -i id1 | cmp - ptar ||
	fail "pipe round trip differs"

say "age -r -> ours"
for p in p0 p1 p65536 p65537 ptar; do
	age -r "$(cat r1)" -R recipients.txt -o $p.ref.age $p ||
		fail "age cannot encrypt $p"
	agetool --check-header $p.ref.age ||
		fail "structure check refuses age's $p.ref.age"
	for i in 1 2 3; do
		agetool -d -i id$i -o $p.ref.out $p.ref.age ||
			fail "agetool cannot decrypt age's $p.ref.age with id$i"
		cmp $p $p.ref.out || fail "agetool decrypts $p.ref.age wrongly"
	done
	expect_exit 77 agetool -d -i id4 -o /dev/null $p.ref.age
done
# An identity file with several keys, the matching one last.
cat id4 id1 >ids
agetool -d -i ids ptar.ref.age | cmp - ptar || fail "multi-key identity file"

say "a flipped byte anywhere: both refuse"
h=$(hdrlen ptar.age)
size=$(stat -c %s ptar.age)
for at in 0 5 21 25 40 70 $((h - 30)) $((h - 2)) $h $((h + 15)) \
    $((h + 16)) $((h + 1000)) $((h + 16 + 65552 - 1)) \
    $((h + 16 + 65552 + 7)) $((size - 17)) $((size - 1)) \
    $(rnd $size) $(rnd $size) $(rnd $size); do
	cp ptar.age bad.age
	flip bad.age $at
	if age -d -i id1 -o bad.out bad.age 2>age.err; then
		fail "age accepts a flipped byte at $at"
	fi
	rc=0
	agetool -d -i id1 -o bad.out bad.age 2>our.err || rc=$?
	case $rc in
	65|77) ;;
	*) cat our.err >&2; fail "agetool exit $rc for a flip at $at" ;;
	esac
done
# Every byte of a small file (three recipients, one chunk): age refuses.
mkdir flips
python3 - p1.age flips <<'EOF2'
import sys
d = open(sys.argv[1], 'rb').read()
for i in range(len(d)):
	open('%s/%d' % (sys.argv[2], i), 'wb').write(d[:i] + bytes([d[i] ^ 0x04]) + d[i + 1:])
EOF2
n=0
for f in flips/*; do
	if age -d -i id2 -o /dev/null $f 2>/dev/null; then
		fail "age accepts $f (byte flipped)"
	fi
	n=$((n + 1))
done
[ $n = $(stat -c %s p1.age) ] || fail "flip files missing"
cp ptar.ref.age bad.age
flip bad.age $(( $(stat -c %s bad.age) - 5 ))
expect_exit 65 agetool -d -i id1 -o /dev/null bad.age

say "truncated files: both refuse; at a chunk boundary too"
h=$(hdrlen p196608.age)
for cut in 10 $((h - 1)) $h $((h + 16)) $((h + 16 + 65552)) \
    $((h + 16 + 2 * 65552)) $((h + 16 + 2 * 65552 + 100)); do
	head -c $cut p196608.age >cut.age
	if age -d -i id1 -o cut.out cut.age 2>/dev/null; then
		fail "age accepts a file cut at $cut"
	fi
	expect_exit 65 agetool -d -i id1 -o cut.out cut.age
done
head -c $((h + 16 + 65552)) p196608.age >cut.age
agetool -d -i id1 -o /dev/null cut.age 2>cut.err && fail "cut accepted"
expect_grep "truncated" cut.err
# One byte into a chunk, or an empty final chunk: implausible lengths.
head -c $((h + 16 + 65552 + 1)) p196608.age >cut.age
expect_exit 65 agetool --check-header cut.age
head -c $((h + 16 + 65552 + 16)) p196608.age >cut.age
expect_exit 65 agetool --check-header cut.age
# Trailing garbage after a valid file.
{ cat p1.age; echo x; } >trail.age
expect_exit 65 agetool -d -i id1 -o /dev/null trail.age

say "bad recipients and identities are configuration errors"
good=$(cat r1)
# One changed character: Bech32 always detects it.
c=${good:20:1}
typo=${good:0:20}$([ "$c" = q ] && echo p || echo q)${good:21}
agetool -r "$typo" -o x.age p1 2>err && fail "a typo in a recipient accepted"
expect_exit 78 agetool -r "$typo" -o x.age p1
agetool -r "$typo" -o x.age p1 2>err || true
expect_grep "checksum" err
expect_exit 78 agetool -r "${good%?}" -o x.age p1
expect_exit 78 agetool -r "$(tail -n 1 id1)" -o x.age p1
agetool -r "$(tail -n 1 id1)" -o x.age p1 2>err || true
grep -q "$(tail -n 1 id1 | cut -c 17-40)" err &&
	fail "a secret key given as a recipient is shown"
expect_exit 78 agetool -r "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx" -o x.age p1
{ echo "# keys"; cat r1; echo "$typo"; } >bad-recipients.txt
agetool -R bad-recipients.txt -o x.age p1 2>err && fail "bad -R accepted"
expect_grep "bad-recipients.txt:3:" err
expect_exit 78 agetool -R bad-recipients.txt -o x.age p1
echo "# nothing here" >empty-recipients.txt
expect_exit 78 agetool -R empty-recipients.txt -o x.age p1
expect_exit 66 agetool -R no-such-file -o x.age p1
sed 's/^AGE-SECRET-KEY-1\(.\)/AGE-SECRET-KEY-1X\1/' id1 >bad-id
expect_exit 78 agetool -d -i bad-id -o /dev/null p1.age
agetool -d -i bad-id -o /dev/null p1.age 2>err || true
secret=$(grep '^AGE-SECRET' id1 | cut -c 17-40)
grep -q "$secret" err && fail "an identity error shows the key"
expect_exit 66 agetool -d -i no-such-file -o /dev/null p1.age

say "not age, armored age"
expect_exit 65 agetool -d -i id1 -o /dev/null ptar
expect_exit 65 agetool --check-header ptar
age -a -r "$good" -o armored.age p1
expect_exit 65 agetool -d -i id1 -o /dev/null armored.age
expect_exit 65 agetool --check-header /dev/null
true
