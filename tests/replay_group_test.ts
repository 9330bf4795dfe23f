// A replay back to the orders topic is for the group that dead-lettered the
// order; every other group that reads the topic had its own outcome for it
// the first time, and passes the replay over.
import assert from "node:assert/strict";
import type { ConsumeOrdersOptions } from "../pipeline/consumer/order_consumer.ts";
import { replay } from "../pipeline/cli/_dlq_replay.ts";
import { topicSpecs } from "../pipeline/config.ts";
import { committedOffsets, ensureTopics } from "../pipeline/kafka/topics.ts";
import { writeRecords } from "./_kafka_helpers.ts";
import { headerText, orderRecord, readAll, until } from "./_orders.ts";
import { COMMIT_MODES, consumeRecorded, setUp, type TestTopics } from "./_recorded_consumer.ts";

// `dlq replay` of every letter, as progress group `group`, to `to` or each letter's topic.
async function replayAll({ brokers, dlq }: TestTopics, group: string, to?: string) {
  const lines: string[] = [];
  const summary = await replay({
    brokers,
    dlqTopic: dlq,
    group,
    filter: {},
    to,
    maxReplays: 3,
    dryRun: false,
    json: false,
    signal: new AbortController().signal,
    write: (line) => lines.push(line),
  });
  return { summary, lines };
}

for (const { mode, more } of COMMIT_MODES) {
  Deno.test(`${mode}: a replay for another group is passed over and committed, never processed; one for this group is processed`, async () => {
    const setup = await setUp("replay-for");
    await replaysAddressed(setup, more(setup.stats));
  });
}

async function replaysAddressed(setup: TestTopics, more: Partial<ConsumeOrdersOptions>) {
  const { brokers, orders, group } = setup;
  const replayFor = (orderId: string, partition: number, replayGroup: string | Uint8Array) => {
    const record = orderRecord(orderId, 5, partition);
    return { ...record, headers: { ...record.headers, "x-replay-group": replayGroup } };
  };
  await writeRecords(brokers, orders, [
    orderRecord("FIRST", 20, 0),
    replayFor("FOR-BILLING", 1, `${group}-billing`),
    replayFor("FOR-US", 2, group),
    // A header that names no group (empty, or not UTF-8) is as if absent: for every group.
    replayFor("EMPTY-NAME", 0, ""),
    replayFor("NOT-UTF8", 1, new Uint8Array([0xff, 0xfe])),
  ]);
  const told: string[] = [];
  const { outcomes, stop } = consumeRecorded(setup, {
    ...more,
    onForeignReplays: (other) => told.push(other),
  });
  const processed = (id: string) => outcomes.some((o) => o.orderId === id);
  await until(
    () => ["FIRST", "FOR-US", "EMPTY-NAME", "NOT-UTF8"].every(processed),
    "FIRST, FOR-US and the replays that name no group processed",
  );
  // The other group's replay is settled at once, not processed: the commit moves past it.
  await until(async () => {
    const committed = await committedOffsets(brokers, group, orders);
    return [2n, 2n, 1n].every((offset, p) => committed.get(p) === offset);
  }, "the group's offsets past every record");
  const stats = await stop();

  const settled = outcomes.filter((o) => o.outcome !== "passed-over");
  assert.deepEqual(settled.map((o) => [o.orderId, o.outcome]).sort(), [
    ["EMPTY-NAME", "processed"],
    ["FIRST", "processed"],
    ["FOR-US", "processed"],
    ["NOT-UTF8", "processed"],
  ]);
  // The replay left to the other group has its line in the audit trail.
  const passedOver = outcomes.filter((o) => o.outcome === "passed-over");
  assert.deepEqual(passedOver.map((o) => [o.partition, o.correlationId, o.belongsTo]), [
    [1, "corr-FOR-BILLING", { group: `${group}-billing`, topic: null }],
  ]);
  assert.equal(stats.processed, 4);
  assert.equal(stats.aggregate.sum, 35);
  assert.deepEqual(told, [`${group}-billing`]);
}

Deno.test("dlq replay of one group's dead letter reaches only that group: a second group on the topic counts the order once; a replay --to another topic is for every reader", async () => {
  const setup = await setUp("replay-two-groups");
  const { brokers, orders, dlq, group } = setup;
  const audit = `${group}-audit`;
  await writeRecords(brokers, orders, [orderRecord("F-1", 100, 0), orderRecord("OK-1", 10, 1)]);

  // The group fails F-1 until its fault clears; the audit group processes everything.
  let faultOn = true;
  const failing = consumeRecorded(setup, {
    maxRetries: 1,
    backoffMs: 20,
    maxRetryRounds: 0,
    isFaulty: (order) => faultOn && order.orderId === "F-1",
  });
  const told: string[] = [];
  const auditing = consumeRecorded(setup, {
    groupId: audit,
    onForeignReplays: (other) => told.push(other),
  });
  const count = (outcomes: { outcome: string }[], outcome: string) =>
    outcomes.filter((o) => o.outcome === outcome).length;
  try {
    await until(
      () =>
        count(failing.outcomes, "dead-lettered") === 1 &&
        count(failing.outcomes, "processed") === 1 &&
        count(auditing.outcomes, "processed") === 2,
      "F-1 dead-lettered by the group, processed by the audit group",
    );
    faultOn = false;

    const { summary: sent, lines } = await replayAll(setup, `${dlq}-replay`);
    assert.equal(sent.sent, 1);
    assert.match(
      lines[0],
      new RegExp(`^sent  0:0 -> ${orders} \\(for group ${group}\\)  order F-1`),
    );
    await until(() => count(failing.outcomes, "processed") === 2, "the replay processed");
    // The audit group settles the replay without an outcome, and commits past it (the
    // key chose the replay's partition): its offsets cover the topic's three records.
    await until(async () => {
      const committed = await committedOffsets(brokers, audit, orders);
      return [...committed.values()].reduce((sum, o) => sum + (o > 0n ? o : 0n), 0n) === 3n;
    }, "the audit group's offsets past the replay");
    assert.equal(count(auditing.outcomes, "processed"), 2);
    assert.equal(count(auditing.outcomes, "passed-over"), 1);
    assert.deepEqual(told, [group]);
  } finally {
    const [ours, theirs] = await Promise.all([failing.stop(), auditing.stop()]);
    // Each group counts each order once: 100 + 10.
    assert.deepEqual([ours.processed, ours.aggregate.sum], [2, 110]);
    assert.deepEqual([theirs.processed, theirs.aggregate.sum], [2, 110]);
  }
  const replayed = (await readAll(brokers, orders)).filter((r) => headerText(r, "x-replay-count"));
  assert.deepEqual(replayed.map((r) => headerText(r, "x-replay-group")), [group]);

  // Another topic's readers are not the group's: a replay there names no group.
  const staging = `${orders}-staging`;
  await ensureTopics(brokers, topicSpecs({ orders: staging }));
  const { summary: elsewhere, lines: linesThere } = await replayAll(
    setup,
    `${dlq}-replay-staging`,
    staging,
  );
  assert.equal(elsewhere.sent, 1);
  assert.match(linesThere[0], new RegExp(`-> ${staging} \\(for every group\\)  order F-1`));
  const [onStaging] = await readAll(brokers, staging);
  assert.equal(headerText(onStaging, "x-replay-group"), undefined);
  assert.equal(headerText(onStaging, "x-replay-count"), "1");
  assert.equal(headerText(onStaging, "x-correlation-id"), "corr-F-1");
});
