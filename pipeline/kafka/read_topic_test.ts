import assert from "node:assert/strict";
import { BrokerError } from "../errors.ts";
import { readTopic } from "./read_topic.ts";

Deno.test("readTopic() waits for a broker that does not answer, then fails with one line", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  const started = Date.now();
  const failure = await readTopic(
    { brokers: [`127.0.0.1:${port}`], topic: "orders-dlq", waitMs: 3000 },
    () => {},
  ).then(() => undefined, (err) => err);
  assert.ok(failure instanceof BrokerError, String(failure));
  assert.equal(failure.code, "BROKER_UNAVAILABLE");
  assert.match(
    failure.message,
    new RegExp(`^Kafka at 127\\.0\\.0\\.1:${port} did not serve orders-dlq within 3000 ms: `),
  );
  assert.ok(!failure.message.includes("\n"));
  assert.ok(Date.now() - started >= 3000, "it waited its bound");
});
