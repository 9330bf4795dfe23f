import assert from "node:assert/strict";
import { createCodec } from "../avro/avro_codec.ts";
import { loadSchema } from "../avro/load_schema.ts";
import { snapshotRecord, type StatsSnapshot } from "../consumer/stats_snapshot.ts";
import { buildDeadLetter } from "../dead_letter/dead_letter.ts";
import { DecodeError } from "../errors.ts";
import type { KafkaRecord } from "../kafka/kafka_record.ts";
import type { Order } from "../orders/order.ts";
import { createDashboardState } from "./dashboard_state.ts";

const TOPICS = {
  orders: "orders",
  retry: "orders-retry",
  dlq: "orders-dlq",
  stats: "orders-stats",
  groupId: "g",
};
const encoder = new TextEncoder();
const codec = createCodec<Order>(loadSchema("order"));

function record(
  topic: string,
  partition: number,
  offset: number,
  value: Uint8Array | null,
  headers: Record<string, Uint8Array> = {},
): KafkaRecord {
  return {
    topic,
    partition,
    offset: String(offset),
    key: null,
    value,
    headers,
    timestamp: "1700000000000",
  };
}

function snapshot(
  partition: number,
  count: number,
  sum: number,
  nextOffset: string,
  groupId = "g",
  topic = "orders",
): KafkaRecord {
  const s: StatsSnapshot = {
    topic,
    partition,
    count,
    sumCents: sum * 100,
    min: 1,
    max: 9,
    nextOffset,
    groupId,
    updatedAt: 1,
  };
  return record("orders-stats", 0, partition, snapshotRecord(s).value);
}

Deno.test("the global average merges the latest snapshot of every partition of the group", () => {
  let now = 0;
  const state = createDashboardState({ topics: TOPICS, now: () => now });
  state.setOffsets("orders", [{ partition: 0, low: 0n, high: 10n }, {
    partition: 1,
    low: 0n,
    high: 4n,
  }]);
  state.ingest(snapshot(0, 2, 20, "2"));
  state.ingest(snapshot(0, 4, 60, "4"));
  state.ingest(snapshot(1, 4, 40, "4"));
  state.ingest(snapshot(1, 100, 100, "100", "another-group"));
  const view = state.view();
  assert.equal(view.aggregate.count, 8);
  assert.equal(view.aggregate.average, 100 / 8);
  assert.deepEqual(view.partitions.map((p) => [p.partition, p.count, p.lag]), [[0, 4, 6], [
    1,
    4,
    0,
  ]]);
  state.sample();
  now = 2000;
  state.ingest(snapshot(1, 8, 80, "8"));
  state.sample();
  const later = state.view();
  // Two samples, then the current value, so the chart ends where the number stands.
  assert.deepEqual(later.history.map(([t]) => t), [0, 2000, 2000]);
  assert.equal(later.throughput, 2);
  now = 2500;
  state.ingest(snapshot(1, 10, 120, "10"));
  const between = state.view();
  assert.deepEqual(between.history.at(-1), [2500, between.aggregate.average]);
});

Deno.test("message tables keep the latest rows, decoded, with headers and correlation ids, as data", () => {
  const state = createDashboardState({ topics: TOPICS, tableSize: 2 });
  const xss = "<img src=x onerror=alert(1)>";
  for (let i = 0; i < 3; i++) {
    state.ingest(
      record("orders", 0, i, codec.encode({ orderId: `ORD-${i}`, product: xss, price: 2 }), {
        "x-correlation-id": encoder.encode(`c-${i}`),
      }),
    );
  }
  state.ingest(record("orders-retry", 1, 0, new Uint8Array([0xff])));
  const view = state.view();
  assert.deepEqual(view.tables.orders.map((r) => r.offset), ["2", "1"]);
  assert.equal(view.tables.orders[0].order?.product, xss);
  assert.equal(view.tables.orders[0].correlationId, "c-2");
  assert.deepEqual(view.tables.orders[0].headers, [["x-correlation-id", "c-2"]]);
  assert.equal(view.tables.retry[0].order, null);
  assert.match(view.tables.retry[0].error ?? "", /./);
  assert.equal(view.stored.orders, 3);
});

Deno.test("dead letters are counted by class, decoded, and kept for replay", () => {
  const state = createDashboardState({ topics: TOPICS });
  const letter = buildDeadLetter({
    record: {
      topic: "orders",
      partition: 2,
      offset: "5",
      timestamp: "1700000000000",
      key: encoder.encode("ORD-9"),
      value: new Uint8Array([0xff]),
      headers: { "x-correlation-id": encoder.encode("abc") },
    },
    error: new DecodeError("bad bytes"),
    stage: "decode",
    attempts: 1,
    firstFailureTime: 1,
    lastFailureTime: 1,
    consumerGroup: "g",
  });
  state.ingest(record("orders-dlq", 0, 3, letter.value, letter.headers));
  const view = state.view();
  assert.deepEqual(view.deadLetteredByClass, { poison: 1, permanent: 0, transient: 0 });
  const row = view.tables.dlq[0];
  assert.equal(row.original, "orders/2@5");
  assert.equal(row.errorClass, "poison");
  assert.equal(row.correlationId, "abc");
  assert.equal(row.key, "ORD-9");
  assert.ok(
    row.headers.some(([name, value]) =>
      name === "kafka_dlt-original-partition" && value === "0x00000002"
    ),
  );
  assert.equal(state.deadLetter(0, "3")?.offset, "3");
  assert.equal(state.deadLetter(0, "4"), undefined);
});

Deno.test("orders that succeeded in a retry round count in the global average, but not in partition lag", () => {
  const state = createDashboardState({ topics: TOPICS });
  state.ingest(snapshot(0, 2, 20, "2"));
  state.ingest(snapshot(0, 1, 40, "1", "g", "orders-retry"));
  state.ingest(snapshot(1, 5, 500, "5", "g-retry", "orders-retry"));
  const view = state.view();
  assert.equal(view.aggregate.count, 3, "the other group's retry snapshot is not ours");
  assert.equal(view.aggregate.average, 20);
  assert.deepEqual(view.partitions.map((p) => p.partition), []);
});
