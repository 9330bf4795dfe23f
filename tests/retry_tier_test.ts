import assert from "node:assert/strict";
import type { ConsumeOrdersOptions, RetryOwner } from "../pipeline/consumer/order_consumer.ts";
import { decodeDeadLetter } from "../pipeline/dead_letter/decode_dead_letter.ts";
import { committedOffsets } from "../pipeline/kafka/topics.ts";
import { mergeAggregates } from "../pipeline/operators/aggregate.ts";
import {
  parseStatsSnapshot,
  snapshotAggregate,
  type StatsSnapshot,
} from "../pipeline/consumer/stats_snapshot.ts";
import { buildRetryRecord } from "../pipeline/retry/build_retry_record.ts";
import { readRetryContext } from "../pipeline/retry/read_retry_context.ts";
import { headerText, orderRecord, readAll, until } from "./_orders.ts";
import { writeRecords } from "./_kafka_helpers.ts";
import { COMMIT_MODES, consumeRecorded, setUp, type TestTopics } from "./_recorded_consumer.ts";

Deno.test("a transient fault longer than the in-process retries goes through the retry topic and is processed once it clears, while other partitions flow", async () => {
  const setup = await setUp("retry-clears");
  const { brokers, orders, retry, stats, group } = setup;
  // A record far from due on retry partition 2: its wait must hold back only that partition.
  const later = buildRetryRecord({
    context: readRetryContext({
      topic: orders,
      partition: 2,
      offset: "999",
      timestamp: String(Date.now()),
      key: null,
      value: orderRecord("LATER", 1, 2).value,
      headers: {},
    }),
    groupId: group,
    attempts: 1,
    failedAt: Date.now(),
    delayMs: 10 * 60_000,
    errorClass: "transient",
    errorCode: "DOWNSTREAM_FAILED",
  });
  await writeRecords(brokers, retry, [later]);
  await writeRecords(brokers, orders, [
    orderRecord("SLOW", 10, 0),
    orderRecord("A0", 20, 0),
    orderRecord("B1", 30, 1),
    orderRecord("C2", 40, 2),
  ]);

  let faultOn = true;
  const { outcomes, stop } = consumeRecorded(setup, {
    statsTopic: stats,
    retryDelayMs: 800,
    maxRetryRounds: 3,
    maxRetries: 2,
    backoffMs: 20,
    isFaulty: (order) => faultOn && order.orderId === "SLOW",
    // The fault outlasts the main topic's retries and the first retry round.
    onOutcome: (report) => {
      if (report.outcome !== "processed" && report.round === 1) faultOn = false;
    },
  });
  const processed = (id: string) =>
    outcomes.find((o) => o.outcome === "processed" && o.orderId === id);

  await until(() => processed("SLOW") !== undefined, "SLOW to be processed from the retry topic");
  // Meanwhile, with SLOW waiting on the retry topic, new orders keep flowing.
  await writeRecords(brokers, orders, [orderRecord("B1-late", 50, 1)]);
  await until(() => processed("B1-late") !== undefined, "a later order on partition 1");
  const last = await stop();

  const slowIndex = outcomes.indexOf(processed("SLOW")!);
  for (const id of ["A0", "B1", "C2"]) {
    assert.ok(outcomes.indexOf(processed(id)!) < slowIndex, `${id} was not held back by SLOW`);
  }
  const scheduled = outcomes.filter((o) => o.outcome === "retry-scheduled");
  assert.deepEqual(scheduled.map((o) => [o.topic, o.round, o.attempts]), [
    [orders, 0, 3],
    [retry, 1, 6],
  ]);
  assert.deepEqual(
    [processed("SLOW")!.topic, processed("SLOW")!.round, processed("SLOW")!.attempts],
    [retry, 2, 7],
  );
  assert.equal(processed("SLOW")!.correlationId, "corr-SLOW");
  assert.equal(processed("LATER"), undefined, "a record not yet due is not processed");
  assert.equal(last?.processed, 5);
  assert.equal(last?.sentToRetry, 2);
  assert.equal(last?.deadLettered, 0);
  assert.equal(last?.aggregate.sum, 10 + 20 + 30 + 40 + 50);

  // The snapshots the dashboard merges include SLOW, which succeeded on the retry topic.
  const latest = new Map<string, StatsSnapshot>();
  for (const r of await readAll(brokers, stats)) {
    const snapshot = parseStatsSnapshot(r.value);
    latest.set(`${snapshot.topic}:${snapshot.partition}`, snapshot);
  }
  assert.equal(latest.get(`${retry}:0`)?.sumCents, 1000, "SLOW is in the retry topic's snapshot");
  const merged = mergeAggregates(...[...latest.values()].map(snapshotAggregate));
  assert.deepEqual([merged.count, merged.sum], [5, 150]);

  // The retry records carry the contract headers, the correlation id unchanged.
  const retryRecords = await readAll(brokers, retry);
  const rounds = retryRecords.filter((r) => r.partition === 0);
  assert.deepEqual(rounds.map((r) => headerText(r, "x-retry-round")), ["1", "2"]);
  assert.deepEqual(rounds.map((r) => headerText(r, "x-correlation-id")), [
    "corr-SLOW",
    "corr-SLOW",
  ]);
  assert.deepEqual(rounds.map((r) => headerText(r, "x-original-offset")), ["0", "0"]);
  // Settled retry records are committed; the one not yet due is not.
  const committed = await committedOffsets(brokers, `${group}-retry`, retry);
  assert.equal(committed.get(0), 2n);
  assert.ok((committed.get(2) ?? -1n) <= 0n);
});

Deno.test("a fault that never clears ends in the DLQ after the configured rounds, with every attempt counted", async () => {
  const setup = await setUp("retry-never");
  const { brokers, orders, dlq } = setup;
  await writeRecords(brokers, orders, [orderRecord("DOOMED", 10, 1), orderRecord("FINE", 20, 1)]);
  const poison = {
    value: new Uint8Array([0xff, 0xff]),
    partition: 2,
    headers: { "x-correlation-id": "corr-poison" },
  };
  await writeRecords(brokers, orders, [poison]);
  const { outcomes, stop } = consumeRecorded(setup, {
    maxRetryRounds: 2,
    maxRetries: 1,
    backoffMs: 20,
    isFaulty: (order) => order.orderId === "DOOMED",
  });
  await until(
    () => outcomes.filter((o) => o.outcome === "dead-lettered").length === 2,
    "DOOMED and the poison message in the DLQ",
  );
  const stats = await stop();

  assert.equal(stats.sentToRetry, 2);
  assert.equal(stats.deadLettered, 2);
  assert.deepEqual(stats.deadLetteredByClass, { poison: 1, permanent: 0, transient: 1 });
  const letters = (await readAll(brokers, dlq)).map((r) => ({
    r,
    letter: decodeDeadLetter(r.value),
  }));
  const doomed = letters.find(({ letter }) => letter.orderId === "DOOMED");
  assert.ok(doomed);
  // Three rounds (main, retry 1, retry 2) of two attempts each.
  assert.equal(doomed.letter.attempts, 6);
  assert.equal(headerText(doomed.r, "x-attempts"), "6");
  assert.equal(doomed.letter.stage, "retry");
  assert.equal(doomed.letter.errorClass, "transient");
  assert.equal(doomed.letter.errorCode, "DOWNSTREAM_FAILED");
  assert.equal(doomed.letter.correlationId, "corr-DOOMED");
  assert.equal(headerText(doomed.r, "x-correlation-id"), "corr-DOOMED");
  assert.deepEqual(
    [doomed.letter.originalTopic, doomed.letter.originalPartition, doomed.letter.originalOffset],
    [orders, 1, 0],
  );
  // The envelope keeps the original headers only, ready for a byte-for-byte replay.
  assert.deepEqual(Object.keys(doomed.letter.originalHeaders), ["x-correlation-id"]);
  assert.ok(doomed.letter.lastFailureTime >= doomed.letter.firstFailureTime);
  const poisoned = letters.find(({ letter }) => letter.errorClass === "poison");
  assert.equal(poisoned?.letter.stage, "decode");
  assert.equal(poisoned?.letter.attempts, 0);
  assert.ok(outcomes.some((o) => o.outcome === "processed" && o.orderId === "FINE"));
});

for (const { mode, more } of COMMIT_MODES) {
  Deno.test(`${mode}: groups that share a retry topic each take only their own rounds: another group's record is passed over and committed, never processed`, async () => {
    const setup = await setUp("retry-shared");
    await sharedRetryTopic(setup, more(setup.stats));
  });
}

async function sharedRetryTopic(
  setup: TestTopics,
  more: Partial<ConsumeOrdersOptions>,
) {
  const { brokers, orders, retry, group } = setup;
  // One round of another group, one of this group from another topic (due only in ten
  // minutes: it must hold nothing back), and one of ours; the others are due now.
  const round = (orderId: string, partition: number, groupId: string, from = orders, delayMs = 0) =>
    buildRetryRecord({
      context: readRetryContext({
        topic: from,
        partition,
        offset: "7",
        timestamp: String(Date.now()),
        key: null,
        value: orderRecord(orderId, 5, partition).value,
        headers: {},
      }),
      groupId,
      attempts: 1,
      failedAt: Date.now(),
      delayMs,
      errorClass: "transient",
      errorCode: "DOWNSTREAM_FAILED",
    });
  await writeRecords(brokers, retry, [
    round("OTHER-GROUP", 0, `${group}-billing`),
    round("OTHER-TOPIC", 1, group, `${orders}-refunds`, 10 * 60_000),
    round("OURS", 2, group),
  ]);
  // A record of the main topic is ours whatever its headers say.
  const a0 = orderRecord("A0", 20, 0);
  await writeRecords(brokers, orders, [
    { ...a0, headers: { ...a0.headers, "x-retry-group": `${group}-billing` } },
  ]);
  const told: RetryOwner[] = [];
  const { outcomes, stop } = consumeRecorded(setup, {
    ...more,
    onForeignRounds: (owner) => told.push(owner),
  });
  const processed = (id: string) => outcomes.some((o) => o.orderId === id);
  await until(() => processed("OURS") && processed("A0"), "OURS and A0 processed");
  // The others' records are settled at once without an outcome: the commit moves past them.
  await until(async () => {
    const committed = await committedOffsets(brokers, `${group}-retry`, retry);
    return [0, 1, 2].every((p) => committed.get(p) === 1n);
  }, "the retry group's offsets past every record");
  const stats = await stop();

  const settled = outcomes.filter((o) => o.outcome !== "passed-over");
  assert.deepEqual(settled.map((o) => [o.orderId, o.topic, o.outcome]).sort(), [
    ["A0", orders, "processed"],
    ["OURS", retry, "processed"],
  ]);
  // Each record left to its owner has its line in the audit trail.
  const passedOver = outcomes.filter((o) => o.outcome === "passed-over")
    .sort((a, b) => a.partition - b.partition);
  assert.deepEqual(passedOver.map((o) => [o.topic, o.partition, o.round, o.belongsTo]), [
    [retry, 0, 1, { group: `${group}-billing`, topic: orders }],
    [retry, 1, 1, { group, topic: `${orders}-refunds` }],
  ]);
  assert.equal(stats.processed, 2);
  assert.equal(stats.aggregate.sum, 25);
  // Each owner passed over is told once (in the order its partition came).
  const byTopic = (a: RetryOwner, b: RetryOwner) => String(a.topic).localeCompare(String(b.topic));
  assert.deepEqual(
    told.sort(byTopic),
    [{ group: `${group}-billing`, topic: orders }, { group, topic: `${orders}-refunds` }]
      .sort(byTopic),
  );
}
