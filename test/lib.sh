# Sourced by every test/t/*.sh. The test runs with `bash -e` in its own
# scratch directory (also $HOME); PATH starts with the built binaries.
# REC_TOP is the source tree, REC_BUILD the build directory.

say() { echo "# $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# skip REASON: end the test as skipped. Only this counts as a skip: the
# runner takes a bare exit 77 (a tool's "permission denied") as a failure.
skip() {
	echo "skip: $*"
	[ -z "${REC_SKIP_MARK:-}" ] || echo "$*" >"$REC_SKIP_MARK"
	exit 77
}

# expect_exit CODE cmd...: run cmd, fail unless it exits with CODE.
expect_exit() {
	local want=$1 rc=0
	shift
	"$@" || rc=$?
	[ "$rc" = "$want" ] || fail "expected exit $want, got $rc: $*"
}

# expect_grep PATTERN FILE: fail unless FILE has a line matching PATTERN.
expect_grep() {
	grep -q -e "$1" "$2" || { cat "$2" >&2; fail "no '$1' in $2"; }
}

# A random-ish integer in [0, $1), from $RANDOM (seeded per test name).
RANDOM=$(printf '%s' "${TEST_NAME:-x}" | cksum | cut -d' ' -f1)
rnd() { echo $((RANDOM % $1)); }

# under_san: true when the binaries are an ASan/UBSan build.
under_san() { case $REC_BUILD in *san*) return 0 ;; esac; return 1; }

# at_time 'YYYY-MM-DD hh:mm:ss' cmd...: run cmd with the wall clock (UTC)
# starting at that time (libfaketime), so that a test that compares ages
# with fixed names gives the same answer whatever today's date is. Not with
# the ASan build: libfaketime deadlocks in its allocator (under_san).
at_time() {
	local t=$1
	shift
	command -v faketime >/dev/null || fail "at_time: no faketime (scripts/deps/test.apt)"
	# without the outer libfaketime of make check-future: nested, the
	# absolute time would be taken relative to the moved clock
	env -u LD_PRELOAD -u FAKETIME TZ=UTC faketime "$t" "$@"
}

# faulty cmd...: run cmd with the fault shim preloaded (test/shim/fault.c
# says which REC_FAULT_* variables it reads), e.g.
#   REC_FAULT_EIO=seg/x.wav faulty rec-archive -d sp
faulty() {
	LD_PRELOAD="$REC_BUILD/test/shim/fault.so${LD_PRELOAD:+:$LD_PRELOAD}" "$@"
}

# wait_until SECS cmd...: run cmd every 0.1 s until it succeeds; fail
# naming it after SECS. The bound only keeps a broken run from hanging
# until the runner's limit: give it a wide margin, it times nothing.
wait_until() {
	local _wu_n=$(($1 * 10)) _wu_i
	shift
	for ((_wu_i = 0; _wu_i < _wu_n; _wu_i++)); do
		"$@" && return 0
		sleep 0.1
	done
	fail "still false after $((_wu_n / 10)) s: $*"
}

# shifted SECONDS: a libfaketime offset ("+N" or "-N" seconds) that puts a
# command SECONDS away from this test's own clock, which `make
# check-future` has already moved (FAKETIME=+730d): an inner faketime
# replaces the outer offset instead of adding to it. Use it as
# `faketime -f "$(shifted -7200)" cmd`.
shifted() {
	local base=0 v=${FAKETIME:-} n
	case $v in
	[+-][0-9]*)
		n=${v%[smhdy]}
		case $v in
		*m) n=$((n * 60)) ;; *h) n=$((n * 3600)) ;;
		*d) n=$((n * 86400)) ;; *y) n=$((n * 31536000)) ;;
		esac
		base=$((n)) ;;
	esac
	n=$((base + $1))
	if [ "$n" -ge 0 ]; then echo "+$n"; else echo "$n"; fi
}
