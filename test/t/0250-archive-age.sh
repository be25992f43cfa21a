# rec-archive with age recipients: the archive in out/ is NAME.tar.age
# (never plaintext on disk); the stock `age -d -i` decrypts it, with each
# of several identities, to exactly the tar the unencrypted path writes
# for the same segments; a flipped byte makes age refuse; --verify with
# and without --identity; bad recipients exit 78.
. "$REC_TOP/test/lib.sh"

for i in 1 2 3; do age-keygen -o id$i 2>/dev/null; done
r1=$(age-keygen -y id1) r2=$(age-keygen -y id2)
age-keygen -y id3 >recipients.txt
printf '# a comment\n\n' >>recipients.txt

mkdir -p enc/seg
mkseg -n 4 -l 9600 enc/seg
cp -r enc plain

say "encrypted to three recipients (two flags, one file)"
rec-archive -q --spool enc --recipient "$r1" --recipient "$r2" --recipients-file recipients.txt
rec-archive -q --spool plain
a=$(ls enc/out/*.tar.age)
p=$(ls plain/out/*.tar)
[ "${a#enc/out/}" = "${p#plain/out/}.age" ] || fail "names $a $p"
[ -z "$(ls enc/seg)" ] || fail "segments left"
ls enc/tmp | grep . && fail "files left in tmp/" || :
head -c 22 "$a" | grep -q '^age-encryption.org/v1' || fail "not an age file"
for i in 1 2 3; do
	age -d -i id$i "$a" >dec$i.tar
	cmp dec$i.tar "$p"
done
tar tf dec1.tar | head -n 1 | grep -qx manifest.json

say "--verify: with an identity everything, without it the structure"
rec-archive --verify -q --identity id2 "$a"
rec-archive --verify "$a" 2>log
expect_grep 'age structure ok' log
rec-archive --verify -q --identity id3 "$p"	# a plain archive with an identity: fine
expect_exit 78 rec-archive --verify --identity /dev/null "$a"	# no identity in it
age-keygen -o other 2>/dev/null
expect_exit 77 rec-archive --verify --identity other "$a"

say "a flipped byte: age refuses, --verify exits 65"
size=$(stat -c %s "$a")
cp "$a" flip.age
printf '\x01' | dd of=flip.age bs=1 seek=$((size - 5000)) conv=notrunc \
	status=none
cmp -s flip.age "$a" && fail "the flip changed nothing"
age -d -i id1 flip.age >/dev/null 2>&1 && fail "age accepted a flipped byte"
expect_exit 65 rec-archive --verify --identity id1 flip.age
cp "$a.sums" flip.age.sums
expect_exit 65 rec-archive --verify flip.age		# the sidecar catches it
head -c $((size - 100)) "$a" >trunc.age
expect_exit 65 rec-archive --verify --identity id1 trunc.age	# decryption catches it
cp trunc.age trunc2.age
cp "$a.sums" trunc2.age.sums
expect_exit 65 rec-archive --verify trunc2.age		# the sidecar does
# cut to a last chunk of 5 bytes, which no age file has
hlen=$(python3 -c 'import sys; d = open(sys.argv[1], "rb").read()
print(d.index(b"\n", d.index(b"\n---") + 1) + 1)' "$a")
head -c $((hlen + 16 + 65552 + 5)) "$a" >trunc3.age
expect_exit 65 rec-archive --verify trunc3.age		# the structure does

say "compressed, then encrypted: NAME.tar.zst.age"
mkdir -p z/seg && mkseg -n 2 -l 9600 z/seg
rec-archive -q --spool z --compress zstd --codec flac --recipient "$r1"
b=$(ls z/out/*.tar.zst.age)
age -d -i id1 "$b" | zstd -q -d -c | tar tf - | grep -c '\.flac$' |
	grep -qx 2 || fail "not 2 FLAC members"
rec-archive --verify -q --identity id1 "$b"

say "recipients in rec.conf"
mkdir -p c/seg && mkseg -n 1 -l 4800 c/seg
printf '[archive]\nrecipient = %s\nrecipients-file = recipients.txt\n' \
	"$r2" >rec.conf
rec-archive -q --config rec.conf --spool c
age -d -i id2 c/out/*.age | tar tf - >/dev/null
age -d -i id3 c/out/*.age | tar tf - >/dev/null

say "bad recipients: 78, checked before anything is touched"
mkdir -p b/seg && mkseg -n 1 -l 4800 b/seg
expect_exit 78 rec-archive --spool b --recipient age1qqqqbad 2>log
expect_grep 'recipient' log
# change the last character (the keys are random: never to itself)
case $r1 in *q) bad=${r1%?}p ;; *) bad=${r1%?}q ;; esac
expect_exit 78 rec-archive --spool b --recipient "$bad"
expect_exit 78 rec-archive --spool b --recipients-file no-such-file
printf 'age1notakey\n' >bad.txt
expect_exit 78 rec-archive --spool b --recipients-file bad.txt 2>log
expect_grep 'bad.txt:1' log
printf '[archive]\nrecipient = nope\n' >bad.conf
expect_exit 78 rec-archive --config bad.conf --spool b 2>log
expect_grep 'bad.conf:2' log
[ "$(ls b/seg | wc -l)" = 1 ] && [ -z "$(ls b/out)" ] || fail "touched"
