#!/bin/sh
# Install what building and testing rec needs, on Debian: every package
# named in scripts/deps/*.apt that is missing (apt-get, through sudo when
# not root), then every scripts/deps/*.sh hook. Quiet when nothing is
# missing. Usage: scripts/deps.sh [--no-hooks]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")

want=$(cat "$here"/deps/*.apt | sed 's/#.*//' | tr -s ' \t' '\n\n' | sed '/^$/d' | sort -u)
missing=
for p in $want; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$s" = installed ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "deps: error: missing packages:$missing (and no apt-get here)" >&2
		exit 69
	fi
	sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	echo "deps: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq >&2 || true
	# shellcheck disable=SC2086
	$sudo apt-get install -y -qq --no-install-recommends $missing >&2
fi
if [ "${1:-}" != --no-hooks ]; then
	for h in "$here"/deps/*.sh; do
		[ -e "$h" ] || continue
		REC_TOP=$top sh "$h"
	done
fi
