/**
 * The consumer's one operator chain, from deliveries to statistics.
 *
 * @module
 */
import { identity, type Observable, type OperatorFunction, pipe, scan, tap } from "rxjs";
import type { Delivery } from "../kafka/kafka_record.ts";
import { concatMapByKey } from "../operators/concat_map_by_key.ts";
import type { ConsumerStats } from "./consumer_stats.ts";
import { EMPTY_STATS, foldOutcome } from "./fold_outcome.ts";
import { laneOf, type Ordering } from "./ordering.ts";
import { type OutcomeReport, reportOutcome } from "./outcome_report.ts";
import type { Settled } from "./settled.ts";

/** What {@link orderChain} is made of. */
export interface OrderChainOptions {
  /** Which records wait for which. */
  ordering: Ordering;
  /** One record's way to its outcome (see `createOrderHandler`). */
  handle: (delivery: Delivery) => Settled | Observable<Settled>;
  /** Told every record's outcome, once it is settled. */
  onOutcome?: (report: OutcomeReport) => void;
  /** The fold of outcomes into the statistics. @default foldOutcome */
  fold?: (stats: ConsumerStats, settled: Settled) => ConsumerStats;
}

/**
 * Deliveries in, the statistics after every settled record out: each record
 * runs through `handle` in its lane (its key, its partition, or none, by
 * `ordering`), lanes side by side; its outcome settles it and is folded in.
 *
 * @example
 * ```ts ignore
 * fromKafka(options).pipe(orderChain({ ordering: "key", handle })).subscribe(console.log);
 * ```
 */
export function orderChain(
  { ordering, handle, onOutcome, fold = foldOutcome }: OrderChainOptions,
): OperatorFunction<Delivery, ConsumerStats> {
  return pipe(
    // decode, process with retry, then the retry topic or the DLQ; in offset order per lane
    concatMapByKey(laneOf(ordering), handle),
    // The outcome is final and folded next, in the same synchronous step, so
    // no commit can pass it before the statistics hold it.
    tap(settle),
    onOutcome ? tap((settled: Settled) => onOutcome(reportOutcome(settled))) : identity,
    scan(fold, EMPTY_STATS),
  );
}

function settle({ delivery }: Settled): void {
  delivery.settle();
}
