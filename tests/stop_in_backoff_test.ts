// A stop while orders wait out a long backoff: the consumer waits its drain
// timeout for them, commits what settled and ends; the orders left in
// backoff are not committed, and the next run processes them.
import assert from "node:assert/strict";
import { createTopic } from "./_kafka_helpers.ts";
import { type ConsumeLine, outcomes, startConsumer } from "./_consumer_process.ts";
import { testBrokers, uniqueTopic } from "./_shared_broker.ts";
import { produceWithCli } from "./_produce_process.ts";
import { until } from "./_orders.ts";
import { describeGroup } from "../pipeline/kafka/describe_group.ts";

const ORDERS = 300;
const DRAIN_MS = 1000;

// A topic of `orders` orders, its DLQ, and the consume flags of one group on them.
async function backlog(label: string, orders: number): Promise<string[]> {
  const brokers = await testBrokers();
  const topic = uniqueTopic(label);
  const dlq = uniqueTopic(`${label}-dlq`);
  await createTopic(brokers, topic, 3);
  await createTopic(brokers, dlq, 1);
  await produceWithCli(brokers, topic, orders);
  return [
    `--brokers=${brokers.join(",")}`,
    `--topic=${topic}`,
    `--dlq-topic=${dlq}`,
    `--group=${topic}-group`,
    "--from-beginning",
    `--drain-timeout=${DRAIN_MS}ms`,
  ];
}

const offsetsOf = (lines: ConsumeLine[]) =>
  new Set(outcomes(lines).map((l) => `${l.partition}:${l.offset}`));

Deno.test("SIGTERM while orders wait out a 30 s backoff ends the consumer at its drain timeout, and the next run processes what was left", async () => {
  const common = [...await backlog("stop-in-backoff", ORDERS), "--max-retry-rounds=0"];

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

Deno.test("a stop while the consumer waits to join behind a killed member ends at once, with code 0 and its summary", async () => {
  const common = [
    ...await backlog("stop-joining", 100),
    "--fail-rate=0",
    "--status-interval=200ms",
  ];
  const brokers = await testBrokers();
  const group = common.find((arg) => arg.startsWith("--group="))!.slice("--group=".length);
  // The killed member keeps its place in the group for its whole 30 s session.
  const killed = startConsumer([...common, "--session-timeout=30s"]);
  await killed.waitFor((lines) => outcomes(lines).length > 0, 60_000);
  killed.kill("SIGKILL");
  await killed.finished();

  // The next member's join waits for that session to end; it is stopped meanwhile.
  const joining = startConsumer(common);
  await until(
    async () => (await describeGroup(brokers, group)).state === "PreparingRebalance",
    "the group to wait for its killed member",
    20_000,
  );
  const signalledAt = Date.now();
  joining.kill("SIGTERM");
  const code = await joining.finished();
  const tookMs = Date.now() - signalledAt;
  assert.equal(code, 0, await joining.stderr());
  assert.equal(outcomes(joining.lines).length, 0, "it held no partition yet");
  assert.ok(joining.lines.some((l) => l.type === "summary"), "the run ends with its summary");
  // Far from the 30 s the join would still wait, and from the stop's own bound.
  assert.ok(tookMs < 10_000, `the stop took ${tookMs} ms`);
});
