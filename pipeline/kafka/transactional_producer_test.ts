import assert from "node:assert/strict";
import { readAll } from "../../tests/_orders.ts";
import { createTopic } from "../../tests/_kafka_helpers.ts";
import { testBrokers, uniqueTopic } from "../../tests/_shared_broker.ts";
import { KafkaWriteError, ProducerFencedError } from "../errors.ts";
import { committedOffsets, topicOffsets } from "./topics.ts";
import { connectTransactionalProducer, type GroupOffsets } from "./transactional_producer.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

async function setUp(label: string) {
  const brokers = await testBrokers();
  const input = uniqueTopic(label);
  const dlq = `${input}-dlq`;
  const stats = `${input}-stats`;
  await createTopic(brokers, input, 3);
  await createTopic(brokers, dlq, 1);
  await createTopic(brokers, stats, 1);
  const offsets = (offset: bigint, partition = 0): GroupOffsets => ({
    groupId: `${input}-group`,
    topic: input,
    partitions: [{ partition, offset }],
  });
  return { brokers, input, dlq, stats, offsets, transactionalId: `${input}-tx` };
}

// A commit or abort returns once the coordinator decided; the markers that
// let read-committed readers past the transaction land a moment later.
async function settledEnd(brokers: string[], topic: string): Promise<bigint> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    // Read committed, the end is the last stable offset: it moves past a
    // transaction's records only once its commit or abort marker is written.
    const end = (await topicOffsets(brokers, topic)).reduce((sum, p) => sum + p.high, 0n);
    if (end > 0n || Date.now() > deadline) return end;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The values on `topic`, read committed, once `count` are there (or after 30 s). */
async function texts(brokers: string[], topic: string, count: number) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const records = await readAll(brokers, topic);
    if (records.length >= count || Date.now() > deadline) {
      return records.map((r) => r.value && new TextDecoder().decode(r.value));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

Deno.test("a committed transaction's records on several topics and its offsets are all visible", async () => {
  const { brokers, input, dlq, stats, offsets, transactionalId } = await setUp("tx-commit");
  const sink = await connectTransactionalProducer({ brokers, transactionalId });
  try {
    await sink.commit({
      writes: [
        { topic: dlq, records: [{ key: "a", value: bytes("dead 1") }, { value: bytes("dead 2") }] },
        { topic: stats, records: [{ key: `${input}:0`, value: bytes("snapshot") }] },
      ],
      offsets: offsets(7n),
    });
  } finally {
    await sink.disconnect();
  }
  assert.deepEqual(await texts(brokers, dlq, 2), ["dead 1", "dead 2"]);
  assert.deepEqual(await texts(brokers, stats, 1), ["snapshot"]);
  assert.equal((await committedOffsets(brokers, `${input}-group`, input)).get(0), 7n);
});

Deno.test("an aborted transaction's records and offsets stay invisible to read-committed readers", async () => {
  const { brokers, input, dlq, offsets, transactionalId } = await setUp("tx-abort");
  const small = `${input}-small`;
  await createTopic(brokers, small, 1, { "max.message.bytes": "1024" });
  const sink = await connectTransactionalProducer({ brokers, transactionalId });
  try {
    await assert.rejects(
      sink.commit({
        writes: [
          { topic: dlq, records: [{ value: bytes("written, then aborted") }] },
          { topic: small, records: [{ value: new Uint8Array(64 * 1024) }] },
        ],
        offsets: offsets(3n),
      }),
      // Said by its code, so that a caller can send a smaller record.
      (err: unknown) => err instanceof KafkaWriteError && err.code === "RECORD_TOO_LARGE",
    );
    // The record reached the log (its stable end moved past it) but was aborted.
    assert.ok(await settledEnd(brokers, dlq) > 0n, "the dead letter was written and aborted");
    assert.deepEqual(await readAll(brokers, dlq), []);
    assert.equal((await committedOffsets(brokers, `${input}-group`, input)).get(0), -1n);
    // The producer goes on: the next transaction commits.
    await sink.sendWithOffsets(dlq, [{ value: bytes("next") }], offsets(4n));
  } finally {
    await sink.disconnect();
  }
  assert.deepEqual(await texts(brokers, dlq, 1), ["next"]);
  assert.equal((await committedOffsets(brokers, `${input}-group`, input)).get(0), 4n);
});

Deno.test("a zombie producer is fenced once a new one with the same transactional id connects", async () => {
  const { brokers, input, dlq, offsets, transactionalId } = await setUp("tx-fence");
  const zombie = await connectTransactionalProducer({ brokers, transactionalId });
  await zombie.sendWithOffsets(dlq, [{ value: bytes("before") }], offsets(1n));
  const successor = await connectTransactionalProducer({ brokers, transactionalId });
  try {
    await assert.rejects(
      zombie.sendWithOffsets(dlq, [{ value: bytes("zombie") }], offsets(2n)),
      ProducerFencedError,
    );
    await successor.sendWithOffsets(dlq, [{ value: bytes("successor") }], offsets(2n));
  } finally {
    await zombie.disconnect().catch(() => {});
    await successor.disconnect();
  }
  assert.deepEqual(await texts(brokers, dlq, 2), ["before", "successor"]);
  assert.equal((await committedOffsets(brokers, `${input}-group`, input)).get(0), 2n);
});

Deno.test("transactions back to back, with offsets alone, all commit", async () => {
  const { brokers, input, offsets, transactionalId } = await setUp("tx-back-to-back");
  const sink = await connectTransactionalProducer({ brokers, transactionalId, attempts: 1 });
  try {
    for (let offset = 1n; offset <= 30n; offset++) {
      await sink.commitOffsets(offsets(offset, Number(offset % 3n)));
    }
  } finally {
    await sink.disconnect();
  }
  assert.deepEqual(
    [...await committedOffsets(brokers, `${input}-group`, input)].sort(),
    [[0, 30n], [1, 28n], [2, 29n]],
  );
});
