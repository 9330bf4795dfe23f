// A stop while orders wait out a long backoff: the consumer waits its drain
// timeout for them, commits what settled and ends; the orders left in
// backoff are not committed, and the next run processes them.
import assert from "node:assert/strict";
import { createTopic } from "./_kafka_helpers.ts";
import { type ConsumeLine, outcomes, startConsumer } from "./_consumer_process.ts";
import { testBrokers, uniqueTopic } from "./_shared_broker.ts";
import { produceWithCli } from "./_produce_process.ts";

const ORDERS = 300;
const DRAIN_MS = 1000;

const offsetsOf = (lines: ConsumeLine[]) =>
  new Set(outcomes(lines).map((l) => `${l.partition}:${l.offset}`));

Deno.test("SIGTERM while orders wait out a 30 s backoff ends the consumer at its drain timeout, and the next run processes what was left", async () => {
  const brokers = await testBrokers();
  const topic = uniqueTopic("stop-in-backoff");
  const dlq = uniqueTopic("stop-in-backoff-dlq");
  await createTopic(brokers, topic, 3);
  await createTopic(brokers, dlq, 1);
  await produceWithCli(brokers, topic, ORDERS);
  const common = [
    `--brokers=${brokers.join(",")}`,
    `--topic=${topic}`,
    `--dlq-topic=${dlq}`,
    `--group=${topic}-group`,
    "--from-beginning",
    "--max-retry-rounds=0",
    `--drain-timeout=${DRAIN_MS}ms`,
  ];

  // A fifth of the orders fail and wait up to 30 s for their first retry.
  const first = startConsumer([
    ...common,
    "--fail-rate=0.2",
    "--seed=7",
    "--backoff=30s",
    "--status-interval=200ms",
  ]);
  await first.waitFor((lines) => outcomes(lines).length >= ORDERS * 0.7, 60_000);
  const signalledAt = Date.now();
  first.kill("SIGTERM");
  const code = await first.finished();
  const tookMs = Date.now() - signalledAt;
  assert.equal(code, 0, await first.stderr());
  // The drain timeout and the commit, far below consume's 10 s bound past it.
  assert.ok(tookMs < DRAIN_MS + 5000, `the stop took ${tookMs} ms`);
  assert.ok(first.lines.some((l) => l.type === "summary"), "the run ends with its summary");
  const settledFirst = offsetsOf(first.lines);
  assert.ok(settledFirst.size < ORDERS, "some orders were still in backoff at the stop");

  // Nothing was lost: the next run processes every order the first one left.
  const second = startConsumer([...common, "--fail-rate=0"]);
  try {
    await second.waitFor(
      (lines) => new Set([...settledFirst, ...offsetsOf(lines)]).size >= ORDERS,
      60_000,
    );
  } finally {
    second.kill("SIGTERM");
    await second.finished();
  }
  const all = new Set([...settledFirst, ...offsetsOf(second.lines)]);
  assert.equal(all.size, ORDERS);
});
