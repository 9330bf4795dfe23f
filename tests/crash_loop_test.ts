import { equal, ok } from "node:assert/strict";
import { topicOffsets } from "../pipeline/kafka/topics.ts";
import { runCrashLoop } from "./_crash_loop.ts";
import { testBrokers } from "./_shared_broker.ts";

Deno.test("after a crash loop the loader takes each partition's latest snapshot, the one that covers it to its end, and no message was lost", async () => {
  const brokers = await testBrokers();
  const result = await runCrashLoop({
    brokers,
    label: "crash-loop-loader",
    orders: 4_000,
    garbage: 12,
    kills: 3,
  });
  equal(result.kills, 3, "every kill landed mid-stream");
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
  equal(result.distinctDeadLetters, result.garbage, "every garbage record was dead-lettered");
});
