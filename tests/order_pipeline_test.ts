import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { lastValueFrom, tap } from "rxjs";
import { createCodec } from "../pipeline/avro/avro_codec.ts";
import { loadSchema } from "../pipeline/avro/load_schema.ts";
import { consumeOrders, type ConsumeOrdersOptions } from "../pipeline/consumer/order_consumer.ts";
import type { ConsumerStats } from "../pipeline/consumer/consumer_stats.ts";
import { decodeDeadLetter } from "../pipeline/dead_letter/decode_dead_letter.ts";
import { readDeadLetterHeaders } from "../pipeline/dead_letter/read_dead_letter_headers.ts";
import { DeadLetterWriteError } from "../pipeline/errors.ts";
import { readCommittedLedgers } from "../pipeline/kafka/read_committed_ledgers.ts";
import { committedOffsets } from "../pipeline/kafka/topics.ts";
import type { Order } from "../pipeline/orders/order.ts";
import { produceOrders } from "../pipeline/producer/order_producer.ts";
import { createTopic, readRecords, text, writeRecords } from "./_kafka_helpers.ts";
import { testBrokers, uniqueTopic } from "./_shared_broker.ts";

const codec = createCodec<Order>(loadSchema("order"));

/** Consumes until `done(stats)` holds, then stops gracefully and returns the last stats. */
async function consumeUntil(
  options: ConsumeOrdersOptions,
  done: (stats: ConsumerStats) => boolean,
): Promise<ConsumerStats> {
  const stop = new AbortController();
  let last: ConsumerStats | undefined;
  const watchdog = setTimeout(() => stop.abort("timeout"), 60_000);
  try {
    await lastValueFrom(
      consumeOrders({ fromBeginning: true, backoffMs: 10, ...options, signal: stop.signal }).pipe(
        tap((stats) => {
          last = stats;
          if (done(stats)) stop.abort("done");
        }),
      ),
      { defaultValue: undefined },
    );
  } finally {
    clearTimeout(watchdog);
  }
  equal(stop.signal.reason, "done", "the consumer reached the expected state before the timeout");
  return last!;
}

Deno.test("50 produced orders give count 50 and the exact mean of their prices", async () => {
  const brokers = await testBrokers();
  const topic = uniqueTopic("orders");
  const dlqTopic = uniqueTopic("dlq");
  await createTopic(brokers, topic, 3);
  await createTopic(brokers, dlqTopic, 1);
  const produced = await lastValueFrom(
    produceOrders({ brokers, topic, count: 50, intervalMs: 0, seed: 7, batchSize: 10 }),
  );
  equal(produced.valid, 50);

  const stats = await consumeUntil(
    { brokers, topic, dlqTopic, groupId: `${topic}-g`, failRate: 0.2, seed: 3 },
    (s) => s.processed + s.deadLettered === 50,
  );
  equal(stats.aggregate.count, 50);
  equal(stats.deadLettered, 0, "a 20% transient failure rate is absorbed by three retries");
  ok(stats.retried > 0, "some orders needed a retry");
  ok(Math.abs(stats.aggregate.sum - produced.validSum) < 1e-6);
  ok(Math.abs(stats.aggregate.average! - produced.validSum / 50) < 1e-9);
});

Deno.test("poison bytes and invalid orders land in the DLQ with envelope, headers and original bytes while the consumer goes on", async () => {
  const brokers = await testBrokers();
  const topic = uniqueTopic("orders");
  const dlqTopic = uniqueTopic("dlq");
  const groupId = `${topic}-g`;
  await createTopic(brokers, topic, 1);
  await createTopic(brokers, dlqTopic, 1);
  const valid = (n: number, price: number) =>
    codec.encode({ orderId: `ORD-${n}`, product: "Laptop", price });
  const garbage = new Uint8Array([0xff, 0x01, 0x02, 0x03]);
  const truncated = valid(2, 20).subarray(0, 5);
  const negative = codec.encode({ orderId: "ORD-4", product: "Mouse", price: -5 });
  const cid = (n: number) => ({ "x-correlation-id": `cid-${n}`, "app-header": `h${n}` });
  await writeRecords(brokers, topic, [
    { key: "ORD-1", value: valid(1, 10), headers: cid(1) },
    { key: "poison", value: garbage, headers: cid(2) },
    { key: "ORD-2", value: truncated, headers: cid(3) },
    { key: "ORD-4", value: negative, headers: cid(4) },
    { key: null, value: null, headers: cid(5) },
    { key: "ORD-6", value: valid(6, 30), headers: cid(6) },
  ]);

  const stats = await consumeUntil(
    { brokers, topic, dlqTopic, groupId, failRate: 0 },
    (s) => s.processed + s.deadLettered === 6,
  );
  equal(stats.processed, 2, "the orders before and after the bad ones were processed");
  equal(stats.aggregate.average, 20);
  deepEqual(stats.deadLetteredByClass, { poison: 3, permanent: 1, transient: 0 });

  const letters = await readRecords(brokers, dlqTopic, 4);
  const byCorrelation = new Map(letters.map((r) => [text(r.headers["x-correlation-id"]), r]));
  const expect = [
    {
      cid: "cid-2",
      bytes: garbage,
      key: "poison",
      errorClass: "poison",
      code: "DECODE_FAILED",
      offset: "1",
    },
    {
      cid: "cid-3",
      bytes: truncated,
      key: "ORD-2",
      errorClass: "poison",
      code: "DECODE_FAILED",
      offset: "2",
    },
    {
      cid: "cid-4",
      bytes: negative,
      key: "ORD-4",
      errorClass: "permanent",
      code: "INVALID_ORDER",
      offset: "3",
    },
    {
      cid: "cid-5",
      bytes: new Uint8Array(0),
      key: null,
      errorClass: "poison",
      code: "EMPTY_VALUE",
      offset: "4",
    },
  ];
  for (const e of expect) {
    const record = byCorrelation.get(e.cid);
    ok(record, `dead letter ${e.cid} was written`);
    equal(text(record.key), e.key, "the original key is kept");
    equal(text(record.headers["app-header"]), `h${e.cid.slice(4)}`, "original headers are kept");
    const envelope = decodeDeadLetter(record.value);
    deepEqual(new Uint8Array(envelope.payload), e.bytes, "the original bytes are kept exactly");
    equal(envelope.errorClass, e.errorClass);
    equal(envelope.errorCode, e.code);
    equal(envelope.originalTopic, topic);
    equal(envelope.originalPartition, 0);
    equal(String(envelope.originalOffset), e.offset);
    equal(envelope.consumerGroup, groupId);
    const headers = readDeadLetterHeaders(record.headers);
    equal(headers.originalTopic, topic);
    equal(headers.originalPartition, 0);
    equal(headers.originalOffset, e.offset);
    equal(headers.errorCode, e.code);
  }
  const invalid = decodeDeadLetter(byCorrelation.get("cid-4")!.value);
  equal(invalid.orderId, "ORD-4", "fields that decoded are in the envelope");
  equal(invalid.price, -5);
  equal(invalid.stage, "validate");
});

Deno.test("the committed offset of each partition equals the last settled offset + 1", async () => {
  const brokers = await testBrokers();
  const topic = uniqueTopic("orders");
  const dlqTopic = uniqueTopic("dlq");
  const groupId = `${topic}-g`;
  await createTopic(brokers, topic, 3);
  await createTopic(brokers, dlqTopic, 1);
  await lastValueFrom(
    produceOrders({ brokers, topic, count: 120, intervalMs: 0, seed: 11, badRate: 0.1 }),
  );
  const stats = await consumeUntil(
    { brokers, topic, dlqTopic, groupId, failRate: 0.1, seed: 5 },
    (s) => s.processed + s.deadLettered === 120,
  );
  const committed = await committedOffsets(brokers, groupId, topic);
  for (const [partition, state] of Object.entries(stats.partitions)) {
    equal(committed.get(Number(partition)), BigInt(state.nextOffset), `partition ${partition}`);
  }
  equal(Object.keys(stats.partitions).length, 3);
});

Deno.test("a dead-letter topic that cannot be written stops the consumer without committing the message", async () => {
  const brokers = await testBrokers();
  const topic = uniqueTopic("orders");
  const dlqTopic = uniqueTopic("dlq");
  const groupId = `${topic}-g`;
  await createTopic(brokers, topic, 1);
  // Any envelope is larger than this, so the broker refuses every dead letter.
  await createTopic(brokers, dlqTopic, 1, { "max.message.bytes": "64" });
  const order = (n: number, price: number) =>
    codec.encode({ orderId: `ORD-${n}`, product: "Desk", price });
  await writeRecords(brokers, topic, [
    { key: "ORD-1", value: order(1, 10) },
    { key: "ORD-2", value: order(2, 20) },
    { key: "bad", value: new Uint8Array([0xff]) },
    { key: "ORD-4", value: order(4, 40) },
  ]);

  let last: ConsumerStats | undefined;
  await rejects(
    lastValueFrom(
      consumeOrders({ brokers, topic, dlqTopic, groupId, fromBeginning: true, failRate: 0 }).pipe(
        tap((stats) => last = stats),
      ),
    ),
    DeadLetterWriteError,
  );
  // ORD-4 has a key of its own: it did not wait for the poison record.
  equal(last?.processed, 3, "the orders of the other keys were processed");
  // What settled is committed as the consumer stops: up to the unwritable
  // record, with ORD-4 recorded as settled beyond it.
  let ledger = (await readCommittedLedgers(brokers, groupId, topic)).get(0);
  for (let tries = 0; ledger === undefined && tries < 50; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    ledger = (await readCommittedLedgers(brokers, groupId, topic)).get(0);
  }
  equal(ledger?.nextOffset, 2, "the group will read the unwritable message again");
  deepEqual(ledger?.settledBeyond(), [3], "and skip ORD-4, which settled");
});

Deno.test("a message in backoff holds back only its own partition", async () => {
  const brokers = await testBrokers();
  const topic = uniqueTopic("orders");
  const dlqTopic = uniqueTopic("dlq");
  await createTopic(brokers, topic, 3);
  await createTopic(brokers, dlqTopic, 1);
  const order = (orderId: string, price: number) =>
    codec.encode({ orderId, product: "Lamp", price });
  await writeRecords(brokers, topic, [{
    key: "ORD-SLOW",
    value: order("ORD-SLOW", 10),
    partition: 0,
  }]);

  const faultUntil = Date.now() + 4000;
  const processedAt = new Map<string, number>();
  const stop = new AbortController();
  let slowFailures = 0;
  const run = lastValueFrom(
    consumeOrders({
      brokers,
      topic,
      dlqTopic,
      groupId: `${topic}-g`,
      fromBeginning: true,
      failRate: 0,
      maxRetries: 50,
      backoffMs: 100,
      maxBackoffMs: 300,
      // ORD-SLOW fails until the fault clears: it stays in backoff on partition 0.
      isFaulty: (o) => o.orderId === "ORD-SLOW" && Date.now() < faultUntil && ++slowFailures > 0,
      signal: stop.signal,
      onOutcome: (r) => {
        if (r.orderId) processedAt.set(r.orderId, Date.now());
        if (processedAt.size === 2) stop.abort("done");
      },
    }),
    { defaultValue: undefined },
  );
  // Once ORD-SLOW is in backoff, an order arrives on another partition.
  while (slowFailures < 2) await new Promise((resolve) => setTimeout(resolve, 50));
  await writeRecords(brokers, topic, [{
    key: "ORD-FAST",
    value: order("ORD-FAST", 20),
    partition: 1,
  }]);
  const watchdog = setTimeout(() => stop.abort("timeout"), 30_000);
  const stats = await run;
  clearTimeout(watchdog);

  equal(stop.signal.reason, "done");
  ok(
    processedAt.get("ORD-FAST")! < faultUntil,
    "ORD-FAST was processed while ORD-SLOW was in backoff",
  );
  ok(processedAt.get("ORD-SLOW")! >= faultUntil, "ORD-SLOW was processed once the fault cleared");
  equal(stats?.aggregate.sum, 30);
  const committed = await committedOffsets(brokers, `${topic}-g`, topic);
  equal(committed.get(0), 1n, "the slow partition's offset was committed after it settled");
  equal(committed.get(1), 1n);
});
