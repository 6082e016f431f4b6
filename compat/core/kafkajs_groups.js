// kafkajs scenario with consumer groups (needs the group coordinator).
//
// Admin createTopics (3 partitions), keyed produce acks=-1, then a consumer group reads
// everything with eachMessage (each record once, auto commit); admin describeGroups (Stable,
// 1 member, protocol type consumer), fetchOffsets == fetchTopicOffsets (lag 0 after consuming
// and committing); a second member joins (describeGroups: 2 members whose assignments split the
// partitions) and new records are read once across the two; after both disconnect describeGroups
// says Empty and the lag is 0, deleteGroups removes the group (gone from listGroups), deleteTopics.
// Usage: node kafkajs_groups.js BOOTSTRAP TOPIC  (kafkajs from compat/core/node, or KAFKAJS_DIR)
'use strict';
const fs = require('fs');
const path = require('path');

const nodeDir = process.env.KAFKAJS_DIR || path.join(__dirname, 'node', 'node_modules', 'kafkajs');
const { AssignerProtocol, Kafka, Partitioners, logLevel } = require(nodeDir);
const VERSION = require(path.join(nodeDir, 'package.json')).version;
const LABEL = `kafkajs ${VERSION} groups`;

const PARTITIONS = 3;
const RECORDS = 30;
const MORE = 12;

const work = process.env.COMPAT_WORK;
const deadlineS = parseInt(process.env.COMPAT_DEADLINE_S || process.env.SCENARIO_TIMEOUT_S || '120', 10);
let current = 'start';

function log(msg) {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`);
}
function step(name) {
  current = name;
  log(`== ${name}`);
  if (work) fs.writeFileSync(path.join(work, 'step'), `${name}\n`);
}
class Failed extends Error {}
function check(cond, msg) {
  if (!cond) throw new Failed(msg);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what, fn, timeoutMs = 15000, intervalMs = 200) {
  const end = Date.now() + timeoutMs;
  let lastErr = null;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      if (e instanceof Failed) throw e;
      lastErr = e;
    }
    await sleep(intervalMs);
  }
  throw new Failed(`${what} not reached within ${timeoutMs / 1000}s${lastErr ? ` (last error: ${lastErr.message})` : ''}`);
}
let done = false;
function finish(line, code) {
  if (done) return;
  done = true;
  console.log(line);
  process.exit(code);
}

async function body(bootstrap, topic) {
  const groupId = `${topic}-group`;
  log(`topic ${topic} group ${groupId} bootstrap ${bootstrap}`);
  const kafka = new Kafka({
    clientId: 'compat-kafkajs-groups',
    brokers: [bootstrap],
    connectionTimeout: 5000,
    requestTimeout: 15000,
    retry: { retries: 5, initialRetryTime: 100 },
    logLevel: logLevel.WARN,
    logCreator: () => ({ namespace, level, label, log: entry }) => {
      const { message, ...extra } = entry;
      log(`${label} ${namespace} ${message} ${JSON.stringify(extra)}`);
    },
  });
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const consumerConf = { groupId, sessionTimeout: 10000, heartbeatInterval: 300, maxWaitTimeInMs: 100 };
  const consumer = kafka.consumer(consumerConf);

  step(`admin createTopics ${PARTITIONS} partitions`);
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true, timeout: 15000 });

  step(`produce ${RECORDS} keyed messages acks=-1`);
  await producer.connect();
  const values = [];
  const messages = [];
  for (let i = 0; i < RECORDS; i++) {
    values.push(`value-${i}`);
    messages.push({ key: `key-${i % 6}`, value: `value-${i}`, partition: i % PARTITIONS });
  }
  const res = await producer.send({ topic, acks: -1, messages });
  check(res.length === PARTITIONS && res.every((r) => r.errorCode === 0), `send result ${JSON.stringify(res)}`);
  await producer.disconnect();

  step('consumer group: subscribe fromBeginning, eachMessage');
  const seen = [];
  const partitionsSeen = new Set();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic: t, partition, message }) => {
      check(t === topic, `message of topic ${t}`);
      partitionsSeen.add(partition);
      seen.push(message.value.toString());
    },
  });
  await waitFor(`${RECORDS} messages through eachMessage`, () => seen.length >= RECORDS);
  check([...seen].sort().join() === [...values].sort().join() && seen.length === RECORDS,
    `eachMessage saw ${seen.length} messages (${new Set(seen).size} distinct), want each of the ${RECORDS} once`);
  check(partitionsSeen.size === PARTITIONS, `messages from partitions ${[...partitionsSeen]}`);

  step('admin describeGroups while consuming');
  const described = await waitFor('group Stable in describeGroups', async () => {
    const { groups } = await admin.describeGroups([groupId]);
    return groups.length === 1 && groups[0].state === 'Stable' ? groups[0] : null;
  });
  log(`describeGroups: ${JSON.stringify({ ...described, members: described.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId })) })}`);
  check(described.groupId === groupId && described.errorCode === 0, `describeGroups ${described.groupId} error ${described.errorCode}`);
  check(described.protocolType === 'consumer', `protocolType ${described.protocolType}`);
  check(described.members.length === 1, `${described.members.length} members, want 1`);
  check(described.members[0].clientId === 'compat-kafkajs-groups', `member clientId ${described.members[0].clientId}`);
  check(described.protocol === 'RoundRobinAssigner', `protocol ${described.protocol}, want kafkajs' RoundRobinAssigner`);

  step('fetchOffsets == fetchTopicOffsets: lag 0');
  const high = {};
  for (const p of await admin.fetchTopicOffsets(topic)) high[p.partition] = p.high;
  check(Object.values(high).reduce((a, b) => a + Number(b), 0) === RECORDS, `fetchTopicOffsets high ${JSON.stringify(high)}`);
  let lag = null;
  await waitFor('committed offsets at the high watermarks (lag 0)', async () => {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    check(entry && entry.topic === topic, `fetchOffsets gave ${JSON.stringify(entry)}`);
    lag = entry.partitions.map((p) => ({ partition: p.partition, lag: Number(high[p.partition]) - Number(p.offset) }));
    return entry.partitions.length === PARTITIONS && lag.every((l) => l.lag === 0);
  });

  step('a second member joins: describeGroups shows 2 members splitting the partitions');
  const seen2 = [];
  const second = kafka.consumer(consumerConf);
  await second.connect();
  await second.subscribe({ topics: [topic], fromBeginning: true });
  await second.run({ eachMessage: async ({ message }) => { seen2.push(message.value.toString()); } });
  const two = await waitFor('group Stable with 2 members', async () => {
    const { groups } = await admin.describeGroups([groupId]);
    return groups[0].state === 'Stable' && groups[0].members.length === 2 ? groups[0] : null;
  });
  const owned = two.members.map((m) => {
    const a = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
    return (a && a.assignment[topic]) || [];
  });
  log(`members own ${JSON.stringify(owned)}`);
  check([...owned[0], ...owned[1]].sort().join() === [...Array(PARTITIONS).keys()].join() && owned.every((o) => o.length > 0),
    `member assignments ${JSON.stringify(owned)}, want the ${PARTITIONS} partitions split between the two`);

  step(`two members read ${MORE} new messages once`);
  const before = seen.length;
  const more = [];
  for (let i = 0; i < MORE; i++) more.push({ key: `key-${i % 6}`, value: `more-${i}`, partition: i % PARTITIONS });
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: more });
  await producer.disconnect();
  await waitFor(`${MORE} new messages across the two members`, () => seen.length - before + seen2.length >= MORE);
  await sleep(300); // a duplicate would show up now
  const both = [...seen.slice(before), ...seen2];
  check(both.length === MORE && both.sort().join() === more.map((m) => m.value).sort().join(),
    `the two members read ${seen.length - before} + ${seen2.length} new messages, want each of the ${MORE} once`);
  check(seen.length > before && seen2.length > 0, `one member read nothing (${seen.length - before} / ${seen2.length})`);

  step('both consumers disconnect: group Empty, lag 0');
  await Promise.all([consumer.disconnect(), second.disconnect()]);
  await waitFor('group Empty after disconnect', async () => {
    const { groups } = await admin.describeGroups([groupId]);
    return groups[0].state === 'Empty' && groups[0].members.length === 0;
  });
  for (const p of await admin.fetchTopicOffsets(topic)) high[p.partition] = p.high;
  const [after] = await admin.fetchOffsets({ groupId, topics: [topic] });
  check(after.partitions.every((p) => p.offset === String(high[p.partition])), `offsets after disconnect ${JSON.stringify(after.partitions)}, want ${JSON.stringify(high)}`);

  step('deleteGroups');
  const { groups: listed } = await admin.listGroups();
  check(listed.some((g) => g.groupId === groupId && g.protocolType === 'consumer'), `group missing from listGroups ${JSON.stringify(listed.length)}`);
  const deleted = await admin.deleteGroups([groupId]);
  check(deleted.length === 1 && deleted[0].groupId === groupId && deleted[0].errorCode === 0, `deleteGroups ${JSON.stringify(deleted)}`);
  const { groups: listedAfter } = await admin.listGroups();
  check(!listedAfter.some((g) => g.groupId === groupId), 'group still in listGroups after deleteGroups');
  const [gone] = await admin.fetchOffsets({ groupId, topics: [topic] });
  check(gone.partitions.every((p) => p.offset === '-1'), `offsets after deleteGroups ${JSON.stringify(gone.partitions)}, want -1`);

  await admin.deleteTopics({ topics: [topic], timeout: 15000 });
  await admin.disconnect();
  return `createTopics ${PARTITIONS} partitions, ${RECORDS} acks=-1, group eachMessage each once, describeGroups Stable 1 member, `
    + `fetchOffsets lag 0; 2nd member: 2 members split the partitions, ${MORE} new read once; Empty after disconnect, lag 0, `
    + 'listGroups/deleteGroups (offsets gone)';
}

function main() {
  const [bootstrap, topic] = process.argv.slice(2);
  const timer = setTimeout(() => finish(`FAIL ${LABEL}: timed out after ~${deadlineS}s (step: ${current})`, 1),
    Math.max(1, deadlineS - 4) * 1000);
  body(bootstrap, topic).then((summary) => {
    clearTimeout(timer);
    finish(`PASS ${LABEL}: ${summary}`, 0);
  }, (e) => {
    clearTimeout(timer);
    if (!(e instanceof Failed)) log(e.stack || String(e));
    log(`FAILED in step '${current}': ${e.message}`);
    finish(`FAIL ${LABEL}: ${e instanceof Failed ? '' : `${e.name}: `}${String(e.message).slice(0, 300)} (step: ${current})`, 1);
  });
}

main();
