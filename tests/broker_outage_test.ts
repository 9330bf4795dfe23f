// A broker outage must neither stop nor fool the consumer: each test runs a
// broker of its own, stops its JVM while the consumer is mid-stream, and
// starts it again on the same data.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createCodec } from "../pipeline/avro/avro_codec.ts";
import { loadSchema } from "../pipeline/avro/load_schema.ts";
import { type RunningBroker } from "../pipeline/broker/embedded_broker.ts";
import { startOwnBroker } from "./_own_broker.ts";
import { topicSpecs } from "../pipeline/config.ts";
import { decodeDeadLetter } from "../pipeline/dead_letter/decode_dead_letter.ts";
import type { OutboundRecord } from "../pipeline/kafka/kafka_producer.ts";
import { ensureTopics } from "../pipeline/kafka/topics.ts";
import type { Order } from "../pipeline/orders/order.ts";
import { type ConsumeLine, outcomes, startConsumer } from "./_consumer_process.ts";
import { writeRecords } from "./_kafka_helpers.ts";
import { readAll, until } from "./_orders.ts";
import { collectJsonLines } from "./_json_lines.ts";

const ORDERS = 6000;
const POISON_EVERY = 20;
const OUTAGE_MS = 15_000;
const DRAIN_MS = 2000;
// consume's own bound past the drain timeout (STOP_GRACE_MS), plus room for a
// loaded machine to start and end a Deno process.
const STOP_BOUND_MS = DRAIN_MS + 10_000 + 15_000;

const codec = createCodec<Order>(loadSchema("order"));

/** Orders over three partitions; every POISON_EVERY-th is bytes no schema reads. */
function backlog(): { records: OutboundRecord[]; poison: Map<string, Uint8Array> } {
  const records: OutboundRecord[] = [];
  const poison = new Map<string, Uint8Array>();
  for (let i = 0; i < ORDERS; i++) {
    const orderId = `ORD-${i}`;
    const value = i % POISON_EVERY === 0
      ? new Uint8Array([0xff, 0xfe, ...new TextEncoder().encode(orderId)])
      : codec.encode({ orderId, product: "Laptop", price: i % 100 });
    if (i % POISON_EVERY === 0) poison.set(orderId, value);
    records.push({ key: orderId, value, partition: i % 3 });
  }
  return { records, poison };
}

async function withOwnBroker(
  label: string,
  run: (
    broker: { current: RunningBroker; restart(): Promise<void>; args: string[] },
  ) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: `outage-${label}-` });
  const first = await startOwnBroker({ dir });
  const broker = {
    current: first,
    // The same data and the same port: to clients, the same broker come back.
    restart: async () => {
      broker.current = await startOwnBroker({ dir, port: first.port });
    },
    args: [] as string[],
  };
  try {
    const brokers = [first.brokers];
    const topics = {
      orders: `${label}-orders`,
      dlq: `${label}-dlq`,
      retry: `${label}-retry`,
      stats: `${label}-stats`,
    };
    await ensureTopics(brokers, topicSpecs(topics));
    broker.args = [
      `--brokers=${first.brokers}`,
      `--topic=${topics.orders}`,
      `--dlq-topic=${topics.dlq}`,
      `--retry-topic=${topics.retry}`,
      `--stats-topic=${topics.stats}`,
      `--group=${label}-group`,
      "--from-beginning",
      // Transient failures with a short backoff make the run last seconds, so
      // the outage lands mid-stream; 15 retries make a dead letter all but impossible.
      "--fail-rate=0.3",
      "--backoff=5ms",
      "--max-backoff=40ms",
      "--max-retries=15",
      "--max-in-flight=20",
      "--status-interval=200ms",
      "--session-timeout=6s",
      `--drain-timeout=${DRAIN_MS}ms`,
    ];
    await run(broker);
  } finally {
    await broker.current.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

const waiting = (lines: ConsumeLine[]) =>
  lines.some((l) => l.type === "status" && typeof l.waiting === "string");

Deno.test("a broker stopped for 15 s mid-stream and started again: the consumer goes on by itself, every poison message is in the DLQ as sent, every order is counted once", async () => {
  await withOwnBroker("restart", async (broker) => {
    const brokers = [broker.current.brokers];
    const { records, poison } = backlog();
    const [orders, dlq] = [broker.args[1].split("=")[1], broker.args[2].split("=")[1]];
    await writeRecords(brokers, orders, records);

    // --verbose: kafkajs's own lines show its consumer crash and restart.
    const consumer = startConsumer([...broker.args, "--verbose"]);
    await consumer.waitFor((lines) => outcomes(lines).length >= 200, 120_000);
    await broker.current.stop();
    const stoppedAt = outcomes(consumer.lines).length;
    assert.ok(stoppedAt < ORDERS, `the outage landed mid-stream (${stoppedAt} of ${ORDERS} done)`);
    // A write meets the dead broker and waits: the status says so.
    await consumer.waitFor(waiting, 120_000);
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    await broker.restart();

    const settled = () =>
      new Set(outcomes(consumer.lines).map((l) => `${l.partition}@${l.offset}`)).size;
    await consumer.waitFor(() => settled() === ORDERS, 300_000);
    // The status no longer says it waits.
    await consumer.waitFor((lines) => {
      const last = lines.filter((l) => l.type === "status").at(-1);
      return last !== undefined && last.waiting === null;
    }, 60_000);
    consumer.kill("SIGTERM");
    const code = await consumer.finished();
    const stderr = await consumer.stderr();
    assert.equal(code, 0, stderr.split("\n").filter((l) => !l.includes("BrokerPool")).join("\n"));
    // kafkajs's consumer crashed on the dead broker with restart: true (it
    // logs that it restarts) and rejoined the group by itself.
    assert.match(stderr, /Crash: .*ECONNREFUSED[^]*Restarting the consumer/);
    // Snapshots and commits fail every second, on every partition, while the
    // broker is away: each kind of failure is said once, not once a second.
    const failures = stderr.split("\n").filter((l) => l.startsWith("consume: stats snapshot:"));
    const kinds = Map.groupBy(failures, (l) => l.replace(/\d+/g, "#"));
    for (const [kind, lines] of kinds) {
      assert.ok(lines.length <= 2, `said ${lines.length} times: ${kind}`);
    }

    const done = outcomes(consumer.lines);
    const processed = new Set(done.filter((l) => l.outcome === "processed").map((l) => l.orderId));
    assert.equal(processed.size, ORDERS - poison.size, "every valid order was processed");
    assert.ok(
      done.every((l) => l.outcome !== "dead-lettered" || l.errorClass === "poison"),
      "only poison was dead-lettered",
    );
    const summary = consumer.lines.find((l) => l.type === "summary");
    assert.equal(summary?.processed, ORDERS - poison.size, "every order counted, none twice");

    // Every poison message is in the DLQ, byte for byte; a write retried
    // across the outage may have landed twice (at-least-once), never none.
    const letters = (await readAll(brokers, dlq)).map((r) => decodeDeadLetter(r.value));
    const byOrder = new Map<string, Uint8Array>();
    for (const letter of letters) {
      const id = new TextDecoder().decode(letter.payload.subarray(2));
      byOrder.set(id, letter.payload);
    }
    assert.deepEqual([...byOrder.keys()].sort(), [...poison.keys()].sort());
    for (const [id, sent] of poison) {
      assert.ok(Buffer.from(byOrder.get(id) ?? []).equals(sent), `${id} kept as sent`);
    }
  });
});

Deno.test("SIGTERM while the consumer waits for a stopped broker ends the process within the drain timeout and its bound", async () => {
  await withOwnBroker("sigterm", async (broker) => {
    const brokers = [broker.current.brokers];
    const { records } = backlog();
    await writeRecords(brokers, broker.args[1].split("=")[1], records);

    const consumer = startConsumer(broker.args);
    await consumer.waitFor((lines) => outcomes(lines).length >= 200, 120_000);
    await broker.current.stop();
    await consumer.waitFor(waiting, 120_000);
    const signalledAt = Date.now();
    consumer.kill("SIGTERM");
    const ended = await Promise.race([
      consumer.finished().then(() => Date.now()),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), STOP_BOUND_MS)),
    ]);
    if (ended === undefined) consumer.kill("SIGKILL");
    assert.ok(ended !== undefined, `the process still ran ${STOP_BOUND_MS} ms after SIGTERM`);
    assert.ok(ended - signalledAt < STOP_BOUND_MS);
  });
});

Deno.test("produce rides out a broker stopped for longer than the Kafka client's own retries: it says it waits, goes on, and every order is stored once", async () => {
  await withOwnBroker("produce", async (broker) => {
    const brokers = [broker.current.brokers];
    const topic = broker.args[1].split("=")[1];
    const count = 1500;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../pipeline/cli/produce.ts", import.meta.url).pathname,
        `--count=${count}`,
        "--interval=10ms",
        "--json",
        `--topic=${topic}`,
        `--brokers=${brokers.join(",")}`,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const lines: Array<{ type: string; sent: number }> = [];
    const reading = collectJsonLines(child.stdout, lines);
    const stderr = new Response(child.stderr).text();
    await until(() => (lines.at(-1)?.sent ?? 0) >= 100, "the first 100 orders", 60_000);
    await broker.current.stop();
    // kafkajs gives up on its own after about 20 s of refused connections.
    await new Promise((resolve) => setTimeout(resolve, 25_000));
    await broker.restart();

    const { code } = await child.status;
    await reading;
    const said = await stderr;
    assert.equal(code, 0, said);
    assert.match(
      said,
      /^produce: waiting for the broker since \S+ \(.*ECONNREFUSED.*\); trying for up to 5m$/m,
    );
    assert.match(said, /^produce: the broker answers again$/m);
    assert.deepEqual(lines.at(-1), {
      ...lines.at(-1),
      type: "summary",
      sent: count,
    });
    const stored = await readAll(brokers, topic);
    const keys = new Set(stored.map((r) => new TextDecoder().decode(r.key!)));
    assert.equal(keys.size, count, "every order is stored");
    assert.equal(stored.length, count, "none twice");
  });
});
