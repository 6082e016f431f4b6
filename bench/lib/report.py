#!/usr/bin/env python3
"""Turns bench/run.sh's results into BENCHMARKS.md and an SVG chart (standard library only).

Usage: report.py [--check] OUT_DIR REPORT_MD CHART_SVG
  OUT_DIR holds results.tsv (round, broker, metric, value) and meta.tsv (key, value).
  --check: exit 1 unless every expected figure is present and numeric for every round and broker
           (the smoke mode's pass/fail).
Each figure is the median over rounds, shown with its spread (min-max); ratios are Fjord/Kafka medians.
"""
import math
import os
import statistics
import sys

PRODUCE = [("acks1-default", "acks=1, default batching"),
           ("acks1-b64k-l5", "acks=1, batch.size=65536 linger.ms=5"),
           ("acksall-default", "acks=all, default batching"),
           ("acksall-b64k-l5", "acks=all, batch.size=65536 linger.ms=5")]

# (section, metric, label, unit, target) where target = (">=" or "<=", factor) on Fjord/Kafka, or None
ROWS = []
for key, label in PRODUCE:
    ROWS += [("Producer (ProducerPerformance, 1 partition)", "prod_%s_mbps" % key, "%s: throughput" % label, "MB/s", (">=", 1.5)),
             ("Producer (ProducerPerformance, 1 partition)", "prod_%s_rps" % key, "%s: records/s" % label, "rec/s", None),
             ("Producer (ProducerPerformance, 1 partition)", "prod_%s_avg_ms" % key, "%s: latency avg" % label, "ms", None),
             ("Producer (ProducerPerformance, 1 partition)", "prod_%s_p50_ms" % key, "%s: latency p50" % label, "ms", None),
             ("Producer (ProducerPerformance, 1 partition)", "prod_%s_p99_ms" % key, "%s: latency p99" % label, "ms", None),
             ("Producer (ProducerPerformance, 1 partition)", "prod_%s_p999_ms" % key, "%s: latency p99.9" % label, "ms", None)]
for key, label in PRODUCE:
    ROWS += [("Consumer (ConsumerPerformance, reading each producer topic back)", "cons_%s_mbps" % key,
              "topic of %s: MB/s (whole run, incl. group join)" % label, "MB/s", (">=", 1.3)),
             ("Consumer (ConsumerPerformance, reading each producer topic back)", "cons_%s_fetch_mbps" % key,
              "topic of %s: MB/s while fetching" % label, "MB/s", None)]
E2E = "End-to-end latency (EndToEndLatency, acks=1, 1 partition)"
ROWS += [(E2E, "e2e_avg_ms", "avg", "ms", ("<=", 0.7)),
         (E2E, "e2e_p50_ms", "p50", "ms", None),
         (E2E, "e2e_p99_ms", "p99", "ms", ("<=", 0.5)),
         (E2E, "e2e_p999_ms", "p99.9", "ms", None)]
RES = "Resources of the broker process"
ROWS += [(RES, "cpu_s_per_gib_produced", "CPU (user+sys) per GiB produced", "s/GiB", ("<=", 0.4)),
         (RES, "cpu_s_per_gib_consumed", "CPU (user+sys) per GiB consumed", "s/GiB", None),
         (RES, "cold_start_ms", "cold start: launch to first Metadata answer", "ms", ("<=", 0.1)),
         (RES, "rss_idle_mib", "RSS idle after start", "MiB", ("<=", 0.2)),
         (RES, "rss_after_load_mib", "RSS after load", "MiB", ("<=", 0.4)),
         (RES, "rss_peak_mib", "peak RSS (VmHWM)", "MiB", None)]
SCALE = "Scale"
ROWS += [(SCALE, "prod_p1_mbps", "produce acks=1 over 1 partition", "MB/s", None),
         (SCALE, "prod_p100_mbps", "produce acks=1 over 100 partitions", "MB/s", None),
         (SCALE, "prod_p1000_mbps", "produce acks=1 over 1,000 partitions", "MB/s", (">=", 1.5)),
         (SCALE, "group_all_consuming_ms", "group of 10 members: subscribe to all consuming", "ms", None),
         (SCALE, "third_consumer_join_ms", "third member joining a group of 2 (group-join/)", "ms", None),
         (SCALE, "fetch_head_ms", "fetch at the head of a long log (offset 0)", "ms", None),
         (SCALE, "fetch_tail_ms", "fetch at the tail of a long log (last offset)", "ms", None)]
MACHINE = ["disk_write_mibps", "loopback_tcp_mibps"]
BROKERS = ["kafka", "fjord"]


def load(out):
    values, rounds = {}, set()
    with open(os.path.join(out, "results.tsv")) as f:
        next(f)
        for line in f:
            r, broker, metric, value = line.rstrip("\n").split("\t")
            rounds.add(r)
            values.setdefault((broker, metric), []).append(value)
    meta = {}
    with open(os.path.join(out, "meta.tsv")) as f:
        next(f)
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            meta[k] = v
    return values, meta, len(rounds)


def numeric(raw):
    try:
        x = float(raw)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def check(values, rounds):
    problems = []
    wanted = [(b, m) for b in BROKERS for m in dict.fromkeys(row[1] for row in ROWS)] + [("machine", m) for m in MACHINE]
    for broker, metric in wanted:
        got = values.get((broker, metric), [])
        bad = [v for v in got if numeric(v) is None]
        if len(got) != rounds or bad:
            problems.append("%s %s: %d of %d rounds%s" % (broker, metric, len(got), rounds,
                                                         ", not numeric: %r" % bad if bad else ""))
    return problems


def stats(values, broker, metric):
    xs = [x for x in (numeric(v) for v in values.get((broker, metric), [])) if x is not None]
    if not xs:
        return None
    return statistics.median(xs), min(xs), max(xs)


def fmt(x):
    if x is None:
        return "n/a"
    if abs(x) >= 100:
        return "{:,.0f}".format(x)
    if abs(x) >= 10:
        return "%.1f" % x
    return "%.2f" % x


def cell(s):
    if s is None:
        return "n/a"
    med, lo, hi = s
    return "%s (%s–%s)" % (fmt(med), fmt(lo), fmt(hi)) if lo != hi else fmt(med)


def verdict(ratio, target):
    if target is None:
        return "", ""
    op, factor = target
    if ratio is None:
        return "%s %.1f×" % (op.replace(">=", "≥").replace("<=", "≤"), factor), "n/a"
    met = ratio >= factor if op == ">=" else ratio <= factor
    return "%s %s×" % (op.replace(">=", "≥").replace("<=", "≤"), ("%g" % factor)), ("met" if met else "**missed**")


def busy(meta):
    """1-minute load average before the bench started anything (the end value includes the bench's own load)."""
    load = numeric(meta.get("load_start", "").split(" ")[0])
    return load is not None and load >= 1.5


def markdown(values, meta, rounds, svg_rel):
    out = ["# Benchmarks: Fjord vs Apache Kafka", "",
           "Generated by `bench/run.sh` (see [bench/README.md](bench/README.md)); do not edit by hand.", ""]
    if meta.get("mode") == "smoke":
        out += ["> **Smoke run**: tiny sizes, one round. It shows that the harness works; the figures mean nothing.", ""]
    if busy(meta):
        out += ["> **The machine was busy** (load average %s before the bench started, on %s cores): "
                "other work competed with the brokers, so these figures are not valid measurements." %
                (meta.get("load_start"), meta.get("cores")), ""]
    out += ["## Setup", "",
            "| | |", "|---|---|",
            "| Command | `%s` |" % meta.get("command", "").strip(),
            "| Date | %s |" % meta.get("date"),
            "| CPU | %s, %s cores |" % (meta.get("cpu"), meta.get("cores")),
            "| RAM | %s GiB |" % meta.get("ram_gib"),
            "| Kernel | %s |" % meta.get("kernel"),
            "| Data dirs on | %s |" % meta.get("data_dir"),
            "| JDK (both brokers and all tools) | %s |" % meta.get("jdk"),
            "| Apache Kafka | %s, KRaft broker+controller, JVM flags of `kafka-server-start.sh` |" % meta.get("kafka"),
            "| Fjord | %s, `bin/fjord server` as in the README |" % meta.get("fjord"),
            "| Load average (1, 5, 15 min) | before the bench %s; at its end %s (includes the bench's own load) |" %
            (meta.get("load_start"), meta.get("load_end")),
            "| Sizes | %s records × %s B per producer run; %s records end-to-end; %d round(s), Kafka and Fjord interleaved |" %
            ("{:,}".format(int(meta.get("records", "0"))), meta.get("record_size"),
             "{:,}".format(int(meta.get("e2e_records", "0"))), rounds),
            "", "Each cell: median over rounds (min–max). Ratio: Fjord median / Kafka median. "
            "MB = 2^20 bytes, as the Kafka perf tools count.", "",
            "![throughput and latency](%s)" % svg_rel, ""]
    section = None
    for sec, metric, label, unit, target in ROWS:
        if sec != section:
            section = sec
            out += ["## " + sec, "", "| | unit | Kafka | Fjord | Fjord/Kafka | target | |", "|---|---|---|---|---|---|---|"]
        k, f = stats(values, "kafka", metric), stats(values, "fjord", metric)
        ratio = f[0] / k[0] if k and f and k[0] else None
        goal, met = verdict(ratio, target)
        out.append("| %s | %s | %s | %s | %s | %s | %s |" % (label, unit, cell(k), cell(f),
                                                             "%.2f×" % ratio if ratio is not None else "n/a", goal, met))
        if metric == "prod_p1000_mbps":
            one = stats(values, "fjord", "prod_p1_mbps")
            own = f[0] / one[0] if f and one and one[0] else None
            goal, met = verdict(own, (">=", 0.8))
            out.append("| Fjord 1,000 partitions / Fjord 1 partition | | | | %s | %s | %s |" %
                       ("%.2f×" % own if own is not None else "n/a", goal, met))
        if (sec == SCALE and metric == "fetch_tail_ms") or metric == "rss_peak_mib" or metric == "e2e_p999_ms" \
                or metric == "cons_acksall-b64k-l5_fetch_mbps" or metric == "prod_acksall-b64k-l5_p999_ms":
            out.append("")

    disk, net = stats(values, "machine", "disk_write_mibps"), stats(values, "machine", "loopback_tcp_mibps")
    out += ["## Against the machine's limits", "",
            "Measured by the same command, once per round: sequential write of 1 MiB blocks to a new file in the "
            "brokers' temp dir, timed up to and including `fdatasync` (`bench/lib/limits.py`): **%s MiB/s**; "
            "one TCP connection over 127.0.0.1, 1 MiB `sendall`s (Python): **%s MiB/s**. Neither broker fsyncs by "
            "default, so the disk figure is the rate the device sustains, not a hard ceiling for a produce "
            "that ends in the page cache." % (cell(disk), cell(net)), "",
            "| | Kafka MB/s | % of disk | % of loopback | Fjord MB/s | % of disk | % of loopback |",
            "|---|---|---|---|---|---|---|"]
    items = [("produce " + label, "prod_%s_mbps" % key) for key, label in PRODUCE]
    items += [("consume, topic of " + label, "cons_%s_fetch_mbps" % key) for key, label in PRODUCE]
    for label, metric in items:
        row = [label]
        for broker in BROKERS:
            s = stats(values, broker, metric)
            pct = lambda lim: ("%.1f%%" if 100 * s[0] / lim[0] < 10 else "%.0f%%") % (100 * s[0] / lim[0]) \
                if s and lim and lim[0] else "n/a"
            row += [fmt(s[0]) if s else "n/a", pct(disk) if label.startswith("produce") else "–", pct(net)]
        out.append("| " + " | ".join(row) + " |")
    out += ["", "## Method", "",
            "- Every round starts each broker afresh (new process, new temp data dir, free loopback port) and "
            "stops it by its PID. Kafka's storage format runs before the clock of the cold start starts.",
            "- Cold start: from `fork` of the launch command to the first Metadata response that lists a broker, "
            "polled by a standard-library wire probe (`bench/lib/probe.py`). Fjord's includes `bin/fjord`'s "
            "checks (its build is done beforehand). Each launch gets a fresh data dir and starts after `sync` and a "
            "2 s pause (the previous phase's file deletions and write-back otherwise land in the figure); a round's "
            "figure is the median of 5 launches (1 in smoke runs).",
            "- EndToEndLatency prints its percentiles in whole milliseconds (its average is exact), so sub-millisecond "
            "differences show only in the average.",
            "- A warm-up produce and consume of 200,000 records (not reported) precede the measured runs (none in smoke runs).",
            "- CPU: utime+stime of the broker from `/proc/PID/stat`, summed over the four producer runs (or the four "
            "consumer runs), divided by the payload bytes they moved. RSS: `VmRSS` from `/proc/PID/status`, idle a "
            "few seconds after start and after all the load.",
            "- Head vs tail: one consumer assigned partition 0 of the 1-partition acks=1 topic, "
            "`max.partition.fetch.bytes=1` (one batch per fetch) and `fetch.max.wait.ms=0`; alternately seeks to "
            "offset 0 and to the last offset and times `poll()` until that record arrives; median of the rounds.",
            "- Group: 10 consumers (RangeAssignor, no commits) subscribe to a 10-partition topic with one record per "
            "partition; the clock stops when all 10 have received a record in the generation that has them all.",
            ""]
    # The hand-written part: why a target is missed and the plan for it (kept in bench/ANALYSIS.md).
    analysis = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ANALYSIS.md")
    if os.path.exists(analysis):
        with open(analysis) as f:
            out += [f.read().rstrip("\n"), ""]
    return "\n".join(out)


def svg(values):
    """Two panels of grouped bars: throughput (MB/s) and end-to-end latency (ms), median with min-max whiskers."""
    colors = {"kafka": "#8c8c8c", "fjord": "#1f6fb4"}
    panels = [("Throughput, MB/s (higher is better)",
               [("produce acks=1", "prod_acks1-default_mbps"), ("acks=1 64k/5ms", "prod_acks1-b64k-l5_mbps"),
                ("produce acks=all", "prod_acksall-default_mbps"), ("acks=all 64k/5ms", "prod_acksall-b64k-l5_mbps"),
                ("consume", "cons_acks1-default_mbps"), ("100 partitions", "prod_p100_mbps"),
                ("1,000 partitions", "prod_p1000_mbps")]),
              ("End-to-end latency, ms (lower is better)",
               [("avg", "e2e_avg_ms"), ("p50", "e2e_p50_ms"), ("p99", "e2e_p99_ms"), ("p99.9", "e2e_p999_ms")])]
    width, height, pw, top, bottom = 1000, 400, 460, 50, 290
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">' % (width, height),
             '<rect width="100%" height="100%" fill="white"/>']
    for p, (title, metrics) in enumerate(panels):
        x0 = 50 + p * (pw + 40)
        highest = max([s[2] for b in BROKERS for _, m in metrics for s in [stats(values, b, m)] if s] + [1e-9])
        scale = (bottom - top) / highest
        parts.append('<text x="%d" y="25" font-size="14" font-weight="bold">%s</text>' % (x0, title))
        parts.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (x0, bottom, x0 + pw, bottom))
        for i in range(5):
            v = highest * i / 4
            y = bottom - v * scale
            parts.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#e0e0e0"/>' % (x0, y, x0 + pw, y))
            parts.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' % (x0 - 4, y + 4, fmt(v)))
        slot = pw / len(metrics)
        for j, (label, metric) in enumerate(metrics):
            for b, broker in enumerate(BROKERS):
                s = stats(values, broker, metric)
                if not s:
                    continue
                bw = slot * 0.35
                x = x0 + j * slot + slot * 0.12 + b * bw
                parts.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %s</title></rect>' %
                             (x, bottom - s[0] * scale, bw, s[0] * scale, colors[broker], broker, metric, fmt(s[0])))
                cx = x + bw / 2
                parts.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="black"/>' %
                             (cx, bottom - s[1] * scale, cx, bottom - s[2] * scale))
            lx = x0 + j * slot + slot / 2
            parts.append('<text x="%.1f" y="%d" text-anchor="end" transform="rotate(-30 %.1f %d)">%s</text>' %
                         (lx, bottom + 14, lx, bottom + 14, label))
    for b, broker in enumerate(BROKERS):
        parts.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/>' % (50 + b * 120, height - 30, colors[broker]))
        parts.append('<text x="%d" y="%d">%s</text>' % (68 + b * 120, height - 20, {"kafka": "Apache Kafka", "fjord": "Fjord"}[broker]))
    parts.append('<text x="%d" y="%d">bars: median over rounds; whiskers: min–max</text>' % (300, height - 20))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main():
    args = sys.argv[1:]
    checking = args and args[0] == "--check"
    if checking:
        args = args[1:]
    out, md_path, svg_path = args
    values, meta, rounds = load(out)
    with open(svg_path, "w") as f:
        f.write(svg(values))
    svg_rel = os.path.relpath(svg_path, os.path.dirname(os.path.abspath(md_path)))
    text = markdown(values, meta, rounds, svg_rel)
    with open(md_path, "w") as f:
        f.write(text)
    print(text)
    print("\nreport: %s, chart: %s" % (md_path, svg_path))
    problems = check(values, rounds)
    if problems:
        print("MISSING OR NOT NUMERIC:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1 if checking else 0
    if checking:
        figures = sum(len(v) for k, v in values.items())
        print("check: OK, %d figures from %d round(s), every expected one present and numeric for kafka, fjord "
              "and the machine" % (figures, rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
