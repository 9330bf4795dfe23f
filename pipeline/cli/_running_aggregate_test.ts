import assert from "node:assert/strict";
import type { ConsumerStats } from "../consumer/consumer_stats.ts";
import type { StatsSnapshot } from "../consumer/stats_snapshot.ts";
import { aggregateOfCents } from "../operators/aggregate.ts";
import { runningAggregate } from "./_running_aggregate.ts";

const snapshot = (topic: string, partition: number, count: number, sumCents: number) =>
  [`${topic}:${partition}`, {
    topic,
    partition,
    count,
    sumCents,
    min: 1,
    max: 9,
    nextOffset: String(count),
    groupId: "g",
    updatedAt: 0,
  }] as [string, StatsSnapshot];

const topics = { orders: "orders", retry: "orders-retry" };
const before = new Map([
  snapshot("orders", 0, 100, 50_000), // folded since: its state counts it
  snapshot("orders", 1, 10, 2_000), // nothing folded since: counted as it was
  snapshot("orders-retry", 0, 5, 1_000),
  snapshot("elsewhere", 0, 1_000, 9_000_000), // another topic of the group
]);
const stats: ConsumerStats = {
  processed: 2,
  retried: 0,
  deadLettered: 0,
  deadLetteredByClass: { poison: 0, permanent: 0, transient: 0 },
  sentToRetry: 0,
  // This run's own orders only.
  aggregate: aggregateOfCents(2, 1_200, 500, 700),
  // Partition 0 started from its snapshot and folded two orders.
  partitions: { 0: { aggregate: aggregateOfCents(102, 51_200, 100, 900), nextOffset: "102" } },
  retryPartitions: {},
};

Deno.test("runningAggregate() counts what the group counted before the run, each partition once", () => {
  const running = runningAggregate(stats, before, topics);
  assert.equal(running.count, 102 + 10 + 5);
  assert.equal(running.sumCents, 51_200 + 2_000 + 1_000);
  assert.equal(running.average, (51_200 + 2_000 + 1_000) / 117 / 100);
});

Deno.test("runningAggregate() before the first outcome is the snapshots', and without any is empty", () => {
  assert.equal(runningAggregate(undefined, before, topics).count, 100 + 10 + 5);
  assert.equal(runningAggregate(undefined, new Map(), topics).average, null);
  assert.equal(runningAggregate(stats, new Map(), { orders: "orders" }).count, 102);
});
