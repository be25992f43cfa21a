# The shipped systemd units: systemd-analyze verify accepts them (with
# ExecStart pointed at the built binaries), every timer starts a unit that
# exists, and the restart rules keep both modes right. Always on
# (recd.service): a crash or an I/O error is restarted, a bad config or
# an exit 75 (a session over with uploads pending, another recd on the
# spool) is not. A timer-started session is never restarted, so that "10
# minutes an hour" stays that during a network outage.
# rec-test: alone (real time or recd's timing: no other test beside it)
. "$REC_TOP/test/lib.sh"
U=$REC_TOP/scripts/systemd

mkdir units
cp "$U"/* units/
sed -i "s|^ExecStart=/usr/local/bin/|ExecStart=$REC_BUILD/bin/|" units/*.service
if command -v systemd-analyze >/dev/null; then
	say "systemd-analyze verify"
	rc=0
	(cd units && systemd-analyze verify --man=no ./*) >verify.log 2>&1 || rc=$?
	[ "$rc" = 0 ] || { cat verify.log; fail "systemd-analyze verify exited $rc"; }
	# unknown keys and bad values are only warnings: none is allowed
	[ ! -s verify.log ] || { cat verify.log; fail "systemd-analyze verify warned"; }
else
	say "no systemd-analyze (scripts/deps/recd-units.apt): parsing only"
fi

say "the restart rules of both modes"
python3 - "$U" <<'EOF2'
import os, sys

d = sys.argv[1]

def parse(name):
    """A unit file as {section: {key: [values]}} (keys repeat)."""
    u, sec = {}, None
    for line in open(os.path.join(d, name)):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            sec = u.setdefault(line.strip("[]"), {})
            continue
        k, _, v = line.partition("=")
        sec.setdefault(k.strip(), []).append(v.strip())
    return u

def get(u, sec, key, default=""):
    v = u.get(sec, {}).get(key)
    return v[-1] if v else default

def codes(u, key):
    return {int(x) for v in u.get("Service", {}).get(key, []) for x in v.split()
            if x.isdigit()}

def restarts(u, code):
    """Would systemd restart this service when its main process exits
    with code (Restart= of systemd.service(5))?"""
    r = get(u, "Service", "Restart", "no")
    if code in codes(u, "RestartPreventExitStatus"):
        return False
    clean = code == 0 or code in codes(u, "SuccessExitStatus")
    return r == "always" or (r in ("on-failure",) and not clean)

fails = []
def check(cond, what):
    if not cond:
        fails.append(what)

units = sorted(os.listdir(d))
for t in [n for n in units if n.endswith(".timer")]:
    target = get(parse(t), "Timer", "Unit", t[:-len(".timer")] + ".service")
    check(target in units, f"{t} starts {target}, which is not shipped")
    if target not in units:
        continue
    s = parse(target)
    bad = [c for c in range(256) if restarts(s, c)]
    check(not bad, f"{target} (started by {t}) is restarted after exit {bad[:5]}")
    if t == "recd.timer":
        check(target != "recd.service", "recd.timer starts recd.service")
        check(get(s, "Service", "ExecStart").split()[0].endswith("/recd"),
              f"{target} does not run recd")

s = parse("recd.service")
check(get(s, "Service", "ExecStart").split()[0].endswith("/recd"),
      "recd.service does not run recd")
for c in (70, 74, 1, 134):
    check(restarts(s, c), f"recd.service is not restarted after exit {c}")
for c in (0, 64, 75, 78):
    check(not restarts(s, c), f"recd.service is restarted after exit {c}")
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
EOF2
