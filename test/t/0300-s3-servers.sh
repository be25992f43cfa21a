# Self-test of the S3 test infrastructure (test/s3/): a real Ceph RGW and
# s3rver start, take a bucket and objects from the AWS CLI, check what they
# are known to check (RGW: Content-MD5, payload hash, signature; s3rver:
# signature), and the fault proxy injects each of its faults in front of
# them. Everything started here is stopped at the end (and would stop by
# itself after REC_S3_TTL seconds anyway).
. "$REC_TOP/test/lib.sh"

S3=$REC_TOP/test/s3
export REC_S3_TTL=300
started=
cleanup() {
	local d
	for d in $started; do
		"$S3/faultproxy" stop "$d" 2>/dev/null || true
		"$S3/rgw" stop "$d" 2>/dev/null || true
	done
}
trap cleanup EXIT

# sc ENVDIR URL [curl args]: a SigV4-signed curl request with the keys of
# ENVDIR/env; prints the HTTP status, the body goes to ./body and the
# response headers to ./hdr. The payload hash is UNSIGNED-PAYLOAD unless
# the arguments set x-amz-content-sha256.
sc() {
	local envdir=$1 url=$2 key secret
	shift 2
	key=$(sed -n 's/^AWS_ACCESS_KEY_ID=//p' "$envdir/env")
	secret=$(sed -n 's/^AWS_SECRET_ACCESS_KEY=//p' "$envdir/env")
	case " $* " in
	*x-amz-content-sha256*) ;;
	*) set -- -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@" ;;
	esac
	# shellcheck disable=SC2086  # SC_PREFIX: e.g. "faketime -f +2h"
	${SC_PREFIX:-} curl -s -o body -D hdr -w '%{http_code}' --max-time 60 \
		--aws-sigv4 "aws:amz:us-east-1:s3" --user "$key:$secret" "$@" "$url" ||
		true
}
sha() { sha256sum <"$1" | cut -d' ' -f1; }
# put ENVDIR URL FILE / get ENVDIR URL FILE: store FILE there, or check
# that the object there is FILE, with curl (quicker than the AWS CLI).
put() {
	[ "$(sc "$1" "$2" -T "$3" -H "x-amz-content-sha256: $(sha "$3")")" = 200 ] ||
		{ cat body; fail "PUT $2 failed"; }
}
get() {
	[ "$(sc "$1" "$2")" = 200 ] || { cat body; fail "GET $2 failed"; }
	cmp "$3" body || fail "GET $2: not the content of $3"
}
md5b64() {
	python3 -c 'import base64, hashlib, sys
print(base64.b64encode(hashlib.md5(open(sys.argv[1], "rb").read()).digest()).decode())' "$1"
}
endpoint() { sed -n "s/^$2=//p" "$1"; }

head -c 300000 /dev/urandom >small
head -c 10485760 /dev/urandom >ten
echo "a different body" >other

# server_checks KIND DIR: the server answers, keeps and returns objects.
server_checks() {
	local kind=$1 d=$2 ep
	ep=$(endpoint "$d/env" S3_ENDPOINT)
	expect_grep "^S3_KIND=$kind\$" "$d/env"
	"$S3/mkbucket" "$d" bkt
	"$S3/aws" "$d" s3 cp --no-progress small s3://bkt/small >/dev/null
	"$S3/aws" "$d" s3 cp --only-show-errors s3://bkt/small got
	cmp small got
	"$S3/aws" "$d" s3 cp --no-progress ten s3://bkt/ten >/dev/null
	"$S3/aws" "$d" s3api head-object --bucket bkt --key ten >head.json
	expect_grep '"ContentLength": 10485760' head.json
	# multipart (8 MiB + 2 MiB): RGW has S3's ETag (md5 of the part md5s,
	# "-2"); s3rver gives the md5 of the whole object
	[ "$kind" != rgw ] || expect_grep '"ETag": .*-2' head.json
	# a wrong secret key is refused
	cp "$d/env" bad.env
	sed -i 's/^AWS_SECRET_ACCESS_KEY=.*/AWS_SECRET_ACCESS_KEY=wrongwrong/' bad.env
	mkdir -p bad && mv bad.env bad/env
	[ "$(sc bad "$ep/bkt/small")" = 403 ] || fail "$kind: wrong secret accepted"
	expect_grep SignatureDoesNotMatch body
	[ "$(sc "$d" "$ep/bkt/small")" = 200 ] || fail "$kind: signed GET failed"
	cmp small body
}

# proxy_checks DIR: each faultproxy rule in front of the server in DIR.
proxy_checks() {
	local d=$1 ep pe p=$1-proxy
	ep=$(endpoint "$d/env" S3_ENDPOINT)
	"$S3/faultproxy" start "$p" "$ep" --keys "$d/env" \
		'GET ~/bkt/small #1 status 503 SlowDown retry-after=2' \
		'PUT ~/bkt/rst #1 reset-mid-body 1000' \
		'PUT ~/bkt/stalled #1 stall 1 100' \
		'GET ~/bkt/slow throttle 1000000' \
		'POST ~uploadId= #1 drop-response' \
		'GET ~/bkt/skewed skew-date 7200' \
		'PUT ~/bkt/fwd #1 forward-status 500'
	started="$started $p"
	pe=$(endpoint "$p/proxy.env" PROXY_ENDPOINT)
	case $pe in http://127.0.0.1:[0-9]*) ;; *) fail "bad PROXY_ENDPOINT $pe" ;; esac

	# status: the 1st GET gets the 503 SlowDown, the 2nd goes through
	[ "$(sc "$d" "$pe/bkt/small")" = 503 ] || fail "no 503"
	expect_grep '<Code>SlowDown</Code>' body
	expect_grep '^Retry-After: 2' hdr
	[ "$(sc "$d" "$pe/bkt/small")" = 200 ] || fail "2nd GET through the proxy"
	cmp small body
	# the AWS CLI works through the proxy
	AWS_MAX_ATTEMPTS=1 S3_AWS_ENDPOINT=$pe "$S3/aws" "$d" s3api head-object \
		--bucket bkt --key small >/dev/null

	# reset-mid-body: curl sees a reset, upstream keeps nothing
	sc "$d" "$pe/bkt/rst" -T small -H "x-amz-content-sha256: $(sha small)" \
		>/dev/null
	code=$(sc "$d" "$ep/bkt/rst")
	if [ "$code" != 404 ]; then
		# s3rver can keep a truncated (often empty) object after an
		# aborted PUT; RGW keeps nothing
		[ "$(endpoint "$d/env" S3_KIND)" = s3rver ] && [ "$code" = 200 ] &&
			! cmp -s small body || fail "a reset PUT left an object ($code)"
		say "s3rver keeps a $(wc -c <body)-byte object after an aborted PUT"
	fi
	[ "$(sc "$d" "$pe/bkt/rst" -T small -H "x-amz-content-sha256: $(sha small)")" = 200 ] ||
		fail "2nd PUT after a reset"
	get "$d" "$ep/bkt/rst" small
	expect_grep 'PUT /bkt/rst -> reset-mid-body \[rule 2\] after 1000 body bytes' "$p/proxy.log"

	# stall: the body arrives whole after the pause (curl sends a 300 kB
	# body with Expect: 100-continue only above 1 MiB; this one without)
	[ "$(sc "$d" "$pe/bkt/stalled" -T small -H "x-amz-content-sha256: $(sha small)")" = 200 ] ||
		fail "stalled PUT"
	expect_grep 'PUT /bkt/stalled -> stall 1s \[rule 3\] after 100 body bytes' "$p/proxy.log"
	get "$d" "$ep/bkt/stalled" small
	# a large PUT with Expect: 100-continue goes through the proxy whole
	[ "$(sc "$d" "$pe/bkt/big" -T ten -H "x-amz-content-sha256: $(sha ten)")" = 200 ] ||
		fail "10 MiB PUT through the proxy"
	get "$d" "$ep/bkt/big" ten

	# throttle: the bytes are intact (the rate is not timed here)
	put "$d" "$ep/bkt/slow" small
	[ "$(sc "$d" "$pe/bkt/slow")" = 200 ] || fail "throttled GET"
	cmp small body
	expect_grep 'GET /bkt/slow -> throttle \[rule 4\] 200' "$p/proxy.log"

	# drop-response on CompleteMultipartUpload: the client gets no answer,
	# the object exists upstream all the same (the lost-answer case)
	rc=0
	AWS_MAX_ATTEMPTS=1 S3_AWS_ENDPOINT=$pe "$S3/aws" "$d" s3 cp --no-progress \
		ten s3://bkt/dropped >out 2>&1 || rc=$?
	[ $rc != 0 ] || { cat out; fail "the client saw an answer to a dropped Complete"; }
	expect_grep 'POST /bkt/dropped?uploadId=.* -> drop-response \[rule 5\] (upstream answered 200)' "$p/proxy.log"
	get "$d" "$ep/bkt/dropped" ten
	# forward-status: upstream stores the object, the client gets a 500
	[ "$(sc "$d" "$pe/bkt/fwd" -T small -H "x-amz-content-sha256: $(sha small)")" = 500 ] ||
		fail "forward-status: no 500"
	expect_grep '<Code>InternalError</Code>' body
	get "$d" "$ep/bkt/fwd" small
	expect_grep 'PUT /bkt/fwd -> forward-status \[rule 7\] (upstream answered 200) 500' "$p/proxy.log"

	# skew-date: the server clock runs 2 h ahead; the client's own time is
	# refused with the skewed Date, a client 2 h ahead gets through (the
	# proxy re-signs it for the real server)
	put "$d" "$ep/bkt/skewed" small
	[ "$(sc "$d" "$pe/bkt/skewed")" = 403 ] || fail "skew not refused"
	expect_grep '<Code>RequestTimeTooSkewed</Code>' body
	server=$(sed -n 's/^Date: //p' hdr | tr -d '\r')
	delta=$(( $(date -d "$server" +%s) - $(date +%s) ))
	[ $delta -gt 7000 ] && [ $delta -lt 7400 ] || fail "skewed Date $server"
	[ "$(SC_PREFIX="faketime -f $(shifted 7200)" sc "$d" "$pe/bkt/skewed")" = 200 ] ||
		{ cat body; fail "a client with the server's time was refused"; }
	cmp small body
	expect_grep 'GET /bkt/skewed -> skew-date \[rule 6\] re-signed 200' "$p/proxy.log"

	"$S3/faultproxy" stop "$p"
	"$S3/faultproxy" stop "$p"	# idempotent
	! curl -s -o /dev/null "$pe/" || fail "the proxy still answers after stop"
}

# stopped DIR PGIDS: every process group of DIR is gone.
stopped() {
	local pg
	for pg in $2; do
		! kill -0 -- "-$pg" 2>/dev/null || fail "$1: process group $pg still alive"
	done
}

tested=0
if [ -f "$REC_TOP/.cache/npm/node_modules/@20minutes/s3rver/package.json" ]; then
	"$S3/s3rver" start srv
	started="$started $PWD/srv"
	server_checks s3rver srv
	# s3rver does not check Content-MD5 (RGW does, below): say so, do not
	# rely on it
	code=$(sc srv "$(endpoint srv/env S3_ENDPOINT)/bkt/md5" -T other \
		-H "Content-MD5: $(md5b64 small)")
	say "s3rver answers $code to a PUT with a wrong Content-MD5"
	# chunked request bodies pass the proxy (RGW wants a length: 411)
	"$S3/faultproxy" start chunkp "$(endpoint srv/env S3_ENDPOINT)" \
		'PUT ~chunked #1 stall 0.2 50000'
	started="$started $PWD/chunkp"
	[ "$(sc srv "$(endpoint chunkp/proxy.env PROXY_ENDPOINT)/bkt/chunked" \
		-T - -H 'Transfer-Encoding: chunked' <small)" = 200 ] || fail "chunked PUT"
	"$S3/aws" srv s3 cp --only-show-errors s3://bkt/chunked got
	cmp small got
	expect_grep 'PUT /bkt/chunked -> stall 0.2s \[rule 1\] after 50000 body bytes' chunkp/proxy.log
	"$S3/faultproxy" stop chunkp
	proxy_checks srv
	# the time limit: a server and a proxy end by themselves (waited for
	# up to 60 s, no timing is asserted)
	REC_S3_TTL=1 "$S3/s3rver" start ttl
	started="$started $PWD/ttl"
	REC_S3_TTL=1 "$S3/faultproxy" start ttlp "$(endpoint ttl/env S3_ENDPOINT)"
	started="$started $PWD/ttlp"
	pg=$(cut -d' ' -f2 ttl/pids) pp=$(cat ttlp/proxy.pid)
	for i in $(seq 600); do
		kill -0 -- "-$pg" 2>/dev/null || kill -0 "$pp" 2>/dev/null || break
		sleep 0.1
	done
	stopped s3rver-ttl "$pg"
	! kill -0 "$pp" 2>/dev/null || fail "the proxy outlived its time limit"
	expect_grep 'time limit reached' ttlp/proxy.log
	pgs=$(cut -d' ' -f2 srv/pids)
	"$S3/s3rver" stop srv
	stopped s3rver "$pgs"
	tested=$((tested + 1))
else
	say "s3rver is not installed (scripts/deps.sh, node >= 20): not tested"
fi

if under_san; then
	say "sanitizer build: the RGW part is left to the plain run"
elif ! command -v radosgw >/dev/null; then
	say "radosgw is not installed (scripts/deps.sh): not tested"
else
	"$S3/rgw" start rgw
	started="$started $PWD/rgw"
	server_checks rgw rgw
	ep=$(endpoint rgw/env S3_ENDPOINT)
	# a wrong Content-MD5 is refused with BadDigest, by the AWS CLI too
	[ "$(sc rgw "$ep/bkt/md5" -T other -H "Content-MD5: $(md5b64 small)" \
		-H "x-amz-content-sha256: $(sha other)")" = 400 ] || fail "wrong Content-MD5 accepted"
	expect_grep '<Code>BadDigest</Code>' body
	! "$S3/aws" rgw s3api put-object --bucket bkt --key md5 --body other \
		--content-md5 "$(md5b64 small)" >out 2>&1 || fail "aws: wrong Content-MD5 accepted"
	[ "$(sc rgw "$ep/bkt/md5" -T other -H "Content-MD5: $(md5b64 other)" \
		-H "x-amz-content-sha256: $(sha other)")" = 200 ] || fail "right Content-MD5 refused"
	# a payload that does not match the signed hash is refused
	[ "$(sc rgw "$ep/bkt/sha" -T other -H "x-amz-content-sha256: $(sha small)")" = 400 ] ||
		fail "wrong payload hash accepted"
	expect_grep '<Code>XAmzContentSHA256Mismatch</Code>' body
	proxy_checks rgw
	pgs=$(cut -d' ' -f2 rgw/pids)
	"$S3/rgw" stop rgw
	"$S3/rgw" stop rgw	# idempotent
	stopped rgw "$pgs"
	tested=$((tested + 1))
fi
[ $tested -gt 0 ] || skip "no S3 server installed"
