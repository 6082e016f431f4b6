#!/usr/bin/python3
"""confluent-kafka scenario with consumer groups (needs the group coordinator).

AdminClient create a 4-partition topic, produce to every partition, then one member
subscribes with on_assign/on_revoke (gets all 4), reads everything, commits asynchronously
(on_commit callback, committed() == end offsets); more records, read, synchronous commit
(its result and committed() == new end offsets); a second member joins: the first sees
revoke of 4 then assign of 2, the second assign of 2, disjoint; new records are read once
across the two, starting at the committed offsets; AdminClient list_groups shows the group
with its 2 members. Then a cooperative-sticky group: a second member joining makes the first
revoke only the 2 partitions that move (incremental_assign/unassign); when it leaves, the first
gets them back without revoking its own. Usage: confluent_kafka_groups.py BOOTSTRAP TOPIC. Run with /usr/bin/python3."""
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

PARTITIONS = 4
FIRST = 24
SECOND = 8
THIRD = 12


def body(s, bootstrap, topic):
    group = topic + "-group"
    dbg = os.environ.get("COMPAT_RDKAFKA_DEBUG")
    base = {"bootstrap.servers": bootstrap, "socket.timeout.ms": 15000}

    def conf(name, **extra):
        c = dict(base, **{"client.id": "compat-ckg-" + name})
        if dbg:
            c["debug"] = dbg
        c.update(extra)
        return c
    s.log("topic %s group %s bootstrap %s" % (topic, group, bootstrap))

    s.step("AdminClient create_topics %d partitions" % PARTITIONS)
    admin = AdminClient(conf("admin"))
    admin.create_topics([NewTopic(topic, num_partitions=PARTITIONS, replication_factor=1)],
                        operation_timeout=15, request_timeout=20)[topic].result(timeout=30)
    s.wait_for("topic with %d led partitions" % PARTITIONS, lambda: (
        (lambda t: t is not None and t.error is None and len(t.partitions) == PARTITIONS
         and all(p.leader >= 0 for p in t.partitions.values()))(admin.list_topics(topic=topic, timeout=10).topics.get(topic))))

    producer = Producer(conf("producer", acks="all", **{"linger.ms": 5}))
    produced = []

    def produce(prefix, n):
        errors = []
        values = ["%s-%d" % (prefix, i) for i in range(n)]
        for i, v in enumerate(values):
            producer.produce(topic, key=("k%d" % i).encode(), value=v.encode(), partition=i % PARTITIONS,
                             on_delivery=lambda err, msg: err and errors.append(str(err)))
        s.check(producer.flush(30) == 0, "undelivered after flush(30)")
        s.check(not errors, "delivery errors %r" % errors[:3])
        produced.extend(values)
        return values

    def end_offsets():
        return {p: m1.get_watermark_offsets(TopicPartition(topic, p), timeout=10, cached=False)[1]
                for p in range(PARTITIONS)}

    s.step("produce %d records over %d partitions" % (FIRST, PARTITIONS))
    first = produce("first", FIRST)

    events = {1: [], 2: []}
    commits = []

    def callbacks(n):
        def on_assign(c, parts):
            events[n].append(("assign", sorted(p.partition for p in parts)))

        def on_revoke(c, parts):
            events[n].append(("revoke", sorted(p.partition for p in parts)))
        return on_assign, on_revoke

    def member(n):
        c = Consumer(conf("member-%d" % n, **{
            "group.id": group, "enable.auto.commit": False, "auto.offset.reset": "earliest",
            "session.timeout.ms": 10000, "heartbeat.interval.ms": 300, "fetch.wait.max.ms": 100,
            "on_commit": lambda err, parts: commits.append((n, err, [(p.partition, p.offset, p.error) for p in parts]))}))
        on_assign, on_revoke = callbacks(n)
        c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
        return c

    def consume(cs, want, what, timeout_s=15.0):
        got = {id(c): [] for c in cs}
        end = time.monotonic() + timeout_s
        while sum(map(len, got.values())) < want and time.monotonic() < end:
            for c in cs:
                for m in c.consume(num_messages=100, timeout=0.1):
                    if m.error() is not None:
                        raise KafkaException(m.error())
                    got[id(c)].append(m.value().decode())
        total = sum(map(len, got.values()))
        s.check(total == want, "%s: got %d messages, want %d" % (what, total, want))
        return [got[id(c)] for c in cs]

    def committed(c):
        res = c.committed([TopicPartition(topic, p) for p in range(PARTITIONS)], timeout=10)
        s.check(all(tp.error is None for tp in res), "committed() errors %r" % [(tp.partition, tp.error) for tp in res])
        return {tp.partition: tp.offset for tp in res}

    s.step("member 1 subscribes with on_assign/on_revoke and reads %d" % FIRST)
    m1 = member(1)
    (got,) = consume([m1], FIRST, "member 1 alone")
    s.check(sorted(got) == sorted(first), "member 1 read other values")
    s.check(events[1] == [("assign", list(range(PARTITIONS)))], "member 1 rebalance callbacks %r, want one assign of all" % events[1])

    s.step("asynchronous commit")
    want = end_offsets()
    s.check(sum(want.values()) == FIRST, "end offsets %r" % want)
    s.check(m1.commit(asynchronous=True) is None, "async commit returned something")
    s.wait_for("on_commit callback", lambda: m1.poll(0.1) is None and commits)
    n, err, parts = commits[-1]
    s.check(err is None and all(e is None for _, _, e in parts), "on_commit error %r %r" % (err, parts))
    s.check({p: o for p, o, _ in parts} == want, "on_commit offsets %r, want %r" % (parts, want))
    s.check(committed(m1) == want, "committed() after async commit %r, want %r" % (committed(m1), want))

    s.step("synchronous commit after %d more" % SECOND)
    second = produce("second", SECOND)
    (got,) = consume([m1], SECOND, "member 1 after the async commit")
    s.check(sorted(got) == sorted(second), "member 1 read %r, want only the new records" % sorted(got)[:4])
    want = end_offsets()
    res = m1.commit(asynchronous=False)
    s.check({tp.partition: tp.offset for tp in res} == want and all(tp.error is None for tp in res),
            "sync commit result %r, want %r" % ([(tp.partition, tp.offset, tp.error) for tp in res], want))
    s.check(committed(m1) == want, "committed() after sync commit %r, want %r" % (committed(m1), want))

    s.step("member 2 joins: revoke/assign")
    m2 = member(2)

    def rebalanced():
        for c in (m1, m2):
            for m in c.consume(num_messages=10, timeout=0.1):
                s.check(m.error() is not None, "read %r while nothing new was produced" % m.value())
        a1 = [e for e in events[1] if e[0] == "assign"]
        a2 = [e for e in events[2] if e[0] == "assign"]
        return len(a1) >= 2 and a2 and sorted(a1[-1][1] + a2[-1][1]) == list(range(PARTITIONS))
    s.wait_for("member 1 and 2 assigned all partitions between them", rebalanced, timeout_s=20, interval_s=0)
    s.log("callbacks: member 1 %r, member 2 %r" % (events[1], events[2]))
    s.check(events[1][1] == ("revoke", list(range(PARTITIONS))), "member 1 callbacks %r, want a revoke of all after its first assign" % events[1])
    s.check(len(events[1]) == 3 and len(events[2]) == 1, "callbacks: member 1 %r, member 2 %r" % (events[1], events[2]))
    s.check(len(events[1][2][1]) == 2 and len(events[2][0][1]) == 2, "uneven split %r / %r" % (events[1][2][1], events[2][0][1]))

    s.step("two members read %d new records once" % THIRD)
    third = produce("third", THIRD)
    got1, got2 = consume([m1, m2], THIRD, "two members")
    s.check(sorted(got1 + got2) == sorted(third), "members read %d + %d (distinct %d), want the %d new once" % (len(got1), len(got2), len(set(got1 + got2)), THIRD))
    s.check(len(got1) == len(got2) == THIRD // 2, "member 1 read %d, member 2 read %d, want %d each" % (len(got1), len(got2), THIRD // 2))

    s.step("list_groups")
    groups = admin.list_groups(group=group, timeout=10)
    s.check(len(groups) == 1, "list_groups(%s) gave %r" % (group, groups))
    g = groups[0]
    s.log("group %s state %s protocol_type %s protocol %s members %d" % (g.id, g.state, g.protocol_type, g.protocol, len(g.members)))
    s.check(g.id == group and g.protocol_type == "consumer" and g.state == "Stable",
            "list_groups: id %s protocol_type %s state %s" % (g.id, g.protocol_type, g.state))
    s.check(len(g.members) == 2, "list_groups shows %d members, want 2" % len(g.members))
    s.check(group in {x.id for x in admin.list_groups(timeout=10)}, "group missing from list_groups()")

    m2.close()
    m1.close()

    s.step("cooperative-sticky: a second member takes half, incrementally")
    coop_group = topic + "-coop"
    coop_events = []

    def coop_member(n):
        c = Consumer(conf("coop-%d" % n, **{
            "group.id": coop_group, "partition.assignment.strategy": "cooperative-sticky",
            "enable.auto.commit": False, "auto.offset.reset": "earliest",
            "session.timeout.ms": 10000, "heartbeat.interval.ms": 300, "fetch.wait.max.ms": 100}))

        def on_assign(cc, parts):
            coop_events.append((n, "assign", sorted(p.partition for p in parts)))
            cc.incremental_assign(parts)

        def on_revoke(cc, parts):
            coop_events.append((n, "revoke", sorted(p.partition for p in parts)))
            cc.incremental_unassign(parts)
        c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
        return c

    def owned(c):
        return sorted(p.partition for p in c.assignment())

    def settle(cs, want_sizes, what):
        def done():
            for c in cs:
                c.poll(0.05)
            return [len(owned(c)) for c in cs] == want_sizes
        s.wait_for(what, done, timeout_s=15, interval_s=0)
    c1 = coop_member(1)
    settle([c1], [PARTITIONS], "cooperative member 1 owning all %d" % PARTITIONS)
    first_owned = owned(c1)
    c2 = coop_member(2)
    settle([c1, c2], [2, 2], "cooperative members owning 2 each")
    s.log("cooperative callbacks %r" % coop_events)
    kept, moved = owned(c1), owned(c2)
    s.check(sorted(kept + moved) == first_owned, "cooperative split %r / %r" % (kept, moved))
    revoked = [parts for n, kind, parts in coop_events if n == 1 and kind == "revoke"]
    s.check(revoked == [moved], "member 1 revoked %r, want only the partitions that moved %r (incremental)" % (revoked, moved))
    coop_events[:] = []
    c2.close()
    settle([c1], [PARTITIONS], "member 1 owning all %d again after member 2 left" % PARTITIONS)
    # librdkafka also calls on_assign with no partitions at the end of a cooperative round
    seen1 = [e for e in coop_events if e[0] == 1 and e[2]]
    s.check(seen1 == [(1, "assign", moved)], "after member 2 left member 1 saw %r, want one assign of %r and no revoke" % (coop_events, moved))
    c1.close()
    producer.flush(10)
    admin.delete_topics([topic], operation_timeout=15, request_timeout=20)[topic].result(timeout=30)
    return ("subscribe with on_assign/on_revoke (all 4), async commit (on_commit) and sync commit, "
            "committed() == end offsets; 2nd member: revoke 4 / assign 2+2, %d new read once; "
            "list_groups Stable with 2 members; cooperative-sticky: incremental revoke of the 2 that move, "
            "assign back when the 2nd leaves" % THIRD)


def main():
    bootstrap, topic = sys.argv[1], sys.argv[2]
    s = Scenario("confluent-kafka %s (librdkafka %s) groups" % (confluent_kafka.version()[0], confluent_kafka.libversion()[0]))
    return s.run(lambda sc: body(sc, bootstrap, topic))


if __name__ == "__main__":
    sys.exit(main())
