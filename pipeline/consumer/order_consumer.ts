/**
 * The order consumer's wiring: the Kafka sources, the codec, the simulated
 * processor, the sinks and the snapshot publishers, put together around the
 * one operator chain (`order_chain.ts`). Each record ends in exactly one
 * outcome and is settled (so its offset may be committed) only then.
 *
 * @module
 */
import {
  catchError,
  defer,
  identity,
  merge,
  type Observable,
  of,
  type SchedulerLike,
  switchMap,
  tap,
  throwError,
} from "rxjs";
import { createOrderDecoder } from "../avro/order_decoder.ts";
import { DEFAULTS, sharedTopic } from "../config.ts";
import { errorMessage } from "../errors.ts";
import { fromKafka, type OffsetCommit } from "../kafka/from_kafka.ts";
import type { Delivery, KafkaRecord } from "../kafka/kafka_record.ts";
import { InFlightGate } from "../kafka/in_flight_gate.ts";
import { withoutPayload } from "../dead_letter/without_payload.ts";
import { createProducer, type OutboundRecord } from "../kafka/kafka_producer.ts";
import { topicMaxMessageBytes } from "../kafka/topics.ts";
import { CoalescingScheduler } from "../operators/coalescing_scheduler.ts";
import { createPatientWriter } from "../operators/patient_writer.ts";
import type { Order } from "../orders/order.ts";
import { createSimulatedProcessor } from "../orders/simulated_processor.ts";
import { validateOrder } from "../orders/validate_order.ts";
import { replayedFor, replayGroupOf } from "../replay/replay_group.ts";
import { readRetryContext } from "../retry/read_retry_context.ts";
import { retryOwnedBy, type RetryOwner, retryOwnerOf } from "../retry/retry_owner.ts";
import type { ConsumerStats } from "./consumer_stats.ts";
import { createOrderHandler } from "./handle_order.ts";
import { orderChain } from "./order_chain.ts";
import { untilSourceEnds } from "./until_source_ends.ts";
import { type Ordering, ORDERINGS } from "./ordering.ts";
import { type OutcomeReport, reportPassedOver } from "./outcome_report.ts";
import { createExactlyOnce, type ExactlyOnce } from "./exactly_once.ts";
import { createOutcomeFold } from "./fold_outcome.ts";
import { leaveToOwners, takeOwnRecords } from "./own_records.ts";
import { loadLatestSnapshots } from "./load_latest_snapshots.ts";
import { type CoveredStart, createPartitionStarts } from "./partition_starts.ts";
import { createSnapshotPublisher, type SnapshotPublisher } from "./stats_snapshots.ts";
import type { StatsSnapshot } from "./stats_snapshot.ts";

export type { CoveredStart, OutcomeReport, RetryOwner };

const { consumer: CONSUMER } = DEFAULTS;

/** Options for {@link consumeOrders}. */
export interface ConsumeOrdersOptions {
  brokers: readonly string[];
  /** @default DEFAULTS.topics.orders */
  topic?: string;
  /** @default DEFAULTS.groupId */
  groupId?: string;
  /** @default DEFAULTS.topics.dlq */
  dlqTopic?: string;
  /** Retries of a transient failure before it is dead-lettered. @default DEFAULTS.consumer.maxRetries */
  maxRetries?: number;
  /** First backoff delay in ms; it doubles each retry, with full jitter. @default DEFAULTS.consumer.backoffMs */
  backoffMs?: number;
  /** Longest backoff delay in ms. @default DEFAULTS.consumer.maxBackoffMs */
  maxBackoffMs?: number;
  /** Chance that the simulated processor times out on an order. @default DEFAULTS.consumer.failRate */
  failRate?: number;
  /** Seeds the simulated failures. */
  seed?: number;
  /** Marks orders the processor fails on while it returns true (tests' lasting faults). */
  isFaulty?: (order: Order) => boolean;
  /** Read a new group's partitions from the start. @default false */
  fromBeginning?: boolean;
  /**
   * Which records wait for which: `key` (same key, offset order; other keys
   * run side by side), `partition` (offset order per partition) or
   * `unordered`. @default DEFAULTS.consumer.ordering
   */
  ordering?: Ordering;
  /** Unsettled records per partition at most; a full partition is paused. @default DEFAULTS.consumer.maxInFlight */
  maxInFlight?: number;
  /** Unsettled records in the whole consumer at most (both topics). @default DEFAULTS.consumer.maxInFlightTotal */
  maxInFlightTotal?: number;
  /** Graceful stop: finish in-flight records, commit, leave, complete. */
  signal?: AbortSignal;
  /** How long a graceful stop waits for in-flight records, in ms. @default DEFAULTS.consumer.drainTimeoutMs */
  drainTimeoutMs?: number;
  /** How long the group waits for a silent member after a crash, in ms. @default DEFAULTS.consumer.sessionTimeoutMs */
  sessionTimeoutMs?: number;
  /**
   * Scheduler for backoff timers: tests pass virtual time.
   * @default a `CoalescingScheduler`: orders in backoff due within 10 ms share one timer
   */
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
  /** @default DEFAULTS.consumer.snapshotIntervalMs */
  snapshotIntervalMs?: number;
  /**
   * Exactly once (needs `statsTopic`): per input partition, one Kafka
   * transaction carries its dead letters, retry records, snapshot and
   * consumed offsets; readers that read committed see each outcome once.
   * @default false: at least once
   */
  exactlyOnce?: boolean;
  /** How often each partition's transaction commits in exactly-once mode, in ms. @default DEFAULTS.consumer.transactionIntervalMs */
  transactionIntervalMs?: number;
  /**
   * Told when a snapshot could not be read or written (the next one tries
   * again). With `statsTopic`, a commit goes with its snapshot, and a failed
   * commit is told here too.
   */
  onSnapshotError?: (error: unknown) => void;
  /**
   * Told when an offset commit failed without `statsTopic` (the next one
   * tries again; until one lands, a restart repeats what settled since).
   */
  onCommitError?: (error: unknown) => void;
  /**
   * Told, once per assignment, when a partition starts below what its
   * latest snapshot covers (the group's offsets were moved back, or a crash
   * came between a snapshot and its commit): the records below the
   * snapshot's `nextOffset` are counted already, and are settled without
   * being processed again. Needs `statsTopic`.
   */
  onCoveredStart?: (start: CoveredStart) => void;
  /**
   * Told the group's latest snapshots (keyed `<topic>:<partition>`) each time
   * they are read, on assignment: what the group counted before this run, for
   * a running average over all of it. Needs `statsTopic`.
   */
  onStartSnapshots?: (snapshots: ReadonlyMap<string, StatsSnapshot>) => void;
  /**
   * The retry topic (as many partitions as `topic`). When set, a transient
   * failure that outlasts the in-process retries goes there, due
   * `retryDelayMs` later, instead of to the DLQ, and this consumer also
   * consumes it (as group `retryGroupId`), trying each record again when it is
   * due. @default undefined: no retry tier, exhausted transient failures go to the DLQ
   */
  retryTopic?: string;
  /**
   * Told once per owner (a group, or an original topic) whose rounds on the
   * shared retry topic this consumer passes over, as they are that owner's.
   */
  onForeignRounds?: (owner: RetryOwner) => void;
  /**
   * Told once per group whose replays (`dlq replay` back to this topic, for
   * the group that dead-lettered the order) this consumer passes over: it
   * had its own outcome for each of those orders the first time.
   */
  onForeignReplays?: (group: string) => void;
  /**
   * Told when no broker names a group coordinator for the consumer's group
   * (or its retry group) and its consumer is run again, for at most
   * `patienceMs` (see `fromKafka`).
   */
  onCoordinatorWait?: (groupId: string, patienceMs: number) => void;
  /** Consumer group on the retry topic. @default `${groupId}-retry` */
  retryGroupId?: string;
  /** Wait before each round on the retry topic, in ms. @default DEFAULTS.consumer.retryDelayMs */
  retryDelayMs?: number;
  /** Rounds through the retry topic before the DLQ; 0 turns the tier off. @default DEFAULTS.consumer.maxRetryRounds */
  maxRetryRounds?: number;
  /**
   * How long a write to the DLQ, retry or stats topic may wait for the broker
   * (retrying with backoff) before the consumer stops, in ms.
   * @default DEFAULTS.writeTimeoutMs
   */
  writeTimeoutMs?: number;
  /**
   * Told when a write starts waiting for the broker (`since`, ms since the
   * epoch) and when no write waits any more (`undefined`).
   */
  onBrokerWait?: (since: number | undefined) => void;
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
    topic = DEFAULTS.topics.orders,
    groupId = DEFAULTS.groupId,
    dlqTopic = DEFAULTS.topics.dlq,
    maxRetries = CONSUMER.maxRetries,
    backoffMs = CONSUMER.backoffMs,
    maxBackoffMs = CONSUMER.maxBackoffMs,
    failRate = CONSUMER.failRate,
    seed,
    isFaulty,
    fromBeginning = false,
    ordering = CONSUMER.ordering,
    maxInFlight,
    maxInFlightTotal,
    signal,
    drainTimeoutMs = CONSUMER.drainTimeoutMs,
    sessionTimeoutMs,
    scheduler,
    onLag,
    onAssignment,
    onOutcome,
    statsTopic,
    snapshotIntervalMs = CONSUMER.snapshotIntervalMs,
    exactlyOnce = false,
    transactionIntervalMs = CONSUMER.transactionIntervalMs,
    onSnapshotError,
    onCommitError,
    onCoveredStart,
    onStartSnapshots,
    retryTopic,
    onForeignRounds,
    onForeignReplays,
    onCoordinatorWait,
    retryGroupId = `${groupId}-retry`,
    retryDelayMs = CONSUMER.retryDelayMs,
    maxRetryRounds = CONSUMER.maxRetryRounds,
    writeTimeoutMs = DEFAULTS.writeTimeoutMs,
    onBrokerWait,
  } = options;
  if (!ORDERINGS.includes(ordering)) {
    throw new RangeError(
      `Cannot consume: 'ordering' must be one of ${ORDERINGS.join(", ")}, got ${
        JSON.stringify(ordering)
      }`,
    );
  }
  if (!Number.isInteger(maxRetryRounds) || maxRetryRounds < 0) {
    throw new RangeError(
      `Cannot consume: 'maxRetryRounds' must be a whole number >= 0, got ${maxRetryRounds}`,
    );
  }
  if (!Number.isFinite(retryDelayMs) || retryDelayMs < 0) {
    throw new RangeError(`Cannot consume: 'retryDelayMs' must be >= 0 ms, got ${retryDelayMs}`);
  }
  const shared = sharedTopic({ topic, retryTopic, dlqTopic, statsTopic });
  if (shared !== undefined) {
    const [first, second, name] = shared;
    throw new RangeError(`Cannot consume: '${second}' must differ from '${first}' (${name})`);
  }
  if (exactlyOnce && statsTopic === undefined) {
    throw new RangeError(
      "Cannot consume: 'exactlyOnce' needs 'statsTopic' (the snapshots ride in each transaction)",
    );
  }
  if (!(transactionIntervalMs > 0)) {
    throw new RangeError(
      `Cannot consume: 'transactionIntervalMs' must be > 0 ms, got ${transactionIntervalMs}`,
    );
  }
  const retryTier = retryTopic !== undefined && maxRetryRounds > 0 ? retryTopic : undefined;
  // One bound for both sources: the whole consumer holds at most this many unsettled records.
  const gate = new InFlightGate({ perPartition: maxInFlight, total: maxInFlightTotal });

  // The retry topic's limit, read once at the start: a retry record over it goes to the DLQ.
  const retryMaxBytes$: Observable<number | undefined> = retryTier === undefined
    ? of(undefined)
    : defer(() => topicMaxMessageBytes(brokers, retryTier)).pipe(catchError((err) =>
      throwError(() =>
        new Error(
          `Cannot consume: cannot read the max.message.bytes of the retry topic ${retryTier}: ${
            errorMessage(err)
          }`,
          { cause: err },
        )
      )
    ));

  return retryMaxBytes$.pipe(switchMap((retryMaxBytes) => {
    const codec = createOrderDecoder();
    // Writes to the DLQ, retry and stats topics ride out a broker outage.
    const writer = createPatientWriter({ timeoutMs: writeTimeoutMs, onWaitChange: onBrokerWait });
    // The process's one producer, for dead letters, retry records and
    // snapshots; it connects on the first of those writes.
    const producer = createProducer({ brokers, clientId: `${DEFAULTS.clientId}-consumer` });
    const sendTo = async (target: string, records: OutboundRecord[]) => {
      await writer.run(() => producer.send(target, records));
    };
    const routes = {
      deadLetters: { write: (letter: OutboundRecord) => sendTo(dlqTopic, [letter]) },
      retries: retryTier === undefined
        ? undefined
        : { write: (letter: OutboundRecord) => sendTo(retryTier, [letter]) },
      retryMaxBytes,
      maxRetryRounds,
      retryDelayMs,
      groupId,
    };
    // Each partition starts from its latest snapshot, and skips what it covers.
    const starts = statsTopic === undefined ? undefined : createPartitionStarts({
      load: async () => {
        const loaded = await loadLatestSnapshots({ brokers, statsTopic, groupId });
        onStartSnapshots?.(loaded);
        return loaded;
      },
      onError: onSnapshotError,
      onCoveredStart,
    });
    const publisher = (
      snapshotTopic: string,
      select?: (stats: ConsumerStats) => ConsumerStats["partitions"],
    ) =>
      starts === undefined ? undefined : createSnapshotPublisher({
        topic: snapshotTopic,
        groupId,
        starts,
        select,
        write: (records) => sendTo(statsTopic!, records),
      });
    const snapshots = publisher(topic);
    // Orders that succeed in a retry round count too: their partitions of the
    // retry topic get snapshots of their own, under the same group.
    const retrySnapshots = retryTier === undefined
      ? undefined
      : publisher(retryTier, (stats) => stats.retryPartitions);
    const eos = !exactlyOnce || !snapshots ? undefined : {
      main: createExactlyOnce({ brokers, groupId, topic, statsTopic: statsTopic!, snapshots }),
      retry: retryTier === undefined || !retrySnapshots ? undefined : createExactlyOnce({
        brokers,
        groupId: retryGroupId,
        topic: retryTier,
        statsTopic: statsTopic!,
        snapshots: retrySnapshots,
      }),
    };
    const handle = createOrderHandler({
      decoder: codec,
      validate: validateOrder,
      process: createSimulatedProcessor({ failRate, seed, isFaulty }),
      retry: {
        count: maxRetries,
        backoff: { baseDelay: backoffMs, maxDelay: Math.max(backoffMs, maxBackoffMs) },
        scheduler: scheduler ?? new CoalescingScheduler(),
      },
      routes: eos === undefined ? routes : (delivery: Delivery) => {
        // Exactly once: a record's letters wait for its partition's transaction.
        const writer = delivery.record.topic === topic ? eos.main : eos.retry!;
        // A dead letter too large for the DLQ goes without its payload, as at least once.
        return {
          ...routes,
          deadLetters: {
            write: (letter) =>
              writer.hold(delivery, dlqTopic, letter, () => withoutPayload(letter)),
          },
          retries: retryTier === undefined ? undefined : {
            write: (letter: OutboundRecord) => writer.hold(delivery, retryTier, letter),
          },
        };
      },
      retryTopic: retryTier,
      timed: onOutcome !== undefined,
    });

    // A partition's offset moves only to the position of its acknowledged snapshot.
    // Exactly once: the partition's transaction, every `transactionIntervalMs`.
    // Without snapshots, the consumer's own commit; its failures are told to onCommitError.
    const commitThrough = (publisher?: SnapshotPublisher, writer?: ExactlyOnce) =>
      publisher
        ? {
          commit: (position: OffsetCommit, commitOffsets: (c: OffsetCommit) => Promise<void>) =>
            (writer ? writer.commit(position) : publisher.commitThrough(position, commitOffsets))
              .catch((err) => {
                onSnapshotError?.(err);
                throw err;
              }),
          commitIntervalMs: writer ? transactionIntervalMs : snapshotIntervalMs,
        }
        : { onCommitError };
    // On assignment, exactly once fences zombies before anything is read.
    const assignTo = (source: string, writer?: ExactlyOnce, told?: (p: number[]) => void) =>
      (writer || told) &&
      ((assigned: ReadonlyArray<{ topic: string; partitions: number[] }>) => {
        const partitions = assigned.find((a) => a.topic === source)?.partitions ?? [];
        told?.(partitions);
        return writer?.assign(partitions);
      });

    const common = { brokers, gate, signal, drainTimeoutMs, sessionTimeoutMs, onCoordinatorWait };
    const main$ = fromKafka({
      ...common,
      groupId,
      topics: [topic],
      fromBeginning,
      onLag: onLag && ((_topic, partition, lag) => onLag(partition, lag)),
      onAssignment: assignTo(topic, eos?.main, onAssignment),
      ...commitThrough(snapshots, eos?.main),
    });
    // Retry records are read in due order per partition: the delay is the same
    // for every round, so the head of a partition is always due first. Another
    // group's records (the retry topic is shared) wait for nothing here.
    const ownRetry = retryOwnedBy(groupId, topic);
    const retries$ = retryTier === undefined ? undefined : fromKafka({
      ...common,
      groupId: retryGroupId,
      topics: [retryTier],
      fromBeginning: true,
      clientId: `${DEFAULTS.clientId}-retry`,
      notBefore: (record) => ownRetry(record) ? readRetryContext(record).due : 0,
      onAssignment: assignTo(retryTier, eos?.retry),
      ...commitThrough(retrySnapshots, eos?.retry),
    });

    const skipCovered = starts ? starts.skipCovered : identity;
    // Other groups' records are sorted out after their partition's start: a
    // partition that holds only theirs still loads its start, so its snapshot
    // and commit move past them. Each group passed over is told once,
    // and each such record has its line in the audit trail.
    const report = onOutcome &&
      ((record: KafkaRecord, owner: RetryOwner) => onOutcome(reportPassedOver(record, owner)));
    const ownMain = takeOwnRecords(
      replayedFor(groupId),
      leaveToOwners(
        (record): RetryOwner => ({ group: replayGroupOf(record), topic: null }),
        onForeignReplays && (({ group }) => group !== null && onForeignReplays(group)),
        report,
      ),
    );
    const ownRounds = takeOwnRecords(
      ownRetry,
      leaveToOwners(retryOwnerOf, onForeignRounds, report),
    );
    const own$ = retries$ === undefined ? main$.pipe(skipCovered, ownMain) : merge(
      main$.pipe(skipCovered, ownMain),
      retries$.pipe(skipCovered, ownRounds),
    );
    return own$.pipe(
      // A stop ends the chain once the sources have drained and committed.
      untilSourceEnds(orderChain({
        ordering,
        handle,
        onOutcome,
        fold: starts ? createOutcomeFold(starts.startOf) : undefined,
      })),
      snapshots ? snapshots.observe : identity,
      retrySnapshots ? retrySnapshots.observe : identity,
      tap({
        finalize: () => {
          writer.close();
          void producer.disconnect().catch(() => {});
          void eos?.main.close().catch(() => {});
          void eos?.retry?.close().catch(() => {});
        },
      }),
    );
  }));
}
