#!/usr/bin/env python3
"""Physical limits of this machine, for the throughput figures to be read against.

Usage: limits.py DIR MIB
Prints two "name value" lines:
  disk_write_mibps    sequential write of MIB MiB in 1 MiB write() calls to a new file in DIR, timed
                      up to and including the fdatasync() that puts it on the device
  loopback_tcp_mibps  one TCP connection over 127.0.0.1, MIB MiB sent in 1 MiB sendall() calls, timed
                      until the receiver has read the last byte
"""
import os
import socket
import sys
import threading
import time

CHUNK = 1 << 20


def disk_write(directory, mib):
    path = os.path.join(directory, "limits-write.bin")
    block = os.urandom(CHUNK)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        start = time.monotonic()
        for _ in range(mib):
            view = memoryview(block)
            while view:
                view = view[os.write(fd, view):]
        os.fdatasync(fd)
        elapsed = time.monotonic() - start
    finally:
        os.close(fd)
        os.unlink(path)
    return mib / elapsed


def loopback_tcp(mib):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    received = [0]

    def receive():
        conn, _ = listener.accept()
        buf = bytearray(CHUNK)
        with conn:
            while True:
                n = conn.recv_into(buf)
                if n == 0:
                    break
                received[0] += n

    reader = threading.Thread(target=receive)
    reader.start()
    block = b"\x00" * CHUNK
    sender = socket.create_connection(listener.getsockname())
    start = time.monotonic()
    for _ in range(mib):
        sender.sendall(block)
    sender.close()
    reader.join()
    elapsed = time.monotonic() - start
    listener.close()
    if received[0] != mib * CHUNK:
        raise SystemExit("loopback: received %d of %d bytes" % (received[0], mib * CHUNK))
    return mib / elapsed


def main():
    directory, mib = sys.argv[1], int(sys.argv[2])
    print("disk_write_mibps %.1f" % disk_write(directory, mib))
    print("loopback_tcp_mibps %.1f" % loopback_tcp(mib * 4))


if __name__ == "__main__":
    main()
