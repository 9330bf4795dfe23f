import assert from "node:assert/strict";
import { laneOf } from "./ordering.ts";

const record = (key: Uint8Array | null, partition = 0) => ({
  record: { topic: "orders", partition, key },
});

Deno.test("laneOf('key') gives one lane per key, partition and topic, and none without a key", () => {
  const lane = laneOf("key");
  const bytes = (...b: number[]) => new Uint8Array(b);
  assert.equal(lane(record(bytes(65, 66))), lane(record(bytes(65, 66))));
  assert.notEqual(lane(record(bytes(65, 66))), lane(record(bytes(66, 65))));
  assert.notEqual(lane(record(bytes(65, 66))), lane(record(bytes(65, 66), 1)));
  // Bytes that are not UTF-8 still tell keys apart.
  assert.notEqual(lane(record(bytes(0xc3, 0xff))), lane(record(bytes(0xc3, 0xfe))));
  assert.equal(lane(record(null)), undefined);
});

Deno.test("laneOf('key') tells long keys apart, however they are built", () => {
  const lane = laneOf("key");
  const long = new Uint8Array(10_000).fill(7);
  const other = long.slice();
  other[9_999] = 8;
  assert.equal(lane(record(long)), lane(record(long.slice())));
  assert.notEqual(lane(record(long)), lane(record(other)));
  const short = new Uint8Array(256).fill(7);
  assert.notEqual(lane(record(short)), lane(record(short.subarray(0, 255))));
});

Deno.test("laneOf('partition') and laneOf('unordered')", () => {
  const key = new Uint8Array([1]);
  assert.equal(laneOf("partition")(record(key)), laneOf("partition")(record(null)));
  assert.notEqual(laneOf("partition")(record(key)), laneOf("partition")(record(key, 1)));
  assert.equal(laneOf("unordered")(record(key)), undefined);
});

Deno.test("laneOf('key') gives each of 10,000 order ids of one partition a lane of its own, and the same key on another topic another lane", () => {
  const lane = laneOf("key");
  const text = new TextEncoder();
  const lanes = new Set<unknown>();
  for (let i = 0; i < 10_000; i++) {
    lanes.add(lane(record(text.encode(`ORD-1764921600000-${String(i).padStart(6, "0")}`))));
  }
  assert.equal(lanes.size, 10_000);
  const key = text.encode("ORD-1");
  assert.notEqual(
    lane({ record: { topic: "orders", partition: 0, key } }),
    lane({ record: { topic: "orders-retry", partition: 0, key } }),
  );
});
