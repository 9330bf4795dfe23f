import assert from "node:assert/strict";
import { BrokerError } from "../errors.ts";
import { waitForBroker } from "./wait_for_broker.ts";

// Port 1 on the loopback refuses at once: no broker is needed to see the waiting end.
const NOBODY = ["127.0.0.1:1"];

Deno.test("waitForBroker() gives up after the timeout with a BrokerError naming the brokers", async () => {
  const error = await waitForBroker(NOBODY, { timeoutMs: 300, intervalMs: 50 }).then(
    () => assert.fail("nothing listens on port 1"),
    (err) => err,
  );
  assert.ok(error instanceof BrokerError);
  assert.equal(error.code, "BROKER_UNAVAILABLE");
  assert.match(
    error.message,
    /Kafka at 127\.0\.0\.1:1 did not answer a metadata request \(300 ms passed\)/,
  );
  assert.ok(error.cause, "the last connection failure is its cause");
});

Deno.test("waitForBroker() stops when its signal aborts and says why", async () => {
  const controller = new AbortController();
  const waiting = waitForBroker(NOBODY, { timeoutMs: 60_000, signal: controller.signal });
  setTimeout(() => controller.abort("the broker process exited"), 100);
  await assert.rejects(waiting, /did not answer a metadata request \(the broker process exited\)/);
});
