# Content-MD5 and a signed payload hash on every request (README,
# rec-upload(1)): a recording proxy between rec-upload and a real Ceph RGW
# hashes the body of every request itself and checks that each request
# with a body (one PUT, every part of a multipart upload, the Complete
# POST) carries a Content-MD5 equal to the MD5 of its body, and an x-amz-content-sha256
# that is the real SHA-256 of its body (not UNSIGNED-PAYLOAD, which RGW
# accepts over plain HTTP) and is among the signed headers; requests
# without a body carry the SHA-256 of the empty string.
. "$REC_TOP/test/lib.sh"
. "$REC_TOP/test/lib-s3.sh"
command -v radosgw >/dev/null || fail "no radosgw (scripts/deps.sh)"

s3_server_start srv
"$S3/mkbucket" srv bkt
s3_use srv

# recproxy: one request per connection (Connection: close both ways),
# logged as one JSON line with its headers and the hashes of its body
cat >recproxy.py <<'EOF'
import base64, hashlib, json, os, socket, sys, threading, time
up_host, up_port = sys.argv[1], int(sys.argv[2])
log = open(sys.argv[3], "a")
lk = threading.Lock()
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(16)
with open(sys.argv[4] + ".tmp", "w") as f:
    f.write(str(srv.getsockname()[1]))
os.rename(sys.argv[4] + ".tmp", sys.argv[4])
def recv_head(c, buf):
    while b"\r\n\r\n" not in buf:
        d = c.recv(65536)
        if not d:
            return None, buf
        buf += d
    i = buf.index(b"\r\n\r\n")
    return buf[:i].decode("latin-1"), buf[i + 4:]
def serve(c):
    try:
        head, rest = recv_head(c, b"")
        if head is None:
            return
        lines = head.split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        hdrs = []
        for l in lines[1:]:
            k, v = l.split(":", 1)
            hdrs.append((k, v.strip()))
        h = {k.lower(): v for k, v in hdrs}
        if "chunked" in h.get("transfer-encoding", ""):
            raise SystemExit("chunked body")
        n = int(h.get("content-length", "0"))
        if h.get("expect", "").lower() == "100-continue":
            c.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = rest
        while len(body) < n:
            d = c.recv(1 << 20)
            if not d:
                return
            body += d
        with lk:
            log.write(json.dumps({"method": method, "target": target,
                "headers": h, "len": len(body),
                "md5": base64.b64encode(hashlib.md5(body).digest()).decode(),
                "sha256": hashlib.sha256(body).hexdigest()}) + "\n")
            log.flush()
        out = lines[0] + "\r\n"
        for k, v in hdrs:
            if k.lower() not in ("expect", "connection"):
                out += "%s: %s\r\n" % (k, v)
        out += "Connection: close\r\n\r\n"
        u = socket.create_connection((up_host, up_port))
        u.sendall(out.encode("latin-1") + body)
        while True:
            d = u.recv(65536)
            if not d:
                break
            c.sendall(d)
        u.close()
    finally:
        c.close()
end = time.time() + 600
srv.settimeout(1)
while time.time() < end:
    try:
        c, _ = srv.accept()
    except socket.timeout:
        continue
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
hp=${S3_ENDPOINT#http://}
python3 recproxy.py "${hp%:*}" "${hp##*:}" req.log port &
proxy=$!
s3_cleanup_hook() { kill "$proxy" 2>/dev/null; }
wait_until 30 test -s port

cat >rec.conf <<EOF
spool = $PWD/sp
station = t0351
[upload]
endpoint = http://127.0.0.1:$(cat port)
region = $S3_REGION
bucket = bkt
credentials-file = $PWD/creds
part-size = 5M
multipart-threshold = 6M
EOF
export REC_CONFIG=$PWD/rec.conf

say "an archive of 3 parts and one of a single PUT"
mkdir -p sp/seg
mkseg -n 2 -l 1600000 -r 48000 -c 2 -x 351 sp/seg
rec-archive -q
mkseg -n 1 -l 48000 -r 48000 -c 2 -t 20261128T050000.000Z -x 352 sp/seg
rec-archive -q --min-count 1
[ "$(ls sp/out/*.tar | wc -l)" = 2 ] || fail "not two archives"
rec-upload 2>up.log || { cat up.log >&2; fail "upload failed"; }
[ "$(wc -l <sp/ledger)" = 2 ] || fail "not two uploads"

say "every PUT and POST: Content-MD5 and a real, signed SHA-256 of its body"
python3 - req.log <<'EOF'
import json, re, sys
parts = puts = posts = 0
bad = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    m, t, h = r["method"], r["target"], r["headers"]
    sha = h.get("x-amz-content-sha256")
    signed = re.search(r"SignedHeaders=([^,]*)", h.get("authorization", ""))
    signed = signed.group(1).split(";") if signed else []
    what = "%s %s" % (m, t)
    if sha != r["sha256"]:
        bad.append("%s: x-amz-content-sha256 %s, body %s" % (what, sha, r["sha256"]))
    if "x-amz-content-sha256" not in signed:
        bad.append("%s: payload hash not signed (%s)" % (what, signed))
    if m in ("PUT", "POST") and r["len"] > 0:
        if h.get("content-md5") != r["md5"]:
            bad.append("%s: Content-MD5 %s, body %s" % (what, h.get("content-md5"), r["md5"]))
    if m == "PUT" and "partNumber=" in t:
        parts += 1
    elif m == "PUT":
        puts += 1
    elif m == "POST" and "uploadId=" in t:
        posts += 1
for b in bad:
    print(b)
if parts != 3 or puts != 1 or posts < 1:
    print("parts %d (want 3), single PUTs %d (want 1), completes %d" % (parts, puts, posts))
    sys.exit(1)
sys.exit(1 if bad else 0)
EOF
