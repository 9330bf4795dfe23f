/**
 * One record's way to its outcome: decode (with validation), process with
 * retry and backoff, and on failure the retry topic or the dead-letter
 * topic. A record that decodes and processes at the first try gets its
 * outcome synchronously, with no Observable; any other record gets an
 * Observable of it. Both share the same decode and process cores: a failing
 * record is decoded once and its failed first attempt is not replayed.
 *
 * @module
 */
import {
  isObservable,
  map,
  Observable,
  type Observer,
  type Subscriber,
  throwError,
  type Unsubscribable,
} from "rxjs";
import type { Delivery, KafkaRecord } from "../kafka/kafka_record.ts";
import { type Decoder, decodeValue } from "../operators/decode.ts";
import { processed } from "../operators/processed.ts";
import {
  attemptWithRetry,
  type Processed,
  type RetryingCall,
  type RetryOptions,
} from "../operators/process_with_retry.ts";
import type { Order } from "../orders/order.ts";
import { readRetryContext, type RetryContext } from "../retry/read_retry_context.ts";
import { type FailureRoutes, routeFailure } from "./route_failure.ts";
import { held } from "./held_record.ts";
import type { HandedOver, Settled } from "./settled.ts";

/** What {@link createOrderHandler} needs. */
export interface OrderHandlerOptions {
  /** Decodes an order's bytes. */
  decoder: Decoder<Order>;
  /** Validates a decoded order; throws a permanent error for a bad one. */
  validate: (order: Order) => Order;
  /** Processes one order; throws a transient error to be retried. */
  process: (order: Order) => Order;
  /** Retries of `process`. */
  retry: RetryOptions;
  /**
   * Where failures go: the same routes for every record, or the routes of
   * one record (exactly-once mode holds a record's letters for its
   * partition's transaction).
   */
  routes: FailureRoutes | ((delivery: Delivery) => FailureRoutes);
  /** The retry topic: its records carry their retry context. */
  retryTopic?: string;
  /** Read the clock for each record's duration (only the outcome report needs it). @default false */
  timed?: boolean;
}

/**
 * The per-record handler: a {@link Settled} at once, or an Observable of it.
 *
 * @example
 * ```ts ignore
 * const handle = createOrderHandler({ decoder, process, retry: {}, routes });
 * const settled = handle(delivery);
 * ```
 */
export function createOrderHandler(
  options: OrderHandlerOptions,
): (delivery: Delivery) => Settled | Observable<Settled> {
  const { decoder, validate, process, retry, routes, retryTopic, timed = false } = options;
  const routesOf = typeof routes === "function" ? routes : () => routes;
  const attempt = attemptWithRetry(process, retry);
  return (delivery) => {
    const record = delivery.record;
    // Only the outcome report reads durations; no clock read per message otherwise.
    const startedAt = timed ? performance.now() : 0;
    const fromRetryTopic = retryTopic !== undefined && record.topic === retryTopic;
    // A record that waited behind its key while its partition was taken away.
    if (delivery.ledger.revoked) return handedOver(delivery, startedAt, fromRetryTopic);
    const context = fromRetryTopic ? readRetryContext(record) : undefined;
    // Decoded once; an order that fails validation still names its fields in the dead letter.
    let order: Order | null = null;
    try {
      order = decodeValue(decoder, record.value);
      order = validate(order);
    } catch (err) {
      // Not reported by its order: one that failed validation may hold anything.
      const settledAs = settler(delivery, startedAt, context, fromRetryTopic, null);
      return routed(err, routesOf(delivery), context ?? firstRound(record), order, settledAs);
    }
    const done = attempt(order);
    if (!isObservable(done)) {
      // The hot path: no closure, no Observable.
      const outcome = processed({ order: done.result, attempts: done.attempts });
      return settledOf(outcome, delivery, startedAt, context, fromRetryTopic, null);
    }
    // Only what the route needs is kept for it, never the delivery: its
    // record is a view of the fetch response, which a held record must not
    // keep, and so is a retry record's original (read again from the copy).
    const owner = held(delivery);
    return new RetriedOrder(
      done,
      owner,
      order,
      startedAt,
      context && readRetryContext(owner.record),
      fromRetryTopic,
      routesOf(owner),
    );
  };
}

// A record of a lost partition: no outcome here (see `HandedOver`).
function handedOver(delivery: Delivery, startedAt: number, fromRetryTopic: boolean): Settled {
  return settledOf(HANDED_OVER, delivery, startedAt, undefined, fromRetryTopic, null);
}

const HANDED_OVER: HandedOver = Object.freeze({ kind: "handed-over" });

// A record's outcome with what the fold and the settle need of the record.
function settledOf(
  outcome: Settled["outcome"],
  delivery: Delivery,
  startedAt: number,
  context: RetryContext | undefined,
  fromRetryTopic: boolean,
  order: Order | null,
): Settled {
  const failedOrder = outcome.kind === "processed" ? null : order;
  return { outcome, delivery, startedAt, context, fromRetryTopic, failedOrder };
}

// How a record's later outcome becomes its Settled.
function settler(
  delivery: Delivery,
  startedAt: number,
  context: RetryContext | undefined,
  fromRetryTopic: boolean,
  order: Order | null,
): (outcome: Settled["outcome"]) => Settled {
  return (outcome) => settledOf(outcome, delivery, startedAt, context, fromRetryTopic, order);
}

// A record whose first try failed or went async: its retries, then its
// outcome, or its route once it has failed for good. Thousands wait in
// backoff at once, so while one waits it is this object, its sink and its
// retries; the two operator subscribers of a `map` and a `catchError`, and
// their closures, are not built around each.
class RetriedOrder extends Observable<Settled> {
  constructor(
    readonly retrying: RetryingCall<Order, Order>,
    readonly delivery: Delivery,
    readonly order: Order,
    readonly startedAt: number,
    readonly context: RetryContext | undefined,
    readonly fromRetryTopic: boolean,
    readonly routes: FailureRoutes,
  ) {
    super(subscribeRetried);
  }

  settled(outcome: Settled["outcome"]): Settled {
    const { delivery, startedAt, context, fromRetryTopic, order } = this;
    return settledOf(outcome, delivery, startedAt, context, fromRetryTopic, order);
  }

  // Its end when its partition was taken while it waited.
  handedOver(): Settled {
    return handedOver(this.delivery, this.startedAt, this.fromRetryTopic);
  }

  // Its route once it has failed for good: the retry topic or the DLQ.
  routed(error: unknown): Observable<Settled> {
    const { delivery, context, order } = this;
    const settledAs = (outcome: Settled["outcome"]) => this.settled(outcome);
    return routed(error, this.routes, context ?? firstRound(delivery.record), order, settledAs);
  }
}

// The Observable's subscribe function: `this` is the RetriedOrder.
function subscribeRetried(this: Observable<Settled>, subscriber: Subscriber<Settled>) {
  const sink = new RetriedSink(this as RetriedOrder, subscriber);
  sink.retries = (this as RetriedOrder).retrying.retryInto(sink);
  return sink;
}

// The retries' result as its Settled; their failure, its route.
class RetriedSink implements Observer<Processed<Order, Order>>, Unsubscribable {
  retries?: Unsubscribable;

  constructor(
    private readonly record: RetriedOrder,
    private readonly subscriber: Subscriber<Settled>,
  ) {}

  // A record whose partition was taken while it waited is neither counted
  // nor routed: the new owner has read it again, and counts it once.
  next({ result, attempts }: Processed<Order, Order>): void {
    const { record } = this;
    this.subscriber.next(
      record.delivery.ledger.revoked
        ? record.handedOver()
        : record.settled(processed({ order: result, attempts })),
    );
  }

  // The route's outcome goes to the same subscriber, which ends with it.
  error(error: unknown): void {
    const { record } = this;
    if (!record.delivery.ledger.revoked) {
      return void record.routed(error).subscribe(this.subscriber);
    }
    this.subscriber.next(record.handedOver());
    this.subscriber.complete();
  }

  complete(): void {
    this.subscriber.complete();
  }

  unsubscribe(): void {
    this.retries?.unsubscribe();
  }
}

// A record's way once it has failed for good (the retry topic or the DLQ),
// built only then: a record in backoff holds its retries and nothing more.
function routed(
  error: unknown,
  routes: FailureRoutes,
  context: RetryContext,
  order: Order | null,
  settledAs: (outcome: Settled["outcome"]) => Settled,
): Observable<Settled> {
  return throwError(() => error).pipe(routeFailure(routes, context, order), map(settledAs));
}

// The retry context of a record in its first round: the record is its own
// original (nothing writes to a record, so it is not copied).
function firstRound(record: KafkaRecord): RetryContext {
  return { round: 0, due: 0, attempts: 0, firstFailure: null, original: record };
}
