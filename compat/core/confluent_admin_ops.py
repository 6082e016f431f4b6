#!/usr/bin/python3
"""confluent-kafka AdminClient operations scenario: topic configs and partitions.

create_topics with segment.bytes -> describe_configs (value and source of an override, of a
default) -> alter_configs (the non-incremental AlterConfigs API: the given set replaces every
override) -> a bad value is INVALID_CONFIG -> validate_only changes nothing -> create_partitions
1 -> 3, seen by list_topics -> lowering the count is INVALID_PARTITIONS -> describe_configs of
the broker -> delete_topics.
Usage: confluent_admin_ops.py BOOTSTRAP TOPIC. Run with /usr/bin/python3."""
import os
import sys

# scenario_common lives here; search this folder last so that nothing here shadows a package.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _HERE] + [_HERE]
from scenario_common import Scenario  # noqa: E402

import confluent_kafka  # noqa: E402
from confluent_kafka import KafkaException  # noqa: E402
from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource, NewPartitions, NewTopic  # noqa: E402


def source(entry):
    return getattr(entry.source, "value", entry.source)


def error_name(e):
    err = e.args[0] if e.args else None
    return err.name() if hasattr(err, "name") else repr(e)


def body(s, bootstrap, topic):
    admin = AdminClient({"bootstrap.servers": bootstrap, "socket.timeout.ms": 15000,
                         "client.id": "compat-confluent-admin-ops"})
    res = ConfigResource("topic", topic)

    def describe():
        return admin.describe_configs([ConfigResource("topic", topic)], request_timeout=20)[res].result(timeout=30)

    s.step("create_topics with segment.bytes=1048576")
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1, config={"segment.bytes": "1048576"})],
                        operation_timeout=15, request_timeout=20)[topic].result(timeout=30)

    s.step("describe_configs of the topic")
    entries = s.wait_for("describe_configs of %s" % topic, describe)
    seg = entries.get("segment.bytes")
    s.check(seg is not None and seg.value == "1048576", "segment.bytes is %r, want 1048576" % (seg and seg.value))
    s.check(source(seg) == ConfigSource.DYNAMIC_TOPIC_CONFIG.value, "segment.bytes source %r, want DYNAMIC_TOPIC_CONFIG" % source(seg))
    cleanup = entries.get("cleanup.policy")
    s.check(cleanup is not None and cleanup.value == "delete", "cleanup.policy is %r, want delete" % (cleanup and cleanup.value))
    s.check(source(cleanup) == ConfigSource.DEFAULT_CONFIG.value, "cleanup.policy source %r, want DEFAULT_CONFIG" % source(cleanup))
    for key in ("retention.ms", "retention.bytes", "max.message.bytes", "min.insync.replicas", "compression.type"):
        s.check(key in entries, "describe_configs lacks %s" % key)

    s.step("alter_configs retention.ms=3600000 (replaces all overrides)")
    admin.alter_configs([ConfigResource("topic", topic, set_config={"retention.ms": "3600000"})],
                        request_timeout=20)[res].result(timeout=30)
    entries = describe()
    s.check(entries["retention.ms"].value == "3600000", "retention.ms is %r after alter_configs" % entries["retention.ms"].value)
    s.check(source(entries["segment.bytes"]) != ConfigSource.DYNAMIC_TOPIC_CONFIG.value,
            "segment.bytes is still a topic override after alter_configs without it")

    s.step("alter_configs with a bad value")
    try:
        admin.alter_configs([ConfigResource("topic", topic, set_config={"retention.ms": "soon"})],
                            request_timeout=20)[res].result(timeout=30)
        s.check(False, "retention.ms=soon was accepted")
    except KafkaException as e:
        s.check(error_name(e) == "INVALID_CONFIG", "retention.ms=soon failed with %s, want INVALID_CONFIG" % error_name(e))

    s.step("alter_configs validate_only")
    admin.alter_configs([ConfigResource("topic", topic, set_config={"retention.ms": "1"})],
                        request_timeout=20, validate_only=True)[res].result(timeout=30)
    s.check(describe()["retention.ms"].value == "3600000", "validate_only changed retention.ms")

    s.step("create_partitions 1 -> 3")
    admin.create_partitions([NewPartitions(topic, 3)], operation_timeout=15, request_timeout=20)[topic].result(timeout=30)
    s.wait_for("list_topics showing 3 partitions",
               lambda: len(admin.list_topics(topic=topic, timeout=10).topics[topic].partitions) == 3)

    s.step("create_partitions 3 -> 2")
    try:
        admin.create_partitions([NewPartitions(topic, 2)], request_timeout=20)[topic].result(timeout=30)
        s.check(False, "lowering the partition count was accepted")
    except KafkaException as e:
        s.check(error_name(e) == "INVALID_PARTITIONS", "3 -> 2 failed with %s, want INVALID_PARTITIONS" % error_name(e))

    s.step("describe_configs of the broker")
    broker_id = str(next(iter(admin.list_topics(timeout=10).brokers)))
    bres = ConfigResource("broker", broker_id)
    broker = admin.describe_configs([bres], request_timeout=20)[bres].result(timeout=30)
    s.check("log.retention.hours" in broker and "num.partitions" in broker,
            "broker %s describe_configs lacks log.retention.hours / num.partitions (%d entries)" % (broker_id, len(broker)))

    s.step("delete_topics")
    admin.delete_topics([topic], operation_timeout=15, request_timeout=20)[topic].result(timeout=30)
    return ("describe_configs (override and default sources), alter_configs replace, INVALID_CONFIG, validate_only, "
            "create_partitions 1->3 and INVALID_PARTITIONS on 3->2, broker %s describe_configs (%d keys)"
            % (broker_id, len(broker)))


def main():
    bootstrap, topic = sys.argv[1], sys.argv[2]
    s = Scenario("confluent-kafka admin %s (librdkafka %s)" % (confluent_kafka.version()[0], confluent_kafka.libversion()[0]))
    return s.run(lambda sc: body(sc, bootstrap, topic))


if __name__ == "__main__":
    sys.exit(main())
