"""Transactional producer through librdkafka (confluent-kafka), for a Java read_committed reader to check.

Usage: python3 -I confluent_kafka_txn.py BOOTSTRAP TOPIC   (-I: this folder's confluent_kafka.py must not shadow the package)
Writes, each in its own transaction on partition 0: c0..c9 committed, a0..a4 aborted, c10..c12 committed.
Prints "OK <committed> <aborted>" on success; exits non-zero with the error otherwise.
"""
import sys

from confluent_kafka import Producer


def main():
    bootstrap, topic = sys.argv[1], sys.argv[2]
    p = Producer({"bootstrap.servers": bootstrap, "transactional.id": "librdkafka-" + topic,
                  "transaction.timeout.ms": 60000, "enable.idempotence": True})
    p.init_transactions(30)

    def txn(values, commit):
        p.begin_transaction()
        for v in values:
            p.produce(topic, key=b"k", value=v.encode(), partition=0)
        p.flush(30)
        if commit:
            p.commit_transaction(30)
        else:
            p.abort_transaction(30)

    txn(["c%d" % i for i in range(10)], True)
    txn(["a%d" % i for i in range(5)], False)
    txn(["c%d" % i for i in range(10, 13)], True)
    print("OK 13 5")


if __name__ == "__main__":
    main()
