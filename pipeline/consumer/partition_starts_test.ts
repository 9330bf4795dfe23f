import assert from "node:assert/strict";
import { Subject } from "rxjs";
import type { Delivery } from "../kafka/kafka_record.ts";
import { OffsetLedger } from "../kafka/offset_ledger.ts";
import { createPartitionStarts } from "./partition_starts.ts";
import type { StatsSnapshot } from "./stats_snapshot.ts";
import { ledgerDelivery } from "./_test_deliveries.ts";

const snapshot: StatsSnapshot = {
  topic: "orders",
  partition: 1,
  count: 3,
  sumCents: 600,
  min: 1,
  max: 3,
  nextOffset: "3",
  groupId: "g",
  updatedAt: 0,
};

const delivery = ledgerDelivery;

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("a partition's records wait, in order, while its snapshot loads; a failed load is tried again", async () => {
  const errors: unknown[] = [];
  let loads = 0;
  const starts = createPartitionStarts({
    load: () => {
      loads += 1;
      return loads === 1
        ? Promise.reject(new Error("broker away"))
        : Promise.resolve(new Map([["orders:1", snapshot]]));
    },
    onError: (err) => errors.push(err),
    retryMs: 5,
  });
  const source = new Subject<Delivery>();
  const passed: string[] = [];
  source.pipe(starts.skipCovered).subscribe((d) => passed.push(d.record.offset));
  const ledger = new OffsetLedger(0);
  for (const offset of [0, 1, 2, 3, 4]) source.next(delivery(ledger, 1, offset));
  assert.deepEqual(passed, [], "nothing passes before the snapshot is loaded");
  await tick(50);
  assert.equal(errors.length, 1);
  assert.deepEqual(passed, ["3", "4"]);
  assert.equal(ledger.nextOffset, 3, "the covered records are settled");
  assert.equal(starts.startOf(ledger)?.aggregate.count, 3);
  // Once loaded, records pass at once.
  source.next(delivery(ledger, 1, 5));
  assert.deepEqual(passed, ["3", "4", "5"]);
});

Deno.test("a new ledger of a partition is a new assignment: a later epoch, loaded again", async () => {
  let loads = 0;
  const starts = createPartitionStarts({
    load: () => {
      loads += 1;
      return Promise.resolve(new Map());
    },
  });
  const source = new Subject<Delivery>();
  source.pipe(starts.skipCovered).subscribe();
  const first = new OffsetLedger(0);
  source.next(delivery(first, 0, 0));
  await tick();
  const second = new OffsetLedger(0);
  source.next(delivery(second, 0, 0));
  assert.equal(starts.current("orders", 0), undefined, "the old start is no longer current");
  await tick();
  assert.equal(loads, 2);
  assert.ok(starts.startOf(second)!.epoch > starts.startOf(first)!.epoch);
  assert.equal(starts.current("orders", 0)?.ledger, second);
});

Deno.test("an assignment that starts below its snapshot's nextOffset is told once, after its covered records are settled; one at or above it, or without a snapshot, is not", async () => {
  const told: Array<{ partition: number; offset: bigint; nextOffset: bigint; settled: number }> =
    [];
  const ledgers = new Map<number, OffsetLedger>();
  const starts = createPartitionStarts({
    // Partition 1 has the snapshot (nextOffset 3); partition 2 has none.
    load: () => Promise.resolve(new Map([["orders:1", snapshot]])),
    onCoveredStart: ({ topic, partition, offset, nextOffset }) => {
      assert.equal(topic, "orders");
      told.push({ partition, offset, nextOffset, settled: ledgers.get(partition)!.nextOffset });
    },
  });
  const source = new Subject<Delivery>();
  source.pipe(starts.skipCovered).subscribe();
  // Moved back to 1: offsets 1 and 2 are counted already.
  const movedBack = new OffsetLedger(1);
  ledgers.set(1, movedBack);
  for (const offset of [1, 2, 3]) source.next(delivery(movedBack, 1, offset));
  const fresh = new OffsetLedger(0);
  ledgers.set(2, fresh);
  source.next(delivery(fresh, 2, 0));
  await tick();
  assert.deepEqual(told, [{ partition: 1, offset: 1n, nextOffset: 3n, settled: 3 }]);

  // The next assignment of partition 1 starts where its snapshot ends: nothing to tell.
  const atSnapshot = new OffsetLedger(3);
  ledgers.set(1, atSnapshot);
  source.next(delivery(atSnapshot, 1, 3));
  await tick();
  assert.equal(told.length, 1);
});

Deno.test("a covered-start callback that throws holds back no record, of its partition or of one that waited for the next load", async () => {
  const starts = createPartitionStarts({
    // A load takes a while, so a second partition's first record comes during it.
    load: () => tick(5).then(() => new Map([["orders:1", snapshot]])),
    onCoveredStart: () => {
      throw new Error("a caller's bug");
    },
  });
  const rejections: unknown[] = [];
  const onRejection = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    rejections.push(event.reason);
  };
  globalThis.addEventListener("unhandledrejection", onRejection);
  try {
    const source = new Subject<Delivery>();
    const passed: string[] = [];
    source.pipe(starts.skipCovered).subscribe((d) =>
      passed.push(`${d.record.partition}@${d.record.offset}`)
    );
    const movedBack = new OffsetLedger(0);
    for (const offset of [0, 3]) source.next(delivery(movedBack, 1, offset));
    await tick(1);
    source.next(delivery(new OffsetLedger(0), 2, 0));
    await tick(50);
    assert.deepEqual(passed, ["1@3", "2@0"]);
    assert.equal(movedBack.nextOffset, 3, "the covered records are settled");
    assert.equal(rejections.length, 1, "the throw is not swallowed");
  } finally {
    globalThis.removeEventListener("unhandledrejection", onRejection);
  }
});
