# A TLS failure is temporary, not a configuration error: rec-upload
# against a local `openssl s_server` with a self-signed certificate
# (as a captive portal would present) exits 75 and says it is a
# TLS/certificate problem; so does a clock still in the past at boot
# ("certificate is not yet valid") with the right ca-file.  With the
# right ca-file and a correct clock the handshake passes (s_server then
# answers no S3: a plain network failure, retried, without the TLS
# words).  An unreadable ca-file is a configuration error (78).
. "$REC_TOP/test/lib.sh"
command -v openssl >/dev/null || skip "no openssl"
srv=
trap '[ -z "$srv" ] || kill $srv 2>/dev/null || :' EXIT
export AWS_ACCESS_KEY_ID=AKTLS AWS_SECRET_ACCESS_KEY=SKTLS

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout key.pem -out cert.pem -days 30 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 2>openssl.log ||
	{ cat openssl.log >&2; fail "cannot make a certificate"; }
# port 0: the kernel picks a free one, s_server prints it
timeout 300 openssl s_server -accept 127.0.0.1:0 -cert cert.pem \
	-key key.pem -www >srv.log 2>&1 &
srv=$!
for i in $(seq 100); do
	grep -q '^ACCEPT' srv.log && break
	sleep 0.1
done
port=$(sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' srv.log)
[ -n "$port" ] || { cat srv.log >&2; fail "s_server did not start"; }

mkdir -p sp/out
export REC_SPOOL=$PWD/sp REC_CONFIG=$PWD/rec.conf
n=20261128T010000.000Z_20261128T020000.000Z_st1.tar
head -c 5000 /dev/urandom >sp/out/$n
s3sums sp/out/$n
conf() {	# [ca-file line]
	cat >rec.conf <<C
station = st1
[upload]
endpoint = https://127.0.0.1:$port
bucket = bkt
timeout = 5
max-tries = 2
$1
C
}

say "a self-signed certificate, the system's CAs: 75, TLS named"
conf
expect_exit 75 rec-upload 2>log
expect_grep 'TLS/certificate problem' log
expect_grep 'self-signed certificate' log
[ -f sp/out/$n ] || fail "archive deleted"

say "the right ca-file: the handshake passes"
conf "ca-file = $PWD/cert.pem"
rc=0
rec-upload 2>log || rc=$?
[ "$rc" = 75 ] || { cat log >&2; fail "exit $rc, want 75"; }
! grep -q 'TLS\|certificate' log || { cat log >&2; fail "TLS failed"; }
expect_grep 'gave up after 2 tries' log

say "the right ca-file, a clock in 2020: 75, not yet valid"
if command -v faketime >/dev/null && ! under_san; then
	expect_exit 75 at_time '2020-01-01 00:00:00' rec-upload 2>log
	expect_grep 'TLS/certificate problem' log
	expect_grep 'not yet valid' log
fi

say "an unreadable ca-file: 78"
conf "ca-file = $PWD/no-such.pem"
expect_exit 78 rec-upload 2>log
expect_grep 'no-such.pem' log
[ -f sp/out/$n ] || fail "archive deleted"
