import { equal, ok } from "node:assert/strict";
import { topicOffsets } from "../pipeline/kafka/topics.ts";
import { runCrashLoop } from "./_crash_loop.ts";
import { testBrokers } from "./_shared_broker.ts";

// A smaller backlog than the 100,000 (run by hand: see _crash_loop.ts),
// slowed with a small in-flight window so that every kill lands mid-stream.
const ORDERS = 10_000;
const KILLS = 10;
const SLOW = ["--max-in-flight=5"];

Deno.test("after a crash loop the loader takes each partition's latest snapshot, the one that covers it to its end, and the merged snapshots count every order exactly once (at least once)", async () => {
  const brokers = await testBrokers();
  const result = await runCrashLoop({
    brokers,
    label: "crash-loop-alo",
    orders: ORDERS,
    garbage: 12,
    kills: KILLS,
    args: SLOW,
  });
  equal(result.kills, KILLS, "every kill landed mid-stream");
  // The stats topic holds many snapshots per partition, from every run; the
  // last run's final ones are the latest, and only they reach the end.
  for (const { partition, high } of await topicOffsets(brokers, result.topics.orders)) {
    const snapshot = result.snapshots.get(`${result.topics.orders}:${partition}`);
    ok(snapshot, `partition ${partition} has a snapshot`);
    equal(
      snapshot.nextOffset,
      String(high),
      `partition ${partition}: the latest snapshot is loaded`,
    );
  }
  const snapshotsWritten = (await topicOffsets(brokers, result.topics.stats))[0].high;
  ok(snapshotsWritten > 3n, `several snapshots per partition to choose from (${snapshotsWritten})`);
  equal(result.snapshotCount, result.orders, "every order counted once");
  equal(result.snapshotCents, result.expectedCents, "the sum is exact");
  equal(result.distinctDeadLetters, result.garbage, "every garbage record was dead-lettered");
});

Deno.test("after a crash loop in exactly-once mode the merged snapshots count every order once and the DLQ holds each garbage record once", async () => {
  const brokers = await testBrokers();
  const result = await runCrashLoop({
    brokers,
    label: "crash-loop-eos",
    orders: ORDERS,
    garbage: 12,
    kills: KILLS,
    args: [...SLOW, "--exactly-once"],
  });
  equal(result.kills, KILLS, "every kill landed mid-stream");
  equal(result.snapshotCount, result.orders, "every order counted once");
  equal(result.snapshotCents, result.expectedCents, "the sum is exact");
  equal(result.deadLetters, result.garbage, "no dead letter twice (read committed)");
  equal(result.distinctDeadLetters, result.garbage, "every garbage record was dead-lettered");
});
