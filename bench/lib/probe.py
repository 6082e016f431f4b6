#!/usr/bin/env python3
"""Waits until a broker answers a Kafka Metadata request, using nothing but the standard library.

Usage: probe.py HOST:PORT TIMEOUT_S [PID]
Prints the wall-clock time (epoch milliseconds) at which the first Metadata response listing at
least one broker arrived, and exits 0; exits 1 if none arrived within TIMEOUT_S, or as soon as the
process PID (the broker, when given) has exited.

Wire format (Kafka protocol guide): every message is a 4-byte big-endian size then the payload.
Request header v1: api_key int16, api_version int16, correlation_id int32, client_id nullable string.
ApiVersions v0 (key 18) has an empty body; its response is error_code int16 then an array of
(api_key, min_version, max_version) int16 triples. Metadata (key 3) v1..v8 are non-flexible; we send
"all topics" (null array) and read the broker array's length, which follows throttle_time_ms (v3+).
"""
import os
import socket
import struct
import sys
import time

CLIENT_ID = b"fjord-bench-probe"


def recv_exact(sock, n):
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(n - got)
        if not chunk:
            raise OSError("connection closed by broker")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def call(sock, api_key, version, correlation_id, body):
    header = struct.pack(">hhih", api_key, version, correlation_id, len(CLIENT_ID)) + CLIENT_ID
    payload = header + body
    sock.sendall(struct.pack(">i", len(payload)) + payload)
    (size,) = struct.unpack(">i", recv_exact(sock, 4))
    response = recv_exact(sock, size)
    if struct.unpack(">i", response[:4])[0] != correlation_id:
        raise OSError("unexpected correlation id")
    return response[4:]


def metadata_version(sock):
    body = call(sock, 18, 0, 1, b"")
    error, count = struct.unpack(">hi", body[:6])
    if error != 0:
        raise OSError("ApiVersions error %d" % error)
    for i in range(count):
        key, low, high = struct.unpack(">hhh", body[6 + 6 * i:12 + 6 * i])
        if key == 3:
            version = min(high, 8)
            if version < max(low, 1):
                raise OSError("no non-flexible Metadata version in %d..%d" % (low, high))
            return version
    raise OSError("broker does not list Metadata")


def broker_count(sock):
    version = metadata_version(sock)
    body = struct.pack(">i", -1)          # topics: null = all topics
    if version >= 4:
        body += b"\x00"                   # allow_auto_topic_creation = false
    if version >= 8:
        body += b"\x00\x00"               # include cluster/topic authorized operations = false
    response = call(sock, 3, version, 2, body)
    offset = 4 if version >= 3 else 0     # throttle_time_ms
    return struct.unpack(">i", response[offset:offset + 4])[0]


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    deadline = time.monotonic() + float(sys.argv[2])
    pid = int(sys.argv[3]) if len(sys.argv) > 3 else None
    while time.monotonic() < deadline:
        if pid is not None and not os.path.exists("/proc/%d" % pid):
            return 1
        try:
            with socket.create_connection((host, int(port)), timeout=2) as sock:
                sock.settimeout(2)
                if broker_count(sock) >= 1:
                    print(int(time.time() * 1000))
                    return 0
        except (OSError, struct.error):
            pass
        time.sleep(0.005)
    return 1


if __name__ == "__main__":
    sys.exit(main())
