import { deepEqual, ok } from "node:assert/strict";
import { createCodec } from "../pipeline/avro/avro_codec.ts";
import { loadSchema } from "../pipeline/avro/load_schema.ts";
import { readCommittedLedgers } from "../pipeline/kafka/read_committed_ledgers.ts";
import type { Order } from "../pipeline/orders/order.ts";
import { type ConsumeLine, outcomes, startConsumer } from "./_consumer_process.ts";
import { createTopic, writeRecords } from "./_kafka_helpers.ts";
import { testBrokers, uniqueTopic } from "./_shared_broker.ts";

const codec = createCodec<Order>(loadSchema("order"));

// `count` orders over `keys` keys, round robin; an order's id names its key.
async function setUp(label: string, partitions: number, count: number, keys: number) {
  const brokers = await testBrokers();
  const topic = uniqueTopic(label);
  const dlqTopic = uniqueTopic(`${label}-dlq`);
  await createTopic(brokers, topic, partitions);
  await createTopic(brokers, dlqTopic, 1);
  const records = Array.from({ length: count }, (_, i) => {
    const key = `K${String(i % keys).padStart(3, "0")}`;
    const orderId = `${key}-${String(i).padStart(5, "0")}`;
    return { key, value: codec.encode({ orderId, product: "Desk", price: 1 + (i % 50) }) };
  });
  await writeRecords(brokers, topic, records);
  const args = [
    `--brokers=${brokers.join(",")}`,
    `--topic=${topic}`,
    `--dlq-topic=${dlqTopic}`,
    `--group=${topic}-g`,
    "--from-beginning",
    "--ordering=key",
    "--max-retry-rounds=0",
    "--session-timeout=6s",
    "--status-interval=500ms",
  ];
  return { brokers, topic, groupId: `${topic}-g`, args, count };
}

const processed = (lines: ConsumeLine[]) =>
  outcomes(lines).filter((l) => l.outcome === "processed");
const keyOf = (line: ConsumeLine) => String(line.orderId).split("-")[0];
const at = (line: ConsumeLine) => `${line.partition}/${line.offset}`;

// Within one run, each key's outcomes come in offset order.
function assertKeyOrder(lines: ConsumeLine[], run: string) {
  const last = new Map<string, number>();
  for (const line of processed(lines)) {
    const offset = Number(line.offset);
    ok((last.get(keyOf(line)) ?? -1) < offset, `${run}: ${keyOf(line)} at ${offset} out of order`);
    last.set(keyOf(line), offset);
  }
}

Deno.test("SIGKILL while many keys are in backoff, then restart: nothing lost, nothing the commit marks settled processed again", async () => {
  const { brokers, topic, groupId, args, count } = await setUp("key-kill", 1, 3000, 150);
  // One order in five fails, and waits seconds before its next try: at any
  // moment many keys are in backoff while the others' records settle.
  const failing = [
    "--fail-rate=0.2",
    "--seed=5",
    "--backoff=2s",
    "--max-backoff=4s",
    "--max-retries=20",
  ];
  const first = startConsumer([...args, ...failing]);
  await first.waitFor((lines) => processed(lines).length >= 1000, 120_000);
  // Wait for a commit that records settled offsets beyond its committed offset.
  let committed = await readCommittedLedgers(brokers, groupId, topic);
  while ((committed.get(0)?.settledBeyondCount ?? 0) === 0) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    committed = await readCommittedLedgers(brokers, groupId, topic);
  }
  first.kill("SIGKILL");
  await first.finished();
  const ledger = (await readCommittedLedgers(brokers, groupId, topic)).get(0)!;
  const settledInFirst = new Set(processed(first.lines).map((l) => Number(l.offset)));
  ok(settledInFirst.size < count, "the kill landed mid-stream");
  ok(ledger.settledBeyondCount > 0, "the last commit recorded settled offsets beyond its offset");

  // The commit never passes an unsettled record, and records only settled ones.
  for (let offset = 0; offset < ledger.nextOffset; offset++) {
    ok(settledInFirst.has(offset), `offset ${offset} is below the commit but was never settled`);
  }
  for (const offset of ledger.settledBeyond()) {
    ok(settledInFirst.has(offset), `offset ${offset} is recorded settled but was not`);
  }

  const second = startConsumer([...args, "--fail-rate=0"]);
  const done = new Set(settledInFirst);
  await second.waitFor((lines) => {
    for (const l of processed(lines)) done.add(Number(l.offset));
    return done.size === count;
  }, 120_000);
  second.kill("SIGINT");
  await second.finished();

  const secondRun = processed(second.lines).map((l) => Number(l.offset));
  const skipped = new Set(ledger.settledBeyond());
  for (const offset of secondRun) {
    ok(offset >= ledger.nextOffset, `offset ${offset} was committed, yet processed again`);
    ok(!skipped.has(offset), `offset ${offset} was recorded settled, yet processed again`);
  }
  deepEqual(done.size, count, "every order was processed by one run or the other");
  assertKeyOrder(first.lines, "first run");
  assertKeyOrder(second.lines, "second run");
});

Deno.test("two consumers in key mode, one leaves: nothing lost and each key keeps its order across the handover", async () => {
  const { args, count } = await setUp("key-handover", 3, 2000, 20);
  // Few keys, and one try in three fails with a backoff of a second or so:
  // each key's records trickle through for half a minute, so the handover
  // lands while every key has records left.
  const slow = [
    "--fail-rate=0.3",
    "--seed=8",
    "--backoff=1s",
    "--max-backoff=2s",
    "--max-retries=20",
  ];
  const a = startConsumer([...args, ...slow]);
  await a.waitFor((lines) => processed(lines).length >= 200, 120_000);
  const b = startConsumer([...args, ...slow]);
  await b.waitFor((lines) => processed(lines).length >= 100, 120_000);
  a.kill("SIGINT");
  await a.finished();
  const seen = new Set(processed(a.lines).map(at));
  await b.waitFor((lines) => {
    for (const l of processed(lines)) seen.add(at(l));
    return seen.size === count;
  }, 120_000);
  b.kill("SIGINT");
  await b.finished();

  deepEqual(seen.size, count, "every order was processed");
  assertKeyOrder(a.lines, "the consumer that left");
  assertKeyOrder(b.lines, "the consumer that stayed");
  // The one that stayed took each key up after the other: what it did that
  // the other had not done lies beyond everything the other did of that key.
  const lastInA = new Map<string, number>();
  for (const line of processed(a.lines)) lastInA.set(keyOf(line), Number(line.offset));
  const byA = new Set(processed(a.lines).map(at));
  for (const line of processed(b.lines)) {
    if (byA.has(at(line))) continue;
    ok(
      Number(line.offset) > (lastInA.get(keyOf(line)) ?? -1),
      `${keyOf(line)}: ${at(line)} was processed after the handover, below the other's last`,
    );
  }
});
