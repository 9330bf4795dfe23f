/**
 * The outcome report: one line of audit per settled record, for the
 * `onOutcome` hook (metrics, `consume --print-outcomes`).
 *
 * @module
 */
import { classify, errorCode } from "../errors.ts";
import { CORRELATION_ID } from "../headers.ts";
import { ProcessingFailure } from "../operators/processing_failure.ts";
import type { Settled } from "./settled.ts";

/** What became of one record. */
export interface OutcomeReport {
  /** The topic it was consumed from: the main topic or the retry topic. */
  topic: string;
  partition: number;
  offset: string;
  /** Its round in the retry tier: 0 on the main topic. */
  round: number;
  outcome: "processed" | "dead-lettered" | "retry-scheduled";
  /** The order's id and price; null for a record that did not decode or validate. */
  orderId: string | null;
  price: number | null;
  /** Processing attempts over every round so far. */
  attempts: number;
  errorClass: string | null;
  errorCode: string | null;
  correlationId: string | null;
  /** Milliseconds from the record's arrival to its outcome. */
  durationMs: number;
}

const textDecoder = new TextDecoder();

/** The report of one settled record. */
export function reportOutcome(
  { outcome, delivery, startedAt, context, failedOrder }: Settled,
): OutcomeReport {
  const durationMs = performance.now() - startedAt;
  const { topic, partition, offset, headers } = delivery.record;
  const round = context?.round ?? 0;
  const correlation = headers[CORRELATION_ID];
  const correlationId = correlation ? textDecoder.decode(correlation) : null;
  const base = { topic, partition, offset, round, correlationId, durationMs };
  if (outcome.kind === "processed") {
    const { order, attempts } = outcome.value;
    return {
      ...base,
      outcome: "processed",
      orderId: order.orderId,
      price: order.price,
      attempts: (context?.attempts ?? 0) + attempts,
      errorClass: null,
      errorCode: null,
    };
  }
  const failure = outcome.error;
  const cause = failure instanceof ProcessingFailure ? failure.cause : failure;
  return {
    ...base,
    outcome: outcome.kind,
    orderId: failedOrder?.orderId ?? null,
    price: failedOrder?.price ?? null,
    attempts: (context?.attempts ?? 0) +
      (failure instanceof ProcessingFailure ? failure.attempts : 0),
    errorClass: classify(cause),
    errorCode: errorCode(cause),
  };
}
