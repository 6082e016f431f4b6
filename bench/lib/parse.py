#!/usr/bin/env python3
"""Reads the summary line of one Kafka perf tool's output and prints "METRIC VALUE" lines.

Usage: parse.py producer|consumer|e2e FILE PREFIX
Exits 1 (with the file's last lines on stderr) when the summary is missing, so a failed tool run
fails the bench instead of leaving a hole in the table.

  producer  ProducerPerformance: "N records sent, R records/sec (M MB/sec), A ms avg latency,
            X ms max latency, P ms 50th, P ms 95th, P ms 99th, P ms 99.9th."
            -> PREFIX_rps, _mbps, _avg_ms, _p50_ms, _p99_ms, _p999_ms
  consumer  ConsumerPerformance: the CSV line after the "start.time, end.time, ..." header
            -> PREFIX_mbps (MB.sec: whole run incl. group join), PREFIX_fetch_mbps (fetch.MB.sec)
  e2e       EndToEndLatency: "Avg latency: A ms" and "Percentiles: 50th = P, 99th = P, 99.9th = P"
            -> PREFIX_avg_ms, PREFIX_p50_ms, PREFIX_p99_ms, PREFIX_p999_ms
"""
import re
import sys

NUM = r"([0-9]+(?:\.[0-9]+)?)"


def producer(text):
    pattern = (r"records sent, {0} records/sec \({0} MB/sec\), {0} ms avg latency, {0} ms max latency, "
               r"{0} ms 50th, {0} ms 95th, {0} ms 99th, {0} ms 99\.9th").format(NUM)
    found = re.findall(pattern, text)
    if not found:
        return None
    rps, mbps, avg, _max, p50, _p95, p99, p999 = found[-1]
    return [("rps", rps), ("mbps", mbps), ("avg_ms", avg), ("p50_ms", p50), ("p99_ms", p99), ("p999_ms", p999)]


def consumer(text):
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("start.time") and i + 1 < len(lines):
            header = [h.strip() for h in line.split(",")]
            values = [v.strip() for v in lines[i + 1].split(",")]
            row = dict(zip(header, values))
            if "MB.sec" in row and "fetch.MB.sec" in row:
                return [("mbps", row["MB.sec"]), ("fetch_mbps", row["fetch.MB.sec"])]
    return None


def e2e(text):
    avg = re.search(r"Avg latency: " + NUM, text)
    pct = re.search(r"50th = {0}, 99th = {0}, 99\.9th = {0}".format(NUM), text)
    if not avg or not pct:
        return None
    return [("avg_ms", avg.group(1)), ("p50_ms", pct.group(1)), ("p99_ms", pct.group(2)), ("p999_ms", pct.group(3))]


def main():
    kind, path, prefix = sys.argv[1:4]
    with open(path, errors="replace") as f:
        text = f.read()
    result = {"producer": producer, "consumer": consumer, "e2e": e2e}[kind](text)
    if result is None:
        sys.stderr.write("parse.py: no %s summary in %s; its last lines:\n" % (kind, path))
        sys.stderr.write("\n".join(text.splitlines()[-15:]) + "\n")
        return 1
    for name, value in result:
        float(value)
        print("%s_%s %s" % (prefix, name, value))
    return 0


if __name__ == "__main__":
    sys.exit(main())
