import assert from "node:assert/strict";
import type { Delivery } from "../kafka/kafka_record.ts";
import { OffsetLedger } from "../kafka/offset_ledger.ts";
import { reportOutcome } from "./outcome_report.ts";
import type { Settled } from "./settled.ts";

const delivery = (offset: string): Delivery => ({
  record: {
    topic: "orders",
    partition: 0,
    offset,
    timestamp: "0",
    key: null,
    value: new Uint8Array(),
    headers: {},
  },
  ledger: new OffsetLedger(0),
  settle() {},
});

Deno.test("reportOutcome() gives a processed order's price as the aggregate counts it, in cents", () => {
  const settled: Settled = {
    outcome: {
      kind: "processed",
      value: {
        order: { orderId: "ORD-1", product: "Desk", price: Math.fround(3.21) },
        attempts: 1,
      },
    },
    delivery: delivery("4"),
    startedAt: 0,
    fromRetryTopic: false,
    failedOrder: null,
  } as Settled;
  const report = reportOutcome(settled);
  assert.equal(report.price, 3.21);
  assert.equal(report.orderId, "ORD-1");
  assert.equal(report.outcome, "processed");
});
