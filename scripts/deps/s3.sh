#!/bin/sh
# Install the npm S3 server the tests use (@20minutes/s3rver, pinned by
# test/s3/package-lock.json) into $REC_TOP/.cache/npm/, with the machine's
# node and npm. Quiet when it is already there. Needs node >= 20.
set -eu
top=${REC_TOP:?REC_TOP is not set (run scripts/deps.sh)}
dest=$top/.cache/npm
src=$top/test/s3

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	echo "deps: installing: nodejs npm" >&2
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		--no-install-recommends nodejs npm >&2
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
	echo "deps: warning: node $(node --version) is older than 20: s3rver not installed, its tests will skip" >&2
	exit 0
fi
if [ -f "$dest/node_modules/@20minutes/s3rver/package.json" ] &&
	cmp -s "$src/package-lock.json" "$dest/installed.lock"; then
	exit 0
fi
echo "deps: npm: installing @20minutes/s3rver into $dest" >&2
mkdir -p "$dest"
cp "$src/package.json" "$src/package-lock.json" "$dest/"
cd "$dest"
rm -f installed.lock
npm ci --no-audit --no-fund --loglevel=error >&2
cp package-lock.json installed.lock
