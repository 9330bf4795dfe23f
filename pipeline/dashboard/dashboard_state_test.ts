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
  updatedAt = 1,
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
    updatedAt,
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
  assert.equal(state.record("orders-dlq", 0, "3")?.offset, "3");
  assert.equal(state.record("orders-dlq", 0, "4"), undefined);
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

Deno.test("invalid orders are marked, and retry records show round, due time and attempts", () => {
  const state = createDashboardState({ topics: TOPICS });
  state.ingest(
    record("orders", 0, 1, codec.encode({ orderId: "ORD-1", product: "Laptop", price: 1e9 })),
  );
  state.ingest(record("orders", 0, 2, codec.encode({ orderId: "", product: "Laptop", price: 5 })));
  state.ingest(
    record("orders", 0, 3, codec.encode({ orderId: "ORD-3", product: "Laptop", price: 5 })),
  );
  state.ingest(
    record("orders-retry", 1, 0, codec.encode({ orderId: "ORD-4", product: "Mouse", price: 9 }), {
      "x-retry-round": encoder.encode("2"),
      "x-retry-due": encoder.encode("1700000005000"),
      "x-attempts": encoder.encode("8"),
    }),
  );
  const { orders, retry } = state.view().tables;
  assert.deepEqual(orders.map((row) => row.invalid === null), [true, false, false]);
  assert.match(orders[2].invalid ?? "", /price/);
  assert.equal(orders[2].order?.priceText, "1000000000");
  state.ingest(
    record("orders", 0, 4, codec.encode({ orderId: "ORD-4", product: "Laptop", price: NaN })),
  );
  const nan = state.view().tables.orders[0];
  assert.equal(JSON.parse(JSON.stringify(nan)).order.priceText, "NaN", "survives JSON, unlike NaN");
  assert.match(nan.invalid ?? "", /price/);
  assert.match(orders[1].invalid ?? "", /orderId/);
  assert.deepEqual(retry[0].retry, { round: 2, due: 1700000005000, attempts: 8 });
});

Deno.test("the consumer shows as stopped without members, stalled without fresh snapshots, live otherwise", () => {
  let clock = 100_000;
  const state = createDashboardState({ topics: TOPICS, staleAfterMs: 10_000, now: () => clock });
  assert.equal(state.view().consumer.state, "unknown");
  state.setOffsets("orders", [{ partition: 0, low: 0n, high: 10n }]);
  const member = {
    memberId: "m1",
    clientId: "c1",
    host: "/127.0.0.1",
    assignment: { orders: [2, 0] },
  };
  state.setGroup({ state: "Stable", members: [member] });
  assert.deepEqual(
    [state.view().consumer.state, state.view().consumer.detail],
    ["live", "live: 1 member in g, no snapshot yet"],
    "a new group may have started at the end: its lag is not known before a snapshot",
  );
  state.ingest(snapshot(0, 4, 40, "4", "g", "orders", 95_000));
  assert.equal(state.view().consumer.state, "live");
  assert.deepEqual(state.view().consumer.members, [{
    clientId: "c1",
    host: "/127.0.0.1",
    partitions: [0, 2],
  }]);
  clock = 120_000;
  assert.deepEqual(
    [state.view().consumer.state, state.view().consumer.detail],
    ["stalled", "consumer stalled: 6 waiting, no snapshot for 25 s"],
  );
  state.setGroup({ state: "Empty", members: [] });
  assert.deepEqual(
    [state.view().consumer.state, state.view().consumer.detail],
    ["stopped", "consumer stopped: no member in g, no snapshot for 25 s"],
  );
});

Deno.test("a partition's lag is marked growing when it is higher than a few seconds ago", () => {
  const state = createDashboardState({ topics: TOPICS });
  state.setOffsets("orders", [{ partition: 0, low: 0n, high: 2n }, {
    partition: 1,
    low: 0n,
    high: 2n,
  }]);
  state.sample();
  state.ingest(record("orders", 0, 5, null));
  state.sample();
  const [p0, p1] = state.view().partitions;
  assert.deepEqual([p0.lag, p0.lagGrowing, p1.lag, p1.lagGrowing], [6, true, 2, false]);
  assert.equal(state.view().throughputHistory.length, 2);
});

Deno.test("markup in every message field stays a plain string in the view", () => {
  const xss = "<img src=x onerror=alert(1)>";
  const state = createDashboardState({ topics: TOPICS });
  state.ingest({
    ...record("orders", 0, 1, codec.encode({ orderId: xss, product: xss, price: 1 }), {
      [xss]: encoder.encode(xss),
      "x-correlation-id": encoder.encode(xss),
    }),
    key: encoder.encode(xss),
  });
  const row = state.view().tables.orders[0];
  assert.deepEqual(
    [row.key, row.correlationId, row.order?.orderId, row.order?.product, row.headers[0]],
    [xss, xss, xss, xss, [xss, xss]],
  );
});
