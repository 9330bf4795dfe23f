import assert from "node:assert/strict";
import { CORRELATION_ID } from "../headers.ts";
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

Deno.test("reportOutcome() reads a correlation id that is not UTF-8 text as none", () => {
  const settled = (value: Uint8Array) =>
    ({
      outcome: { kind: "handed-over" },
      delivery: {
        ...delivery("5"),
        record: { ...delivery("5").record, headers: { [CORRELATION_ID]: value } },
      },
      startedAt: 0,
      fromRetryTopic: false,
      failedOrder: null,
    }) as Settled;
  assert.equal(reportOutcome(settled(new Uint8Array([0xff, 0xfe, 0]))).correlationId, null);
  assert.equal(reportOutcome(settled(new TextEncoder().encode("c-1"))).correlationId, "c-1");
});
