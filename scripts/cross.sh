#!/bin/sh
# Cross-build rec for 32-bit (armhf) and 64-bit (arm64) Raspberry Pi OS and
# run the unit tests under qemu-user: proves the code is large-file and
# 2038 safe with a 32-bit long and time_t, and that every binary links.
#   scripts/cross.sh deps ARCH...    toolchains, then the ARCH sysroots
#   scripts/cross.sh build ARCH      lib/, binaries, tests: build-cross-ARCH/
#   scripts/cross.sh test ARCH       its unit tests under qemu
#   scripts/cross.sh [ARCH...]       all three (default: armhf arm64)
# Heavy (the toolchains are ~500 MiB): only `make check-cross` runs it.
#
# Why a sysroot and not multiarch -dev packages (apt-get install
# libssl-dev:armhf): those are Multi-Arch: same and must be the very
# version of the native ones, which a mirror does not always offer for
# every architecture (security updates land per architecture).  The
# sysroot takes each architecture's own consistent set, and leaves the
# machine's installed libraries alone.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
MAKE=${MAKE:-make}
cache=$top/.cache/cross

triplet() {
	case $1 in
	armhf) echo arm-linux-gnueabihf ;;
	arm64) echo aarch64-linux-gnu ;;
	*) echo "cross: error: unknown architecture $1 (armhf, arm64)" >&2
	   exit 64 ;;
	esac
}
qemu_of() {
	case $1 in
	armhf) echo qemu-arm-static ;;
	arm64) echo qemu-aarch64-static ;;
	esac
}
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
# Another apt may hold the lock for a while on a shared machine.
apt() { $sudo apt-get -o DPkg::Lock::Timeout=900 "$@"; }

# The -dev packages the native build uses (scripts/deps/*.apt).
dev_pkgs() {
	cat "$top"/scripts/deps/*.apt | sed 's/#.*//' | tr -s ' \t' '\n' |
	    grep -- '^lib.*-dev$' | grep -v '^libclang-rt' | sort -u
}

# The cross C library and kernel headers come with the toolchain: keep
# the target's copies out of the sysroot (their libc.so linker script
# names absolute paths that would lead to the build machine's).
toolchain_pkgs='libc6-dev libc-dev-bin libcrypt-dev libnsl-dev libtirpc-dev
linux-libc-dev rpcsvc-proto'

tools() {
	missing=
	for p in $(sed 's/#.*//' "$top/scripts/deps/cross.txt" | tr -s ' \t' '\n'); do
		s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[ "$s" = installed ] || missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	echo "cross: installing:$missing" >&2
	apt update -qq >&2 || true
	# shellcheck disable=SC2086
	apt install -y -qq --no-install-recommends $missing >&2
}

sysroot() {	# arch: .cache/cross/ARCH holds every library the build needs
	a=$1
	root=$cache/$a
	if ! dpkg --print-foreign-architectures | grep -qx "$a"; then
		echo "cross: adding architecture $a (package lists only)" >&2
		$sudo dpkg --add-architecture "$a"
		apt update -qq >&2 || true
	fi
	# shellcheck disable=SC2046
	want=$(apt-cache depends --recurse --no-recommends --no-suggests \
	    --no-conflicts --no-breaks --no-replaces --no-enhances \
	    $(dev_pkgs | sed "s/\$/:$a/") | grep -v '^ ' | grep ":$a\$" |
	    sed "s/:$a\$//" | sort -u)
	for p in $toolchain_pkgs; do
		want=$(echo "$want" | grep -vx "$p")
	done
	# name=version of each: the sysroot is remade when any of them changes
	# shellcheck disable=SC2046
	list=$(apt-cache policy $(echo "$want" | sed "s/\$/:$a/") | awk '
	    /^[^ ]/ { p = $1; sub(/:[^:]*:$/, "", p) }
	    /^  Candidate:/ { print p "=" $2 }')
	if [ -f "$root/.packages" ] && [ "$list" = "$(cat "$root/.packages")" ]; then
		return 0
	fi
	echo "cross: unpacking $(echo "$list" | wc -l) $a packages into $root" >&2
	rm -rf "$root" "$cache/debs-$a"
	mkdir -p "$root" "$cache/debs-$a"
	# (as _apt when root, which must be able to write there)
	if [ "$(id -u)" = 0 ]; then chown _apt "$cache/debs-$a" 2>/dev/null || :; fi
	# shellcheck disable=SC2046
	(cd "$cache/debs-$a" && apt-get download -qq $(echo "$list" |
	    sed "s/=/:$a=/") >&2)
	for d in "$cache/debs-$a"/*.deb; do
		dpkg-deb -x "$d" "$root"
	done
	rm -rf "$cache/debs-$a"
	echo "$list" >"$root/.packages"
}

deps() {
	tools
	for a in "$@"; do
		triplet "$a" >/dev/null
		sysroot "$a"
	done
}

build() {	# arch
	t=$(triplet "$1")
	r=$cache/$1
	libs="$r/usr/lib/$t:$r/lib/$t"
	# No deps step: the native one installs nothing for ARCH.  pkg-config
	# answers from the sysroot and prefixes its paths with it; the
	# libraries whose .pc names no directory are found by -isystem/-L.
	PKG_CONFIG_LIBDIR=$r/usr/lib/$t/pkgconfig:$r/usr/share/pkgconfig \
	PKG_CONFIG_SYSROOT_DIR=$r \
	"$MAKE" -C "$top" --no-print-directory BUILD="build-cross-$1" \
	    CC="$t-gcc" AR="$t-ar" \
	    CPPFLAGS="-isystem $r/usr/include/$t -isystem $r/usr/include" \
	    LDFLAGS="-L$r/usr/lib/$t -L$r/lib/$t -Wl,-rpath-link,$libs" \
	    cross-tests
}

# Every unit test binary under qemu-user, as test/run runs them (cwd
# $BUILD/trash, REC_TOP, TZ=UTC, LC_ALL=C), with the sysroot as the
# target's /.  Ends with the count line.
run_tests() {	# arch
	t=$(triplet "$1")
	q=$(qemu_of "$1")
	b=$top/build-cross-$1
	command -v "$q" >/dev/null 2>&1 || {
		echo "cross: error: $q not found (scripts/cross.sh deps $1)" >&2
		exit 69
	}
	mkdir -p "$b/trash"
	pass=0 fail=0 failed=
	for src in "$top"/test/unit/test_*.c; do	# a stale binary is not run
		n=$(basename "$src" .c)
		u=$b/test/$n
		log=$b/trash/$n.log
		if (cd "$b/trash" && env REC_TOP="$top" REC_BUILD="$b" LC_ALL=C \
		    TZ=UTC QEMU_LD_PREFIX="$cache/$1" \
		    QEMU_SET_ENV="LD_LIBRARY_PATH=/usr/lib/$t:/lib/$t" \
		    timeout -k 5 "${REC_TEST_TIMEOUT:-900}" "$q" "$u") \
		    >"$log" 2>&1; then
			pass=$((pass + 1)); echo "ok   $1 $n"
		else
			fail=$((fail + 1)); failed="$failed $n"
			echo "FAIL $1 $n"; tail -n 40 "$log" | sed 's/^/     | /'
		fi
	done
	echo
	[ -z "$failed" ] || echo "failed ($1):$failed"
	echo "$1: $pass passed, $fail failed"
	[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
}

case ${1:-} in
deps) shift; deps "$@" ;;
build) build "${2:?usage: scripts/cross.sh build ARCH}" ;;
test) run_tests "${2:?usage: scripts/cross.sh test ARCH}" ;;
*)
	[ $# -gt 0 ] || set -- armhf arm64
	deps "$@"
	rc=0
	for a in "$@"; do
		if build "$a"; then run_tests "$a" || rc=1; else rc=1; fi
	done
	exit $rc ;;
esac
