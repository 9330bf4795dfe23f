/**
 * The order consumer: Kafka records in, one outcome per record, the running
 * average out. Composes the Kafka source, the Avro decoder, the simulated
 * processor with retry and backoff, and the dead-letter sink; settles each
 * record (so its offset may be committed) only after its outcome is folded
 * into the statistics.
 *
 * @module
 */
import {
  concatMap,
  defer,
  groupBy,
  map,
  mergeMap,
  type Observable,
  of,
  scan,
  type SchedulerLike,
  tap,
} from "rxjs";
import { createCodec } from "../avro/avro_codec.ts";
import { loadSchema } from "../avro/load_schema.ts";
import { buildDeadLetter } from "../dead_letter/dead_letter.ts";
import { classify, DecodeError, errorCode } from "../errors.ts";
import { fromKafka } from "../kafka/from_kafka.ts";
import type { Delivery, KafkaRecord } from "../kafka/kafka_record.ts";
import { connectProducer, type KafkaSink } from "../kafka/kafka_producer.ts";
import { addToAggregate, emptyAggregate } from "../operators/aggregate.ts";
import type { DeadLetterSink } from "../operators/dead_letter_sink.ts";
import { decode } from "../operators/decode.ts";
import type { Outcome } from "../operators/outcome.ts";
import { processWithRetry } from "../operators/process_with_retry.ts";
import { ProcessingFailure } from "../operators/processing_failure.ts";
import { toDeadLetter } from "../operators/to_dead_letter.ts";
import type { Order } from "../orders/order.ts";
import { createSimulatedProcessor } from "../orders/simulated_processor.ts";
import { validateOrder } from "../orders/validate_order.ts";
import type { ConsumerStats, PartitionState } from "./consumer_stats.ts";

/** Options for {@link consumeOrders}. */
export interface ConsumeOrdersOptions {
  brokers: readonly string[];
  /** @default "orders" */
  topic?: string;
  /** @default "order-pipeline" */
  groupId?: string;
  /** @default "orders-dlq" */
  dlqTopic?: string;
  /** Retries of a transient failure before it is dead-lettered. @default 3 */
  maxRetries?: number;
  /** First backoff delay in ms; it doubles each retry, with full jitter. @default 1000 */
  backoffMs?: number;
  /** Longest backoff delay in ms. @default 30000 */
  maxBackoffMs?: number;
  /** Chance that the simulated processor times out on an order. @default 0.1 */
  failRate?: number;
  /** Seeds the simulated failures. */
  seed?: number;
  /** Marks orders the processor fails on while it returns true (tests' lasting faults). */
  isFaulty?: (order: Order) => boolean;
  /** Read a new group's partitions from the start. @default false */
  fromBeginning?: boolean;
  /** Unsettled records per partition at most. @default 1000 */
  maxInFlight?: number;
  /** Graceful stop: finish in-flight records, commit, leave, complete. */
  signal?: AbortSignal;
  /** How long a graceful stop waits for in-flight records, in ms. @default 10000 */
  drainTimeoutMs?: number;
  /** Scheduler for backoff timers (tests). */
  scheduler?: SchedulerLike;
  /** Told each partition's lag after each batch. */
  onLag?: (partition: number, lag: number) => void;
  /** Told the partitions this consumer holds after each rebalance. */
  onAssignment?: (partitions: number[]) => void;
  /** Told every record's outcome, once it is settled (an audit trail). */
  onOutcome?: (report: OutcomeReport) => void;
}

/** What became of one record. */
export interface OutcomeReport {
  partition: number;
  offset: string;
  outcome: "processed" | "dead-lettered" | "retry-scheduled";
  orderId: string | null;
  price: number | null;
  attempts: number;
  errorClass: string | null;
  errorCode: string | null;
  correlationId: string | null;
}

interface Settled {
  outcome: Outcome<{ order: Order; attempts: number }, unknown>;
  delivery: Delivery;
}

/**
 * Consumes orders and emits the statistics after every settled record. The
 * Observable completes after a graceful stop (`signal`), and errors, without
 * committing the failed record, if a dead letter cannot be written.
 *
 * @example
 * ```ts ignore
 * import { consumeOrders } from "./order_consumer.ts";
 * consumeOrders({ brokers: ["127.0.0.1:9092"], fromBeginning: true })
 *   .subscribe((stats) => console.log(stats.aggregate.average));
 * ```
 */
export function consumeOrders(options: ConsumeOrdersOptions): Observable<ConsumerStats> {
  const {
    brokers,
    topic = "orders",
    groupId = "order-pipeline",
    dlqTopic = "orders-dlq",
    maxRetries = 3,
    backoffMs = 1000,
    maxBackoffMs = 30_000,
    failRate = 0.1,
    seed,
    isFaulty,
    fromBeginning = false,
    maxInFlight = 1000,
    signal,
    drainTimeoutMs = 10_000,
    scheduler,
    onLag,
    onAssignment,
    onOutcome,
  } = options;

  return defer(() => {
    const codec = createCodec<Order>(loadSchema("order"));
    const decoder = { decode: (bytes: Uint8Array | null) => validateOrder(codec.decode(bytes)) };
    const processOrder = createSimulatedProcessor({ failRate, seed, isFaulty });
    const retrying = processWithRetry(
      ({ value }: { record: KafkaRecord; value: Order }) => processOrder(value),
      {
        count: maxRetries,
        backoff: { baseDelay: backoffMs, maxDelay: Math.max(backoffMs, maxBackoffMs) },
        scheduler,
      },
    );

    let producer: Promise<KafkaSink> | undefined;
    const sink: DeadLetterSink<ReturnType<typeof buildDeadLetter>> = {
      async write(letter) {
        producer ??= connectProducer({ brokers, clientId: "order-pipeline-dlq" });
        await (await producer).send(dlqTopic, [letter]);
      },
    };

    const handle = (delivery: Delivery): Observable<Settled> => {
      const record = delivery.record;
      return of(record).pipe(
        decode(decoder),
        retrying,
        map((done) => ({
          kind: "processed" as const,
          value: { order: done.result, attempts: done.attempts },
        })),
        toDeadLetter(sink, (error) => deadLetterFor(record, error, groupId, codec.decode)),
        map((outcome) => ({ outcome, delivery })),
      );
    };

    const stats$ = fromKafka({
      brokers,
      groupId,
      topics: [topic],
      fromBeginning,
      maxInFlight,
      signal,
      drainTimeoutMs,
      onLag: onLag && ((_topic, partition, lag) => onLag(partition, lag)),
      onAssignment: onAssignment &&
        ((assigned) => onAssignment(assigned.flatMap((a) => a.partitions))),
    }).pipe(
      groupBy((delivery) => delivery.record.partition),
      mergeMap((partition$) => partition$.pipe(concatMap(handle))),
      scan(foldOutcome, { stats: initialStats(), settle: () => {}, last: undefined }),
      // The outcome is part of the statistics now: only then may it be committed.
      tap(({ settle }) => settle()),
      tap(onOutcome ? ({ last }) => last && onOutcome(report(last)) : () => {}),
      map(({ stats }) => stats),
    );

    return stats$.pipe(
      tap({ finalize: () => void producer?.then((p) => p.disconnect()).catch(() => {}) }),
    );
  });
}

function initialStats(): ConsumerStats {
  return {
    processed: 0,
    retried: 0,
    deadLettered: 0,
    deadLetteredByClass: { poison: 0, permanent: 0, transient: 0 },
    sentToRetry: 0,
    aggregate: emptyAggregate(),
    partitions: {},
  };
}

interface Folded {
  stats: ConsumerStats;
  settle: () => void;
  last: Settled | undefined;
}

function foldOutcome(acc: Folded, settled: Settled): Folded {
  const { stats } = acc;
  const { outcome, delivery } = settled;
  const { partition, offset } = delivery.record;
  const nextOffset = (BigInt(offset) + 1n).toString();
  const previous: PartitionState = stats.partitions[partition] ??
    { aggregate: emptyAggregate(), nextOffset };
  if (outcome.kind === "processed") {
    const { order, attempts } = outcome.value;
    return {
      settle: delivery.settle,
      last: settled,
      stats: {
        ...stats,
        processed: stats.processed + 1,
        retried: stats.retried + attempts - 1,
        aggregate: addToAggregate(stats.aggregate, order.price),
        partitions: {
          ...stats.partitions,
          [partition]: { aggregate: addToAggregate(previous.aggregate, order.price), nextOffset },
        },
      },
    };
  }
  const failure = outcome.error;
  const attempts = failure instanceof ProcessingFailure ? failure.attempts : 0;
  const errorClass = classify(failure instanceof ProcessingFailure ? failure.cause : failure);
  const byClass = { ...stats.deadLetteredByClass };
  if (errorClass === "poison" || errorClass === "permanent" || errorClass === "transient") {
    byClass[errorClass] += 1;
  } else {
    byClass.permanent += 1;
  }
  return {
    settle: delivery.settle,
    last: settled,
    stats: {
      ...stats,
      retried: stats.retried + Math.max(0, attempts - 1),
      deadLettered: outcome.kind === "dead-lettered" ? stats.deadLettered + 1 : stats.deadLettered,
      sentToRetry: outcome.kind === "retry-scheduled" ? stats.sentToRetry + 1 : stats.sentToRetry,
      deadLetteredByClass: outcome.kind === "dead-lettered" ? byClass : stats.deadLetteredByClass,
      partitions: { ...stats.partitions, [partition]: { ...previous, nextOffset } },
    },
  };
}

function deadLetterFor(
  record: KafkaRecord,
  error: unknown,
  groupId: string,
  decodeOrder: (bytes: Uint8Array | null) => Order,
): ReturnType<typeof buildDeadLetter> {
  const failure = error instanceof ProcessingFailure ? error : undefined;
  const cause = failure ? failure.cause : error;
  const now = Date.now();
  let order: Order | null = null;
  if (!(cause instanceof DecodeError)) {
    try {
      order = decodeOrder(record.value);
    } catch {
      order = null;
    }
  }
  return buildDeadLetter({
    record,
    error: cause,
    stage: failure?.stage ?? (cause instanceof DecodeError ? "decode" : "validate"),
    attempts: failure?.attempts ?? 0,
    firstFailureTime: failure && Number.isFinite(failure.firstFailureTime)
      ? failure.firstFailureTime
      : now,
    lastFailureTime: failure && Number.isFinite(failure.lastFailureTime)
      ? failure.lastFailureTime
      : now,
    consumerGroup: groupId,
    order,
  });
}

const textDecoder = new TextDecoder();

function report({ outcome, delivery }: Settled): OutcomeReport {
  const { partition, offset, headers } = delivery.record;
  const correlation = headers["x-correlation-id"];
  const correlationId = correlation ? textDecoder.decode(correlation) : null;
  if (outcome.kind === "processed") {
    const { order, attempts } = outcome.value;
    return {
      partition,
      offset,
      outcome: "processed",
      orderId: order.orderId,
      price: order.price,
      attempts,
      errorClass: null,
      errorCode: null,
      correlationId,
    };
  }
  const failure = outcome.error;
  const cause = failure instanceof ProcessingFailure ? failure.cause : failure;
  return {
    partition,
    offset,
    outcome: outcome.kind,
    orderId: null,
    price: null,
    attempts: failure instanceof ProcessingFailure ? failure.attempts : 0,
    errorClass: classify(cause),
    errorCode: errorCode(cause),
    correlationId,
  };
}
