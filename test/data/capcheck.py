#!/usr/bin/env python3
"""Check rec-capture segments against the stream they were made from.

usage: capcheck.py EXPECTED.raw FRAME_BYTES SEGMENT.wav...

Segments are grouped by their run (REC|Run) in name order. Within a run,
REC|First Frame must continue where the last segment ended (its first
frame + frames + lost), and every frame k of a file must equal frame
First Frame + k + (the gaps at offsets <= k) of EXPECTED: the gaps say
exactly which frames are missing. Prints one line per run:
"run=ID segments=N frames=F lost=L end=E" (E = timeline frames covered).
"""
import subprocess
import sys


def guano(path):
    out = subprocess.run(["wavdump", "-g", path], check=True,
                         capture_output=True).stdout.decode()
    kv = {}
    for line in out.splitlines():
        if ": " in line:
            k, v = line.split(": ", 1)
            kv[k] = v
        elif line.endswith(":"):
            kv[line[:-1]] = ""
    return kv


def pcm(path):
    return subprocess.run(["wavdump", "-p", path], check=True,
                          capture_output=True).stdout


def main():
    exp = open(sys.argv[1], "rb").read()
    fb = int(sys.argv[2])
    runs = {}
    order = []
    for path in sorted(sys.argv[3:], key=lambda p: p.rsplit("/", 1)[-1]):
        g = guano(path)
        run = g["REC|Run"]
        if run not in runs:
            runs[run] = []
            order.append(run)
        runs[run].append((path, g))
    bad = 0
    for run in order:
        pos = None
        frames = lost = 0
        for path, g in runs[run]:
            first = int(g["REC|First Frame"])
            n = int(g["REC|Frames"])
            gaps = []
            if g.get("REC|Gaps"):
                for item in g["REC|Gaps"].split(","):
                    o, l = item.split("+")
                    gaps.append((int(o), int(l)))
            seglost = sum(l for _, l in gaps)
            if seglost != int(g["REC|Lost Frames"]):
                print(f"{path}: Lost Frames {g['REC|Lost Frames']} != "
                      f"sum of gaps {seglost}")
                bad += 1
            if pos is not None and first != pos:
                print(f"{path}: First Frame {first}, want {pos}")
                bad += 1
            data = pcm(path)
            if len(data) != n * fb:
                print(f"{path}: {len(data)} bytes, want {n * fb}")
                bad += 1
            # walk the file in runs between gaps
            k = 0
            t = first
            cuts = sorted(gaps) + [(n, 0)]
            for off, length in cuts:
                if off > k:
                    a = data[k * fb:off * fb]
                    b = exp[t * fb:(t + off - k) * fb]
                    if a != b:
                        print(f"{path}: frames {k}..{off} differ from "
                              f"the stream at {t}")
                        bad += 1
                    t += off - k
                    k = off
                t += length
            pos = first + n + seglost
            frames += n
            lost += seglost
        print(f"run={run} segments={len(runs[run])} frames={frames} "
              f"lost={lost} end={pos}")
    sys.exit(1 if bad else 0)


main()
