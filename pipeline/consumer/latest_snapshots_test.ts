import assert from "node:assert/strict";
import { latestSnapshots } from "./latest_snapshots.ts";
import type { StatsSnapshot } from "./stats_snapshot.ts";

function snapshot(partition: number, count: number, fields: Partial<StatsSnapshot> = {}) {
  return {
    topic: "orders",
    partition,
    count,
    sumCents: count * 1000,
    min: 10,
    max: 10,
    nextOffset: String(count),
    groupId: "g",
    updatedAt: 1000 + count,
    ...fields,
  };
}

Deno.test("latestSnapshots() takes the last snapshot of a partition in log order, not the first", () => {
  const log = [snapshot(0, 3), snapshot(1, 2), snapshot(0, 8), snapshot(0, 11), snapshot(1, 5)];
  const latest = latestSnapshots(log, "g");
  assert.deepEqual([...latest.keys()].sort(), ["orders:0", "orders:1"]);
  assert.equal(latest.get("orders:0")?.count, 11);
  assert.equal(latest.get("orders:1")?.count, 5);
});

Deno.test("latestSnapshots() goes by log position even when a later record has an older clock", () => {
  const latest = latestSnapshots([snapshot(0, 3, { updatedAt: 9e12 }), snapshot(0, 4)], "g");
  assert.equal(latest.get("orders:0")?.count, 4);
});

Deno.test("latestSnapshots() ignores other groups' snapshots and keeps topics apart", () => {
  const log = [
    snapshot(0, 3),
    snapshot(0, 50, { groupId: "other" }),
    snapshot(0, 7, { topic: "orders-retry" }),
  ];
  const latest = latestSnapshots(log, "g");
  assert.equal(latest.get("orders:0")?.count, 3);
  assert.equal(latest.get("orders-retry:0")?.count, 7);
  assert.equal(latestSnapshots(log, "nobody").size, 0);
});
