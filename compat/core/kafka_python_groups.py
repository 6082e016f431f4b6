#!/usr/bin/python3
"""kafka-python scenario with consumer groups (needs the group coordinator).

Admin create a 4-partition topic, keyed produce (to every partition in turn), then:
  auto   - subscribe with auto commit: reads everything, the auto commits reach end offsets;
  manual - enable_auto_commit off, commit(); committed() == end offsets; a new member of the
           same group reads only records produced after the commit;
  explicit - commit({tp: OffsetAndMetadata(n, meta)}) with assign(); committed() and
           committed(metadata=True) and admin list_consumer_group_offsets read them back;
           lag = end_offsets - committed;
  split  - two members of one group on a second 4-partition topic: each partition owned
           once, records produced after the split each read once across the two;
  two groups - each reads every record; admin describe_consumer_groups (Stable, range, the
           member's subscription and assignment), list_consumer_groups, delete_consumer_groups
           (NonEmptyGroupError with a member; after close: Empty, deleted, Dead).
Usage: kafka_python_groups.py BOOTSTRAP TOPIC. Run with /usr/bin/python3 (Debian's python3-kafka)."""
import logging
import os
import sys
import threading
import time

# scenario_common lives here; search this folder last so that confluent_kafka.py never shadows the package.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _HERE] + [_HERE]
from scenario_common import Scenario  # noqa: E402

import kafka  # noqa: E402
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.admin import NewTopic  # noqa: E402
from kafka.structs import OffsetAndMetadata  # noqa: E402

PARTITIONS = 4
RECORDS = 40
MORE = 8


def body(s, bootstrap, topic):
    common = dict(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    group_conf = dict(session_timeout_ms=10000, heartbeat_interval_ms=300, fetch_max_wait_ms=100,
                      auto_offset_reset="earliest", **common)
    split_topic = topic + "-split"
    s.log("topics %s, %s bootstrap %s" % (topic, split_topic, bootstrap))

    def group(name):
        return "%s-%s" % (topic, name)

    s.step("admin create_topics %s and %s, %d partitions" % (topic, split_topic, PARTITIONS))
    admin = KafkaAdminClient(client_id="compat-kpy-groups-admin", **common)
    admin.create_topics([NewTopic(name=t, num_partitions=PARTITIONS, replication_factor=1)
                         for t in (topic, split_topic)], timeout_ms=15000)
    s.wait_for("topics in admin list_topics", lambda: {topic, split_topic} <= set(admin.list_topics()))

    # retries: right after create_topics a broker may still answer NOT_LEADER for a moment
    producer = KafkaProducer(client_id="compat-kpy-groups-producer", acks="all", linger_ms=5, retries=5, retry_backoff_ms=200,
                             key_serializer=lambda k: k.encode(), value_serializer=lambda v: v.encode(), **common)

    def produce(t, values, round_robin=False):
        s.wait_for("%d partitions of %s in producer metadata" % (PARTITIONS, t),
                   lambda: len(producer.partitions_for(t) or ()) == PARTITIONS)
        futs = [producer.send(t, key="k%d" % (i % 7), value=v, partition=(i % PARTITIONS) if round_robin else None)
                for i, v in enumerate(values)]
        producer.flush(timeout=30)
        return [f.get(timeout=30) for f in futs]

    s.step("produce %d keyed records" % RECORDS)
    values = ["v-%d" % i for i in range(RECORDS)]
    produce(topic, values, round_robin=True)  # every partition gets records
    tps = [TopicPartition(topic, p) for p in range(PARTITIONS)]

    def consumer(gid, **kw):
        kw.setdefault("client_id", "compat-kpy-" + gid[len(topic) + 1:])
        return KafkaConsumer(group_id=gid, value_deserializer=lambda b: b.decode(), **dict(group_conf, **kw))

    def read(c, want, what, timeout_s=15.0):
        got = []
        end = time.monotonic() + timeout_s
        while len(got) < want and time.monotonic() < end:
            for recs in c.poll(timeout_ms=200).values():
                got.extend(recs)
        vals = [r.value for r in got]
        s.check(len(vals) == want and len(set(vals)) == want,
                "%s: read %d records (%d distinct), want %d" % (what, len(vals), len(set(vals)), want))
        return vals

    def group_offsets(gid):
        res = admin.list_consumer_group_offsets(gid)
        return {tp: om.offset for tp, om in res.items() if tp.topic == topic}

    s.step("auto commit: subscribe, read all, auto commits reach the end offsets")
    ends = None
    c = consumer(group("auto"), enable_auto_commit=True, auto_commit_interval_ms=200)
    c.subscribe([topic])
    s.check(sorted(read(c, RECORDS, "auto-commit group")) == sorted(values), "auto-commit group read other values")
    ends = c.end_offsets(tps)
    s.check(set(ends.values()) == {RECORDS // PARTITIONS}, "end_offsets %r, want %d each" % (ends, RECORDS // PARTITIONS))

    def auto_committed():
        c.poll(timeout_ms=100)   # auto commit happens inside poll
        return group_offsets(group("auto")) == ends
    s.wait_for("auto-committed offsets == end offsets %r" % ends, auto_committed, timeout_s=10)
    c.close()

    s.step("manual commit(): committed() == end offsets")
    c = consumer(group("manual"), enable_auto_commit=False)
    c.subscribe([topic])
    read(c, RECORDS, "manual-commit group")
    c.commit()
    got = {tp: c.committed(tp) for tp in tps}
    s.check(got == ends, "committed() after commit() %r, want end offsets %r" % (got, ends))
    s.check(group_offsets(group("manual")) == ends, "broker's offsets after commit() %r, want %r" % (group_offsets(group("manual")), ends))
    c.close(autocommit=False)

    s.step("manual commit(): a new member resumes after the commit (%d more records)" % MORE)
    more = ["more-%d" % i for i in range(MORE)]
    produce(topic, more, round_robin=True)
    c = consumer(group("manual"), enable_auto_commit=False)
    c.subscribe([topic])
    got = read(c, MORE, "new member of the manual-commit group")
    s.check(sorted(got) == sorted(more), "resumed member read %r, want only the %d new records" % (sorted(got)[:5], MORE))
    c.close(autocommit=False)
    probe = KafkaConsumer(**common)
    ends = probe.end_offsets(tps)
    probe.close()
    total = RECORDS + MORE

    s.step("explicit offsets: commit OffsetAndMetadata, committed() reads them back")
    c = consumer(group("explicit"), enable_auto_commit=False)
    c.assign(tps)
    want = {tp: tp.partition + 1 for tp in tps}
    c.commit({tp: OffsetAndMetadata(n, "meta-%d" % tp.partition) for tp, n in want.items()})
    got = {tp: c.committed(tp) for tp in tps}
    s.check(got == want, "committed() %r, want %r" % (got, want))
    meta = {tp: c.committed(tp, metadata=True) for tp in tps}
    s.check(all(meta[tp].metadata == "meta-%d" % tp.partition for tp in tps), "committed(metadata=True) %r" % (meta,))
    res = admin.list_consumer_group_offsets(group("explicit"))
    s.check({tp: (om.offset, om.metadata) for tp, om in res.items()} == {tp: (n, "meta-%d" % tp.partition) for tp, n in want.items()},
            "admin list_consumer_group_offsets %r" % (res,))

    s.step("lag = end_offsets - committed")
    ends = c.end_offsets(tps)
    lag = {tp.partition: ends[tp] - c.committed(tp) for tp in tps}
    s.check(sum(lag.values()) == total - sum(want.values()), "lag %r adds up to %d, want %d" % (lag, sum(lag.values()), total - sum(want.values())))
    s.check(all(v >= 0 for v in lag.values()), "negative lag %r" % lag)
    # after consuming from the committed offsets and committing, the lag is 0
    for tp, n in want.items():
        c.seek(tp, n)
    read(c, total - sum(want.values()), "explicit group from its committed offsets")
    c.commit()
    lag = {tp.partition: ends[tp] - c.committed(tp) for tp in tps}
    s.check(set(lag.values()) == {0}, "lag after consuming and committing %r, want all 0" % lag)
    c.close(autocommit=False)

    s.step("two members of one group split %d partitions" % PARTITIONS)
    # kafka-python's poll() blocks while it (re)joins, and a join waits for every member:
    # each member polls in a thread of its own, as two processes would.
    split_tps = {TopicPartition(split_topic, p) for p in range(PARTITIONS)}
    stop = threading.Event()
    state = [{"owned": set(), "values": [], "foreign": [], "error": None} for _ in (1, 2)]

    def member(i):
        st = state[i]
        try:
            m = consumer(group("split"), enable_auto_commit=True, auto_commit_interval_ms=200,
                         client_id="compat-kpy-split-%d" % (i + 1))
            m.subscribe([split_topic])
            while not stop.is_set():
                batch = m.poll(timeout_ms=100)
                owned = set(m.assignment())
                for tp, recs in batch.items():
                    if tp not in owned:
                        st["foreign"].append(tp.partition)
                    st["values"].extend(r.value for r in recs)
                st["owned"] = owned
            m.close()
        except Exception as e:  # reported by the main thread
            st["error"] = repr(e)
    threads = [threading.Thread(target=member, args=(i,), daemon=True) for i in (0, 1)]
    for t in threads:
        t.start()
    try:
        def split_done():
            errs = [st["error"] for st in state if st["error"]]
            s.check(not errs, "member error %r" % errs)
            a, b = state[0]["owned"], state[1]["owned"]
            return a and b and not (a & b) and (a | b) == split_tps
        s.wait_for("two members owning %d partitions between them" % PARTITIONS, split_done, timeout_s=15, interval_s=0.1)
        owned = [sorted(tp.partition for tp in st["owned"]) for st in state]
        s.log("split: member 1 owns %r, member 2 owns %r" % tuple(owned))
        s.check(sorted(len(o) for o in owned) == [2, 2], "uneven split %r" % owned)
        s.check(not state[0]["values"] and not state[1]["values"], "read records from the empty topic")

        s.step("two members: %d records each read once across the two" % RECORDS)
        split_values = ["split-%d" % i for i in range(RECORDS)]
        produce(split_topic, split_values, round_robin=True)  # every partition gets records
        s.wait_for("%d records read by the two members" % RECORDS,
                   lambda: len(state[0]["values"]) + len(state[1]["values"]) >= RECORDS, timeout_s=15, interval_s=0.1)
        time.sleep(0.5)  # a duplicate would show up now
        # the client may rejoin once more (Kafka too, rarely, under load); the records must still be read
        # once, and the members must still split the partitions between them
        s.wait_for("two members still owning %d partitions between them" % PARTITIONS, split_done, timeout_s=10, interval_s=0.1)
        final = [sorted(tp.partition for tp in st["owned"]) for st in state]
    finally:
        stop.set()
        for t in threads:
            t.join(10)
    both = state[0]["values"] + state[1]["values"]
    s.check(sorted(both) == sorted(split_values),
            "members read %d + %d records (%d distinct), want %d each once" % (len(state[0]["values"]), len(state[1]["values"]), len(set(both)), RECORDS))
    s.check(state[0]["values"] and state[1]["values"], "one member read nothing")
    s.check(not state[0]["foreign"] and not state[1]["foreign"], "records of partitions a member does not own: %r" % ([st["foreign"] for st in state],))
    if final != owned:
        s.log("assignment moved while reading: %r -> %r" % (owned, final))

    s.step("two groups each read all %d records" % total)
    all_values = sorted(values + more)
    group_pair = [consumer(group("g%d" % i), enable_auto_commit=False) for i in (1, 2)]
    for g in group_pair:
        g.subscribe([topic])
    for i, g in enumerate(group_pair):
        s.check(sorted(read(g, total, "group %d" % (i + 1))) == all_values, "group %d read other values" % (i + 1))
    s.step("admin describe_consumer_groups / list_consumer_groups while the groups have a member")
    gids = [group("g1"), group("g2")]
    for d in admin.describe_consumer_groups(gids):
        s.check(d.state == "Stable" and d.protocol_type == "consumer" and d.protocol == "range",
                "describe %s: state %s protocol_type %s protocol %s" % (d.group, d.state, d.protocol_type, d.protocol))
        s.check(len(d.members) == 1, "describe %s: %d members" % (d.group, len(d.members)))
        m = d.members[0]
        s.check(m.client_id == "compat-kpy-" + d.group[len(topic) + 1:], "describe %s: client id %s" % (d.group, m.client_id))
        s.check(list(m.member_metadata.subscription) == [topic], "describe %s: subscription %r" % (d.group, m.member_metadata.subscription))
        s.check([(a[0], sorted(a[1])) for a in m.member_assignment.assignment] == [(topic, list(range(PARTITIONS)))],
                "describe %s: assignment %r" % (d.group, m.member_assignment.assignment))
    listed = dict(admin.list_consumer_groups())
    s.check(all(listed.get(g) == "consumer" for g in gids), "list_consumer_groups lacks %r" % gids)
    res = dict(admin.delete_consumer_groups([gids[0]]))
    s.check(res[gids[0]] is kafka.errors.NonEmptyGroupError, "delete_consumer_groups of a group with a member: %r, want NonEmptyGroupError" % res)

    s.step("close the two groups' consumers, delete_consumer_groups")
    for g in group_pair:
        g.close(autocommit=False)
    states = {d.group: (d.state, len(d.members)) for d in admin.describe_consumer_groups(gids)}
    s.check(states == {g: ("Empty", 0) for g in gids}, "after close: %r, want Empty" % states)
    res = dict(admin.delete_consumer_groups(gids))
    s.check(res == {g: kafka.errors.NoError for g in gids}, "delete_consumer_groups %r" % res)
    left = {g for g, _ in admin.list_consumer_groups()} & set(gids)
    s.check(not left, "still listed after delete_consumer_groups: %r" % left)
    s.check({d.state for d in admin.describe_consumer_groups(gids)} == {"Dead"}, "deleted groups not Dead")

    s.step("delete topics")
    producer.close(timeout=10)
    admin.delete_topics([topic, split_topic], timeout_ms=15000)
    admin.close()
    s.log("done")
    return ("auto commit to the end offsets; commit() then committed() and resume after it; "
            "OffsetAndMetadata commit read back (with metadata); lag end-committed %d then 0; "
            "2 members split %d partitions %s, %d records read once; 2 groups read all %d; admin describe "
            "(Stable, range, assignment), list, delete (refused with a member, then Dead)"
            % (total - sum(want.values()), PARTITIONS, "/".join(map(str, map(len, owned))), RECORDS, total))


def main():
    bootstrap, topic = sys.argv[1], sys.argv[2]
    logging.basicConfig(stream=sys.stderr, level=os.environ.get("COMPAT_LOG_LEVEL", "WARNING"),  # e.g. INFO: joins, assignments
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    s = Scenario("kafka-python %s groups" % kafka.__version__)
    return s.run(lambda sc: body(sc, bootstrap, topic))


if __name__ == "__main__":
    sys.exit(main())
