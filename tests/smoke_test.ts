import { equal } from "node:assert/strict";
import { createKafka } from "../pipeline/kafka/client.ts";
import { testBrokers, uniqueTopic } from "./_shared_broker.ts";

Deno.test("a real broker takes a topic, a message, and gives the message back", async () => {
  const kafka = createKafka({ brokers: await testBrokers() });
  const topic = uniqueTopic("smoke");
  const admin = kafka.admin();
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `${topic}-group` });
  try {
    await admin.connect();
    equal(await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] }), true);
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: "k", value: "hello kafka" }] });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = await new Promise<string>((resolve) => {
      consumer.run({
        eachMessage: ({ message }) => Promise.resolve(resolve(String(message.value))),
      });
    });
    equal(received, "hello kafka");
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  }
});
