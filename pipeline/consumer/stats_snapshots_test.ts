import assert from "node:assert/strict";
import { concat, from, ignoreElements, lastValueFrom, scan, Subject, timer, toArray } from "rxjs";
import type { Delivery } from "../kafka/kafka_record.ts";
import { OffsetLedger } from "../kafka/offset_ledger.ts";
import type { ConsumerStats } from "./consumer_stats.ts";
import { createOutcomeFold, EMPTY_STATS } from "./fold_outcome.ts";
import { createPartitionStarts } from "./partition_starts.ts";
import type { Settled } from "./settled.ts";
import { parseStatsSnapshot, type StatsSnapshot } from "./stats_snapshot.ts";
import { createSnapshotPublisher } from "./stats_snapshots.ts";
import { ledgerDelivery } from "./_test_deliveries.ts";

const snapshot = (partition: number, fields: Partial<StatsSnapshot>): StatsSnapshot => ({
  topic: "orders",
  partition,
  count: 0,
  sumCents: 0,
  min: null,
  max: null,
  nextOffset: "0",
  groupId: "g",
  updatedAt: 1,
  ...fields,
});

/** Deliveries of `offsets` of partition `partition` on `ledger`, each price = offset. */
function deliveries(ledger: OffsetLedger, partition: number, offsets: number[]): Delivery[] {
  return offsets.map((offset) => ledgerDelivery(ledger, partition, offset));
}

const position = (ledger: OffsetLedger, partition: number) => ({
  topic: "orders",
  partition,
  offset: String(ledger.nextOffset),
  metadata: ledger.metadata(),
});

const processed = (delivery: Delivery): Settled => ({
  outcome: {
    kind: "processed",
    value: {
      order: { orderId: `ORD-${delivery.record.offset}`, price: Number(delivery.record.offset) },
      attempts: 1,
    },
  },
  delivery,
  startedAt: 0,
  fromRetryTopic: false,
  failedOrder: null,
} as unknown as Settled);

function setUp(stored: StatsSnapshot[]) {
  const starts = createPartitionStarts({
    load: () => Promise.resolve(new Map(stored.map((s) => [`${s.topic}:${s.partition}`, s]))),
  });
  const calls: string[] = [];
  const written: StatsSnapshot[] = [];
  const publisher = createSnapshotPublisher({
    topic: "orders",
    groupId: "g",
    starts,
    now: () => 5,
    write: (records) => {
      for (const r of records) {
        const s = parseStatsSnapshot(r.value);
        written.push(s);
        calls.push(`snapshot ${s.partition}@${s.nextOffset}`);
      }
      return Promise.resolve();
    },
  });
  const commitOffsets = (c: { partition: number; offset: string }) => {
    calls.push(`commit ${c.partition}@${c.offset}`);
    return Promise.resolve();
  };
  const fold = createOutcomeFold(starts.startOf);
  // What the chain does: settle, then fold, in one step.
  const run = async (input: Delivery[]) => {
    // The source stays open while the snapshots load, as a consumer's does.
    const source = concat(from(input), timer(10).pipe(ignoreElements()));
    const passed = await lastValueFrom(source.pipe(starts.skipCovered, toArray()));
    const stats$ = new Subject<ConsumerStats>();
    const last = lastValueFrom(stats$.pipe(publisher.observe, toArray()));
    from(passed).pipe(scan((stats, d) => {
      d.settle();
      return fold(stats, processed(d));
    }, EMPTY_STATS)).subscribe(stats$);
    await last;
    return passed.map((d) => Number(d.record.offset));
  };
  return { starts, publisher, run, calls, written, commitOffsets };
}

Deno.test("the fold skips covered offsets: below nextOffset and settled beyond it", async () => {
  // Covers 0..4 (count 5, prices 0..4) and 7.
  const stored = snapshot(0, {
    count: 6,
    sumCents: 1700,
    min: 0,
    max: 7,
    nextOffset: "5",
    settledBeyond: [[2, 1]],
  });
  const { run, publisher, written, commitOffsets } = setUp([stored]);
  const ledger = new OffsetLedger(3); // the group committed less than the snapshot covers
  const passed = await run(deliveries(ledger, 0, [3, 4, 5, 6, 7, 8, 9]));
  assert.deepEqual(passed, [5, 6, 8, 9]);
  assert.equal(ledger.nextOffset, 10);
  await publisher.commitThrough(position(ledger, 0), commitOffsets);
  const [taken] = written;
  assert.equal(taken.count, 10);
  assert.equal(taken.sumCents, (0 + 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9) * 100);
  assert.equal(taken.nextOffset, "10");
  assert.equal(taken.settledBeyond, undefined);
});

Deno.test("a snapshot carries the settled offsets beyond its prefix, and is written before the offset is committed", async () => {
  const { run, publisher, calls, written, commitOffsets } = setUp([]);
  const ledger = new OffsetLedger(0);
  const out = deliveries(ledger, 1, [0, 1, 2, 3]);
  // 1 is still in flight: only 0, 2 and 3 settle.
  await run([out[0], out[2], out[3]]);
  await publisher.commitThrough(position(ledger, 1), commitOffsets);
  assert.deepEqual(calls, ["snapshot 1@1", "commit 1@1"]);
  assert.deepEqual(written[0].settledBeyond, [[1, 2]]);
  assert.equal(written[0].count, 3);
  // Nothing new: the offset is committed again, the snapshot is not rewritten.
  await publisher.commitThrough(position(ledger, 1), commitOffsets);
  assert.deepEqual(calls, ["snapshot 1@1", "commit 1@1", "commit 1@1"]);
});

Deno.test("a new assignment starts from the latest snapshot, not from what this consumer folded before", async () => {
  const { run, publisher, written, commitOffsets } = setUp([]);
  const first = new OffsetLedger(0);
  await run(deliveries(first, 2, [0, 1, 2]));
  await publisher.commitThrough(position(first, 2), commitOffsets);
  assert.equal(written.at(-1)?.count, 3);
  // The partition comes back after another member counted up to offset 10.
  const again = setUp([
    snapshot(2, { count: 10, sumCents: 4500, min: 0, max: 9, nextOffset: "10" }),
  ]);
  const second = new OffsetLedger(3);
  assert.deepEqual(await again.run(deliveries(second, 2, [3, 9, 10, 11])), [10, 11]);
  await again.publisher.commitThrough(position(second, 2), again.commitOffsets);
  assert.equal(again.written.at(-1)?.count, 12);
  assert.equal(again.written.at(-1)?.sumCents, 4500 + 1000 + 1100);
});

Deno.test("a record of an earlier assignment, settled late, leaves the partition's new state alone", () => {
  const older = { epoch: 1, aggregate: { ...EMPTY_STATS.aggregate } };
  const newer = {
    epoch: 2,
    aggregate: { count: 5, sumCents: 500, sum: 5, average: 1, min: 1, max: 1 },
  };
  const ledgerA = new OffsetLedger(0);
  const ledgerB = new OffsetLedger(0);
  const fold = createOutcomeFold((ledger) => ledger === ledgerA ? older : newer);
  const [a] = deliveries(ledgerA, 0, [0]);
  const [b] = deliveries(ledgerB, 0, [0]);
  const afterNew = fold(EMPTY_STATS, processed(b));
  assert.equal(afterNew.partitions[0].aggregate.count, 6);
  const afterOld = fold(afterNew, processed(a));
  assert.equal(afterOld.partitions[0].aggregate.count, 6);
  assert.equal(afterOld.processed, 2);
});

Deno.test("a snapshot taken before the ledger reaches the loaded one still covers all the loaded one did", async () => {
  // Covers 0..4, 8 and 9; the group's offset was committed at 2, before it.
  const stored = snapshot(0, {
    count: 7,
    sumCents: 700,
    min: 1,
    max: 1,
    nextOffset: "5",
    settledBeyond: [[3, 2]],
  });
  const { run, publisher, written, calls, commitOffsets } = setUp([stored]);
  const ledger = new OffsetLedger(2);
  assert.deepEqual(await run(deliveries(ledger, 0, [2, 3])), []);
  assert.equal(ledger.nextOffset, 4);
  await publisher.commitThrough(position(ledger, 0), commitOffsets);
  assert.equal(written[0].count, 7);
  assert.equal(written[0].nextOffset, "5");
  assert.deepEqual(written[0].settledBeyond, [[3, 2]]);
  assert.deepEqual(calls, ["snapshot 0@5", "commit 0@5"]);
});
