#!/usr/bin/python3
"""confluent-kafka scenario without consumer groups (no group coordinator needed).

AdminClient create (3 partitions) / list_topics -> idempotent acks=all producer with
delivery callbacks -> a Consumer used standalone: assign() from offset 0, seek to
hw-1, get_watermark_offsets, offsets_for_times -> delete_topics, wait until gone.

librdkafka refuses assign() without a group.id (no consumer-group handle), so the
consumer gets a unique group.id but never subscribes, never commits (auto commit and
offset store off) and only assigns explicit offsets, so it needs no committed offsets.
With a group.id librdkafka still looks up the group coordinator (FindCoordinator) in
the background; that lookup does not gate fetching, so a broker without a group
coordinator must merely answer it (any error) or leave the API out of ApiVersions.
Usage: confluent_kafka.py BOOTSTRAP TOPIC. Run with /usr/bin/python3."""
import os
import sys
import time

# scenario_common lives here; search this folder last so that confluent_kafka.py never shadows the package.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _HERE] + [_HERE]
from scenario_common import Scenario  # noqa: E402

import confluent_kafka  # noqa: E402
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

RECORDS = 30
KEYS = 7
PARTITIONS = 3


def body(s, bootstrap, topic):
    def client_log(conf_name):
        # librdkafka log lines go to stderr (the scenario log); COMPAT_RDKAFKA_DEBUG=protocol,broker,cgrp adds debug
        extra = {"client.id": "compat-confluent-" + conf_name}
        dbg = os.environ.get("COMPAT_RDKAFKA_DEBUG")
        if dbg:
            extra["debug"] = dbg
        return extra

    base = {"bootstrap.servers": bootstrap, "socket.timeout.ms": 15000}
    s.log("topic %s bootstrap %s" % (topic, bootstrap))

    s.step("AdminClient create_topics %d partitions" % PARTITIONS)
    admin = AdminClient(dict(base, **client_log("admin")))
    futs = admin.create_topics([NewTopic(topic, num_partitions=PARTITIONS, replication_factor=1)],
                               operation_timeout=15, request_timeout=20)
    futs[topic].result(timeout=30)

    s.step("list_topics")

    def described():
        md = admin.list_topics(topic=topic, timeout=10)
        t = md.topics.get(topic)
        if t is None or t.error is not None or len(t.partitions) != PARTITIONS:
            return None
        if any(p.leader < 0 or p.error is not None for p in t.partitions.values()):
            return None
        return md
    md = s.wait_for("topic %s with %d led partitions in list_topics" % (topic, PARTITIONS), described)
    parts = sorted(md.topics[topic].partitions)
    s.check(parts == list(range(PARTITIONS)), "partition ids %r" % parts)
    s.check(len(md.brokers) == 1, "list_topics shows %d brokers, want 1: %r" % (len(md.brokers), md.brokers))
    (broker_id,) = md.brokers
    leaders = {p.leader for p in md.topics[topic].partitions.values()}
    s.check(leaders == {broker_id}, "partition leaders %r, want broker %d" % (leaders, broker_id))

    s.step("idempotent producer acks=all: %d keyed messages with delivery callbacks" % RECORDS)
    producer = Producer(dict(base, **{"enable.idempotence": True, "acks": "all", "linger.ms": 5},
                             **client_log("producer")))
    base_ts = (int(time.time()) - 3600) * 1000
    reports = {}
    sent = []

    def on_delivery(i):
        def cb(err, msg):
            reports[i] = (err, msg.partition(), msg.offset(), msg.timestamp())
        return cb

    for i in range(RECORDS):
        key = "key-%d" % (i % KEYS)
        value = "value-%d-%s" % (i, topic)
        ts = base_ts + i * 1000
        producer.produce(topic, key=key.encode(), value=value.encode(), timestamp=ts, on_delivery=on_delivery(i))
        producer.poll(0)
        sent.append((key, value, ts))
    left = producer.flush(30)
    s.check(left == 0, "%d messages still undelivered after flush(30)" % left)
    s.check(len(reports) == RECORDS, "%d delivery callbacks, want %d" % (len(reports), RECORDS))
    errs = {i: str(r[0]) for i, r in reports.items() if r[0] is not None}
    s.check(not errs, "delivery errors: %r" % dict(list(errs.items())[:5]))
    by_pos, key_parts, per_part = {}, {}, {p: [] for p in parts}
    for i in range(RECORDS):
        _, p, off, _ts = reports[i]
        s.check(p in per_part, "message %d delivered to partition %d" % (i, p))
        by_pos[(p, off)] = sent[i]
        key_parts.setdefault(sent[i][0], set()).add(p)
        per_part[p].append(off)
    split = {k: sorted(v) for k, v in key_parts.items() if len(v) != 1}
    s.check(not split, "same key delivered to several partitions: %r" % split)
    for p, offs in per_part.items():
        s.check(offs == list(range(len(offs))), "partition %d offsets %r, want 0..%d in order" % (p, offs, len(offs) - 1))
    counts = {p: len(o) for p, o in per_part.items()}
    s.log("per-partition counts %r" % counts)

    s.step("standalone consumer: assign() from offset 0")
    consumer = Consumer(dict(base, **{
        "group.id": "compat-standalone-" + topic,   # required by librdkafka for assign(); never subscribed/committed
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "auto.offset.reset": "error",               # explicit offsets only; a bad one must surface
        "fetch.wait.max.ms": 200,
    }, **client_log("consumer")))
    consumer.assign([TopicPartition(topic, p, 0) for p in parts])

    def consume(want, what, timeout_s=30.0):
        got = []
        end = time.monotonic() + timeout_s
        while len(got) < want and time.monotonic() < end:
            for m in consumer.consume(num_messages=want - len(got), timeout=0.5):
                if m.error() is not None:
                    raise KafkaException(m.error())
                got.append(m)
        s.check(len(got) == want, "%s: got %d messages, want %d" % (what, len(got), want))
        return got

    seen = set()
    for m in consume(RECORDS, "read from offset 0"):
        pos = (m.partition(), m.offset())
        s.check(pos not in seen, "duplicate message at partition %d offset %d" % pos)
        seen.add(pos)
        s.check(pos in by_pos, "unexpected message at partition %d offset %d" % pos)
        key, value, ts = by_pos[pos]
        s.check((m.key(), m.value()) == (key.encode(), value.encode()),
                "partition %d offset %d: %r=%r, want %s=%s" % (pos + (m.key(), m.value(), key, value)))
        s.check(m.timestamp()[1] == ts, "partition %d offset %d timestamp %r, want %d" % (pos + (m.timestamp(), ts)))

    s.step("get_watermark_offsets")
    for p in parts:
        wm = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10, cached=False)
        s.check(wm == (0, counts[p]), "watermarks of partition %d %r, want (0, %d)" % (p, wm, counts[p]))

    s.step("seek to hw-1")
    p = max(counts, key=lambda q: counts[q])
    target = counts[p] - 1
    consumer.seek(TopicPartition(topic, p, target))
    (m,) = consume(1, "read after seek(partition %d, %d)" % (p, target))
    s.check((m.partition(), m.offset()) == (p, target), "after seek got partition %d offset %d, want %d/%d" % (m.partition(), m.offset(), p, target))
    s.check((m.key().decode(), m.value().decode()) == by_pos[(p, target)][:2], "message at hw-1 differs")

    s.step("offsets_for_times")
    j = RECORDS // 2 + 1
    (pj, oj), = [pos for pos, v in by_pos.items() if v == sent[j]]
    tsj = sent[j][2]
    res = consumer.offsets_for_times([TopicPartition(topic, q, tsj) for q in parts], timeout=10)
    for tp in res:
        s.check(tp.error is None, "offsets_for_times partition %d error %s" % (tp.partition, tp.error))
        later = sorted(off for (pp, off), v in by_pos.items() if pp == tp.partition and v[2] >= tsj)
        want = later[0] if later else -1   # librdkafka reports "no such offset" as -1 (OFFSET_END)
        s.check(tp.offset == want, "offsets_for_times(partition %d, %d) = %d, want %d" % (tp.partition, tsj, tp.offset, want))
    found = {tp.partition: tp.offset for tp in res}
    s.check(found.get(pj) == oj, "offsets_for_times did not find message %d at partition %d offset %d" % (j, pj, oj))
    consumer.close()

    s.step("delete_topics and wait until gone")
    admin.delete_topics([topic], operation_timeout=15, request_timeout=20)[topic].result(timeout=30)
    # list all topics: a metadata request naming the topic could auto-create it again
    s.wait_for("topic %s gone from list_topics" % topic, lambda: topic not in admin.list_topics(timeout=10).topics)
    return ("AdminClient create %d partitions, list_topics (1 broker), idempotent acks=all %d keyed "
            "delivered (keys stick to a partition), standalone assign from 0, seek hw-1, watermarks, "
            "offsets_for_times, delete" % (PARTITIONS, RECORDS))


def main():
    bootstrap, topic = sys.argv[1], sys.argv[2]
    s = Scenario("confluent-kafka %s (librdkafka %s)" % (confluent_kafka.version()[0], confluent_kafka.libversion()[0]))
    return s.run(lambda sc: body(sc, bootstrap, topic))


if __name__ == "__main__":
    sys.exit(main())
