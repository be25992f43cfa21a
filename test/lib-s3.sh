# Sourced by script tests that need an S3 server, after test/lib.sh:
#   . "$REC_TOP/test/lib-s3.sh"
#   s3_server_start srv            # Ceph RGW (or: s3_server_start srv s3rver)
#   "$S3/mkbucket" srv field
#   s3_use srv                     # S3_ENDPOINT, S3_REGION, ./creds
# The server stops when the test exits (an EXIT trap that also runs the
# test's own cleanup function `s3_cleanup_hook`, if it defines one), and
# by itself after REC_S3_TTL seconds in any case. test/s3/README says what
# each server checks.

S3=$REC_TOP/test/s3
s3_started=

# s3_server_start DIR [rgw|s3rver]: start a server (default: Ceph RGW,
# which Debian packages everywhere; s3rver needs node >= 20) in DIR.
# A missing server is a failure, never a skip: these tests prove the core.
s3_server_start() {
	local dir=$1 kind=${2:-rgw}
	"$S3/$kind" start "$dir" >/dev/null || fail "cannot start $kind in $dir"
	s3_started="$s3_started $kind:$dir"
	trap s3_exit_trap EXIT
}

# s3_server_stop DIR: stop the server started in DIR (idempotent).
s3_server_stop() {
	local k=$(. "$1/env" 2>/dev/null; echo "${S3_KIND:-rgw}")
	"$S3/$k" stop "$1" >/dev/null 2>&1 || true
}

s3_exit_trap() {
	local rc=$? s
	if declare -F s3_cleanup_hook >/dev/null; then s3_cleanup_hook || :; fi
	for s in $s3_started; do
		"$S3/${s%%:*}" stop "${s#*:}" >/dev/null 2>&1 || :
	done
	return $rc
}

# s3_front_pgid DIR: the process group of the server's HTTP front end
# (radosgw or s3rver), e.g. to stop it with SIGSTOP for an outage.
s3_front_pgid() {
	awk '$1 == "rgw" || $1 == "s3rver" { print $2 }' "$1/pids"
}

# s3_use DIR: set S3_ENDPOINT and S3_REGION from DIR/env, write its keys to
# ./creds (0600, for `credentials-file`) and unset them from the
# environment, so that only what rec.conf names is used.
s3_use() {
	. "$1/env"
	(umask 077; printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
		"$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >creds)
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
}

# s3_setup DIR BUCKET [rgw|s3rver]: start a server in DIR, create BUCKET,
# and export DIR/env (S3_ENDPOINT, S3_REGION and the keys) for the tools.
s3_setup() {
	s3_server_start "$1" "${3:-rgw}"
	"$S3/mkbucket" "$1" "$2"
	set -a
	. "$1/env"
	set +a
}
