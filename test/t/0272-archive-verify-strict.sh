# rec-archive --verify reads an encrypted archive's age stream to its end:
# with a tar of k*64KiB + 512 bytes libarchive stops before the last age
# chunk, which must still be authenticated, so a tampered last chunk,
# garbage after it or a missing last chunk is refused (65). It refuses
# archives whose members are not regular files (symlink, directory, hard
# link) or repeat a name, even when the manifest lists them (65).
. "$REC_TOP/test/lib.sh"

age-keygen -o id 2>/dev/null
rcpt=$(age-keygen -y id)

say "a plaintext tar of k*64KiB + 512 bytes"
frames=40000
for i in $(seq 20); do
	rm -rf sz; mkdir -p sz/seg
	mkseg -n 1 -c 1 -l $frames sz/seg
	cp -r sz/seg keep
	rec-archive -q --spool sz
	size=$(stat -c %s sz/out/*.tar)
	d=$(( (512 - size % 65536 + 65536) % 65536 ))
	[ $d = 0 ] && break
	rm -rf keep
	frames=$((frames + d / 2))	# mono 16-bit: 2 bytes a frame
done
[ $d = 0 ] || fail "no tar of k*64KiB + 512 bytes (last: $size)"
say "  $size bytes ($frames frames)"
plain=$(ls sz/out/*.tar)
rm -rf enc; mkdir -p enc
mv keep enc/seg
rec-archive -q --spool enc --recipient "$rcpt"
mkdir v
cp enc/out/*.tar.age v/good.tar.age	# no sidecar, as when downloaded
age -d -i id v/good.tar.age >v/good.tar
cmp v/good.tar "$plain" || fail "the encrypted tar is another tar"
expect_exit 0 rec-archive --verify --identity id v/good.tar.age

say "the last age chunk tampered: 65"
cp v/good.tar.age v/flip.tar.age
n=$(stat -c %s v/flip.tar.age)
python3 -c 'import sys
f = open(sys.argv[1], "r+b"); f.seek(int(sys.argv[2]) - 100)
b = f.read(1); f.seek(int(sys.argv[2]) - 100); f.write(bytes([b[0] ^ 1]))' \
	v/flip.tar.age "$n"
expect_exit 65 rec-archive --verify --identity id v/flip.tar.age 2>log
expect_grep 'flip.tar.age: ' log

say "garbage after the last chunk: 65"
cp v/good.tar.age v/tail.tar.age
printf 'trailing garbage' >>v/tail.tar.age
expect_exit 65 rec-archive --verify --identity id v/tail.tar.age

say "the last chunk cut off (the file ends on a chunk boundary): 65"
head -c $((n - 512 - 16)) v/good.tar.age >v/cut.tar.age
expect_exit 65 rec-archive --verify --identity id v/cut.tar.age

say "members that are not regular files, or repeated: 65"
python3 - "$plain" <<'E'
import copy, hashlib, io, json, sys, tarfile
src = tarfile.open(sys.argv[1])
members = src.getmembers()
man = json.load(src.extractfile(members[0]))
data = {m.name: src.extractfile(m).read() for m in members[1:]}
seg = man['segments'][0]
empty = hashlib.sha256(b'').hexdigest()

def write(path, segs, extra):
    """manifest with segs, the real members, then extra (TarInfo, bytes);
    each segment's offset where the written tar puts its member (written
    again until the manifest's own length stops moving them)"""
    segs = [dict(s) for s in segs]
    for _ in range(8):
        m = dict(man, segments=segs)
        text = json.dumps(m, indent=1).encode() + b'\n'
        out = tarfile.open(path, 'w', format=tarfile.PAX_FORMAT)
        ti = copy.copy(members[0]); ti.size = len(text)
        out.addfile(ti, io.BytesIO(text))
        for mem in members[1:]:
            out.addfile(mem, io.BytesIO(data[mem.name]))
        for ti, body in extra:
            out.addfile(ti, io.BytesIO(body) if body is not None else None)
        out.close()
        got = [t.offset_data for t in tarfile.open(path).getmembers()[1:]]
        if [s['offset'] for s in segs] == got[:len(segs)]:
            return
        for s, o in zip(segs, got):
            s['offset'] = o
    sys.exit('the offsets do not settle')

def odd(name, kind, **kw):
    """a segment whose member holds no bytes, and its tar entry"""
    s = dict(seg, name=name + '.wav', member=name + '.wav', frames=0,
             size=0, sha256=empty, pcm_offset=0, pcm_bytes=0, gaps=[])
    ti = tarfile.TarInfo(name + '.wav'); ti.type = kind
    for k, v in kw.items():
        setattr(ti, k, v)
    return s, ti

for path, kind, kw in (('symlink.tar', tarfile.SYMTYPE,
                        {'linkname': '/etc/passwd'}),
                       ('dir.tar', tarfile.DIRTYPE, {}),
                       ('hardlink.tar', tarfile.LNKTYPE,
                        {'linkname': seg['member']}),
                       ('empty.tar', tarfile.REGTYPE, {})):
    s, ti = odd('20261128T040000.000Z_station1', kind, **kw)
    write(path, man['segments'] + [s], [(ti, None)])
# the same member twice, listed twice
dup = dict(seg, name='20261128T040000.000Z_station1.wav')
ti = copy.copy(members[1])
write('dup.tar', man['segments'] + [dup], [(ti, data[seg['member']])])
E
say "  a regular empty member, as a control, passes"
expect_exit 0 rec-archive --verify empty.tar
for t in symlink dir hardlink; do
	rc=0
	rec-archive --verify $t.tar 2>log || rc=$?
	[ $rc = 65 ] || { cat log >&2; fail "$t: exit $rc, not 65"; }
	expect_grep "$t.tar: member 20261128T040000.000Z_station1.wav.* is not a regular file" log
done
expect_exit 65 rec-archive --verify dup.tar 2>log
expect_grep "dup.tar: bad manifest: segment 2: repeated 'member'" log
say "  and encrypted with the stock age tool"
age -r "$rcpt" -o symlink.tar.age symlink.tar
expect_exit 65 rec-archive --verify --identity id symlink.tar.age 2>log
expect_grep 'is not a regular file' log
