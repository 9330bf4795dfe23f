/**
 * The outcome report: one line of audit per settled record, for the
 * `onOutcome` hook (metrics, `consume --print-outcomes`), and per record
 * passed over as another group's.
 *
 * @module
 */
import { classify, errorCode } from "../errors.ts";
import { CORRELATION_ID } from "../headers.ts";
import { headerName } from "../header_name.ts";
import type { KafkaRecord } from "../kafka/kafka_record.ts";
import { toCents } from "../operators/aggregate.ts";
import { ProcessingFailure } from "../operators/processing_failure.ts";
import { readRetryContext } from "../retry/read_retry_context.ts";
import type { RetryOwner } from "../retry/retry_owner.ts";
import type { Settled } from "./settled.ts";

/** What became of one record. */
export interface OutcomeReport {
  /** The topic it was consumed from: the main topic or the retry topic. */
  topic: string;
  partition: number;
  offset: string;
  /** Its round in the retry tier: 0 on the main topic. */
  round: number;
  /**
   * `passed-over`: another group's record, settled here without being
   * processed or counted. `handed-over`: a record of a partition this member
   * lost before the record's outcome; its new owner reads it again.
   */
  outcome: "processed" | "dead-lettered" | "retry-scheduled" | "passed-over" | "handed-over";
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
  /**
   * Only for `passed-over`: whose record it is, the group it names and, for a
   * retry round, the topic it came from (null where it names none).
   */
  belongsTo?: RetryOwner;
}

// A correlation id that is empty or not UTF-8 (another producer's bytes) reads as none.
function correlationOf(headers: KafkaRecord["headers"]): string | null {
  return headerName(headers[CORRELATION_ID]);
}

/** The report of one settled record. */
export function reportOutcome(
  { outcome, delivery, startedAt, context, failedOrder }: Settled,
): OutcomeReport {
  const durationMs = performance.now() - startedAt;
  const { topic, partition, offset, headers } = delivery.record;
  const round = context?.round ?? 0;
  const correlationId = correlationOf(headers);
  const base = { topic, partition, offset, round, correlationId, durationMs };
  if (outcome.kind === "handed-over") {
    const nothing = { orderId: null, price: null, attempts: 0, errorClass: null, errorCode: null };
    return { ...base, outcome: outcome.kind, ...nothing };
  }
  if (outcome.kind === "processed") {
    const { order, attempts } = outcome.value;
    return {
      ...base,
      outcome: "processed",
      orderId: order.orderId,
      // As the aggregate counts it, in whole cents: a v1 (float) 3.21 reads
      // back as 3.2100000381469727.
      price: toCents(order.price) / 100,
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

/**
 * The report of a record passed over as `belongsTo`'s (`own_records.ts`): no
 * order, no attempts of this group, no time spent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reportPassedOver } from "./outcome_report.ts";
 *
 * const record = {
 *   topic: "orders", partition: 1, offset: "9", timestamp: "0", key: null, value: null,
 *   headers: { "x-replay-group": new TextEncoder().encode("billing") },
 * };
 * const report = reportPassedOver(record, { group: "billing", topic: null });
 * assert.equal(report.outcome, "passed-over");
 * assert.deepEqual(report.belongsTo, { group: "billing", topic: null });
 * ```
 */
export function reportPassedOver(record: KafkaRecord, belongsTo: RetryOwner): OutcomeReport {
  const { topic, partition, offset, headers } = record;
  // Lenient: a record of another group is read for its round only.
  const { round } = readRetryContext(record);
  return {
    topic,
    partition,
    offset,
    round,
    correlationId: correlationOf(headers),
    durationMs: 0,
    outcome: "passed-over",
    orderId: null,
    price: null,
    attempts: 0,
    errorClass: null,
    errorCode: null,
    belongsTo,
  };
}
