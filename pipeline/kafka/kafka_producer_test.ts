import assert from "node:assert/strict";
import { KafkaWriteError } from "../errors.ts";
import { createProducer } from "./kafka_producer.ts";

// Port 1 (tcpmux) is privileged and served by nothing on our machines: connects are refused.
const NOWHERE = "127.0.0.1:1";

Deno.test("createProducer() disconnected before any send refuses later sends as final", async () => {
  const producer = createProducer({ brokers: [NOWHERE] });
  await producer.disconnect();
  await assert.rejects(
    producer.send("orders", [{ value: new Uint8Array([1]) }]),
    (err) =>
      err instanceof KafkaWriteError && err.code === "WRITE_REFUSED" &&
      err.message === "Cannot write 1 record(s) to orders: the producer is disconnected",
  );
});

Deno.test("createProducer() fails sends and connects to an absent broker as transient, naming the broker", async () => {
  const producer = createProducer({ brokers: [NOWHERE], idempotent: false, retries: 0 });
  for (let send = 1; send <= 2; send++) {
    await assert.rejects(
      producer.send("orders", [{ value: new Uint8Array([1]) }]),
      (err) =>
        err instanceof KafkaWriteError && err.code === "BROKER_UNREACHABLE" &&
        err.message.startsWith(`Cannot connect a producer to ${NOWHERE}`),
    );
  }
  await assert.rejects(
    producer.connect(),
    (err) => err instanceof KafkaWriteError && err.code === "BROKER_UNREACHABLE",
  );
  await producer.disconnect();
});
