/**
 * The order producer as an interval-driven Observable: a tick makes an order
 * (now and then a bad message, for demos), encodes it to Avro and sends it
 * with acks from all replicas. At `intervalMs` 0 it sends batches back to
 * back, as fast as the broker acknowledges them.
 *
 * @module
 */
import { DEFAULTS } from "../config.ts";
import {
  concatMap,
  defer,
  EMPTY,
  finalize,
  fromEvent,
  interval,
  map,
  type Observable,
  repeat,
  scan,
  take,
  takeUntil,
} from "rxjs";
import { LATEST_ORDER_VERSION } from "../avro/order_schemas.ts";
import { createOrderEncoder } from "../avro/order_encoder.ts";
import { toCents } from "../operators/aggregate.ts";
import { retryWrites } from "../operators/retry_writes.ts";
import { CORRELATION_ID } from "../headers.ts";
import { createProducer, type KafkaSink, type OutboundRecord } from "../kafka/kafka_producer.ts";
import type { Order } from "../orders/order.ts";
import { makeBadMessage, makeOrder } from "../orders/order_generator.ts";
import { createRandom } from "../orders/random.ts";

/** Options for {@link produceOrders}. */
export interface ProduceOrdersOptions {
  brokers: readonly string[];
  /** @default DEFAULTS.topics.orders */
  topic?: string;
  /** Orders to send; `Infinity` runs until stopped. @default Infinity */
  count?: number;
  /** Pause between orders in ms; 0 sends batches back to back. @default DEFAULTS.producer.intervalMs */
  intervalMs?: number;
  /** Share of messages, 0 to 1, that are poison bytes or invalid orders. @default DEFAULTS.producer.badRate */
  badRate?: number;
  /** Seeds orders and bad messages, so a run can be repeated. */
  seed?: number;
  /** Records per request when `intervalMs` is 0. @default DEFAULTS.producer.batchSize */
  batchSize?: number;
  /** Number of the first order (`ORD-0001` is 1). @default 1 */
  firstOrder?: number;
  /** Run prefix in each order id (`ORD-<run>-0001`), such as `runPrefix()`. @default none */
  run?: string;
  /** Stop after the message in flight. */
  signal?: AbortSignal;
  /** The order schema version to write, as a single-object message. @default LATEST_ORDER_VERSION */
  schemaVersion?: number;
  /**
   * How long a send waits for an unreachable broker (retried with backoff)
   * before the Observable fails with a `WriteTimeoutError`, in ms.
   * @default DEFAULTS.writeTimeoutMs
   */
  writeTimeoutMs?: number;
  /** Told when sends start waiting for the broker (`since`, with why), and when they no longer do (`undefined`). */
  onBrokerWait?: (since: number | undefined, error?: unknown) => void;
  /**
   * The process's producer, when it has one (the dashboard); the caller
   * disconnects it. @default a producer of its own, disconnected when the
   * Observable ends
   */
  producer?: KafkaSink;
}

/** Running totals, emitted after every acknowledged send. */
export interface ProducerProgress {
  /** Messages acknowledged by the broker. */
  readonly sent: number;
  /** Of those, valid orders. */
  readonly valid: number;
  /** Of those, poison bytes or invalid orders. */
  readonly bad: number;
  /** Sum of the valid orders' prices in whole cents, as the consumer's aggregate counts them. */
  readonly validSumCents: number;
  /** `validSumCents / 100`. */
  readonly validSum: number;
  /** The last valid order sent. */
  readonly lastOrder: Order | null;
}

/**
 * Produces orders; completes after `count`, or when `signal` aborts.
 *
 * @example
 * ```ts ignore
 * import { produceOrders } from "./order_producer.ts";
 * produceOrders({ brokers: ["127.0.0.1:9092"], count: 50, intervalMs: 0 })
 *   .subscribe((p) => console.log(`${p.sent} sent`));
 * ```
 */
export function produceOrders(options: ProduceOrdersOptions): Observable<ProducerProgress> {
  const {
    brokers,
    topic = DEFAULTS.topics.orders,
    count = Infinity,
    intervalMs = DEFAULTS.producer.intervalMs,
    badRate = DEFAULTS.producer.badRate,
    seed,
    batchSize = DEFAULTS.producer.batchSize,
    firstOrder = 1,
    run,
    signal,
    schemaVersion = LATEST_ORDER_VERSION,
    producer: shared,
    writeTimeoutMs = DEFAULTS.writeTimeoutMs,
    onBrokerWait,
  } = options;
  if (count !== Infinity && (!Number.isInteger(count) || count < 0)) {
    throw new RangeError(`Cannot produce: 'count' must be a whole number >= 0, got ${count}`);
  }
  if (!(intervalMs >= 0)) {
    throw new RangeError(`Cannot produce: 'intervalMs' must be >= 0, got ${intervalMs}`);
  }
  if (!(badRate >= 0 && badRate <= 1)) {
    throw new RangeError(`Cannot produce: 'badRate' must be between 0 and 1, got ${badRate}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(
      `Cannot produce: 'batchSize' must be a whole number >= 1, got ${batchSize}`,
    );
  }
  if (count === 0) return EMPTY;

  return defer(() => {
    const codec = createOrderEncoder({ version: schemaVersion });
    const random = createRandom(seed);
    const producer = shared ??
      createProducer({ brokers, clientId: `${DEFAULTS.clientId}-producer` });
    let next = firstOrder;

    const makeMessage = (): Made => {
      const n = next++;
      if (badRate > 0 && random() < badRate) {
        const bad = makeBadMessage(n, random, { run });
        const value = bad.kind === "poison" ? bad.value : codec.encode(bad.value);
        const key = bad.kind === "invalid" ? bad.value.orderId : null;
        return {
          record: record(key, value, bad.kind === "invalid" ? codec.headers : {}),
          order: null,
        };
      }
      const order = makeOrder(n, random, { run });
      return { record: record(order.orderId, codec.encode(order), codec.headers), order };
    };
    // A broker outage is waited out, with backoff, for up to writeTimeoutMs;
    // a batch sent again after a lost acknowledgement may be stored twice.
    const patience = retryWrites({
      timeoutMs: writeTimeoutMs,
      onWaiting: (since, error) => onBrokerWait?.(since, error),
      onWaitOver: () => onBrokerWait?.(undefined),
    });
    const send = (made: Made[]) =>
      defer(() => producer.send(topic, made.map((m) => m.record))).pipe(
        patience,
        map(() => made),
      );

    const stop$ = signal ? fromEvent(signal, "abort") : EMPTY;
    const batches$ = intervalMs === 0
      ? defer(() => {
        const size = Math.min(batchSize, count - (next - firstOrder));
        return send(Array.from({ length: size }, makeMessage));
      }).pipe(repeat({ count: Math.ceil(count / batchSize) }))
      : interval(intervalMs).pipe(take(count), concatMap(() => send([makeMessage()])));

    return batches$.pipe(
      takeUntil(stop$),
      scan(addProgress, {
        sent: 0,
        valid: 0,
        bad: 0,
        validSumCents: 0,
        validSum: 0,
        lastOrder: null,
      } as ProducerProgress),
      finalize(() => {
        if (producer !== shared) void producer.disconnect().catch(() => {});
      }),
    );
  });
}

interface Made {
  record: OutboundRecord;
  order: Order | null;
}

function record(
  key: string | null,
  value: Uint8Array,
  encoding: Readonly<Record<string, string>>,
): OutboundRecord {
  return { key, value, headers: { ...encoding, [CORRELATION_ID]: crypto.randomUUID() } };
}

function addProgress(progress: ProducerProgress, made: Made[]): ProducerProgress {
  let { sent, valid, bad, validSumCents, lastOrder } = progress;
  for (const m of made) {
    sent += 1;
    if (m.order) {
      valid += 1;
      validSumCents += toCents(m.order.price);
      lastOrder = m.order;
    } else {
      bad += 1;
    }
  }
  return { sent, valid, bad, validSumCents, validSum: validSumCents / 100, lastOrder };
}
