// Producer contender (b): the producer most kafkajs tutorials show, awaiting
// one `send` (default acks: all replicas) per Avro order.
import avro from "avsc";
import { Kafka, logLevel } from "kafkajs";
import { CORRELATION_ID } from "../../pipeline/headers.ts";
import { arg, printResult } from "./_result.ts";
import { secureFromEnv } from "./_secure.ts";

const args = Deno.args;
const brokers = arg(args, "brokers").split(",");
const topic = arg(args, "topic");
const messages = Number(arg(args, "messages"));

const schema = JSON.parse(
  await Deno.readTextFile(new URL("../../schemas/order.avsc", import.meta.url)),
);
const orderType = avro.Type.forSchema(schema);
const products = ["Laptop", "Phone", "Tablet", "Monitor", "Keyboard"];
const kafka = new Kafka({
  clientId: "bench-tutorial-producer",
  brokers,
  logLevel: logLevel.ERROR,
  ...secureFromEnv(),
});
const producer = kafka.producer();
await producer.connect();
const firstMs = Date.now();
for (let i = 1; i <= messages; i++) {
  const order = {
    orderId: `ORD-${String(i).padStart(4, "0")}`,
    product: products[i % products.length],
    price: Math.round(1000 + Math.random() * 100_000) / 100,
  };
  await producer.send({
    topic,
    messages: [{
      key: order.orderId,
      value: orderType.toBuffer(order),
      headers: { [CORRELATION_ID]: crypto.randomUUID() },
    }],
  });
}
const lastMs = Date.now();
await producer.disconnect();
printResult({ messages, firstMs, lastMs });
