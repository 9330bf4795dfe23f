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
  defer,
  groupBy,
  identity,
  map,
  merge,
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
import { writeDeadLetter } from "../dead_letter/write_dead_letter.ts";
import { classify, DecodeError, errorCode } from "../errors.ts";
import { fromKafka } from "../kafka/from_kafka.ts";
import type { Delivery, KafkaRecord } from "../kafka/kafka_record.ts";
import { connectProducer, type KafkaSink, type OutboundRecord } from "../kafka/kafka_producer.ts";
import { addToAggregate, emptyAggregate } from "../operators/aggregate.ts";
import type { DeadLetterSink } from "../operators/dead_letter_sink.ts";
import { decode } from "../operators/decode.ts";
import type { Outcome } from "../operators/outcome.ts";
import { createPatientWriter } from "../operators/patient_writer.ts";
import { processWithRetry } from "../operators/process_with_retry.ts";
import { ProcessingFailure } from "../operators/processing_failure.ts";
import { toDeadLetter } from "../operators/to_dead_letter.ts";
import { concatMapSync } from "../operators/concat_map_sync.ts";
import { toRetryTopic } from "../operators/to_retry_topic.ts";
import { buildRetryRecord, type RetryRecord } from "../retry/build_retry_record.ts";
import { readRetryContext, type RetryContext } from "../retry/read_retry_context.ts";
import type { Order } from "../orders/order.ts";
import { createSimulatedProcessor } from "../orders/simulated_processor.ts";
import { validateOrder } from "../orders/validate_order.ts";
import type { ConsumerStats, PartitionState } from "./consumer_stats.ts";
import { readTopic } from "../kafka/read_topic.ts";
import { parseStatsSnapshot, type StatsSnapshot } from "./stats_snapshot.ts";
import { createSnapshotPublisher } from "./stats_snapshots.ts";

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
  /** How long the group waits for a silent member after a crash, in ms. @default 30000 */
  sessionTimeoutMs?: number;
  /** Scheduler for backoff timers (tests). */
  scheduler?: SchedulerLike;
  /** Told each partition's lag after each batch. */
  onLag?: (partition: number, lag: number) => void;
  /** Told the partitions this consumer holds after each rebalance. */
  onAssignment?: (partitions: number[]) => void;
  /** Told every record's outcome, once it is settled (an audit trail). */
  onOutcome?: (report: OutcomeReport) => void;
  /**
   * Publish the aggregate of each owned input partition to this compacted
   * topic, at most once per `snapshotIntervalMs` and once more before completing.
   */
  statsTopic?: string;
  /** @default 1000 */
  snapshotIntervalMs?: number;
  /** Told when a snapshot could not be read or written (the next one tries again). */
  onSnapshotError?: (error: unknown) => void;
  /**
   * The retry topic (as many partitions as `topic`). When set, a transient
   * failure that outlasts the in-process retries goes there, due
   * `retryDelayMs` later, instead of to the DLQ, and this consumer also
   * consumes it (as group `retryGroupId`), trying each record again when it is
   * due. @default undefined: no retry tier, exhausted transient failures go to the DLQ
   */
  retryTopic?: string;
  /** Consumer group on the retry topic. @default `${groupId}-retry` */
  retryGroupId?: string;
  /** Wait before each round on the retry topic, in ms. @default 30000 */
  retryDelayMs?: number;
  /** Rounds through the retry topic before the DLQ; 0 turns the tier off. @default 3 */
  maxRetryRounds?: number;
  /**
   * How long a write to the DLQ, retry or stats topic may wait for the broker
   * (retrying with backoff) before the consumer stops, in ms. @default 300000
   */
  writeTimeoutMs?: number;
  /**
   * Told when a write starts waiting for the broker (`since`, ms since the
   * epoch) and when no write waits any more (`undefined`).
   */
  onBrokerWait?: (since: number | undefined) => void;
}

/** What became of one record. */
export interface OutcomeReport {
  /** The topic it was consumed from: the main topic or the retry topic. */
  topic: string;
  partition: number;
  offset: string;
  /** Its round in the retry tier: 0 on the main topic. */
  round: number;
  outcome: "processed" | "dead-lettered" | "retry-scheduled";
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

interface Settled {
  outcome: Outcome<{ order: Order; attempts: number }, unknown>;
  delivery: Delivery;
  startedAt: number;
  /** The record's retry context; absent for a main-topic record processed at the first try. */
  context?: RetryContext;
  /** Whether the record came from the retry topic. */
  fromRetryTopic: boolean;
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
    sessionTimeoutMs,
    scheduler,
    onLag,
    onAssignment,
    onOutcome,
    statsTopic,
    snapshotIntervalMs = 1000,
    onSnapshotError,
    retryTopic,
    retryGroupId = `${groupId}-retry`,
    retryDelayMs = 30_000,
    maxRetryRounds = 3,
    writeTimeoutMs = 300_000,
    onBrokerWait,
  } = options;
  if (!Number.isInteger(maxRetryRounds) || maxRetryRounds < 0) {
    throw new RangeError(
      `Cannot consume: 'maxRetryRounds' must be a whole number >= 0, got ${maxRetryRounds}`,
    );
  }
  if (!Number.isFinite(retryDelayMs) || retryDelayMs < 0) {
    throw new RangeError(`Cannot consume: 'retryDelayMs' must be >= 0 ms, got ${retryDelayMs}`);
  }
  if (retryTopic !== undefined && retryTopic === topic) {
    throw new RangeError(`Cannot consume: 'retryTopic' must differ from 'topic' (${topic})`);
  }
  const retryTier = retryTopic !== undefined && maxRetryRounds > 0;

  return defer(() => {
    const codec = createCodec<Order>(loadSchema("order"));
    const decoder = { decode: (bytes: Uint8Array | null) => validateOrder(codec.decode(bytes)) };
    const processOrder = createSimulatedProcessor({ failRate, seed, isFaulty });

    let producer: Promise<KafkaSink> | undefined;
    const writer = createPatientWriter({ timeoutMs: writeTimeoutMs, onWaitChange: onBrokerWait });
    const send = (target: string, records: OutboundRecord[]) =>
      writer.run(async () => {
        producer ??= connectProducer({ brokers, clientId: "order-pipeline-dlq" });
        await (await producer.catch((err) => {
          producer = undefined; // the next attempt connects afresh
          throw err;
        })).send(target, records);
      });
    const sink: DeadLetterSink<ReturnType<typeof buildDeadLetter>> = {
      write: (letter) => writeDeadLetter(letter, (l) => send(dlqTopic, [l])),
    };
    const retrySink: DeadLetterSink<RetryRecord> = {
      write: (letter) => send(retryTopic as string, [letter]),
    };
    // Another round if the failure is transient and rounds are left; else undefined: the DLQ.
    const nextRound = (context: RetryContext) => (error: unknown): RetryRecord | undefined => {
      if (!retryTier || !(error instanceof ProcessingFailure)) return undefined;
      if (classify(error.cause) !== "transient" || context.round >= maxRetryRounds) {
        return undefined;
      }
      return buildRetryRecord({
        context,
        attempts: error.attempts,
        failedAt: Number.isFinite(error.firstFailureTime) ? error.firstFailureTime : Date.now(),
        delayMs: retryDelayMs,
        errorClass: "transient",
        errorCode: errorCode(error.cause),
      });
    };

    const publisher = (
      snapshotTopic: string,
      select?: (stats: ConsumerStats) => ConsumerStats["partitions"],
    ) =>
      statsTopic === undefined ? undefined : createSnapshotPublisher({
        topic: snapshotTopic,
        groupId,
        select,
        intervalMs: snapshotIntervalMs,
        onError: onSnapshotError,
        load: async () => {
          const snapshots: StatsSnapshot[] = [];
          await readTopic({ brokers, topic: statsTopic, clientId: "order-pipeline-stats" }, (r) => {
            try {
              snapshots.push(parseStatsSnapshot(r.value));
            } catch {
              // a record some other writer left: not ours to read
            }
          });
          return snapshots;
        },
        write: (records) => send(statsTopic, records),
      });
    const snapshots = publisher(topic);
    // Orders that succeed in a retry round count too: their partitions of the
    // retry topic get snapshots of their own, under the same group.
    const retrySnapshots = retryTier && retryTopic !== undefined
      ? publisher(retryTopic, (stats) => stats.retryPartitions)
      : undefined;

    const retryOptions = {
      count: maxRetries,
      backoff: { baseDelay: backoffMs, maxDelay: Math.max(backoffMs, maxBackoffMs) },
      scheduler,
    };

    // The operator chain for a record whose first try failed, or that comes
    // from the retry topic: decode, retry with backoff, then the retry topic
    // or the dead-letter topic. `firstError` is the failure the fast path
    // already met, replayed as attempt 1 so attempts and the processor's
    // seeded failures come out exactly as if the chain had run from the start.
    const slowPath = (
      delivery: Delivery,
      startedAt: number,
      fromRetryTopic: boolean,
      firstError?: unknown,
    ): Observable<Settled> => {
      const record = delivery.record;
      const context = fromRetryTopic ? readRetryContext(record) : firstRound(record);
      const retrying = firstError === undefined
        ? retryingFromStart
        : processWithRetry(replayingFirst(firstError, processOrder), retryOptions);
      return of(record).pipe(
        decode(decoder),
        retrying,
        map((done) => ({
          kind: "processed" as const,
          value: { order: done.result, attempts: done.attempts },
        })),
        toRetryTopic(retrySink, nextRound(context)),
        toDeadLetter(sink, (error) => deadLetterFor(context, error, groupId, codec.decode)),
        map((outcome): Settled => ({ outcome, delivery, startedAt, context, fromRetryTopic })),
      );
    };
    const retryingFromStart = processWithRetry(
      ({ value }: { record: KafkaRecord; value: Order }) => processOrder(value),
      retryOptions,
    );

    // Most records decode, validate and process at the first try: they take
    // this synchronous path, with no Observable of their own. Anything that
    // throws goes down the operator chain above.
    const handle = (delivery: Delivery): Settled | Observable<Settled> => {
      const record = delivery.record;
      // Only the outcome hook reports durations; no clock read per message otherwise.
      const startedAt = onOutcome ? performance.now() : 0;
      if (retryTier && record.topic === retryTopic) return slowPath(delivery, startedAt, true);
      let order: Order;
      try {
        order = decoder.decode(record.value);
      } catch {
        return slowPath(delivery, startedAt, false);
      }
      try {
        order = processOrder(order);
      } catch (err) {
        return slowPath(delivery, startedAt, false, err);
      }
      return {
        outcome: { kind: "processed", value: { order, attempts: 1 } },
        delivery,
        startedAt,
        fromRetryTopic: false,
      };
    };

    const main$ = fromKafka({
      brokers,
      groupId,
      topics: [topic],
      fromBeginning,
      maxInFlight,
      signal,
      drainTimeoutMs,
      sessionTimeoutMs,
      onLag: onLag && ((_topic, partition, lag) => onLag(partition, lag)),
      onAssignment: (assigned) => {
        const partitions = assigned.find((a) => a.topic === topic)?.partitions ?? [];
        snapshots?.assign(partitions);
        onAssignment?.(partitions);
      },
    });
    // Retry records are read in due order per partition: the delay is the same
    // for every round, so the head of a partition is always due first.
    const retries$ = retryTier
      ? fromKafka({
        brokers,
        groupId: retryGroupId,
        topics: [retryTopic],
        fromBeginning: true,
        maxInFlight,
        signal,
        drainTimeoutMs,
        sessionTimeoutMs,
        clientId: "order-pipeline-retry",
        notBefore: (record) => readRetryContext(record).due,
        onAssignment: retrySnapshots &&
          ((assigned) =>
            retrySnapshots.assign(assigned.find((a) => a.topic === retryTopic)?.partitions ?? [])),
      })
      : undefined;

    const stats$ = (retries$ ? merge(main$, retries$) : main$).pipe(
      groupBy((delivery) => `${delivery.record.topic}/${delivery.record.partition}`),
      mergeMap((partition$) => partition$.pipe(concatMapSync(handle))),
      scan(foldOutcome, { stats: initialStats(), settle: () => {}, last: undefined }),
      // The outcome is part of the statistics now: only then may it be committed.
      tap(({ settle }) => settle()),
      onOutcome ? tap(({ last }) => last && onOutcome(report(last))) : identity,
      map(({ stats }) => stats),
      snapshots ? snapshots.publish : identity,
      retrySnapshots ? retrySnapshots.publish : identity,
    );

    return stats$.pipe(
      tap({
        finalize: () => {
          writer.close();
          void producer?.then((p) => p.disconnect()).catch(() => {});
        },
      }),
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
    retryPartitions: {},
  };
}

interface Folded {
  stats: ConsumerStats;
  settle: () => void;
  last: Settled | undefined;
}

// Offsets are int64 decimal strings; below 2^53 a Number adds 1 exactly and
// far faster than a BigInt.
function nextOffsetAfter(offset: string): string {
  return offset.length < 16 ? String(Number(offset) + 1) : (BigInt(offset) + 1n).toString();
}

/** A process function whose first call throws `error` again, then calls `process`. */
function replayingFirst(
  error: unknown,
  process: (order: Order) => Order,
): (input: { value: Order }) => Order {
  let replayed = false;
  return ({ value }) => {
    if (!replayed) {
      replayed = true;
      throw error;
    }
    return process(value);
  };
}

function firstRound(record: KafkaRecord): RetryContext {
  return {
    round: 0,
    due: 0,
    attempts: 0,
    firstFailure: null,
    original: { ...record, headers: { ...record.headers } },
  };
}

function foldOutcome(acc: Folded, settled: Settled): Folded {
  const { stats } = acc;
  const { outcome, delivery, fromRetryTopic } = settled;
  const { partition, offset } = delivery.record;
  const nextOffset = nextOffsetAfter(offset);
  const own = fromRetryTopic ? stats.retryPartitions : stats.partitions;
  const previous: PartitionState = own[partition] ?? { aggregate: emptyAggregate(), nextOffset };
  // The main and the retry topic keep separate per-partition states: their
  // offsets belong to different groups, and their snapshots to different keys.
  const partitions = (state: PartitionState) =>
    fromRetryTopic
      ? { partitions: stats.partitions, retryPartitions: { ...own, [partition]: state } }
      : { partitions: { ...own, [partition]: state }, retryPartitions: stats.retryPartitions };
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
        ...partitions({ aggregate: addToAggregate(previous.aggregate, order.price), nextOffset }),
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
      ...partitions({ ...previous, nextOffset }),
    },
  };
}

// A record that failed in the retry tier is dead-lettered as the original
// record, with attempts and first failure counted over every round.
function deadLetterFor(
  context: RetryContext,
  error: unknown,
  groupId: string,
  decodeOrder: (bytes: Uint8Array | null) => Order,
): ReturnType<typeof buildDeadLetter> {
  const failure = error instanceof ProcessingFailure ? error : undefined;
  const cause = failure ? failure.cause : error;
  const now = Date.now();
  const record = context.original;
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
    stage: context.round > 0
      ? "retry"
      : failure?.stage ?? (cause instanceof DecodeError ? "decode" : "validate"),
    attempts: context.attempts + (failure?.attempts ?? 0),
    firstFailureTime: context.firstFailure ??
      (failure && Number.isFinite(failure.firstFailureTime) ? failure.firstFailureTime : now),
    lastFailureTime: failure && Number.isFinite(failure.lastFailureTime)
      ? failure.lastFailureTime
      : now,
    consumerGroup: groupId,
    order,
  });
}

const textDecoder = new TextDecoder();

function report({ outcome, delivery, startedAt, context }: Settled): OutcomeReport {
  const durationMs = performance.now() - startedAt;
  const { topic, partition, offset, headers } = delivery.record;
  const round = context?.round ?? 0;
  const correlation = headers["x-correlation-id"];
  const correlationId = correlation ? textDecoder.decode(correlation) : null;
  if (outcome.kind === "processed") {
    const { order, attempts } = outcome.value;
    return {
      topic,
      partition,
      offset,
      round,
      outcome: "processed",
      orderId: order.orderId,
      price: order.price,
      attempts: (context?.attempts ?? 0) + attempts,
      errorClass: null,
      errorCode: null,
      correlationId,
      durationMs,
    };
  }
  const failure = outcome.error;
  const cause = failure instanceof ProcessingFailure ? failure.cause : failure;
  return {
    topic,
    partition,
    offset,
    round,
    outcome: outcome.kind,
    orderId: null,
    price: null,
    attempts: (context?.attempts ?? 0) +
      (failure instanceof ProcessingFailure ? failure.attempts : 0),
    errorClass: classify(cause),
    errorCode: errorCode(cause),
    correlationId,
    durationMs,
  };
}
