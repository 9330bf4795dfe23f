import assert from "node:assert/strict";
import { createTopic, writeRecords } from "../../tests/_kafka_helpers.ts";
import { testBrokers, uniqueTopic } from "../../tests/_shared_broker.ts";
import { loadLatestSnapshots } from "./load_latest_snapshots.ts";
import { snapshotRecord, type StatsSnapshot } from "./stats_snapshot.ts";

function snapshot(partition: number, count: number, groupId = "g"): StatsSnapshot {
  return {
    topic: "orders",
    partition,
    count,
    sumCents: count * 200,
    min: 2,
    max: 2,
    nextOffset: String(count + 1),
    groupId,
    updatedAt: 1_700_000_000_000 + count,
  };
}

Deno.test("loadLatestSnapshots() takes the latest of several snapshots of a partition on an uncompacted topic", async () => {
  const brokers = await testBrokers();
  const statsTopic = uniqueTopic("stats-uncompacted");
  await createTopic(brokers, statsTopic, 1);
  const written = [
    snapshot(0, 10),
    snapshot(1, 4),
    snapshot(0, 25),
    snapshot(0, 99, "other-group"),
    snapshot(1, 9),
    snapshot(0, 31),
  ];
  await writeRecords(brokers, statsTopic, [
    ...written.map(snapshotRecord),
    { key: "orders:0", value: new TextEncoder().encode("not a snapshot") },
  ]);
  const latest = await loadLatestSnapshots({ brokers, statsTopic, groupId: "g" });
  assert.deepEqual(
    [...latest].map(([key, s]) => [key, s.count, s.nextOffset]).sort(),
    [["orders:0", 31, "32"], ["orders:1", 9, "10"]],
  );
});

Deno.test("loadLatestSnapshots() finds nothing on an empty stats topic", async () => {
  const brokers = await testBrokers();
  const statsTopic = uniqueTopic("stats-empty");
  await createTopic(brokers, statsTopic, 1);
  assert.equal((await loadLatestSnapshots({ brokers, statsTopic, groupId: "g" })).size, 0);
});
