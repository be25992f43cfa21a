#!/usr/bin/python3
"""hostile-s3: a tiny HTTP server on 127.0.0.1 that answers every request
the same bad way, for tests of lib/s3's limits.

  hostile-s3.py DIR MODE [N]     (in the background; DIR/port appears)

MODE:
  deep N       500 <Error> with elements nested N deep inside
  deep-list N  200 ListMultipartUploadsResult nested N deep
  many N       200 ListMultipartUploadsResult with N empty elements
  huge N       500 <Error> whose Message is N bytes long
  marker       200 ListMultipartUploadsResult, truncated, that always
               answers NextKeyMarker=k1, NextUploadIdMarker=u1
  trickle      "200 OK" with a body of 1 MB sent 4 bytes a second (body
               bytes: libcurl's speed counts no header bytes), for at
               most 60 s

DIR/log gets one line per request ("GET /bkt?uploads..."), and for
trickle "client-gone" when the client hung up first or "server-done"
when the 60 s ran out.  The server ends by itself after REC_S3_TTL
seconds (default 300), even when the test is killed.
"""
import os
import select
import socket
import sys
import threading
import time

LOCK = threading.Lock()


def log(d, line):
    with LOCK, open(os.path.join(d, "log"), "a") as f:
        f.write(line + "\n")


def read_request(conn, buf):
    """One request (headers and a Content-Length body); None at EOF."""
    while b"\r\n\r\n" not in buf[0]:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        buf[0] += chunk
    head, rest = buf[0].split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    hdrs = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    if hdrs.get("expect", "").lower() == "100-continue":
        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    need = int(hdrs.get("content-length", "0"))
    while len(rest) < need:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        rest += chunk
    buf[0] = rest[need:]
    return lines[0]


LMU = b'<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult>'


def body_of(mode, n):
    if mode == "deep":
        return 500, b"<Error>" + b"<a>" * n + b"</a>" * n + b"</Error>"
    if mode == "deep-list":
        return 200, (LMU + b"<a>" * n + b"</a>" * n +
                     b"</ListMultipartUploadsResult>")
    if mode == "many":
        return 200, LMU + b"<a/>" * n + b"</ListMultipartUploadsResult>"
    if mode == "huge":
        return 500, (b"<Error><Code>InternalError</Code><Message>" +
                     b"x" * n + b"</Message></Error>")
    if mode == "marker":
        return 200, (LMU + b"<IsTruncated>true</IsTruncated>"
                     b"<NextKeyMarker>k1</NextKeyMarker>"
                     b"<NextUploadIdMarker>u1</NextUploadIdMarker>"
                     b"<Upload><Key>k1</Key><UploadId>u1</UploadId>"
                     b"<Initiated>2026-01-01T00:00:00.000Z</Initiated>"
                     b"</Upload></ListMultipartUploadsResult>")
    raise SystemExit("hostile-s3: unknown mode " + mode)


def trickle(d, conn):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
    end = time.monotonic() + 60
    while time.monotonic() < end:
        r, _, _ = select.select([conn], [], [], 1.0)
        try:
            if r and not conn.recv(4096):
                log(d, "client-gone")
                return
            conn.sendall(b"abcd")
        except OSError:
            log(d, "client-gone")
            return
    log(d, "server-done")


def serve(d, mode, n, conn):
    buf = [b""]
    try:
        while True:
            line = read_request(conn, buf)
            if line is None:
                return
            log(d, line)
            if mode == "trickle":
                trickle(d, conn)
                return
            status, body = body_of(mode, n)
            conn.sendall(b"HTTP/1.1 %d X\r\nContent-Type: application/xml"
                         b"\r\nContent-Length: %d\r\n\r\n" %
                         (status, len(body)) + body)
    except OSError:
        pass    # the client hung up mid-answer: what our limits do
    finally:
        conn.close()


def main():
    d, mode = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    ttl = float(os.environ.get("REC_S3_TTL", "300"))
    threading.Timer(ttl, os._exit, [0]).start()
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    with open(os.path.join(d, "port.tmp"), "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.rename(os.path.join(d, "port.tmp"), os.path.join(d, "port"))
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(d, mode, n, conn),
                         daemon=True).start()


if __name__ == "__main__":
    main()
