import assert from "node:assert/strict";
import { isRebalanceRefusal } from "./rebalance_refusal.ts";

const protocolError = (type: string, message: string) =>
  Object.assign(new Error(message), { name: "KafkaJSProtocolError", type, retriable: false });

Deno.test("isRebalanceRefusal() knows the coordinator's refusals of an ended generation, however wrapped", () => {
  for (const type of ["ILLEGAL_GENERATION", "REBALANCE_IN_PROGRESS", "UNKNOWN_MEMBER_ID"]) {
    const refused = protocolError(type, "refused");
    assert.ok(isRebalanceRefusal(refused), type);
    // kafkajs wraps the last failure of its retries as originalError.
    const retried = Object.assign(new Error("retries exceeded"), { originalError: refused });
    assert.ok(isRebalanceRefusal(retried), `${type}, wrapped`);
  }
});

Deno.test("isRebalanceRefusal() leaves other failures alone", () => {
  assert.ok(!isRebalanceRefusal(protocolError("NOT_COORDINATOR", "moved")));
  assert.ok(!isRebalanceRefusal(new Error("Connection error: ECONNREFUSED")));
  assert.ok(!isRebalanceRefusal(undefined));
  assert.ok(!isRebalanceRefusal("text"));
});
