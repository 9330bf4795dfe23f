// Schema evolution against the real broker: raw v1 from a Python fastavro
// producer, single-object v1 and v2 from ours, one consumer for them all.
import assert from "node:assert/strict";
import { lastValueFrom, tap } from "rxjs";
import { createCodec } from "../pipeline/avro/avro_codec.ts";
import { loadSchema } from "../pipeline/avro/load_schema.ts";
import { createOrderEncoder, ENCODING_HEADER } from "../pipeline/avro/order_encoder.ts";
import { frameSingleObject } from "../pipeline/avro/single_object.ts";
import { consumeOrders } from "../pipeline/consumer/order_consumer.ts";
import type { ConsumerStats } from "../pipeline/consumer/consumer_stats.ts";
import { decodeDeadLetter } from "../pipeline/dead_letter/decode_dead_letter.ts";
import type { OutboundRecord } from "../pipeline/kafka/kafka_producer.ts";
import { toCents } from "../pipeline/operators/aggregate.ts";
import type { Order } from "../pipeline/orders/order.ts";
import { createTopic, readRecords, text, writeRecords } from "./_kafka_helpers.ts";
import { testBrokers, uniqueTopic } from "./_shared_broker.ts";

const SCHEMA_V1 = new URL("../schemas/order.avsc", import.meta.url).pathname;

// Writes raw v1 orders the way a plain Python service does: fastavro's
// schemaless writer and kafka-python, no framing, no headers.
const PYTHON_PRODUCER = `
import io, json, sys
from fastavro import parse_schema, schemaless_writer
from kafka import KafkaProducer

brokers, schema_path, topic = sys.argv[1:4]
schema = parse_schema(json.load(open(schema_path)))
producer = KafkaProducer(bootstrap_servers=brokers.split(","), acks="all")
for line in sys.stdin:
    order = json.loads(line)
    buf = io.BytesIO()
    schemaless_writer(buf, schema, order)
    producer.send(topic, key=order["orderId"].encode(), value=buf.getvalue()).get(timeout=60)
producer.flush()
producer.close()
`;

async function run(args: string[], stdin?: string): Promise<{ code: number; output: string }> {
  const child = new Deno.Command(args[0], {
    args: args.slice(1),
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  return { code, output: decoder.decode(stdout) + decoder.decode(stderr) };
}

/** Installs fastavro and kafka-python for this user when they are missing, quietly. */
async function ensurePythonPackages(): Promise<void> {
  const probe = ["python3", "-c", "import fastavro, kafka"];
  if ((await run(probe)).code === 0) return;
  const pip = [
    "python3",
    "-m",
    "pip",
    "install",
    "--user",
    "--quiet",
    "--disable-pip-version-check",
  ];
  const packages = ["fastavro", "kafka-python"];
  let install = await run([...pip, ...packages]);
  // Debian's Python refuses --user installs outside a virtualenv (PEP 668).
  if (install.code !== 0) install = await run([...pip, "--break-system-packages", ...packages]);
  assert.equal(install.code, 0, `pip could not install ${packages.join(" ")}: ${install.output}`);
  const again = await run(probe);
  assert.equal(again.code, 0, `fastavro and kafka-python do not import: ${again.output}`);
}

function order(orderId: string, price: number, extra: Partial<Order> = {}): Order {
  return { orderId, product: "Laptop", price, ...extra };
}

Deno.test("one consumer reads raw v1 from fastavro, single-object v1 and v2: count and mean exact; an unknown fingerprint is dead-lettered as UNKNOWN_SCHEMA", async () => {
  await ensurePythonPackages();
  const brokers = await testBrokers();
  const topic = uniqueTopic("evolution");
  const dlqTopic = uniqueTopic("evolution-dlq");
  await createTopic(brokers, topic, 3);
  await createTopic(brokers, dlqTopic, 1);

  // Prices whose float32 is not the price, and whose sum in doubles drifts.
  const pythonOrders = [19.99, 688.65, 0.1, 0.2, 1010].map((p, i) => order(`PY-${i + 1}`, p));
  const v1Orders = [0.3, 99.99, 688.65].map((p, i) => order(`V1-${i + 1}`, p));
  const v2Orders = [0.1, 0.2, 0.3, 12345.67].map((p, i) =>
    order(`V2-${i + 1}`, p, {
      customerId: `CUST-${i}`,
      quantity: i + 1,
      createdAt: 1_700_000_000_000,
    })
  );

  const python = await run(
    ["python3", "-c", PYTHON_PRODUCER, brokers.join(","), SCHEMA_V1, topic],
    pythonOrders.map((o) => JSON.stringify(o)).join("\n") + "\n",
  );
  assert.equal(python.code, 0, python.output);

  const [v1, v2] = [1, 2].map((version) => createOrderEncoder({ version }));
  const records = (encoder: typeof v1, orders: Order[]): OutboundRecord[] =>
    orders.map((o) => ({
      key: o.orderId,
      value: encoder.encode(o),
      headers: { ...encoder.headers },
    }));
  const unknownFingerprint = 0x0123456789abcdefn;
  const rawBody = createCodec<Order>(loadSchema("order")).encode(order("ALIEN-1", 5));
  await writeRecords(brokers, topic, [
    ...records(v1, v1Orders),
    ...records(v2, v2Orders),
    { key: "ALIEN-1", value: frameSingleObject(unknownFingerprint, rawBody) },
  ]);

  const all = [...pythonOrders, ...v1Orders, ...v2Orders];
  const stop = new AbortController();
  const watchdog = setTimeout(() => stop.abort("timeout"), 90_000);
  let last: ConsumerStats | undefined;
  try {
    await lastValueFrom(
      consumeOrders({
        brokers,
        topic,
        dlqTopic,
        groupId: `${topic}-g`,
        fromBeginning: true,
        failRate: 0,
        signal: stop.signal,
      }).pipe(tap((stats) => {
        last = stats;
        if (stats.processed + stats.deadLettered === all.length + 1) stop.abort("done");
      })),
      { defaultValue: undefined },
    );
  } finally {
    clearTimeout(watchdog);
  }
  assert.equal(stop.signal.reason, "done", "the consumer settled every message before the timeout");

  const cents = all.reduce((sum, o) => sum + toCents(o.price), 0);
  assert.equal(last?.processed, all.length);
  assert.equal(last?.aggregate.count, all.length);
  assert.equal(last?.aggregate.sumCents, cents);
  assert.equal(last?.aggregate.average, cents / all.length / 100);
  assert.equal(last?.aggregate.max, 12345.67);
  assert.equal(last?.deadLettered, 1);

  const [letter] = await readRecords(brokers, dlqTopic, 1);
  assert.equal(text(letter.headers["x-error-code"]), "UNKNOWN_SCHEMA");
  assert.equal(text(letter.headers["x-error-class"]), "poison");
  assert.equal(text(letter.headers["x-schema-fingerprint"]), "0123456789abcdef");
  const envelope = decodeDeadLetter(letter.value);
  assert.equal(envelope.errorCode, "UNKNOWN_SCHEMA");
  assert.match(envelope.errorMessage, /unknown writer schema, fingerprint 0123456789abcdef/);
  assert.deepEqual([...envelope.payload], [...frameSingleObject(unknownFingerprint, rawBody)]);

  // What kcat users see: our messages name their encoding, fastavro's carry no header.
  const stored = await readRecords(brokers, topic, all.length + 1);
  const encodings = new Map(stored.map((r) => [text(r.key), text(r.headers[ENCODING_HEADER])]));
  assert.equal(encodings.get("PY-1"), null);
  assert.equal(encodings.get("V1-1"), "avro-single-object; schema=com.orders.Order; version=1");
  assert.equal(encodings.get("V2-1"), "avro-single-object; schema=com.orders.Order; version=2");
});
