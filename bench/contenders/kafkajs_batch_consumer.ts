// Contender (b): the bare kafkajs client at its fastest, an `eachBatch`
// consumer that does nothing with the messages. The client's own limit.
import { Kafka, logLevel } from "kafkajs";
import { arg, printResult } from "./_result.ts";
import { secureFromEnv } from "./_secure.ts";

const args = Deno.args;
const brokers = arg(args, "brokers").split(",");
const topic = arg(args, "topic");
const messages = Number(arg(args, "messages"));

const kafka = new Kafka({
  clientId: "bench-batch",
  brokers,
  logLevel: logLevel.ERROR,
  ...secureFromEnv(),
});
const consumer = kafka.consumer({ groupId: arg(args, "group") });
let count = 0;
let firstMs = 0;
let lastMs = 0;
const done = Promise.withResolvers<void>();

// The window opens when the group is joined, as ConsumerPerformance's fetch time does.
consumer.on(consumer.events.GROUP_JOIN, () => firstMs ||= Date.now());
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({
  partitionsConsumedConcurrently: 3,
  // deno-lint-ignore require-await -- kafkajs awaits the handler
  eachBatch: async ({ batch }) => {
    count += batch.messages.length;
    if (count >= messages && lastMs === 0) {
      lastMs = Date.now();
      done.resolve();
    }
  },
});
await done.promise;
await consumer.disconnect();
printResult({ messages: count, firstMs, lastMs });
