// Poison that must neither stop nor fool the consumer: a value at the orders
// topic's size limit, strings that are not UTF-8, strings over their limits.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { lastValueFrom } from "rxjs";
import { createCodec } from "../pipeline/avro/avro_codec.ts";
import { loadSchema } from "../pipeline/avro/load_schema.ts";
import { replay } from "../pipeline/cli/_dlq_replay.ts";
import { topicSpecs } from "../pipeline/config.ts";
import {
  consumeOrders,
  type ConsumeOrdersOptions,
  type OutcomeReport,
} from "../pipeline/consumer/order_consumer.ts";
import { decodeDeadLetter } from "../pipeline/dead_letter/decode_dead_letter.ts";
import type { OutboundRecord } from "../pipeline/kafka/kafka_producer.ts";
import {
  committedOffsets,
  ensureTopics,
  roomFor,
  topicMaxMessageBytes,
} from "../pipeline/kafka/topics.ts";
import type { Order } from "../pipeline/orders/order.ts";
import { createTopic, writeRecords } from "./_kafka_helpers.ts";
import { headerText, readAll, until } from "./_orders.ts";
import { testBrokers, uniqueTopic } from "./_shared_broker.ts";

const codec = createCodec<Order>(loadSchema("order"));

/** A valid order's bytes with `trailing` zero bytes after it: poison of any size. */
function paddedOrder(total: number): Uint8Array<ArrayBuffer> {
  const order = codec.encode({ orderId: "PAD-1", product: "Laptop", price: 1 });
  const value = new Uint8Array(total);
  value.set(order);
  return value;
}

/** An order whose `field` holds `raw` as its string bytes. */
function orderWithRawString(field: "orderId" | "product", raw: number[]): Uint8Array {
  const marker = "#"; // a byte found nowhere else in this order
  const bytes = Buffer.from(codec.encode({
    orderId: field === "orderId" ? marker : "ORD-UTF",
    product: field === "product" ? marker : "Laptop",
    price: 3,
  }));
  const at = bytes.indexOf(marker.charCodeAt(0));
  // Avro strings are a zigzag length (one byte here) followed by the bytes.
  return new Uint8Array([
    ...bytes.subarray(0, at - 1),
    raw.length * 2,
    ...raw,
    ...bytes.subarray(at + 1),
  ]);
}

/** The topics of `topic`, with a DLQ made before the tools sized it: the broker's default limit, as the orders topic. */
async function withUnsizedDlq(
  brokers: string[],
  topic: string,
  stats?: string,
): Promise<{ topic: string; dlq: string }> {
  const dlq = `${topic}-dlq`;
  await createTopic(brokers, dlq, 1);
  await ensureTopics(brokers, topicSpecs({ orders: topic, dlq, stats }));
  return { topic, dlq };
}

const valid = (orderId: string, price: number): Uint8Array =>
  codec.encode({ orderId, product: "Laptop", price });

async function consumeUntil(
  brokers: string[],
  topic: string,
  dlqTopic: string,
  count: number,
  more: Partial<ConsumeOrdersOptions> = {},
): Promise<OutcomeReport[]> {
  const outcomes: OutcomeReport[] = [];
  const stop = new AbortController();
  const done = lastValueFrom(
    consumeOrders({
      brokers,
      topic,
      dlqTopic,
      groupId: `${topic}-group`,
      fromBeginning: true,
      failRate: 0,
      signal: stop.signal,
      onOutcome: (o) => outcomes.push(o),
      ...more,
    }),
    { defaultValue: undefined },
  );
  try {
    await until(() => outcomes.length >= count, `${count} outcomes`, 120_000);
  } finally {
    stop.abort();
    await done;
  }
  return outcomes.sort((a, b) => Number(a.offset) - Number(b.offset));
}

Deno.test("poison at the orders topic's size limit, invalid UTF-8 and overlong strings are dead-lettered; the orders behind them are processed", async () => {
  const brokers = await testBrokers();
  const topic = uniqueTopic("poison");
  const dlq = `${topic}-dlq`;
  await ensureTopics(brokers, topicSpecs({ orders: topic, dlq }));
  const limit = await topicMaxMessageBytes(brokers, topic);
  assert.equal(await topicMaxMessageBytes(brokers, dlq), roomFor(limit));

  // A record batch adds about 80 bytes to a value this size and key-less.
  const oversize = paddedOrder(limit - 100);
  const values: Array<[string, Uint8Array]> = [
    ["oversize", oversize],
    ["bad id", orderWithRawString("orderId", [0x4f, 0xff, 0x31])],
    ["bad product", orderWithRawString("product", [0x4c, 0xc3, 0x28])],
    ["long id", valid("I".repeat(65), 5)],
    ["long product", codec.encode({ orderId: "ORD-LP", product: "p".repeat(900_000), price: 5 })],
    ["ok 1", valid("ORD-OK-1", 10)],
    ["ok 2", valid("ORD-OK-2", 20)],
  ];
  // One by one, so every record is its own batch at most the topic's limit.
  for (const [, value] of values) {
    await writeRecords(brokers, topic, [{ value, partition: 0 } satisfies OutboundRecord]);
  }

  const outcomes = await consumeUntil(brokers, topic, dlq, values.length);
  assert.deepEqual(
    outcomes.map((o) => [o.offset, o.outcome, o.errorClass, o.errorCode, o.orderId]),
    [
      ["0", "dead-lettered", "poison", "DECODE_FAILED", null],
      ["1", "dead-lettered", "poison", "INVALID_UTF8", null],
      ["2", "dead-lettered", "poison", "INVALID_UTF8", null],
      ["3", "dead-lettered", "permanent", "INVALID_ORDER", null],
      ["4", "dead-lettered", "permanent", "INVALID_ORDER", null],
      ["5", "processed", null, null, "ORD-OK-1"],
      ["6", "processed", null, null, "ORD-OK-2"],
    ],
  );

  // Key-less records of one partition are handled side by side (key ordering):
  // their letters reach the DLQ in any order.
  const letters = (await readAll(brokers, dlq)).map((r) => decodeDeadLetter(r.value))
    .sort((a, b) => a.originalOffset - b.originalOffset);
  assert.deepEqual(letters.map((l) => l.originalOffset), [0, 1, 2, 3, 4]);
  letters.forEach((letter, i) => {
    assert.equal(letter.payloadOmitted, false, `letter ${i} keeps its payload`);
    assert.ok(
      Buffer.from(letter.payload).equals(values[i][1]),
      `${values[i][0]} kept byte for byte`,
    );
  });
  assert.match(letters[1].errorMessage, /field 'orderId' is not valid UTF-8/);
  assert.match(letters[2].errorMessage, /field 'product' is not valid UTF-8/);
  assert.match(letters[3].errorMessage, /65 characters long, over the limit of 64/);
  assert.match(letters[4].errorMessage, /900000 characters long, over the limit of 256/);
});

Deno.test("a dead letter too large for the DLQ is written without its payload, and dlq replay reads the original back", async () => {
  const brokers = await testBrokers();
  const { topic, dlq } = await withUnsizedDlq(brokers, uniqueTopic("omitted"));
  const again = `${topic}-again`;
  await createTopic(brokers, again, 1);

  const poison = paddedOrder(1_048_001);
  const text = new TextEncoder();
  await writeRecords(brokers, topic, [{
    key: "K-1",
    value: poison,
    headers: { "x-correlation-id": text.encode("corr-big") },
    partition: 1,
  }]);
  await writeRecords(brokers, topic, [{ value: valid("ORD-AFTER", 7), partition: 1 }]);

  const outcomes = await consumeUntil(brokers, topic, dlq, 2);
  assert.deepEqual(outcomes.map((o) => o.outcome), ["dead-lettered", "processed"]);

  const [record] = await readAll(brokers, dlq);
  const letter = decodeDeadLetter(record.value);
  assert.equal(letter.payloadOmitted, true);
  assert.equal(letter.payload.byteLength, 0);
  assert.equal(letter.payloadSize, poison.byteLength);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", poison));
  assert.equal(letter.payloadSha256, Buffer.from(digest).toString("hex"));
  assert.deepEqual(
    [letter.originalTopic, letter.originalPartition, letter.originalOffset],
    [topic, 1, 0],
  );
  assert.equal(letter.errorCode, "DECODE_FAILED");
  assert.equal(letter.correlationId, "corr-big");
  assert.equal(headerText(record, "x-payload-omitted"), "true");
  assert.equal(record.key, null);

  const inspect = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "pipeline/cli/dlq.ts",
      "inspect",
      "--dlq-topic",
      dlq,
      "--brokers",
      brokers.join(","),
    ],
    stdin: "null",
  }).output();
  assert.equal(inspect.code, 0, new TextDecoder().decode(inspect.stderr));
  assert.match(
    new TextDecoder().decode(inspect.stdout),
    new RegExp(`${topic}/1@0 \\(payload omitted, 1048001 B\\)`),
  );

  const summary = await replay({
    brokers,
    dlqTopic: dlq,
    group: `${dlq}-replay`,
    filter: {},
    to: again,
    maxReplays: 3,
    dryRun: false,
    json: true,
    signal: new AbortController().signal,
    write: () => {},
  });
  assert.equal(summary.sent, 1);
  // A commit returns before Kafka writes its transaction markers: a reader of
  // committed records may see the replayed record a moment later.
  let copies = await readAll(brokers, again);
  for (const deadline = Date.now() + 30_000; copies.length === 0 && Date.now() < deadline;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    copies = await readAll(brokers, again);
  }
  const [replayed] = copies;
  assert.ok(Buffer.from(replayed.value ?? []).equals(poison), "the original value, byte for byte");
  assert.equal(new TextDecoder().decode(replayed.key ?? new Uint8Array()), "K-1");
  assert.equal(headerText(replayed, "x-correlation-id"), "corr-big");
  assert.equal(headerText(replayed, "x-replay-count"), "1");
});

Deno.test("exactly once: a dead letter too large for the DLQ goes into the transaction without its payload, and the partition moves on", async () => {
  const brokers = await testBrokers();
  const stats = `${uniqueTopic("omitted-eos")}-stats`;
  const { topic, dlq } = await withUnsizedDlq(brokers, uniqueTopic("omitted-eos"), stats);
  const poison = paddedOrder(1_048_001);
  await writeRecords(brokers, topic, [{ key: "K-1", value: poison, partition: 1 }]);
  await writeRecords(brokers, topic, [{ value: valid("ORD-AFTER", 7), partition: 1 }]);

  const more = { exactlyOnce: true, statsTopic: stats, transactionIntervalMs: 200 };
  const outcomes = await consumeUntil(brokers, topic, dlq, 2, more);
  assert.deepEqual(outcomes.map((o) => o.outcome), ["dead-lettered", "processed"]);

  // The transaction committed: the slim letter is visible to read-committed
  // readers, and the group's offset moved past both records.
  const letters = await readAll(brokers, dlq);
  assert.equal(letters.length, 1);
  const letter = decodeDeadLetter(letters[0].value);
  assert.equal(letter.payloadOmitted, true);
  assert.equal(letter.payloadSize, poison.byteLength);
  assert.deepEqual([letter.originalPartition, letter.originalOffset], [1, 0]);
  assert.equal((await committedOffsets(brokers, `${topic}-group`, topic)).get(1), 2n);
});
