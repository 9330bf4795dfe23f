import { deepEqual, equal, ok } from "node:assert/strict";
import { lastValueFrom } from "rxjs";
import { committedOffsets, topicOffsets } from "../pipeline/kafka/topics.ts";
import { produceOrders } from "../pipeline/producer/order_producer.ts";
import { createTopic } from "./_kafka_helpers.ts";
import { outcomes, SLOW_DRAIN_ARGS, startConsumer } from "./_consumer_process.ts";
import { testBrokers, uniqueTopic } from "./_shared_broker.ts";
import { until } from "./_orders.ts";

const ORDERS = 6000;

async function setUp(label: string) {
  const brokers = await testBrokers();
  const topic = uniqueTopic(label);
  const dlqTopic = uniqueTopic(`${label}-dlq`);
  await createTopic(brokers, topic, 3);
  await createTopic(brokers, dlqTopic, 1);
  const produced = await lastValueFrom(
    produceOrders({ brokers, topic, count: ORDERS, intervalMs: 0, seed: 21 }),
  );
  const args = [
    `--brokers=${brokers.join(",")}`,
    `--topic=${topic}`,
    `--dlq-topic=${dlqTopic}`,
    `--group=${topic}-g`,
    "--from-beginning",
    ...SLOW_DRAIN_ARGS,
    // A graceful stop finishes what is in flight; a small window keeps it mid-stream.
    "--max-in-flight=20",
  ];
  return { brokers, topic, dlqTopic, groupId: `${topic}-g`, args, produced };
}

const processedIds = (lines: ReturnType<typeof outcomes>) =>
  new Set(lines.filter((l) => l.outcome === "processed").map((l) => l.orderId));

const allIds = () =>
  new Set(Array.from({ length: ORDERS }, (_, i) => `ORD-${String(i + 1).padStart(4, "0")}`));

Deno.test("a consumer killed with SIGKILL mid-stream and restarted leaves no order unprocessed and none dead-lettered", async () => {
  const { brokers, topic, dlqTopic, groupId, args, produced } = await setUp("sigkill");

  const first = startConsumer(args);
  await first.waitFor((lines) => outcomes(lines).length >= 100);
  // A commit (and the snapshot it follows) is in before the kill.
  await until(
    async () => [...(await committedOffsets(brokers, groupId, topic)).values()].some((o) => o > 0n),
    "a first commit",
  );
  first.kill("SIGKILL");
  await first.finished();
  const firstRun = processedIds(outcomes(first.lines));
  ok(firstRun.size < ORDERS, `the kill landed mid-stream (${firstRun.size} of ${ORDERS} done)`);

  const second = startConsumer(args);
  const seen = new Set(firstRun);
  await second.waitFor((lines) => {
    for (const l of outcomes(lines)) if (l.outcome === "processed") seen.add(l.orderId);
    return seen.size === ORDERS;
  });
  second.kill("SIGINT");
  equal(await second.finished(), 0, "the restarted consumer stops cleanly");
  // Its average is the group's: every order counted once, whichever run processed it.
  const summary = second.lines.find((l) => l.type === "summary");
  const running = summary?.running as
    | { count: number; sum: number }
    | undefined;
  equal(running?.count, ORDERS, JSON.stringify(running));
  equal(Math.round(Number(running?.sum) * 100), produced.validSumCents);
  ok(Number(summary?.processed) < ORDERS, "the second run processed only what was left");

  deepEqual(seen, allIds(), "every order was processed by one run or the other");
  const everything = [...outcomes(first.lines), ...outcomes(second.lines)];
  ok(everything.every((l) => l.outcome === "processed"), "nothing was dead-lettered");
  const dlq = await topicOffsets(brokers, dlqTopic);
  equal(dlq[0].high, 0n, "the dead-letter topic is empty");
});

Deno.test("SIGINT mid-stream then restart loses nothing and reprocesses nothing that was committed", async () => {
  const { brokers, topic, groupId, args } = await setUp("sigint");

  const first = startConsumer(args);
  await first.waitFor((lines) => outcomes(lines).length >= 100);
  first.kill("SIGINT");
  equal(await first.finished(), 0, "a graceful stop exits 0");
  ok(first.lines.some((l) => l.type === "summary"), "it prints a summary on the way out");
  const firstRun = outcomes(first.lines);
  ok(firstRun.length < ORDERS, `the stop landed mid-stream (${firstRun.length} of ${ORDERS})`);

  // What the first run committed is exactly what it settled, partition by partition.
  const committed = await committedOffsets(brokers, groupId, topic);
  for (const partition of [0, 1, 2]) {
    // Keys run side by side, so outcomes need not come in offset order; the settled set has no gap.
    const offsets = firstRun.filter((l) => l.partition === partition).map((l) => BigInt(l.offset!))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const next = offsets.length ? offsets.reduce((a, b) => (a > b ? a : b)) + 1n : -1n;
    equal(committed.get(partition), next, `partition ${partition} committed what it settled`);
    deepEqual(offsets, offsets.map((_, i) => BigInt(i)), `partition ${partition} has no gap`);
  }

  const second = startConsumer(args);
  const seen = processedIds(firstRun);
  await second.waitFor((lines) => {
    for (const l of outcomes(lines)) if (l.outcome === "processed") seen.add(l.orderId);
    return seen.size === ORDERS;
  });
  second.kill("SIGINT");
  equal(await second.finished(), 0);
  const secondRun = outcomes(second.lines);

  for (const l of secondRun) {
    const from = committed.get(l.partition!)!;
    ok(BigInt(l.offset!) >= (from < 0n ? 0n : from), `offset ${l.offset} was not committed before`);
  }
  equal(firstRun.length + secondRun.length, ORDERS, "no order was processed twice");
  deepEqual(seen, allIds(), "no order was lost");
});

Deno.test("a stop request delivered twice at once (as timeout and supervisors do) still stops gracefully", async () => {
  const { args } = await setUp("double-signal");
  const consumer = startConsumer(args);
  await consumer.waitFor((lines) => outcomes(lines).length >= 10);
  consumer.kill("SIGINT");
  consumer.kill("SIGINT");
  equal(await consumer.finished(), 0, "it exits 0, not 130 as for a deliberate second Ctrl-C");
  ok(consumer.lines.some((l) => l.type === "summary"), "it prints its summary");
});
