// Orders in backoff hold only their own bytes: with the heap bound that
// `deno task consume` runs with, a backlog under the realistic failure model
// (10% transient failures, 1 s first backoff) drains to the end. A record in
// backoff that kept its whole fetch batch alive (a megabyte and thousands of
// messages) ran out of heap within 100,000 orders.
import { equal } from "node:assert/strict";
import { createTopic } from "./_kafka_helpers.ts";
import { outcomes, startConsumer } from "./_consumer_process.ts";
import { testBrokers, uniqueTopic } from "./_shared_broker.ts";
import { produceWithCli } from "./_produce_process.ts";

const ORDERS = 150_000;

/** The `--v8-flags=…` of the consume task, as users run the consumer. */
async function consumeTaskFlags(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  return (config.tasks.consume.command as string).match(/--v8-flags=\S+/g) ?? [];
}

Deno.test("under the failure model the consumer drains 150,000 orders within the consume task's heap bound", async () => {
  const brokers = await testBrokers();
  const topic = uniqueTopic("held-orders");
  const dlq = uniqueTopic("held-dlq");
  await createTopic(brokers, topic, 3);
  await createTopic(brokers, dlq, 3);
  await produceWithCli(brokers, topic, ORDERS);

  const flags = await consumeTaskFlags();
  equal(flags.length, 1, "deno.json's consume task sets the V8 heap flags");
  const consumer = startConsumer([
    `--brokers=${brokers.join(",")}`,
    `--topic=${topic}`,
    `--dlq-topic=${dlq}`,
    `--group=${topic}-group`,
    "--from-beginning",
    `--stats-topic=${topic}-stats`,
    // This test's orders only: no retry tier, whose default topic other tests share.
    "--max-retry-rounds=0",
    "--fail-rate=0.1",
    "--backoff=1s",
  ], flags);
  try {
    // A consumer that runs out of heap ends with V8's own exit code, at once.
    const ended = consumer.finished().then((code) => {
      throw new Error(`the consumer ended with exit code ${code} before the last order`);
    });
    await Promise.race([
      consumer.waitFor((lines) => outcomes(lines).length >= ORDERS, 240_000),
      ended,
    ]);
    ended.catch(() => {});
  } finally {
    try {
      consumer.kill("SIGTERM");
    } catch {
      // It has ended already.
    }
  }
  equal(await consumer.finished(), 0, await consumer.stderr());
  equal(outcomes(consumer.lines).length, ORDERS);
});
