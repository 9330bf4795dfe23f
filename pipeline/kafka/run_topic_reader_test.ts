import assert from "node:assert/strict";
import { text, writeRecords } from "../../tests/_kafka_helpers.ts";
import { testBrokers } from "../../tests/_shared_broker.ts";
import { bytes, topicWithTexts } from "./_test_topic.ts";
import { createKafka } from "./client.ts";
import { describeGroup } from "./describe_group.ts";
import type { KafkaRecord } from "./kafka_record.ts";
import { runTopicReader, type TopicReaderOptions } from "./run_topic_reader.ts";

const values = (records: KafkaRecord[]) => records.map((r) => text(r.value));
const topicWith = (brokers: string[], label: string, ...records: string[]) =>
  topicWithTexts(brokers, label, 1, { 0: records });

/** The groups whose id starts with `prefix`, with their members. */
async function groupsOf(brokers: string[], prefix: string) {
  const admin = createKafka({ brokers, clientId: "reader-test", logLevel: "nothing" }).admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    const mine = groups.filter((g) => g.groupId.startsWith(`${prefix}-`));
    return await Promise.all(mine.map((g) => describeGroup(brokers, g.groupId)));
  } finally {
    await admin.disconnect();
  }
}

/** Reads `topic` with a client of its own, in groups named `reader-test-…` unless told. */
const read = (
  brokers: string[],
  topic: string,
  options: Omit<TopicReaderOptions, "kafka" | "topic" | "groupPrefix"> & { groupPrefix?: string },
) =>
  runTopicReader({
    kafka: createKafka({ brokers, clientId: "reader-test", logLevel: "nothing" }),
    topic,
    groupPrefix: "reader-test",
    // A broker just started may still load its group coordinator: kafkajs restarts the consumer.
    restartWithinMs: 60_000,
    ...options,
  });

Deno.test("runTopicReader() bounded stops at the end the topic had when the read began", async () => {
  const brokers = await testBrokers();
  const topic = await topicWith(brokers, "reader-bounded", "a", "b", "c");
  const seen: KafkaRecord[] = [];
  const position = new Map<number, bigint>();
  const result = await read(brokers, topic, {
    position,
    bounded: true,
    onRecord: async (record) => {
      seen.push(record);
      // Written after the start: past the end the read captured, so not read.
      if (seen.length === 1) await writeRecords(brokers, topic, [{ value: bytes("late") }]);
    },
  });
  assert.deepEqual(values(seen), ["a", "b", "c"]);
  assert.deepEqual(result, { read: 3, complete: true });
  assert.deepEqual([...position], [[0, 3n]]);
});

Deno.test("runTopicReader() live hands over the records written while it reads, after the last few", async () => {
  const brokers = await testBrokers();
  const topic = await topicWith(brokers, "reader-live", "a", "b", "c");
  const seen: KafkaRecord[] = [];
  const stop = new AbortController();
  const ranges: unknown[] = [];
  const position = new Map<number, bigint>();
  const result = await read(brokers, topic, {
    position,
    last: 1,
    signal: stop.signal,
    onRange: (r) => ranges.push(...r),
    onJoined: () => void writeRecords(brokers, topic, [{ value: bytes("d") }]),
    onRecord: (record) => {
      seen.push(record);
      if (text(record.value) === "d") stop.abort();
    },
  });
  assert.deepEqual(ranges, [{ partition: 0, low: 0n, high: 3n }]);
  assert.deepEqual(values(seen), ["c", "d"]);
  assert.deepEqual(seen.map((r) => r.offset), ["2", "3"]);
  assert.deepEqual(result, { read: 2, complete: false });
  assert.deepEqual([...position], [[0, 4n]]);
});

Deno.test("runTopicReader() starts at the position it is given, and a start past the end reads nothing", async () => {
  const brokers = await testBrokers();
  const topic = await topicWith(brokers, "reader-from", "a", "b", "c", "d", "e");
  const seen: KafkaRecord[] = [];
  const position = new Map([[0, 2n]]);
  const readFrom = (at: Map<number, bigint>) =>
    read(brokers, topic, {
      position: at,
      bounded: true,
      onRecord: (record) => void seen.push(record),
    });
  assert.deepEqual(await readFrom(position), { read: 3, complete: true });
  assert.deepEqual(values(seen), ["c", "d", "e"]);
  assert.deepEqual([...position], [[0, 5n]]);

  const beyond = new Map([[0, 99n], [7, 0n]]);
  assert.deepEqual(await readFrom(beyond), { read: 0, complete: true });
  // Clamped to the end; a partition the topic does not have is forgotten.
  assert.deepEqual([...beyond], [[0, 5n]]);
  assert.equal(seen.length, 3);
});

Deno.test("runTopicReader() on an empty topic completes at once without joining a group", async () => {
  const brokers = await testBrokers();
  const topic = await topicWith(brokers, "reader-empty");
  const prefix = `reader-empty-${crypto.randomUUID()}`;
  let joined = false;
  const position = new Map<number, bigint>();
  const result = await read(brokers, topic, {
    groupPrefix: prefix,
    position,
    bounded: true,
    onJoined: () => joined = true,
    onRecord: () => assert.fail("an empty topic has no record"),
  });
  assert.deepEqual(result, { read: 0, complete: true });
  assert.deepEqual([...position], [[0, 0n]]);
  assert.equal(joined, false);
  assert.deepEqual(await groupsOf(brokers, prefix), []);
});

Deno.test("runTopicReader() leaves and deletes its group when it stops, and when onRecord fails", async () => {
  const brokers = await testBrokers();
  const topic = await topicWith(brokers, "reader-teardown", "a", "b");
  for (const ending of ["abort", "failure"] as const) {
    const prefix = `reader-teardown-${crypto.randomUUID()}`;
    const stop = new AbortController();
    const during: number[] = [];
    const outcome = await read(brokers, topic, {
      groupPrefix: prefix,
      position: new Map(),
      signal: stop.signal,
      onRecord: async () => {
        const groups = await groupsOf(brokers, prefix);
        during.push(...groups.map((g) => g.members.length));
        if (ending === "failure") throw new Error("cannot take this record");
        stop.abort();
      },
    }).then(() => "stopped", (err: Error) => err.message);
    assert.equal(outcome, ending === "abort" ? "stopped" : "cannot take this record");
    assert.deepEqual(during, [1], "one member while it reads");
    assert.deepEqual(await groupsOf(brokers, prefix), [], "no group, so no member, left");
  }
});

Deno.test("runTopicReader() reads only the partitions it is told, bounded or live", async () => {
  const brokers = await testBrokers();
  const topic = await topicWithTexts(brokers, "reader-partitions", 3, {
    0: ["a0"],
    1: ["a1", "b1"],
    2: ["a2"],
  });
  const on = (partition: number, value: string) => ({ value: bytes(value), partition });
  const seen: KafkaRecord[] = [];
  const position = new Map<number, bigint>();
  assert.deepEqual(
    await read(brokers, topic, {
      position,
      partitions: [1],
      bounded: true,
      onRecord: (record) => void seen.push(record),
    }),
    { read: 2, complete: true },
  );
  assert.deepEqual(values(seen), ["a1", "b1"]);
  assert.deepEqual([...position], [[1, 2n]]);

  const stop = new AbortController();
  const live: KafkaRecord[] = [];
  await read(brokers, topic, {
    position,
    partitions: [1],
    signal: stop.signal,
    onJoined: () => void writeRecords(brokers, topic, [on(0, "c0"), on(2, "c2"), on(1, "c1")]),
    onRecord: (record) => {
      live.push(record);
      stop.abort();
    },
  });
  assert.deepEqual(values(live), ["c1"]);
});
