import assert from "node:assert/strict";
import { lastValueFrom } from "rxjs";
import { topicSpecs } from "../pipeline/config.ts";
import { consumeOrders, type OutcomeReport } from "../pipeline/consumer/order_consumer.ts";
import type { ConsumerStats } from "../pipeline/consumer/consumer_stats.ts";
import { buildDeadLetter } from "../pipeline/dead_letter/dead_letter.ts";
import { TransientError } from "../pipeline/errors.ts";
import { ensureTopics } from "../pipeline/kafka/topics.ts";
import { replay, type ReplaySummary } from "../pipeline/cli/_dlq_replay.ts";
import { testBrokers, uniqueTopic } from "./_shared_broker.ts";
import { headerText, orderRecord, readAll, until } from "./_orders.ts";
import { writeRecords } from "./_kafka_helpers.ts";

async function setUp(label: string) {
  const brokers = await testBrokers();
  const topic = uniqueTopic(label);
  const topics = { orders: topic, dlq: `${topic}-dlq` };
  await ensureTopics(brokers, topicSpecs(topics));
  return { brokers, ...topics, group: `${topic}-group` };
}

function runReplay(
  brokers: string[],
  dlqTopic: string,
  group: string,
  extra: { dryRun?: boolean; maxReplays?: number } = {},
): Promise<ReplaySummary> {
  return replay({
    brokers,
    dlqTopic,
    group,
    filter: {},
    maxReplays: extra.maxReplays ?? 3,
    dryRun: extra.dryRun ?? false,
    json: true,
    signal: new AbortController().signal,
    write: () => {},
  });
}

async function dlqCli(brokers: string[], args: string[]): Promise<string[]> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "pipeline/cli/dlq.ts", ...args, "--brokers", brokers.join(",")],
    stdin: "null",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return new TextDecoder().decode(stdout).trim().split("\n").filter(Boolean);
}

Deno.test("dlq replay sends dead letters back once the fault is gone: processed, averaged, never twice", async () => {
  const { brokers, orders, dlq, group } = await setUp("replay-trip");
  await writeRecords(brokers, orders, [
    orderRecord("OK-1", 10, 0),
    orderRecord("F-1", 100, 1),
    orderRecord("F-2", 200, 2),
  ]);
  let faultOn = true;
  const outcomes: OutcomeReport[] = [];
  let latest: ConsumerStats | undefined;
  const controller = new AbortController();
  const done = lastValueFrom(
    consumeOrders({
      brokers,
      topic: orders,
      groupId: group,
      dlqTopic: dlq,
      maxRetries: 1,
      backoffMs: 20,
      failRate: 0,
      fromBeginning: true,
      signal: controller.signal,
      isFaulty: (order) => faultOn && order.orderId.startsWith("F-"),
      onOutcome: (report) => outcomes.push(report),
    }),
    { defaultValue: undefined },
  );
  const processedIds = () =>
    outcomes.filter((o) => o.outcome === "processed").map((o) => o.orderId);
  const deadCount = () => outcomes.filter((o) => o.outcome === "dead-lettered").length;
  try {
    await until(() => deadCount() === 2 && processedIds().length === 1, "F-1, F-2 dead-lettered");
    faultOn = false;

    const dry = await runReplay(brokers, dlq, `${dlq}-replay`, { dryRun: true });
    assert.deepEqual([dry.sent, dry.parked], [2, 0]);
    assert.equal((await readAll(brokers, orders)).length, 3, "--dry-run sends nothing");

    const first = await runReplay(brokers, dlq, `${dlq}-replay`);
    assert.deepEqual([first.sent, first.parked, first.complete], [2, 0, true]);
    await until(() => processedIds().length === 3, "the replayed orders to be processed");
    const replayed = outcomes.filter((o) =>
      o.outcome === "processed" && o.orderId?.startsWith("F-")
    );
    assert.deepEqual(replayed.map((o) => o.correlationId).sort(), ["corr-F-1", "corr-F-2"]);

    const second = await runReplay(brokers, dlq, `${dlq}-replay`);
    assert.equal(second.sent, 0, "a second replay sends nothing");

    // Replayed records carry the original key, value and headers, and the replay count.
    const onMain = await readAll(brokers, orders);
    assert.equal(onMain.length, 5);
    const again = onMain.filter((r) => headerText(r, "x-replay-count") === "1");
    const originals = onMain.filter((r) => headerText(r, "x-replay-count") === undefined);
    assert.equal(again.length, 2);
    for (const record of again) {
      const original = originals.find((o) =>
        headerText(o, "x-correlation-id") === headerText(record, "x-correlation-id")
      );
      assert.ok(original);
      assert.deepEqual([...record.value!], [...original.value!]);
      assert.deepEqual([...record.key!], [...original.key!]);
    }

    // Fail them again: a letter replayed --max-replays times is parked, not sent.
    faultOn = true;
    await writeRecords(brokers, orders, [orderRecord("OK-2", 20, 0)]);
    const resend = await runReplay(brokers, dlq, `${dlq}-second`, { maxReplays: 1 });
    assert.equal(resend.sent, 2, "the first two letters, replayed 0 times, go again");
    await until(() => deadCount() === 4, "the replays to fail again");
    const parked = await runReplay(brokers, dlq, `${dlq}-second`, { maxReplays: 1 });
    assert.deepEqual([parked.sent, parked.parked], [0, 2]);
  } finally {
    controller.abort();
    latest = await done;
  }
  assert.equal(latest?.processed, 4);
  // The running average includes the replayed orders: (10 + 100 + 200 + 20) / 4.
  assert.equal(latest?.aggregate.sum, 330);
  assert.equal(latest?.aggregate.average, 82.5);
});

Deno.test("dlq inspect and stats agree with what was dead-lettered", async () => {
  const { brokers, orders, dlq, group } = await setUp("inspect-stats");
  await writeRecords(brokers, orders, [
    { value: new Uint8Array([0xff]), partition: 0, headers: { "x-correlation-id": "corr-poison" } },
    orderRecord("NEG", -5, 1),
    orderRecord("SLOW", 5, 2),
    orderRecord("FINE", 5, 2),
  ]);
  const controller = new AbortController();
  const outcomes: OutcomeReport[] = [];
  const done = lastValueFrom(
    consumeOrders({
      brokers,
      topic: orders,
      groupId: group,
      dlqTopic: dlq,
      maxRetries: 1,
      backoffMs: 20,
      failRate: 0,
      fromBeginning: true,
      signal: controller.signal,
      isFaulty: (order) => order.orderId === "SLOW",
      onOutcome: (report) => outcomes.push(report),
    }),
  );
  await until(() => outcomes.length === 4, "every message to reach an outcome");
  controller.abort();
  await done;

  const [statsLine] = await dlqCli(brokers, ["stats", "--dlq-topic", dlq, "--json"]);
  const stats = JSON.parse(statsLine);
  assert.equal(stats.total, 3);
  assert.deepEqual(stats.byClass, { poison: 1, permanent: 1, transient: 1 });
  assert.deepEqual(stats.byStage, { decode: 1, validate: 1, process: 1 });
  assert.equal(stats.byCode.PROCESSING_TIMEOUT ?? stats.byCode.DOWNSTREAM_FAILED, 1);
  assert.equal(stats.lastHour, 3);

  const lines = await dlqCli(brokers, ["inspect", "--dlq-topic", dlq, "--json"]);
  const entries = lines.map((line) => JSON.parse(line));
  assert.deepEqual(
    entries.map((e) => e.correlationId).sort(),
    ["corr-NEG", "corr-SLOW", "corr-poison"],
  );
  const slow = entries.find((e) => e.correlationId === "corr-SLOW");
  assert.equal(slow.envelope.attempts, 2);
  assert.equal(slow.headers["x-error-class"], "transient");
  const transientOnly = await dlqCli(brokers, [
    "inspect",
    "--dlq-topic",
    dlq,
    "--json",
    "--error-class",
    "transient",
  ]);
  assert.equal(transientOnly.length, 1);
  const table = await dlqCli(brokers, ["inspect", "--dlq-topic", dlq, "--limit", "2"]);
  assert.equal(table.filter((l) => l.includes("headers:")).length, 2);
  assert.match(table[0], /CORRELATION-ID/);
});

Deno.test("dlq replay killed midway and run again sends every letter exactly once", async () => {
  const { brokers, dlq } = await setUp("replay-kill");
  const target = uniqueTopic("replay-target");
  await ensureTopics(brokers, [{ name: target, partitions: 1 }]);
  const count = 10;
  const letters = Array.from({ length: count }, (_, i) =>
    buildDeadLetter({
      record: {
        topic: "orders",
        partition: 0,
        offset: String(i),
        timestamp: String(Date.now()),
        key: new TextEncoder().encode(`K-${i}`),
        value: new Uint8Array([i]),
        headers: { "x-correlation-id": new TextEncoder().encode(`corr-${i}`) },
      },
      error: new TransientError("down"),
      stage: "process",
      attempts: 4,
      firstFailureTime: Date.now(),
      lastFailureTime: Date.now(),
      consumerGroup: "g",
    }));
  await writeRecords(brokers, dlq, letters);
  const args = [
    "run",
    "-A",
    "pipeline/cli/dlq.ts",
    "replay",
    "--brokers",
    brokers.join(","),
    "--dlq-topic",
    dlq,
    "--to",
    target,
    "--group",
    `${dlq}-replay`,
  ];
  const child = new Deno.Command(Deno.execPath(), {
    args: [...args, "--rate", "4/s"],
    stdout: "piped",
    stderr: "null",
    stdin: "null",
  }).spawn();
  let seen = "";
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  while ((seen.match(/^sent /gm) ?? []).length < 3) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += value;
  }
  child.kill("SIGKILL");
  await child.status;
  await reader.cancel().catch(() => {});
  assert.ok((seen.match(/^sent /gm) ?? []).length >= 3, "killed while sending");

  const rerun = await new Deno.Command(Deno.execPath(), { args, stdin: "null" }).output();
  assert.equal(rerun.code, 0, new TextDecoder().decode(rerun.stderr));
  const sent = await readAll(brokers, target);
  const ids = sent.map((r) => headerText(r, "x-correlation-id")).sort();
  assert.deepEqual(ids, Array.from({ length: count }, (_, i) => `corr-${i}`).sort());
  assert.ok(sent.every((r) => headerText(r, "x-replay-count") === "1"));
});
