#!/usr/bin/env python3
"""archcheck [--crashed] [--also DIR] SPOOL ORIG: check rec-archive's invariant with stock tools.

Every segment copied to ORIG before the runs is either still in SPOOL/seg
(byte for byte) or in exactly one archive in SPOOL/out; every archive is
complete (bsdtar lists and extracts it, manifest.json first, members as
the manifest says), WAV members equal the segments byte for byte, FLAC
members decode (flac -d) to the segments' PCM (sox -t raw); archives do
not overlap in time; no partial file is left in tmp/ or out/.
--crashed: right after a kill -9, before the next run reconciled: a
segment may also be both in seg/ and in an archive, and tmp/ and orphan
sidecars may hold leftovers; still never in no place, never a half
archive. --also DIR: archives in DIR count too (as if uploaded).
Prints one summary line; exit 1 with a reason on the first violation.
"""
import json, os, re, subprocess, sys, tempfile

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
                if man['codec'] == 'wav':
                    with open(mp, 'rb') as x, open(op, 'rb') as y:
                        if x.read() != y.read():
                            fail('out/%s: %s differs' % (a, n))
                else:
                    if pcm_of_flac(mp, s['format']) != pcm_of_wav(op):
                        fail('out/%s: %s PCM differs' % (a, n))
    for n, c in count.items():
        if c == 0 or (c > 1 and not crashed) or c > 2:
            fail('%s is in %d places (seg/ and archives)' % (n, c))
    print('archcheck: %d archives, %d segments archived, %d in seg/' % (
        len(archives), sum(count.values()) - len(os.listdir(
            os.path.join(spool, 'seg'))), len([n for n in os.listdir(
                os.path.join(spool, 'seg')) if not n.startswith('.')])))


main()
