// Issue 9: "a commit must never fail because of its metadata", on a broker
// whose offset.metadata.max.bytes is far below Kafka's 4096. The broker is
// this test's own.
import { ok } from "node:assert/strict";
import { createCodec } from "../pipeline/avro/avro_codec.ts";
import { loadSchema } from "../pipeline/avro/load_schema.ts";
import { startOwnBroker } from "./_own_broker.ts";
import { readCommittedLedgers } from "../pipeline/kafka/read_committed_ledgers.ts";
import type { Order } from "../pipeline/orders/order.ts";
import { outcomes, startConsumer } from "./_consumer_process.ts";
import { createTopic, writeRecords } from "./_kafka_helpers.ts";

const codec = createCodec<Order>(loadSchema("order"));
const ORDERS = 4_000;

Deno.test("a broker that takes 64 bytes of commit metadata: commits carry the map that fits, and a restart skips what it records", async () => {
  const broker = await startOwnBroker({ settings: { "offset.metadata.max.bytes": "64" } });
  try {
    const brokers = [broker.brokers];
    const [topic, dlqTopic, groupId] = ["small-metadata", "small-metadata-dlq", "small-metadata-g"];
    await createTopic(brokers, topic, 1);
    await createTopic(brokers, dlqTopic, 1);
    await writeRecords(
      brokers,
      topic,
      Array.from({ length: ORDERS }, (_, i) => ({
        key: `K${i % 100}`,
        value: codec.encode({ orderId: `O${i}`, product: "Desk", price: 1 + (i % 50) }),
      })),
    );
    const args = [
      `--brokers=${broker.brokers}`,
      `--topic=${topic}`,
      `--dlq-topic=${dlqTopic}`,
      `--group=${groupId}`,
      "--from-beginning",
      "--max-retry-rounds=0",
      "--status-interval=500ms",
    ];
    // One order in five waits seconds for its retry, and at most 200 wait at
    // once: the settled offsets beyond the commit span about a thousand
    // offsets all along, and their map needs far more than 64 bytes.
    const first = startConsumer([
      ...args,
      "--max-in-flight=200",
      "--fail-rate=0.2",
      "--seed=3",
      "--backoff=3s",
      "--max-backoff=6s",
      "--max-retries=20",
    ]);
    const processed = (lines: typeof first.lines) =>
      outcomes(lines).filter((l) => l.outcome === "processed").map((l) => Number(l.offset));
    await first.waitFor((lines) => processed(lines).length >= 500, 120_000);
    // A commit lands with a map of settled offsets beyond its offset.
    const deadline = Date.now() + 60_000;
    let ledger = (await readCommittedLedgers(brokers, groupId, topic)).get(0);
    while ((ledger?.settledBeyondCount ?? 0) === 0) {
      ok(Date.now() < deadline, "no commit with a map of settled offsets in 60 s");
      await new Promise((resolve) => setTimeout(resolve, 200));
      ledger = (await readCommittedLedgers(brokers, groupId, topic)).get(0);
    }
    first.kill("SIGKILL");
    await first.finished();
    ledger = (await readCommittedLedgers(brokers, groupId, topic)).get(0)!;
    const settledInFirst = new Set(processed(first.lines));
    // Refused commits would have left no map until the last few stragglers.
    ok(settledInFirst.size < ORDERS / 2, `the kill landed at ${settledInFirst.size} settled`);
    for (let offset = 0; offset < ledger.nextOffset; offset++) {
      ok(settledInFirst.has(offset), `offset ${offset} is below the commit but was never settled`);
    }
    const recorded = new Set(ledger.settledBeyond());
    for (const offset of recorded) {
      ok(settledInFirst.has(offset), `offset ${offset} is recorded settled but was not`);
    }

    const second = startConsumer([...args, "--fail-rate=0"]);
    const done = new Set(settledInFirst);
    await second.waitFor((lines) => {
      for (const offset of processed(lines)) done.add(offset);
      return done.size === ORDERS;
    }, 120_000);
    second.kill("SIGINT");
    await second.finished();
    for (const offset of processed(second.lines)) {
      ok(offset >= ledger.nextOffset, `offset ${offset} was committed, yet processed again`);
      ok(!recorded.has(offset), `offset ${offset} was recorded settled, yet processed again`);
    }
    ok(done.size === ORDERS, "every order was processed by one run or the other");
    const last = (await readCommittedLedgers(brokers, groupId, topic)).get(0)!;
    ok(last.nextOffset === ORDERS, `the last commit is at ${last.nextOffset}, not ${ORDERS}`);
  } finally {
    await broker.stop();
  }
});
