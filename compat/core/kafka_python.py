#!/usr/bin/python3
"""kafka-python scenario without consumer groups (no group coordinator needed).

Admin create (3 partitions) -> acks=all keyed JSON produce with explicit timestamps ->
group-less consumer: assign + seek_to_beginning, seek(tp, n), end/beginning offsets,
offsets_for_times -> admin delete. Usage: kafka_python.py BOOTSTRAP TOPIC
Run with /usr/bin/python3 (Debian's python3-kafka 2.0.2)."""
import json
import logging
import os
import sys
import time

# scenario_common lives here; search this folder last so that confluent_kafka.py never shadows the package.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _HERE] + [_HERE]
from scenario_common import Scenario  # noqa: E402

import kafka  # noqa: E402
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.admin import NewTopic  # noqa: E402

RECORDS = 60
KEYS = 10
PARTITIONS = 3


def body(s, bootstrap, topic):
    common = dict(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    s.log("topic %s bootstrap %s" % (topic, bootstrap))

    s.step("admin create_topics %d partitions" % PARTITIONS)
    admin = KafkaAdminClient(client_id="compat-kafka-python-admin", **common)
    admin.create_topics([NewTopic(name=topic, num_partitions=PARTITIONS, replication_factor=1)], timeout_ms=15000)
    s.wait_for("topic %s in admin list_topics" % topic, lambda: topic in admin.list_topics())

    s.step("producer metadata")
    producer = KafkaProducer(client_id="compat-kafka-python-producer", acks="all", linger_ms=5,
                             key_serializer=lambda k: k.encode(),
                             value_serializer=lambda v: json.dumps(v, sort_keys=True).encode(), **common)
    parts = s.wait_for("%d partitions in producer metadata" % PARTITIONS,
                       lambda: (producer.partitions_for(topic) or set()) if len(producer.partitions_for(topic) or ()) == PARTITIONS else None)
    s.check(parts == set(range(PARTITIONS)), "metadata partitions %r, want 0..%d" % (sorted(parts), PARTITIONS - 1))

    s.step("produce %d keyed JSON records acks=all" % RECORDS)
    base_ts = (int(time.time()) - 3600) * 1000  # an hour ago, one second apart
    sent = []
    futures = []
    for i in range(RECORDS):
        key = "key-%d" % (i % KEYS)
        value = {"i": i, "key": key, "text": "record %d of %s" % (i, topic)}
        ts = base_ts + i * 1000
        futures.append(producer.send(topic, key=key, value=value, timestamp_ms=ts))
        sent.append((key, value, ts))
    producer.flush(timeout=30)
    by_pos = {}          # (partition, offset) -> (key, value, ts)
    key_parts = {}
    per_part = {p: [] for p in parts}
    for (key, value, ts), fut in zip(sent, futures):
        md = fut.get(timeout=30)
        s.check(md.topic == topic, "record metadata for topic %r" % md.topic)
        s.check(md.partition in parts, "record sent to partition %d not in metadata %r" % (md.partition, sorted(parts)))
        by_pos[(md.partition, md.offset)] = (key, value, ts)
        key_parts.setdefault(key, set()).add(md.partition)
        per_part[md.partition].append(md.offset)
    producer.close(timeout=10)
    split = {k: sorted(v) for k, v in key_parts.items() if len(v) != 1}
    s.check(not split, "same key landed in several partitions: %r" % split)
    for p, offs in per_part.items():
        s.check(offs == list(range(len(offs))), "partition %d offsets %r, want 0..%d in send order" % (p, offs, len(offs) - 1))
    counts = {p: len(offs) for p, offs in per_part.items()}
    s.check(sum(counts.values()) == RECORDS, "acknowledged %d of %d" % (sum(counts.values()), RECORDS))
    s.log("per-partition counts %r" % counts)

    s.step("consumer without group_id: assign + seek_to_beginning")
    consumer = KafkaConsumer(client_id="compat-kafka-python-consumer", group_id=None, enable_auto_commit=False,
                             auto_offset_reset="none", fetch_max_wait_ms=200,
                             key_deserializer=lambda b: b.decode(),
                             value_deserializer=lambda b: json.loads(b.decode()), **common)
    tps = [TopicPartition(topic, p) for p in sorted(parts)]
    consumer.assign(tps)
    consumer.seek_to_beginning()

    def drain(want, what, timeout_s=30.0):
        got = []
        end = time.monotonic() + timeout_s
        while len(got) < want and time.monotonic() < end:
            for recs in consumer.poll(timeout_ms=500).values():
                got.extend(recs)
        s.check(len(got) == want, "%s: got %d records, want %d" % (what, len(got), want))
        return got

    got = drain(RECORDS, "read from beginning")
    seen = set()
    for r in got:
        pos = (r.partition, r.offset)
        s.check(pos not in seen, "duplicate record at partition %d offset %d" % pos)
        seen.add(pos)
        s.check(pos in by_pos, "unexpected record at partition %d offset %d" % pos)
        key, value, ts = by_pos[pos]
        s.check(r.key == key and r.value == value,
                "partition %d offset %d: %r=%r, want %r=%r" % (r.partition, r.offset, r.key, r.value, key, value))
        s.check(r.timestamp == ts, "partition %d offset %d timestamp %d, want %d" % (r.partition, r.offset, r.timestamp, ts))
    for tp in tps:
        s.check(consumer.position(tp) == counts[tp.partition],
                "position %d after reading partition %d, want %d" % (consumer.position(tp), tp.partition, counts[tp.partition]))

    s.step("seek(tp, n) then read from n")
    p = max(counts, key=lambda q: counts[q])
    n = counts[p] // 2
    tp = TopicPartition(topic, p)
    consumer.seek(tp, n)
    again = drain(counts[p] - n, "read after seek(partition %d, %d)" % (p, n))
    offs = [r.offset for r in again]
    s.check(all(r.partition == p for r in again), "seek on partition %d returned other partitions" % p)
    s.check(offs == list(range(n, counts[p])), "after seek(%d, %d) offsets %r" % (p, n, offs))
    s.check((again[0].key, again[0].value) == by_pos[(p, n)][:2], "record at seek offset differs")

    s.step("end_offsets / beginning_offsets")
    ends = consumer.end_offsets(tps)
    begins = consumer.beginning_offsets(tps)
    s.check(ends == {t: counts[t.partition] for t in tps}, "end_offsets %r, want %r" % (ends, counts))
    s.check(begins == {t: 0 for t in tps}, "beginning_offsets %r, want 0s" % (begins,))

    s.step("offsets_for_times")
    j = RECORDS * 2 // 3 + 1
    (pj, oj), = [pos for pos, v in by_pos.items() if v[0:2] == sent[j][0:2]]
    tsj = sent[j][2]
    found = consumer.offsets_for_times({t: tsj for t in tps})
    for t in tps:
        later = sorted((off, v[2]) for (pp, off), v in by_pos.items() if pp == t.partition and v[2] >= tsj)
        want = later[0] if later else None
        have = None if found.get(t) is None else (found[t].offset, found[t].timestamp)
        s.check(have == want, "offsets_for_times(partition %d, %d) = %r, want (offset, ts) %r" % (t.partition, tsj, have, want))
    s.check((found[TopicPartition(topic, pj)].offset, found[TopicPartition(topic, pj)].timestamp) == (oj, tsj),
            "offsets_for_times did not find record %d at partition %d offset %d" % (j, pj, oj))
    past_end = consumer.offsets_for_times({tp: base_ts + RECORDS * 1000})
    s.check(past_end.get(tp) is None, "offsets_for_times after the last record gave %r, want None" % (past_end.get(tp),))
    consumer.close(autocommit=False)

    s.step("admin delete_topics")
    admin.delete_topics([topic], timeout_ms=15000)
    s.wait_for("topic %s gone from list_topics" % topic, lambda: topic not in admin.list_topics())
    admin.close()
    return ("admin create %d partitions, %d keyed JSON acks=all (keys stick to a partition), "
            "group-less assign/seek_to_beginning/seek, end/beginning offsets, offsets_for_times, delete"
            % (PARTITIONS, RECORDS))


def main():
    bootstrap, topic = sys.argv[1], sys.argv[2]
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    s = Scenario("kafka-python %s" % kafka.__version__)
    return s.run(lambda sc: body(sc, bootstrap, topic))


if __name__ == "__main__":
    sys.exit(main())
