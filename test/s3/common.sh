# Shared by the test/s3 scripts (sourced, bash): free ports, detached
# daemons with a time limit, and stopping them. Not for tests themselves.

s3_ttl=${REC_S3_TTL:-900}

# s3_die MSG...: print "NAME: error: MSG" and exit 1.
s3_die() { echo "${0##*/}: error: $*" >&2; exit 1; }

# s3_free_port: print a TCP port on 127.0.0.1 that nothing listens on now.
s3_free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# s3_spawn DIR NAME CMD...: run CMD detached from the caller (own session,
# stdin from /dev/null, output to DIR/log/NAME.out) under timeout(1), so
# that it ends after $s3_ttl seconds whatever happens to the caller. The
# session id (= process group) is recorded in DIR/pids as "NAME PGID".
s3_spawn() {
	local dir=$1 name=$2 pidf
	shift 2
	mkdir -p "$dir/log" "$dir/run"
	pidf=$dir/run/$name.pgid
	rm -f "$pidf"
	# sh -c writes its own pid then execs: that pid leads the new session.
	setsid sh -c 'echo $$ >"$0"; exec "$@"' "$pidf" \
		timeout -s TERM -k 5 "$s3_ttl" "$@" \
		</dev/null >>"$dir/log/$name.out" 2>&1 &
	local i
	for i in $(seq 100); do
		[ -s "$pidf" ] && break
		sleep 0.02
	done
	[ -s "$pidf" ] || s3_die "cannot start $name"
	echo "$name $(cat "$pidf")" >>"$dir/pids"
}

# s3_alive PGID: true while any process of that group exists.
s3_alive() { kill -0 -- "-$1" 2>/dev/null; }

# s3_running DIR: true when a process started in DIR is still alive (a
# stale DIR/pids, left when the time limit ended them, is removed).
s3_running() {
	local pg
	[ -f "$1/pids" ] || return 1
	for pg in $(cut -d' ' -f2 "$1/pids"); do
		s3_alive "$pg" && return 0
	done
	rm -f "$1/pids"
	return 1
}

# s3_stop_all DIR: SIGTERM every process group in DIR/pids, wait up to
# $s3_grace tenths of a second (default 30: radosgw alone takes ~7 s to
# exit on SIGTERM, and nothing here holds data worth a clean shutdown), then
# SIGKILL what is left. Idempotent.
s3_stop_all() {
	local dir=$1 pg left i
	[ -f "$dir/pids" ] || return 0
	local groups
	groups=$(tac "$dir/pids" | cut -d' ' -f2)
	for pg in $groups; do
		kill -TERM -- "-$pg" 2>/dev/null || true
	done
	for i in $(seq "${s3_grace:-30}"); do
		left=
		for pg in $groups; do
			s3_alive "$pg" && left="$left $pg"
		done
		[ -z "$left" ] && break
		sleep 0.1
	done
	for pg in $left; do
		kill -KILL -- "-$pg" 2>/dev/null || true
	done
	# SIGKILL is not instant (radosgw frees a lot): return once all is gone.
	for i in $(seq 100); do
		left=
		for pg in $groups; do
			s3_alive "$pg" && left="$left $pg"
		done
		[ -z "$left" ] && break
		sleep 0.1
	done
	[ -z "$left" ] || echo "${0##*/}: warning: process groups$left survive SIGKILL" >&2
	rm -f "$dir/pids"
}

# s3_wait_http DIR URL SECONDS: true once URL answers any HTTP status;
# false after SECONDS, or as soon as a process group of DIR/pids is gone.
s3_wait_http() {
	local dir=$1 url=$2 n=$(($3 * 10)) i pg
	for i in $(seq "$n"); do
		curl -s -o /dev/null --max-time 2 "$url" && return 0
		for pg in $(cut -d' ' -f2 "$dir/pids"); do
			s3_alive "$pg" || return 1
		done
		sleep 0.1
	done
	return 1
}

# s3_aws: the AWS CLI; Debian's /usr/bin/aws first (a user's pip/pyenv
# aws earlier in PATH may be another major version).
s3_aws() {
	if [ -x /usr/bin/aws ]; then /usr/bin/aws "$@"; else aws "$@"; fi
}
