import assert from "node:assert/strict";
import { lastValueFrom, Subject } from "rxjs";
import { addToAggregate, emptyAggregate } from "../operators/aggregate.ts";
import type { ConsumerStats } from "./consumer_stats.ts";
import { parseStatsSnapshot, type StatsSnapshot } from "./stats_snapshot.ts";
import { createSnapshotPublisher } from "./stats_snapshots.ts";

function statsOf(prices: Record<number, number[]>): ConsumerStats {
  const partitions: Record<number, ConsumerStats["partitions"][number]> = {};
  for (const [p, list] of Object.entries(prices)) {
    partitions[Number(p)] = {
      aggregate: list.reduce(addToAggregate, emptyAggregate()),
      nextOffset: String(list.length),
    };
  }
  return {
    processed: 0,
    retried: 0,
    deadLettered: 0,
    deadLetteredByClass: { poison: 0, permanent: 0, transient: 0 },
    sentToRetry: 0,
    aggregate: emptyAggregate(),
    partitions,
    retryPartitions: {},
  };
}

function publisher(stored: StatsSnapshot[]) {
  const writes: StatsSnapshot[][] = [];
  const p = createSnapshotPublisher({
    topic: "orders",
    groupId: "g",
    intervalMs: 60_000,
    now: () => 5,
    write: (records) => {
      writes.push(records.map((r) => parseStatsSnapshot(r.value)));
      return Promise.resolve();
    },
    load: () => Promise.resolve(stored),
  });
  return { p, writes };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("snapshots cover only the owned partitions, and a last one is written on completion", async () => {
  const { p, writes } = publisher([]);
  const stats$ = new Subject<ConsumerStats>();
  const done = lastValueFrom(stats$.pipe(p.publish));
  p.assign([0, 2]);
  await tick();
  stats$.next(statsOf({ 0: [10, 20], 1: [5], 2: [30] }));
  stats$.complete();
  await done;
  assert.equal(writes.length, 1);
  assert.deepEqual(
    writes[0].map((s) => [s.partition, s.count, s.sumCents, s.min, s.max, s.nextOffset, s.groupId]),
    [[0, 2, 3000, 10, 20, "2", "g"], [2, 1, 3000, 30, 30, "1", "g"]],
  );
});

Deno.test("a partition taken over goes on from its last snapshot of the group", async () => {
  const { p, writes } = publisher([
    {
      topic: "orders",
      partition: 1,
      count: 10,
      sumCents: 10_000,
      min: 1,
      max: 50,
      nextOffset: "10",
      groupId: "g",
      updatedAt: 1,
    },
    {
      topic: "orders",
      partition: 0,
      count: 99,
      sumCents: 9_900,
      min: 1,
      max: 1,
      nextOffset: "99",
      groupId: "other",
      updatedAt: 1,
    },
  ]);
  const stats$ = new Subject<ConsumerStats>();
  const done = lastValueFrom(stats$.pipe(p.publish));
  stats$.next(statsOf({ 0: [4] }));
  p.assign([0, 1]);
  await tick();
  stats$.next(statsOf({ 0: [4, 6], 1: [70] }));
  stats$.complete();
  await done;
  const [written] = writes;
  assert.deepEqual(written.map((s) => [s.partition, s.count, s.sumCents, s.min, s.max]), [
    [0, 1, 600, 4, 6],
    [1, 11, 17_000, 1, 70],
  ]);
});

Deno.test("a partition taken over goes on from its latest snapshot when the topic holds several", async () => {
  const at = (count: number): StatsSnapshot => ({
    topic: "orders",
    partition: 0,
    count,
    sumCents: count * 100,
    min: 1,
    max: 1,
    nextOffset: String(count),
    groupId: "g",
    updatedAt: 1,
  });
  const { p, writes } = publisher([at(3), at(7), at(12)]);
  const stats$ = new Subject<ConsumerStats>();
  const done = lastValueFrom(stats$.pipe(p.publish));
  p.assign([0]);
  await tick();
  stats$.next(statsOf({ 0: [1] }));
  stats$.complete();
  await done;
  assert.deepEqual(writes[0].map((s) => [s.partition, s.count]), [[0, 13]]);
});

Deno.test("a revoked partition is no longer written", async () => {
  const { p, writes } = publisher([]);
  const stats$ = new Subject<ConsumerStats>();
  const done = lastValueFrom(stats$.pipe(p.publish));
  p.assign([0, 1]);
  await tick();
  stats$.next(statsOf({ 0: [1], 1: [2] }));
  p.assign([0]);
  stats$.complete();
  await done;
  assert.deepEqual(writes[0].map((s) => s.partition), [0]);
});
