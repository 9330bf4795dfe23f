// A retry topic made before the tools sized it: the retry record of an order
// near the orders topic's limit does not fit, and must neither stop the
// consumer nor stick its partition. It goes to the DLQ, saying why.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { lastValueFrom } from "rxjs";
import { topicSpecs } from "../pipeline/config.ts";
import {
  consumeOrders,
  type ConsumeOrdersOptions,
  type OutcomeReport,
} from "../pipeline/consumer/order_consumer.ts";
import { decodeDeadLetter } from "../pipeline/dead_letter/decode_dead_letter.ts";
import type { OutboundRecord } from "../pipeline/kafka/kafka_producer.ts";
import { recordBatchBytes } from "../pipeline/kafka/record_size.ts";
import { committedOffsets, ensureTopics, topicMaxMessageBytes } from "../pipeline/kafka/topics.ts";
import { createTopic, writeRecords } from "./_kafka_helpers.ts";
import { orderRecord, readAll, until } from "./_orders.ts";
import { testBrokers, uniqueTopic } from "./_shared_broker.ts";

async function withUnsizedRetryTopic(label: string, stats?: string) {
  const brokers = await testBrokers();
  const orders = uniqueTopic(label);
  const retry = `${orders}-retry`;
  const dlq = `${orders}-dlq`;
  await createTopic(brokers, retry, 3);
  await ensureTopics(brokers, topicSpecs({ orders, retry, dlq, stats }));
  return { brokers, orders, retry, dlq };
}

// An order whose record just fits the orders topic: a large tracing header.
function nearLimit(orderId: string, limit: number): OutboundRecord {
  const record = orderRecord(orderId, 10, 0);
  const headers = { ...record.headers as Record<string, Uint8Array> };
  const key = new TextEncoder().encode(orderId);
  const bare = recordBatchBytes({ key, value: record.value as Uint8Array, headers });
  headers["x-trace"] = new Uint8Array(limit - bare - 100).fill(0x74);
  return { ...record, headers };
}

async function run(
  label: string,
  more: Partial<ConsumeOrdersOptions> = {},
): Promise<void> {
  const { brokers, orders, retry, dlq } = await withUnsizedRetryTopic(label, more.statsTopic);
  const limit = await topicMaxMessageBytes(brokers, retry);
  assert.equal(await topicMaxMessageBytes(brokers, orders), limit, "both at the broker's default");
  const big = nearLimit("BIG", limit);
  // One by one: each record is a batch of its own, within the topic's limit.
  for (const record of [big, orderRecord("SMALL", 20, 0), orderRecord("OK", 30, 0)]) {
    await writeRecords(brokers, orders, [record]);
  }

  const outcomes: OutcomeReport[] = [];
  const stop = new AbortController();
  const done = lastValueFrom(
    consumeOrders({
      brokers,
      topic: orders,
      groupId: `${orders}-group`,
      dlqTopic: dlq,
      retryTopic: retry,
      // Rounds far in the future: SMALL stays on the retry topic.
      retryDelayMs: 600_000,
      maxRetryRounds: 1,
      maxRetries: 1,
      backoffMs: 10,
      failRate: 0,
      isFaulty: (order) => order.orderId !== "OK",
      fromBeginning: true,
      signal: stop.signal,
      onOutcome: (o) => outcomes.push(o),
      ...more,
    }),
    { defaultValue: undefined },
  );
  try {
    await until(() => outcomes.length >= 3, "3 outcomes", 60_000);
  } finally {
    // A graceful stop commits what is settled (exactly once: the last transaction).
    stop.abort();
    await done;
  }
  assert.equal((await committedOffsets(brokers, `${orders}-group`, orders)).get(0), 3n);
  assert.deepEqual(
    outcomes.filter((o) => o.topic === orders).sort((a, b) => Number(a.offset) - Number(b.offset))
      .map((o) => [o.offset, o.outcome]),
    [["0", "dead-lettered"], ["1", "retry-scheduled"], ["2", "processed"]],
  );

  const letters = await readAll(brokers, dlq);
  assert.equal(letters.length, 1);
  const letter = decodeDeadLetter(letters[0].value);
  assert.deepEqual([letter.orderId, letter.originalOffset], ["BIG", 0]);
  assert.deepEqual([letter.errorClass, letter.errorCode], ["transient", "DOWNSTREAM_FAILED"]);
  assert.match(
    letter.errorMessage,
    new RegExp(
      `; not sent to the retry topic: its retry record takes \\d+ bytes, over the retry topic's max\\.message\\.bytes \\(${limit}\\)$`,
    ),
  );
  assert.ok(Buffer.from(letter.payload).equals(big.value as Uint8Array), "BIG's value, kept");
  assert.equal(letter.originalHeaders["x-trace"]?.byteLength, big.headers!["x-trace"].length);

  const retried = await readAll(brokers, retry);
  assert.deepEqual(retried.map((r) => new TextDecoder().decode(r.key!)), ["SMALL"]);
}

Deno.test("at least once: a retry record too large for the retry topic goes to the DLQ, and the partition moves on", async () => {
  await run("retry-size");
});

Deno.test("exactly once: a retry record too large for the retry topic goes into the transaction as a dead letter", async () => {
  const stats = `${uniqueTopic("retry-size-eos")}-stats`;
  await run("retry-size-eos", { exactlyOnce: true, statsTopic: stats, transactionIntervalMs: 200 });
});
