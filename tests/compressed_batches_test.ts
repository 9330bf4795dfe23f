// Record batches that Kafka's Java client compressed with Snappy, LZ4 and
// Zstandard (and gzip): read back byte for byte, and consumed as orders.
import assert from "node:assert/strict";
import { lastValueFrom } from "rxjs";
import { createCodec } from "../pipeline/avro/avro_codec.ts";
import { loadSchema } from "../pipeline/avro/load_schema.ts";
import { ensureKafkaJars } from "../pipeline/broker/kafka_jars.ts";
import { topicSpecs } from "../pipeline/config.ts";
import { consumeOrders, type OutcomeReport } from "../pipeline/consumer/order_consumer.ts";
import { ensureTopics } from "../pipeline/kafka/topics.ts";
import type { Order } from "../pipeline/orders/order.ts";
import { readRecords } from "./_kafka_helpers.ts";
import { until } from "./_orders.ts";
import { testBrokers, uniqueTopic } from "./_shared_broker.ts";

const CODECS = ["snappy", "lz4", "zstd", "gzip"] as const;
const PER_CODEC = 150;
const codec = createCodec<Order>(loadSchema("order"));

// Orders whose Avro bytes are printable ASCII apart from two string lengths
// (0x14 and 0x0c, neither a line break), so that Java's console producer
// takes each, as one line, byte for byte: an id of 10 characters, "Laptop",
// and a price (a float) whose four bytes are all printable, from 32 to 256.
function orderOf(n: number): Order {
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 3; i++) bytes[i] = 0x21 + ((n * 7 + i * 13) % 90);
  bytes[3] = 0x42 + (n % 2);
  const price = new DataView(bytes.buffer).getFloat32(0, true);
  return { orderId: `ORD-${String(n).padStart(6, "0")}`, product: "Laptop", price };
}

async function javaProduce(brokers: string[], topic: string, compression: string, lines: string[]) {
  const libs = await ensureKafkaJars();
  const child = new Deno.Command("java", {
    args: [
      "-Xmx128m",
      "-cp",
      `${libs}/*`,
      "org.apache.kafka.tools.ConsoleProducer",
      "--bootstrap-server",
      brokers.join(","),
      "--topic",
      topic,
      "--compression-codec",
      compression,
    ],
    stdin: "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(lines.map((line) => `${line}\n`).join("")));
  await writer.close();
  const { success, stderr } = await child.output();
  assert.ok(success, `Java's console producer failed: ${new TextDecoder().decode(stderr)}`);
}

Deno.test("orders in batches that Java compressed with snappy, lz4, zstd and gzip are read byte for byte and all processed", async () => {
  const brokers = await testBrokers();
  const topic = uniqueTopic("compressed");
  const dlq = `${topic}-dlq`;
  await ensureTopics(brokers, topicSpecs({ orders: topic, dlq }));
  await ensureTopics(brokers, [{ name: topic, partitions: 3 }]);

  const orders = Array.from({ length: CODECS.length * PER_CODEC }, (_, n) => orderOf(n));
  const values = orders.map((order) => codec.encode(order));
  const ascii = new TextDecoder("latin1");
  for (const [i, compression] of CODECS.entries()) {
    const mine = values.slice(i * PER_CODEC, (i + 1) * PER_CODEC).map((v) => ascii.decode(v));
    assert.ok(mine.every((line) => !/[\n\r\x80-\xff]/.test(line)), "every order is one line");
    await javaProduce(brokers, topic, compression, mine);
  }

  const read = await readRecords(brokers, topic, values.length);
  const byId = new Map(values.map((v, n) => [orders[n].orderId, v]));
  assert.equal(read.length, values.length);
  for (const record of read) {
    const order = codec.decode(record.value!);
    assert.deepEqual(record.value, byId.get(order.orderId), `${order.orderId} byte for byte`);
  }

  const outcomes: OutcomeReport[] = [];
  const stop = new AbortController();
  const done = lastValueFrom(
    consumeOrders({
      brokers,
      topic,
      dlqTopic: dlq,
      groupId: `${topic}-group`,
      fromBeginning: true,
      failRate: 0,
      signal: stop.signal,
      onOutcome: (o) => outcomes.push(o),
    }),
  );
  await until(() => outcomes.length >= orders.length, `${orders.length} outcomes`, 60_000);
  stop.abort();
  const stats = await done;
  assert.equal(stats.processed, orders.length);
  assert.equal(stats.deadLettered, 0);
  // The aggregate keeps whole cents: each price rounded once, on the way in.
  const cents = orders.reduce((sum, o) => sum + Math.round(o.price * 100), 0);
  assert.equal(stats.aggregate.sumCents, cents);
  assert.equal(stats.aggregate.count, orders.length);
});
