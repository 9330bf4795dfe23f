// kafkajs does not restart a consumer whose group coordinator no broker
// named; the source runs it again, for a bounded time. A broker whose offsets
// topic wants three replicas of its one node never has a coordinator: each
// run of the consumer ends that way, until the patience runs out.
import assert from "node:assert/strict";
import { lastValueFrom } from "rxjs";
import { fromKafka } from "../pipeline/kafka/from_kafka.ts";
import { committedOffsets, ensureTopics } from "../pipeline/kafka/topics.ts";
import { startOwnBroker } from "./_own_broker.ts";

Deno.test("a consumer whose group coordinator no broker names is run again, says so once, and ends in one line when its patience runs out", async () => {
  const dir = await Deno.makeTempDir({ prefix: "coordinator-" });
  const broker = await startOwnBroker({
    dir,
    settings: { "offsets.topic.replication.factor": "3" },
  });
  try {
    const brokers = [broker.brokers];
    await ensureTopics(brokers, [{ name: "coordinator-orders", partitions: 1 }]);
    const patienceMs = 12_000;
    const told: [string, number][] = [];
    const started = Date.now();
    const ended = await lastValueFrom(
      fromKafka({
        brokers,
        groupId: "coordinator-group",
        topics: ["coordinator-orders"],
        coordinatorPatienceMs: patienceMs,
        onCoordinatorWait: (group, patience) => told.push([group, patience]),
      }),
    ).then(() => undefined, (err: unknown) => err);
    const elapsed = Date.now() - started;
    assert.ok(ended instanceof Error, String(ended));
    assert.match(
      ended.message,
      /^No broker named a group coordinator for coordinator-group in 12 s \(a broker still loading its groups, or a group this user may not use\): /,
    );
    // The first crash comes after kafkajs's own retries; the consumer was run
    // again for the patience after it, so the end comes later than both.
    assert.ok(elapsed > patienceMs, `ended after ${elapsed} ms`);
    // The wait was told once, as it began: the group never joined in between.
    assert.deepEqual(told, [["coordinator-group", patienceMs]]);
    // Where the group stands, asked before a consumer starts, is one such line at once.
    await assert.rejects(
      committedOffsets(brokers, "coordinator-group", "coordinator-orders"),
      /^BrokerError: No broker named a group coordinator for coordinator-group \(a broker still loading/,
    );
  } finally {
    await broker.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
