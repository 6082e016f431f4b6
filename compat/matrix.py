#!/usr/bin/env python3
"""Turns the output of compat/run-matrix.sh's scenarios into cells, a results TSV and docs/COMPATIBILITY.md.

Usage: matrix.py --broker fjord|kafka --raw RAW --results TSV --baseline TSV --doc MD
                 [--other TSV] [--gaps TSV]
       matrix.py --doc-only   (docs/COMPATIBILITY.md again from compat/matrix/*.tsv and known-gaps.tsv,
                               e.g. after a change to known-gaps.tsv or to this file's notes)

RAW holds, for each scenario unit run against the broker, "UNIT <name>", the unit's stdout, then
"END <name> <exit status> <seconds>". Two kinds of unit:
  - the compat/core scripts print one "PASS <client> ...: ..." or "FAIL <client>: <reason>" line; CORE
    below maps each script to its row and to the cells it covers (a FAIL fails all of them);
  - the others print "CELL <client> <version> <cell> PASS|FAIL|N/A [reason]" lines, one per cell.
STATIC_NA adds the cells a client cannot do at all, with why.

Writes TSV (row, cell, status, reason) for this broker, then the doc from this broker's results and
--other's (the other broker's last committed results). Exit status 1 if a cell that PASSed in
--baseline is no longer PASS (a regression), or, against Fjord, if a cell FAILs that compat/known-gaps.tsv
does not list; against Kafka, if any cell FAILs (the reference must pass what we claim).
"""
import argparse
import datetime
import os
import re
import subprocess
import sys

COLUMNS = [
    ("produce_consume", "produce/consume: keys, headers, codecs"),
    ("key_partition", "key → partition"),
    ("explicit_partition", "explicit partition"),
    ("group_split", "group split & rebalance"),
    ("two_groups", "two groups broadcast"),
    ("commits", "auto/sync/async/explicit commits"),
    ("seek", "seek beginning/end/offset/timestamp"),
    ("assign", "standalone assign"),
    ("lag", "lag"),
    ("static_membership", "static membership"),
    ("cooperative", "cooperative rebalancing with listeners"),
    ("idempotent", "idempotent producer"),
    ("transactions", "transactions, read_committed"),
    ("admin_topics", "admin: topics"),
    ("admin_groups", "admin: groups"),
    ("topic_configs", "topic configs"),
    ("consumer_protocol", "KIP-848 group.protocol=consumer"),
    ("app", "framework app"),
]
CELL_IDS = [c for c, _ in COLUMNS]

KCAT = "kcat 1.7.1 (librdkafka 2.0.2)"
KPY = "kafka-python 2.0.2"
CKPY = "confluent-kafka 1.7.0 (librdkafka 2.0.2)"
KJS = "kafkajs 2.2.4"
CLI = "Kafka CLI tools 4.4.0"

# compat/core script -> (row, cells it checks). What each checks: compat/core/README.md.
CORE = {
    "kcat": (KCAT, ["produce_consume", "seek"]),
    "kafka-python": (KPY, ["admin_topics", "key_partition", "assign", "seek"]),
    "kafka-python-groups": (KPY, ["commits", "lag", "group_split", "two_groups", "admin_groups"]),
    "confluent-kafka": (CKPY, ["admin_topics", "idempotent", "assign", "seek"]),
    "confluent-kafka-groups": (CKPY, ["group_split", "commits", "admin_groups", "cooperative"]),
    "confluent-admin-ops": (CKPY, ["topic_configs", "admin_topics"]),
    "kafkajs-groups": (KJS, ["admin_topics", "group_split", "lag", "admin_groups"]),
    "cli-groups": (CLI, ["admin_groups", "lag"]),   # its console produce/consume has keys only: not the produce_consume cell
    "kafka-cli-ops": (CLI, ["admin_topics", "topic_configs"]),
}

# Cells a client cannot do at all (not merely: not covered by its scenario, shown as "—").
NO_KIP848_RDKAFKA = "librdkafka 2.0.2 predates KIP-848 (group.protocol=consumer needs librdkafka 2.4 or later)"
STATIC_NA = {
    (KCAT, "admin_topics"): "kcat has no admin operations (topics come from auto-creation)",
    (KCAT, "admin_groups"): "kcat has no admin operations",
    (KCAT, "topic_configs"): "kcat has no admin operations",
    (KCAT, "transactions"): "kcat has no transactional producer mode",
    (KCAT, "consumer_protocol"): NO_KIP848_RDKAFKA,
    (KPY, "idempotent"): "kafka-python 2.0.2 has no idempotent producer (later releases add one)",
    (KPY, "transactions"): "kafka-python 2.0.2 has no transactional producer",
    (KPY, "static_membership"): "kafka-python 2.0.2 has no group_instance_id",
    (KPY, "cooperative"): "kafka-python 2.0.2 only rebalances eagerly (no cooperative assignor)",
    (KPY, "consumer_protocol"): "kafka-python has no KIP-848 consumer protocol",
    (CKPY, "consumer_protocol"): NO_KIP848_RDKAFKA,
    (KJS, "static_membership"): "kafkajs has no group.instance.id",
    (KJS, "cooperative"): "kafkajs only rebalances eagerly",
    (KJS, "consumer_protocol"): "kafkajs has no KIP-848 consumer protocol",
}

ROW_ORDER = ["kafka-clients 4.4.0", "kafka-clients 3.9.1", "kafka-clients 2.8.2", "kafka-streams 4.4.0",
             "spring-kafka 3.3.10", CLI, CKPY, KPY, KJS, KCAT]
ROW_NOTES = {
    "kafka-clients 4.4.0": "compat/java/CompatClient.java on kafka-clients 4.4.0 (also the JUnit ITs in fjord-it)",
    "kafka-clients 3.9.1": "compat/java/CompatClient.java on kafka-clients 3.9.1",
    "kafka-clients 2.8.2": "compat/java/CompatClient.java on kafka-clients 2.8.2",
    "kafka-streams 4.4.0": "compat/streams/WordCount.java: exactly_once_v2 word count, repartition topic, state store",
    "spring-kafka 3.3.10": "compat/spring/CompatSpringApp.java: Spring Boot 3.5.7, KafkaTemplate + @KafkaListener",
    CLI: "compat/core/cli-groups.sh, kafka-cli-ops.sh",
    CKPY: "compat/core/confluent-kafka.sh, confluent-kafka-groups.sh, confluent-admin-ops.sh",
    KPY: "compat/core/kafka-python.sh, kafka-python-groups.sh",
    KJS: "compat/core/kafkajs-groups.sh",
    KCAT: "compat/core/kcat.sh",
}
CELL_RE = re.compile(r"^CELL (\S+) (\S+) (\S+) (PASS|FAIL|N/A)\s*(.*)$")


def clean(s):
    s = re.sub(r"\s+", " ", s).strip().replace("|", "/").replace("\t", " ")
    return s[:300]


def parse_raw(path):
    """-> {(row, cell): (status, reason)}"""
    cells = {}
    unit, lines = None, []

    def put(row, cell, status, reason):
        # several scripts may check one cell: a FAIL of any of them wins
        rank = {"PASS": 0, "N/A": 1, "FAIL": 2}
        old = cells.get((row, cell))
        if old is None or rank[status] > rank[old[0]]:
            cells[(row, cell)] = (status, clean(reason))

    def finish(name, rc):
        if name.startswith("core:"):
            script = name[len("core:"):]
            row, covered = CORE[script]
            line = next((l for l in reversed(lines) if l.startswith(("PASS ", "FAIL "))), None)
            if line is None:
                status, reason = "FAIL", "%s.sh: no result line (exit %s)" % (script, rc)
            elif line.startswith("PASS ") and rc == "0":
                status, reason = "PASS", ""
            else:
                status = "FAIL"
                reason = "%s.sh: %s" % (script, line.split(":", 1)[1] if ":" in line else line)
            for c in covered:
                put(row, c, status, reason)
        else:
            got = 0
            for l in lines:
                m = CELL_RE.match(l)
                if m:
                    client, version, cell, status, reason = m.groups()
                    put(client + " " + version, cell, status, reason)
                    got += 1
            if got == 0:
                put(name, "app", "FAIL", "%s: no CELL line (exit %s)" % (name, rc))

    with open(path) as f:
        for raw in f:
            l = raw.rstrip("\n")
            if l.startswith("UNIT "):
                unit, lines = l[5:].strip(), []
            elif l.startswith("END ") and unit is not None:
                parts = l.split()
                finish(unit, parts[2] if len(parts) > 2 else "?")
                unit = None
            elif unit is not None:
                lines.append(l)
    if unit is not None:
        finish(unit, "?")
    rows = {r for r, _ in cells}
    for (row, cell), why in STATIC_NA.items():
        if row in rows and (row, cell) not in cells:
            cells[(row, cell)] = ("N/A", why)
    return cells


def read_tsv(path):
    cells = {}
    if path and os.path.exists(path):
        with open(path) as f:
            for l in f:
                if l.startswith("#") or not l.strip():
                    continue
                p = l.rstrip("\n").split("\t")
                if len(p) >= 3:
                    cells[(p[0], p[1])] = (p[2], p[3] if len(p) > 3 else "")
    return cells


def read_meta(path):
    meta = {}
    if path and os.path.exists(path):
        with open(path) as f:
            for l in f:
                if l.startswith("# "):
                    k, _, v = l[2:].rstrip("\n").partition(": ")
                    meta[k] = v
    return meta


def read_gaps(path):
    """compat/known-gaps.tsv: row, cell, why (Fjord only)."""
    return {k: v[0] for k, v in read_tsv(path).items()}


def write_tsv(path, cells, meta):
    with open(path, "w") as f:
        for k, v in meta.items():
            f.write("# %s: %s\n" % (k, v))
        for (row, cell) in sorted(cells, key=lambda k: (row_key(k[0]), CELL_IDS.index(k[1]) if k[1] in CELL_IDS else 99)):
            status, reason = cells[(row, cell)]
            if status == "PASS":
                reason = ""   # (a timing or a summary: noise in the committed results' diffs)
            f.write("%s\t%s\t%s\t%s\n" % (row, cell, status, reason))


def row_key(row):
    return (ROW_ORDER.index(row) if row in ROW_ORDER else len(ROW_ORDER), row)


def table(cells, gaps, notes, broker):
    rows = sorted({r for r, _ in cells}, key=row_key)
    out = ["| client | " + " | ".join(t for _, t in COLUMNS) + " |",
           "| --- |" + " :-: |" * len(COLUMNS)]

    def note(text):
        if text not in notes:
            notes.append(text)
        return notes.index(text) + 1

    for row in rows:
        tds = []
        for cell in CELL_IDS:
            v = cells.get((row, cell))
            if v is None:
                tds.append("—")
            elif v[0] == "PASS":
                tds.append("✅")
            elif v[0] == "N/A":
                tds.append("N/A [%d]" % note("N/A: " + v[1]))
            elif broker == "fjord" and (row, cell) in gaps:
                tds.append("⚠️ gap [%d]" % note("known gap: " + gaps[(row, cell)] + " (fails with: " + v[1] + ")"))
            else:
                tds.append("❌ [%d]" % note("FAIL: " + v[1]))
        out.append("| %s | %s |" % (row, " | ".join(tds)))
    return out


def doc(path, fjord, fjord_meta, kafka, kafka_meta, gaps):
    notes = []
    L = ["# Client compatibility", "",
         "Generated by `compat/run-matrix.sh` (Fjord) and `compat/run-matrix.sh --against-kafka` (Apache Kafka 4.4.0,",
         "the reference) from `compat/matrix/fjord.tsv` and `compat/matrix/kafka.tsv`; do not edit by hand.",
         "Each scenario runs a real client against a single broker on 127.0.0.1; how to run it: `compat/README.md`.", "",
         "✅ passes · ❌ fails · ⚠️ gap: fails on Fjord, a known gap (listed in `compat/known-gaps.tsv`) ·",
         "N/A: the client cannot do it at all · —: not covered by that client's scenario. [n]: note below.", ""]
    for name, cells, meta in (("Fjord", fjord, fjord_meta), ("Apache Kafka 4.4.0", kafka, kafka_meta)):
        L.append("## %s" % name)
        L.append("")
        if not cells:
            L += ["Not run yet.", ""]
            continue
        L.append("Run %s on %s." % (meta.get("date", "?"), meta.get("source", "?")))
        L.append("")
        L += table(cells, gaps, notes, "fjord" if name == "Fjord" else "kafka")
        L.append("")
    L += ["## Differences: passes on Kafka, not on Fjord", ""]
    diffs = [(r, c) for (r, c), v in sorted(kafka.items(), key=lambda kv: (row_key(kv[0][0]), kv[0][1]))
             if v[0] == "PASS" and fjord.get((r, c), ("?",))[0] != "PASS"]
    if not diffs:
        L.append("None." if fjord and kafka else "(needs both runs)")
    for r, c in diffs:
        f = fjord.get((r, c), ("not run", ""))
        why = gaps.get((r, c))
        L.append("- %s / `%s`: %s on Fjord%s — %s" % (r, c, f[0], (" (" + f[1] + ")") if f[1] else "",
                                                      "known gap: " + why if why else "**not recorded as a known gap**"))
    L.append("")
    L += ["## Notes", ""]
    L += ["%d. %s" % (i + 1, n) for i, n in enumerate(notes)]
    L += ["", "## Rows", ""]
    rows = sorted({r for r, _ in list(fjord) + list(kafka)}, key=row_key)
    L += ["- **%s**: %s" % (r, ROW_NOTES.get(r, "")) for r in rows]
    L += ["", "## Columns", "",
          "- produce/consume: keyed records with headers, one batch per codec (none, gzip, snappy, lz4, zstd), read back in order",
          "  (kcat: keys and codecs, no headers).",
          "- key → partition: the default partitioner's partition for a key, stable, and the consumer reads it there.",
          "- explicit partition: records sent to a chosen partition land and are read only there.",
          "- group split & rebalance: a second member takes half of the partitions, new records are read once; the last member gets all back.",
          "- two groups broadcast: two groups each read every record.",
          "- commits: auto commit, synchronous, asynchronous with a callback, explicit offsets with metadata; a new member resumes after the commit.",
          "- seek: to the beginning, the end, an offset, a timestamp (offsetsForTimes).",
          "- standalone assign: a consumer without a group reads the partitions it assigned itself.",
          "- lag: end offset − committed offset, from the consumer and the admin client, 0 once caught up.",
          "- static membership: group.instance.id; the member is described with it, stays in the group across close() and gets its partitions back.",
          "- cooperative: CooperativeStickyAssignor; a joining member makes the first revoke only the partitions that move (listeners see it).",
          "- idempotent producer: enable.idempotence with 5 requests in flight; each record once, in order.",
          "- transactions: commit, abort, consume-transform-produce with the group's offsets in the transaction; read_committed sees committed records only.",
          "- admin: topics: create, list, describe, add partitions, create-existing refused, delete.",
          "- admin: groups: list, describe (Stable with its member, then Empty), offsets, delete refused with a member, then deleted.",
          "- topic configs: a config at create, describe (override vs default), incremental alter (set, delete), a bad value refused.",
          "- KIP-848: `group.protocol=consumer` (the consumer group protocol of Kafka 4).",
          "- framework app: Kafka Streams (exactly_once_v2 word count with a repartition topic and a state store) or Spring Kafka (KafkaTemplate + @KafkaListener).",
          ""]
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(L))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    if sys.argv[1:] == ["--doc-only"]:
        f, k = os.path.join(here, "matrix", "fjord.tsv"), os.path.join(here, "matrix", "kafka.tsv")
        doc(os.path.join(here, "..", "docs", "COMPATIBILITY.md"), read_tsv(f), read_meta(f), read_tsv(k), read_meta(k),
            read_gaps(os.path.join(here, "known-gaps.tsv")))
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("--broker", choices=["fjord", "kafka"], required=True)
    ap.add_argument("--raw", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--baseline")
    ap.add_argument("--other")
    ap.add_argument("--gaps")
    ap.add_argument("--doc", required=True)
    ap.add_argument("--source", default="?")
    ap.add_argument("--partial", action="store_true", help="a subset of the units ran: cells not run are no regression")
    a = ap.parse_args()

    cells = parse_raw(a.raw)
    gaps = read_gaps(a.gaps)
    baseline = read_tsv(a.baseline)
    meta = {"broker": a.broker, "date": datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"), "source": a.source}
    write_tsv(a.results, cells, meta)
    other, other_meta = read_tsv(a.other), read_meta(a.other)
    if a.broker == "fjord":
        doc(a.doc, cells, meta, other, other_meta, gaps)
    else:
        doc(a.doc, other, other_meta, cells, meta, gaps)

    counts = {}
    for v in cells.values():
        counts[v[0]] = counts.get(v[0], 0) + 1
    bad = []
    for k, v in sorted(baseline.items()):
        if a.partial and k not in cells:
            continue
        if v[0] == "PASS" and cells.get(k, ("missing",))[0] != "PASS":
            bad.append("REGRESSION %s / %s: passed before, now %s %s" % (k[0], k[1], cells.get(k, ("missing", ""))[0], cells.get(k, ("", ""))[1]))
    for k, v in sorted(cells.items()):
        if v[0] == "FAIL" and not (a.broker == "fjord" and k in gaps):
            line = "FAIL %s / %s: %s" % (k[0], k[1], v[1])
            if not any(b.startswith("REGRESSION %s / %s:" % k) for b in bad):
                bad.append(line + ("" if a.broker == "kafka" else " (not in compat/known-gaps.tsv)"))
    known = sum(1 for k, v in cells.items() if v[0] == "FAIL" and a.broker == "fjord" and k in gaps)
    print("compat matrix against %s: %d cells PASS, %d FAIL (%d of them known gaps), %d N/A; results %s, doc %s"
          % (a.broker, counts.get("PASS", 0), counts.get("FAIL", 0), known, counts.get("N/A", 0), a.results, a.doc))
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
