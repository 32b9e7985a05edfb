#!/usr/bin/env python3
"""The two attacks of issue 16 item 3, measured against a running server.

    target/debug/jianguan demo --db /tmp/e.db --listen 127.0.0.1:8099 &
    python3 bench/edge_attack.py 8099 /tmp/e.db [slow_count] [wait_s] [forged_count]

1. Slow clients: opens slow_count connections (default 300) that send a request line and one
   header and never finish, waits wait_s seconds (default 60) and counts those still open.
2. Forged requests: sends forged_count (default 3000) cross-site POSTs (`Origin:
   http://evil.example`) on kept-alive connections and counts the audit rows added (read from
   the SQLite file). Rows written when the server later shuts down (the counts of the last
   minute) are not included: stop the server and count again for those.
"""

import socket
import sqlite3
import sys
import time


def audit_rows(db):
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    return c.execute("select count(*) from audit_log").fetchone()[0]


def slow_clients(port, count, wait_s):
    socks = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        socks.append(s)
    time.sleep(wait_s)
    still_open = 0
    for s in socks:
        s.setblocking(False)
        try:
            if s.recv(1) != b"":
                still_open += 1  # an answer, and the connection not closed
        except BlockingIOError:
            still_open += 1
        except OSError:
            pass
        s.close()
    return still_open


def forged(port, count):
    body = b"x=1"
    request = (
        b"POST /items/1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\n" + body
    )
    sent = 0
    started = time.time()
    while sent < count:
        s = socket.create_connection(("127.0.0.1", port))
        f = s.makefile("rb")
        for _ in range(min(100, count - sent)):
            s.sendall(request)
            status = f.readline()
            length = 0
            while True:
                line = f.readline()
                if line in (b"\r\n", b""):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            f.read(length)
            assert b" 403 " in status, status
            sent += 1
        s.close()
    return time.time() - started


def main():
    port, db = int(sys.argv[1]), sys.argv[2]
    slow = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    wait_s = float(sys.argv[4]) if len(sys.argv) > 4 else 60
    n = int(sys.argv[5]) if len(sys.argv) > 5 else 3000
    held = slow_clients(port, slow, wait_s)
    print(f"slow clients: {held} of {slow} connections still open after {wait_s:.0f} s")
    before = audit_rows(db)
    took = forged(port, n)
    time.sleep(1)
    print(f"forged POSTs: {n} in {took:.1f} s added {audit_rows(db) - before} audit rows")


if __name__ == "__main__":
    main()
