#!/bin/bash
# make demo: the whole system on this machine, no sound card, no cloud.
# Starts a local S3-compatible server on 127.0.0.1 (test/s3/s3rver, else a
# Ceph RGW), records about a minute of a paced test signal (48 kHz stereo)
# through recd in 5-second segments, archives every 3 segments, uploads,
# then shows what landed in the bucket and rec-status. Everything it
# starts is stopped on exit. Usage: BUILD=build scripts/demo.sh
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
secs=${DEMO_SECONDS:-60}
work=$BUILD/demo
s3=$work/s3
export REC_TOP=$top LC_ALL=C TZ=UTC
export PATH="$BUILD/bin:$BUILD/test/helpers:$PATH"
unset REC_CONFIG REC_SPOOL AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY \
	AWS_SESSION_TOKEN

say() { printf '\n== %s\n' "$*"; }
server=
cleanup() {
	[ -n "$server" ] && "$top/test/s3/$server" stop "$s3" >/dev/null 2>&1
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The test source (pacer) is a test helper: build it too.
make -s --no-print-directory -C "$top" BUILD="$BUILD" "$BUILD/test/helpers/pacer"
for t in recd rec-capture rec-archive rec-upload rec-status pacer; do
	command -v "$t" >/dev/null || { echo "demo: error: $t is not built" >&2; exit 69; }
done

rm -rf "$work"
mkdir -p "$work"
say "starting a local S3 server (127.0.0.1)"
for s in s3rver rgw; do
	if REC_S3_TTL=$((secs + 600)) "$top/test/s3/$s" start "$s3" >"$work/s3-start.log" 2>&1; then
		server=$s
		break
	fi
	"$top/test/s3/$s" stop "$s3" >/dev/null 2>&1 || true
done
[ -n "$server" ] || { cat "$work/s3-start.log" >&2; echo "demo: error: no S3 server could start" >&2; exit 69; }
. "$s3/env"
"$top/test/s3/mkbucket" "$s3" demo
echo "$server at $S3_ENDPOINT, bucket 'demo'"

umask 077
cat >"$work/credentials" <<EOF
[default]
aws_access_key_id = $AWS_ACCESS_KEY_ID
aws_secret_access_key = $AWS_SECRET_ACCESS_KEY
EOF
cat >"$work/rec.conf" <<EOF
# The demo's rec.conf: scripts/rec.conf.example is the one for a station.
spool = $work/spool
station = demo

[capture]
# raw PCM on recd's standard input (here: pacer, a paced test signal)
device = -
rate = 48000
channels = 2
format = S16_LE
segment = 5s
duration = ${secs}s

[archive]
min-count = 3

[upload]
endpoint = $S3_ENDPOINT
region = $S3_REGION
bucket = demo
prefix = demo/
addressing = path
credentials-file = $work/credentials

[recd]
interval = 5s
EOF
umask 022

say "recording ${secs}s of 48 kHz stereo through recd (log: $work/recd.log)"
echo "   pacer -r 48000 -c 2 -d $((secs + 2)) | recd --config $work/rec.conf"
rc=0
( pacer -r 48000 -c 2 -f S16_LE -d $((secs + 2)) -b 10 2>"$work/pacer.log" |
	recd --config "$work/rec.conf" 2>"$work/recd.log" ) &
run=$!
i=0
while kill -0 "$run" 2>/dev/null; do
	sleep 1
	i=$((i + 1))
	if [ $((i % 15)) = 0 ]; then
		printf '   %3ds: ' "$i"
		rec-status --config "$work/rec.conf" 2>/dev/null |
			sed -n 's/^pending *//p' | tr -d '\n'
		printf ', %s objects in the bucket\n' \
			"$("$top/test/s3/aws" "$s3" s3 ls --recursive s3://demo 2>/dev/null | wc -l)"
	fi
done
wait "$run" || rc=$?
grep -E 'error|warning|session' "$work/recd.log" | sed 's/^/   /' | tail -n 8 || true

say "the bucket"
"$top/test/s3/aws" "$s3" s3 ls --recursive s3://demo | awk '{ printf "   %10d  %s\n", $3, $4 }'

say "rec-status"
rec-status --config "$work/rec.conf" | sed 's/^/   /' || true

say "done: recd exited $rc; $(cat "$work/pacer.log")"
echo "   spool: $work/spool   config: $work/rec.conf"
exit "$rc"
