import assert from "node:assert/strict";
import { createCodec } from "../avro/avro_codec.ts";
import { loadSchema } from "../avro/load_schema.ts";
import { createOrderEncoder } from "../avro/order_encoder.ts";
import { snapshotRecord } from "../consumer/stats_snapshot.ts";
import { buildDeadLetter } from "../dead_letter/dead_letter.ts";
import { DecodeError } from "../errors.ts";
import type { KafkaRecord } from "../kafka/kafka_record.ts";
import type { Order } from "../orders/order.ts";
import { describeRecord } from "./describe_record.ts";

const codec = createCodec<Order>(loadSchema("order"));
const text = new TextEncoder();

function record(
  topic: string,
  value: Uint8Array | null,
  headers: Record<string, Uint8Array> = {},
): KafkaRecord {
  return {
    topic,
    partition: 1,
    offset: "7",
    timestamp: "1700000000000",
    key: text.encode("ORD-1"),
    value,
    headers,
  };
}

const field = (fields: Array<[string, string]>, name: string) =>
  fields.find(([n]) => n === name)?.[1];

Deno.test("describeRecord() decodes an order and says why an invalid one is invalid", () => {
  const good = describeRecord(
    record("orders", codec.encode({ orderId: "ORD-1", product: "Laptop", price: 5 })),
    "order",
  );
  assert.deepEqual([good.kind, good.problem, field(good.fields, "product")], [
    "order",
    null,
    "Laptop",
  ]);
  const bad = describeRecord(
    record("orders", codec.encode({ orderId: "ORD-1", product: "Laptop", price: 1e9 })),
    "order",
  );
  assert.match(bad.problem ?? "", /invalid price: 1000000000 is over the maximum/);
});

Deno.test("describeRecord() shows bytes that do not decode as a hex dump, with the reason", () => {
  const detail = describeRecord(record("orders", new Uint8Array([0xde, 0xad, 0x41])), "order");
  assert.equal(detail.kind, "raw");
  assert.match(detail.problem ?? "", /^The value does not decode as an order: /);
  assert.equal(detail.hex, "00000000  de ad 41" + " ".repeat(39) + "  ..A");
  assert.equal(detail.size, 3);
});

Deno.test("describeRecord() opens a dead letter: envelope fields, full error and stack, Spring headers as numbers", () => {
  const letter = buildDeadLetter({
    record: {
      topic: "orders",
      partition: 2,
      offset: "41",
      timestamp: "1700000000000",
      key: text.encode("ORD-9"),
      value: new Uint8Array([0xff]),
      headers: { "x-correlation-id": text.encode("c-9") },
    },
    error: new DecodeError("bad bytes"),
    stage: "decode",
    attempts: 1,
    firstFailureTime: 1,
    lastFailureTime: 2,
    consumerGroup: "g",
  });
  const detail = describeRecord(record("orders-dlq", letter.value, letter.headers), "dead-letter");
  assert.equal(detail.kind, "dead-letter");
  assert.equal(field(detail.fields, "error class"), "poison");
  assert.equal(field(detail.fields, "original"), "orders/2@41");
  assert.equal(field(detail.fields, "original header x-correlation-id"), "c-9");
  assert.equal(detail.problem, "bad bytes");
  assert.match(detail.stack ?? "", /DecodeError/);
  const headers = Object.fromEntries(detail.headers);
  assert.equal(headers["kafka_dlt-original-partition"], "2", "a 4-byte big-endian int, decoded");
  assert.equal(headers["kafka_dlt-original-offset"], "41");
  assert.equal(headers["x-correlation-id"], "c-9");
});

Deno.test("describeRecord() reads a retry record's round, due time and attempts, and a snapshot", () => {
  const retry = describeRecord(
    record("orders-retry", codec.encode({ orderId: "ORD-1", product: "Mouse", price: 3 }), {
      "x-retry-round": text.encode("2"),
      "x-retry-due": text.encode("1700000005000"),
      "x-attempts": text.encode("8"),
    }),
    "retry",
  );
  assert.deepEqual(
    [field(retry.fields, "round"), field(retry.fields, "due"), field(retry.fields, "attempts")],
    ["2", "2023-11-14T22:13:25.000Z", "8"],
  );
  const snapshot = snapshotRecord({
    topic: "orders",
    partition: 0,
    count: 2,
    sumCents: 3000,
    min: 10,
    max: 20,
    nextOffset: "7",
    groupId: "g",
    updatedAt: 1700000000000,
  });
  const stats = describeRecord(record("orders-stats", snapshot.value), "snapshot");
  assert.equal(stats.kind, "snapshot");
  assert.equal(field(stats.fields, "nextOffset"), "7");
  assert.equal(field(stats.fields, "updatedAt"), "1700000000000 (2023-11-14T22:13:20.000Z)");
});

Deno.test("describeRecord() reads orders as the consumer does: a single-object v2 order shows its v2 fields, a raw v1 one the defaults", () => {
  const v2 = createOrderEncoder({ version: 2 }).encode({
    orderId: "ORD-2",
    product: "Mouse",
    price: 688.65,
    quantity: 3,
    customerId: "CUST-0042",
    createdAt: 1_700_000_000_000,
  });
  const detail = describeRecord(record("orders", v2), "order");
  assert.equal(detail.kind, "order");
  assert.deepEqual(detail.fields, [
    ["orderId", "ORD-2"],
    ["product", "Mouse"],
    ["price", "688.65"],
    ["quantity", "3"],
    ["customerId", "CUST-0042"],
    ["createdAt", "1700000000000 (2023-11-14T22:13:20.000Z)"],
    ["written as", "single-object Avro, order schema v2"],
  ]);
  const retry = describeRecord(record("orders-retry", v2), "retry");
  assert.equal(field(retry.fields, "customerId"), "CUST-0042");
  const v1 = describeRecord(
    record("orders", codec.encode({ orderId: "ORD-1", product: "Laptop", price: 5 })),
    "order",
  );
  assert.deepEqual(
    ["quantity", "customerId", "written as"].map((name) => field(v1.fields, name)),
    ["1", "–", "raw Avro, order schema v1"],
  );
});
