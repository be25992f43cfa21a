#!/usr/bin/env python3
"""archcheck [--crashed] [--also DIR] SPOOL ORIG: check rec-archive's invariant with stock tools.

Every segment copied to ORIG before the runs is either still in SPOOL/seg
(byte for byte) or in exactly one archive in SPOOL/out; every archive is
complete (bsdtar lists and extracts it, manifest.json first, members as
the manifest says), WAV members equal the segments byte for byte, FLAC
members decode (flac -d) to the segments' PCM (sox -t raw); archives do
not overlap in time; no partial file is left in tmp/ or out/.  The
manifest's hashes are checked with hashlib: every member's sha256; WAV
members have no pcm_sha256, and pcm_offset/pcm_bytes are the WAV's data
chunk (found by walking the RIFF chunks here); FLAC members' pcm_sha256
is the SHA-256 of the PCM flac decodes.  An archive's .sums sidecar, when
there, has each part's MD5 and SHA-256, and the whole file's exactly when
it has at most one part ("md5 -" / "sha256 -" otherwise).
--crashed: right after a kill -9, before the next run reconciled: a
segment may also be both in seg/ and in an archive, and tmp/ and orphan
sidecars may hold leftovers; still never in no place, never a half
archive. --also DIR: archives in DIR count too (as if uploaded).
Prints one summary line; exit 1 with a reason on the first violation.
"""
import hashlib, json, os, re, struct, subprocess, sys, tempfile

ANAME = re.compile(r'^(\d{8}T\d{6}\.\d{3}Z)_(\d{8}T\d{6}\.\d{3}Z)_'
                   r'([A-Za-z0-9.-]+)\.tar(\.gz|\.zst|\.xz)?(\.age)?$')


def fail(msg):
    print('archcheck: ' + msg, file=sys.stderr)
    sys.exit(1)


def run(args, **kw):
    return subprocess.run(args, check=True, stdout=subprocess.PIPE, **kw).stdout


def pcm_of_wav(path):
    return run(['sox', path, '-t', 'raw', '-'])


def pcm_of_flac(path, fmt):
    return run(['flac', '-d', '-s', '-c', '--force-raw-format',
                '--endian=little', '--sign=signed', path])


def wav_data(b):
    """(offset, length) of the data chunk of the WAV (RIFF or RF64) b."""
    if b[:4] not in (b'RIFF', b'RF64') or b[8:12] != b'WAVE':
        return None
    off, big = 12, None
    while off + 8 <= len(b):
        cid, n = b[off:off + 4], struct.unpack('<I', b[off + 4:off + 8])[0]
        if cid == b'ds64':
            big = struct.unpack('<Q', b[off + 16:off + 24])[0]
        if cid == b'data':
            return off + 8, big if n == 0xffffffff and big is not None else n
        off += 8 + n + (n & 1)
    return None


def check_sums(a, path):
    """The sidecar path.sums, if any, against the bytes of path."""
    side = path + '.sums'
    if not os.path.exists(side):
        return
    with open(side) as f:
        lines = f.read().split('\n')
    with open(path, 'rb') as f:
        data = f.read()
    if lines[0] != 'rec-sums 1' or lines[1] != 'size %d' % len(data):
        fail('out/%s.sums: bad header or size' % a)
    ps = int(lines[2].split()[1])
    n = int(lines[5].split()[1])
    if n != (len(data) + ps - 1) // ps:
        fail('out/%s.sums: %d parts' % (a, n))
    if n <= 1:
        want = ['md5 ' + hashlib.md5(data).hexdigest(),
                'sha256 ' + hashlib.sha256(data).hexdigest()]
    else:
        want = ['md5 -', 'sha256 -']
    if lines[3:5] != want:
        fail('out/%s.sums: whole-file lines %s, not %s' % (a, lines[3:5], want))
    for i in range(n):
        c = data[i * ps:(i + 1) * ps]
        w = 'part %d %d %d %s %s' % (i, i * ps, len(c),
                                     hashlib.md5(c).hexdigest(),
                                     hashlib.sha256(c).hexdigest())
        if lines[6 + i] != w:
            fail('out/%s.sums: part %d is %s, not %s' % (a, i, lines[6 + i], w))
    if lines[6 + n:] != ['end', '']:
        fail('out/%s.sums: does not end after the parts' % a)


def ls(d):
    """The names in d; none when a killed run had not created it yet."""
    return os.listdir(d) if os.path.isdir(d) else []


def main():
    args = sys.argv[1:]
    crashed = '--crashed' in args
    if crashed:
        args.remove('--crashed')
    also = None
    if '--also' in args:
        i = args.index('--also')
        also = args[i + 1]
        del args[i:i + 2]
    spool, orig = args
    origs = sorted(n for n in os.listdir(orig) if n.endswith('.wav'))
    count = {n: 0 for n in origs}
    for n in os.listdir(os.path.join(spool, 'seg')):
        if n.startswith('.'):
            continue
        if n not in count:
            fail('seg/%s was not an original segment' % n)
        with open(os.path.join(spool, 'seg', n), 'rb') as a, \
                open(os.path.join(orig, n), 'rb') as b:
            if a.read() != b.read():
                fail('seg/%s differs from the original' % n)
        count[n] += 1
    for n in ls(os.path.join(spool, 'tmp')):
        if not crashed and re.search(r'\.(part|sums|idx)$', n):
            fail('tmp/%s left behind' % n)
    outs = sorted(ls(os.path.join(spool, 'out')))
    archives = [n for n in outs if ANAME.match(n)]
    for n in outs:
        if n in archives:
            continue
        m = re.match(r'^(.*)\.(sums|idx)$', n)
        if not m or (m.group(1) not in archives and not crashed):
            fail('out/%s is not an archive or a sidecar of one' % n)
    paths = [os.path.join(spool, 'out', a) for a in archives]
    if also:
        paths += [os.path.join(also, a) for a in sorted(os.listdir(also))]
    prev_end = ''
    for path in sorted(paths, key=os.path.basename):
        a = os.path.basename(path)
        start, end = ANAME.match(a).group(1, 2)
        if start < prev_end:
            fail('out/%s overlaps the archive before it' % a)
        prev_end = end
        check_sums(a, path)
        members = run(['bsdtar', '-tf', path]).decode().split('\n')[:-1]
        if not members or members[0] != 'manifest.json':
            fail('out/%s: first member is not manifest.json' % a)
        with tempfile.TemporaryDirectory() as d:
            run(['bsdtar', '-xf', os.path.abspath(path)], cwd=d)
            with open(os.path.join(d, 'manifest.json')) as f:
                man = json.load(f)
            segs = man['segments']
            if members[1:] != [s['member'] for s in segs]:
                fail('out/%s: members differ from the manifest' % a)
            if sorted(members[1:]) != members[1:]:
                fail('out/%s: members are not in capture order' % a)
            if segs[0]['name'][:20] != start:
                fail('out/%s: name does not match its first segment' % a)
            for s in segs:
                n = s['name']
                if n not in count:
                    fail('out/%s holds %s, not an original' % (a, n))
                count[n] += 1
                mp = os.path.join(d, s['member'])
                op = os.path.join(orig, n)
                with open(mp, 'rb') as x:
                    mb = x.read()
                if hashlib.sha256(mb).hexdigest() != s['sha256']:
                    fail('out/%s: %s: sha256 is not the member\'s' % (a, n))
                # a member may differ from the archive's codec (more
                # channels than FLAC holds are kept as WAV)
                if s.get('codec', man['codec']) == 'wav':
                    with open(op, 'rb') as y:
                        if mb != y.read():
                            fail('out/%s: %s differs' % (a, n))
                    if 'pcm_sha256' in s:
                        fail('out/%s: %s: WAV member with pcm_sha256' % (a, n))
                    loc = (s['pcm_offset'], s['pcm_bytes'])
                    if wav_data(mb) != loc:
                        fail('out/%s: %s: pcm_offset/pcm_bytes %s, the data '
                             'chunk %s' % (a, n, loc, wav_data(mb)))
                else:
                    pcm = pcm_of_flac(mp, s['format'])
                    if pcm != pcm_of_wav(op):
                        fail('out/%s: %s PCM differs' % (a, n))
                    if hashlib.sha256(pcm).hexdigest() != s['pcm_sha256']:
                        fail('out/%s: %s: pcm_sha256 is not the PCM\'s'
                             % (a, n))
    for n, c in count.items():
        if c == 0 or (c > 1 and not crashed) or c > 2:
            fail('%s is in %d places (seg/ and archives)' % (n, c))
    print('archcheck: %d archives, %d segments archived, %d in seg/' % (
        len(archives), sum(count.values()) - len(os.listdir(
            os.path.join(spool, 'seg'))), len([n for n in os.listdir(
                os.path.join(spool, 'seg')) if not n.startswith('.')])))


main()
