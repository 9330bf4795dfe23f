import assert from "node:assert/strict";
import { writeRecords } from "./_kafka_helpers.ts";
import { orderRecord, readAll, until } from "./_orders.ts";
import { consumeRecorded, setUp } from "./_recorded_consumer.ts";

const PARTITIONS = [0, 1, 2];

Deno.test("a member that loses a partition while an order of it waits in backoff neither routes nor counts that order: the new owner does, once", async () => {
  const setup = await setUp("handover");
  const { brokers, orders, dlq } = setup;
  // Per partition one order that the first member cannot process, then ten it can.
  const records = PARTITIONS.flatMap((p) => [
    orderRecord(`STUCK-${p}`, 100 + p, p),
    ...Array.from({ length: 10 }, (_, i) => orderRecord(`P${p}-${i}`, 1 + i, p)),
  ]);
  await writeRecords(brokers, orders, records);

  // The first member retries each STUCK order about ten seconds (twenty
  // retries, a jittered second apart) and then dead-letters it: the second
  // member joins and takes partitions while they wait.
  let ownedByA: number[] = [];
  const a = consumeRecorded(setup, {
    isFaulty: (order) => order.orderId.startsWith("STUCK"),
    maxRetries: 20,
    backoffMs: 1000,
    maxBackoffMs: 1000,
    maxRetryRounds: 0,
    sessionTimeoutMs: 6000,
    onAssignment: (partitions) => ownedByA = partitions,
  });
  await until(
    () => a.outcomes.filter((o) => o.outcome === "processed").length === 30,
    "the first member to process every order it can",
  );
  const b = consumeRecorded(setup, { sessionTimeoutMs: 6000 });
  await until(
    () => b.outcomes.some((o) => o.outcome === "processed" && o.orderId?.startsWith("STUCK")),
    "the second member to take over a partition with a STUCK order",
  );
  assert.ok(ownedByA.length < PARTITIONS.length, "the first member lost a partition");
  const lost = PARTITIONS.filter((p) => !ownedByA.includes(p));
  // The first member ends each STUCK order: dead-lettered where it still owns
  // the partition, handed over where it does not.
  const endedInA = () =>
    a.outcomes.filter((o) => o.outcome === "dead-lettered" || o.outcome === "handed-over");
  await until(
    () => endedInA().length === PARTITIONS.length,
    "the first member's STUCK orders to end",
    60_000,
  );
  const statsA = await a.stop();
  const statsB = await b.stop();

  // Every order has exactly one outcome over both members.
  const outcomes = [...a.outcomes, ...b.outcomes].filter((o) => o.outcome !== "handed-over");
  const byOrder = new Map<string, string[]>();
  for (const o of outcomes) {
    byOrder.set(o.orderId!, [...(byOrder.get(o.orderId!) ?? []), o.outcome]);
  }
  assert.equal(byOrder.size, records.length);
  for (const [orderId, ends] of byOrder) {
    assert.equal(ends.length, 1, `${orderId} has ${ends.length} outcomes: ${ends.join(", ")}`);
  }
  const handedOver = a.outcomes.filter((o) => o.outcome === "handed-over");
  assert.deepEqual(
    handedOver.map((o) => o.partition).sort(),
    lost,
    "each lost partition's waiting order was handed over",
  );
  assert.ok(handedOver.every((o) => o.orderId === null && o.attempts === 0));
  for (const p of lost) assert.deepEqual(byOrder.get(`STUCK-${p}`), ["processed"]);
  for (const p of ownedByA) assert.deepEqual(byOrder.get(`STUCK-${p}`), ["dead-lettered"]);
  // The counts and the DLQ agree: nothing counted twice, nothing written for a lost partition.
  assert.equal(statsA.processed + statsB.processed, records.length - ownedByA.length);
  assert.equal(statsA.deadLettered + statsB.deadLettered, ownedByA.length);
  assert.equal((await readAll(brokers, dlq)).length, ownedByA.length);
});
