# rec-archive: every segment's "offset" in manifest.json points exactly at
# its member's bytes in the tar stream (python's tarfile offset_data), for
# WAV and FLAC archives, plain and zstd-compressed, with many members,
# a manifest over several 512-byte blocks and odd member sizes.
. "$REC_TOP/test/lib.sh"

check_offsets() {
	python3 - "$1" <<'E'
import hashlib, io, json, subprocess, sys, tarfile
path = sys.argv[1]
if path.endswith('.zst'):
    raw = subprocess.run(['zstd', '-dc', path], check=True,
                         stdout=subprocess.PIPE).stdout
else:
    raw = open(path, 'rb').read()
t = tarfile.open(fileobj=io.BytesIO(raw))
mem = t.getmembers()
assert mem[0].name == 'manifest.json', mem[0].name
m = json.load(t.extractfile(mem[0]))
by = {x.name: x for x in mem[1:]}
assert len(by) == len(m['segments'])
for s in m['segments']:
    ti = by[s['member']]
    assert s['offset'] == ti.offset_data, (s['member'], s['offset'],
                                           ti.offset_data)
    b = raw[s['offset']:s['offset'] + s['size']]
    assert hashlib.sha256(b).hexdigest() == s['sha256'], s['member']
print(len(m['segments']), 'offsets ok; manifest', mem[0].size, 'bytes')
E
}

# 40 segments of an odd frame count: the manifest spans many blocks
for v in wav flac; do
	for c in none zstd; do
		mkdir -p $v$c/seg
		mkseg -n 40 -l 4801 -r 48000 -c 1 $v$c/seg
		rec-archive -q --spool $v$c --min-count 1 --codec $v --compress $c
		a=$(ls $v$c/out/*.tar*| grep -v '\.sums$\|\.idx$')
		say "$v, compress $c: $a"
		check_offsets "$a" || fail "offsets of $a"
	done
done
