# A plain http:// endpoint lets anyone on the path answer 200 with the
# ETag rec-upload expects, and the archive would be deleted: it is refused
# (78, naming the config line, the flag or the variable) before anything
# is sent, except to loopback, unless insecure-http = yes, which warns on
# every run. The spool is empty, so no run here sends a single packet.
. "$REC_TOP/test/lib.sh"
mkdir -p sp/out
export REC_SPOOL=$PWD/sp REC_CONFIG=$PWD/rec.conf
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret
unset AWS_ENDPOINT_URL
conf() {	# conf ENDPOINT [MORE]: rec.conf with that endpoint (line 4)
	printf 'station = st1\n[upload]\nbucket = bkt\nendpoint = %s\n%s\n' \
		"$1" "${2:-}" >rec.conf
}

say "refused: non-loopback hosts, whatever the spelling"
for url in http://192.0.2.1 http://192.0.2.1:7480/ HTTP://192.0.2.1 \
	http://127.0.0.1.example.com:80 http://[2001:db8::1]:80 \
	http://localhost.example.com http://user@192.0.2.1:9000; do
	conf "$url"
	expect_exit 78 rec-upload 2>log
	expect_grep "^rec-upload: error: $PWD/rec.conf:4: plain http endpoint" log
	expect_grep "insecure-http" log
done
conf https://192.0.2.1
expect_exit 78 rec-upload --endpoint http://192.0.2.1:7480 2>log
expect_grep "error: --endpoint: plain http endpoint 'http://192.0.2.1:7480'" log
printf 'station = st1\n[upload]\nbucket = bkt\n' >rec.conf
expect_exit 78 env AWS_ENDPOINT_URL=http://192.0.2.1 rec-upload 2>log
expect_grep "error: AWS_ENDPOINT_URL: plain http endpoint" log

say "accepted: loopback, and https anywhere"
for url in http://127.0.0.1:9 http://127.1.2.3:9 http://localhost:9/ \
	http://LOCALHOST http://[::1]:9 \
	https://192.0.2.1; do
	conf "$url"
	rec-upload 2>log || { cat log >&2; fail "$url refused"; }
	! grep -q 'http' log || { cat log >&2; fail "$url: a warning"; }
done

say "insecure-http = yes: accepted, with a warning on every run"
conf http://192.0.2.1:7480 'insecure-http = yes'
for i in 1 2; do
	rec-upload 2>log || { cat log >&2; fail "insecure-http refused"; }
	expect_grep "^rec-upload: warning: $PWD/rec.conf:4: plain http endpoint 'http://192.0.2.1:7480' (insecure-http)" log
done
conf http://192.0.2.1:7480 'insecure-http = no'
expect_exit 78 rec-upload 2>log
conf http://192.0.2.1:7480 'insecure-http = maybe'
expect_exit 78 rec-upload 2>log
expect_grep "rec.conf:5: bad insecure-http 'maybe'" log
