// An operator moves a group's offsets back to process its orders again. The
// group's snapshots already count those orders, so the consumer skips them
// (the average stays exact), and it says so, once per partition, rather than
// draining a backlog in silence with nothing processed. New orders count.
import { equal, ok } from "node:assert/strict";
import { lastValueFrom } from "rxjs";
import { resetGroupOffsets } from "../pipeline/kafka/_test_group_offsets.ts";
import { committedOffsets, topicOffsets } from "../pipeline/kafka/topics.ts";
import { produceOrders } from "../pipeline/producer/order_producer.ts";
import { loadLatestSnapshots } from "../pipeline/consumer/load_latest_snapshots.ts";
import { outcomes, startConsumer } from "./_consumer_process.ts";
import { createTopic } from "./_kafka_helpers.ts";
import { until } from "./_orders.ts";
import { testBrokers, uniqueTopic } from "./_shared_broker.ts";

const FIRST = 30;
const LATER = 6;

Deno.test("offsets moved back below the group's snapshots: each partition says which offsets it skips as counted, and only new orders are processed and counted", async () => {
  const brokers = await testBrokers();
  const topic = uniqueTopic("reset");
  const dlqTopic = uniqueTopic("reset-dlq");
  const statsTopic = uniqueTopic("reset-stats");
  const groupId = `${topic}-g`;
  await createTopic(brokers, topic, 3);
  await createTopic(brokers, dlqTopic, 1);
  await createTopic(brokers, statsTopic, 1, { "cleanup.policy": "compact" });
  await lastValueFrom(
    produceOrders({ brokers, topic, count: FIRST, intervalMs: 0, seed: 5, badRate: 0 }),
  );
  const args = [
    `--brokers=${brokers.join(",")}`,
    `--topic=${topic}`,
    `--dlq-topic=${dlqTopic}`,
    `--stats-topic=${statsTopic}`,
    `--group=${groupId}`,
    "--from-beginning",
    "--fail-rate=0",
    "--status-interval=200ms",
  ];

  const first = startConsumer(args);
  await first.waitFor((lines) => outcomes(lines).length === FIRST);
  first.kill("SIGINT");
  equal(await first.finished(), 0);
  ok(
    !(await first.stderr()).includes("counts offsets"),
    "a group's first run skips nothing as counted",
  );
  const ends = await topicOffsets(brokers, topic);
  const committed = await committedOffsets(brokers, groupId, topic);
  for (const { partition, high } of ends) equal(committed.get(partition), high);

  await resetGroupOffsets(brokers, groupId, topic, 0n);
  const second = startConsumer(args);
  // Skipped records have no outcome and no status line: the commit shows they were passed.
  await until(
    async () => {
      const now = await committedOffsets(brokers, groupId, topic);
      return ends.every(({ partition, high }) => now.get(partition) === high);
    },
    "the second run to commit past the skipped records",
    30_000,
    100,
  );
  await lastValueFrom(
    produceOrders({
      brokers,
      topic,
      count: LATER,
      intervalMs: 0,
      seed: 6,
      firstOrder: 1001,
      badRate: 0,
    }),
  );
  await second.waitFor((lines) => outcomes(lines).length === LATER);
  second.kill("SIGINT");
  equal(await second.finished(), 0);

  const processed = outcomes(second.lines);
  equal(processed.length, LATER, "only the new orders were processed");
  ok(processed.every((l) => Number(l.offset) >= Number(ends[l.partition!].high)));
  const said = (await second.stderr()).split("\n").filter((l) => l.includes("counts offsets"));
  const expected = ends.filter((e) => e.high > 0n).map(({ partition, high }) =>
    `consume: ${topic}/${partition} starts at offset 0, but the group's snapshot in ${statsTopic} ` +
    `counts offsets 0 to ${high - 1n} already: they are skipped, not processed again ` +
    "(a new --group processes them)"
  );
  equal(
    said.length,
    expected.length,
    `one line per partition that held orders:\n${said.join("\n")}`,
  );
  for (const line of expected) {
    ok(said.includes(line), `missing: ${line}\nsaid:\n${said.join("\n")}`);
  }

  // The group's aggregate still counts every order once: the first run's and the new ones.
  const snapshots = await loadLatestSnapshots({ brokers, statsTopic, groupId });
  const counted = [...snapshots.values()].reduce((n, s) => n + s.count, 0);
  equal(counted, FIRST + LATER, "the snapshots count each order once");
});
