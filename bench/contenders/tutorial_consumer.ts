// Contender (c): the consumer most kafkajs tutorials show: `eachMessage`,
// decode with avsc (through our one order decoder, which reads v1 and v2),
// keep a running average, let kafkajs auto-commit.
import { Kafka, logLevel } from "kafkajs";
import { createOrderDecoder } from "../../pipeline/avro/order_decoder.ts";
import { arg, printResult } from "./_result.ts";
import { secureFromEnv } from "./_secure.ts";

const args = Deno.args;
const brokers = arg(args, "brokers").split(",");
const topic = arg(args, "topic");
const messages = Number(arg(args, "messages"));

const orderType = createOrderDecoder();
const kafka = new Kafka({
  clientId: "bench-tutorial",
  brokers,
  logLevel: logLevel.ERROR,
  ...secureFromEnv(),
});
const consumer = kafka.consumer({ groupId: arg(args, "group") });
let count = 0;
let sum = 0;
let average = 0;
let firstMs = 0;
let lastMs = 0;
const done = Promise.withResolvers<void>();

// The window opens when the group is joined, as ConsumerPerformance's fetch time does.
consumer.on(consumer.events.GROUP_JOIN, () => firstMs ||= Date.now());
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({
  // deno-lint-ignore require-await -- written as the tutorials write it
  eachMessage: async ({ message }) => {
    const order = orderType.decode(message.value);
    count += 1;
    sum += order.price;
    average = sum / count;
    if (count === messages) {
      lastMs = Date.now();
      done.resolve();
    }
  },
});
await done.promise;
await consumer.disconnect();
printResult({ messages: count, firstMs, lastMs, extra: { average } });
