/**
 * A record that reached its one terminal outcome, with what the fold, the
 * report and the commit need to know of it.
 *
 * @module
 */
import type { Delivery } from "../kafka/kafka_record.ts";
import type { Outcome } from "../operators/outcome.ts";
import type { Order } from "../orders/order.ts";
import type { RetryContext } from "../retry/read_retry_context.ts";

/** What a processed order comes to: the order and how many attempts it took. */
export interface ProcessedOrder {
  order: Order;
  attempts: number;
}

/**
 * What a record of a partition this member lost comes to, when it had no
 * outcome yet: nothing. It is not processed further, routed, counted or
 * committed here; the partition's new owner reads it again.
 */
export interface HandedOver {
  readonly kind: "handed-over";
}

/** One record's outcome, or its handover. */
export interface Settled {
  outcome: Outcome<ProcessedOrder, unknown> | HandedOver;
  delivery: Delivery;
  /** `performance.now()` when the record was handed in; 0 when nobody asks for durations. */
  startedAt: number;
  /** The record's retry context; absent for a record of the main topic. */
  context?: RetryContext;
  /** Whether the record came from the retry topic. */
  fromRetryTopic: boolean;
  /**
   * The order of a record that passed validation and then failed (to the
   * retry topic or the DLQ), so its report can name it; null for a record
   * that did not decode or validate, and for a processed one (its order is
   * in `outcome`).
   */
  failedOrder: Order | null;
}
