/**
 * `fromKafka()`: a consumer group as an RxJS Observable of deliveries. This
 * file is the source's lifecycle only (connect, run, stop, teardown); the
 * bookkeeping it asks questions of lives beside it:
 *
 * - `OffsetLedger`, per partition: what is settled, the offset to
 *   commit, the settled offsets beyond it (commit metadata);
 * - {@link InFlightGate}: unsettled records per partition and per process;
 *   a partition at its bound is paused instead of buffered;
 * - {@link DueHolds}: a partition whose next record is not yet due is paused
 *   until it is.
 * - `GroupStarts`: a partition the group never committed gets its start
 *   committed on assignment, so a run that settled nothing there does not
 *   make the next one start at the end again.
 *
 * Records may settle in any order. kafkajs's fetch position moves on as
 * records are handed out; commits are ours, from the ledgers, on a timer.
 *
 * @module
 */
import { Observable } from "rxjs";
import { DEFAULTS, formatDuration } from "../config.ts";
import { PipelineError } from "../errors.ts";
import { errorChain } from "./_error_chain.ts";
import type { Consumer, EachBatchPayload } from "kafkajs";
import { createKafka } from "./client.ts";
import { coordinatorRejoin } from "./_coordinator_rejoin.ts";
import { DueHolds } from "./due_holds.ts";
import { InFlightGate } from "./in_flight_gate.ts";
import type { Delivery, KafkaRecord } from "./kafka_record.ts";
import { DEFAULT_METADATA_MAX_BYTES } from "./offset_map.ts";
import { toRecord } from "./_to_record.ts";
import { fittingCommit } from "./_fitting_commit.ts";
import { LedgerBook, type OffsetCommit } from "./_ledger_book.ts";
import { GroupStarts } from "./_group_starts.ts";
import type { OffsetLedger } from "./offset_ledger.ts";

export type { OffsetCommit };
export { NO_COORDINATOR_WHY } from "./_coordinator_rejoin.ts";

const YIELD_EVERY_MS = 20;
// The longest a fetch waits for data (and a paused consumer sleeps), in ms.
const FETCH_WAIT_MS = 100;

/** Options for {@link fromKafka}. */
export interface FromKafkaOptions {
  /** Bootstrap servers. */
  brokers: readonly string[];
  /** Consumer group id. */
  groupId: string;
  /** Topics to subscribe to. */
  topics: readonly string[];
  /** Start a new group at the earliest offset instead of the latest. @default false */
  fromBeginning?: boolean;
  /** Unsettled records handed out per partition at most. @default DEFAULTS.consumer.maxInFlight */
  maxInFlight?: number;
  /** Unsettled records handed out by this source at most, over all partitions. @default DEFAULTS.consumer.maxInFlightTotal */
  maxInFlightTotal?: number;
  /**
   * A gate shared with other sources, so that the bound holds for the whole
   * process; it replaces `maxInFlight` and `maxInFlightTotal`.
   */
  gate?: InFlightGate;
  /** Partitions handled at once; set it to at least the partition count. @default DEFAULTS.source.partitionsConsumedConcurrently */
  partitionsConsumedConcurrently?: number;
  /** Fetch size ceiling per partition in bytes. @default DEFAULTS.source.maxBytesPerPartition */
  maxBytesPerPartition?: number;
  /** Commit settled offsets this often, in milliseconds. @default DEFAULTS.source.commitIntervalMs */
  commitIntervalMs?: number;
  /**
   * The broker's `offset.metadata.max.bytes`: commit metadata stays within it.
   * A broker set lower refuses a commit, which then goes again with less. @default 4096
   */
  metadataMaxBytes?: number;
  /**
   * Commits one partition's position; `commitOffsets` is the consumer's own
   * commit, for a caller that writes something first (a snapshot) or commits
   * less. Exactly-once mode puts it in a transaction instead.
   * @default the consumer's own `commitOffsets`
   */
  commit?: (
    commit: OffsetCommit,
    commitOffsets: (commit: OffsetCommit) => Promise<void>,
  ) => Promise<void>;
  /**
   * Aborting it stops gracefully: no new records are handed out, records
   * already out get `drainTimeoutMs` to settle, settled offsets are committed,
   * the consumer leaves the group and the Observable completes.
   */
  signal?: AbortSignal;
  /** How long a graceful stop waits for in-flight records. @default DEFAULTS.consumer.drainTimeoutMs */
  drainTimeoutMs?: number;
  /** Client id in broker logs. @default DEFAULTS.clientId */
  clientId?: string;
  /**
   * How long the group waits for a silent member before it hands that member's
   * partitions to others (after a crash), in ms. @default DEFAULTS.consumer.sessionTimeoutMs
   */
  sessionTimeoutMs?: number;
  /** Told each partition's lag (high watermark minus the next offset to fetch) after each batch. */
  onLag?: (topic: string, partition: number, lag: number) => void;
  /**
   * Told when partitions are assigned or revoked by a rebalance. When it
   * returns a promise, no partition's committed position is read (and no
   * record handed out) before it resolves: exactly-once mode fences zombies
   * there. If it rejects, the Observable errors.
   */
  onAssignment?: (
    assigned: ReadonlyArray<{ topic: string; partitions: number[] }>,
  ) => void | Promise<void>;
  /** Told when a commit failed; the next one tries again. */
  onCommitError?: (error: unknown) => void;
  /**
   * When a record becomes due, in milliseconds since the epoch (a retry
   * topic's due time). A record not yet due is not handed out: its partition
   * is paused until then and fetched again from that record, so a wait holds
   * back only its own partition. @default every record is due at once
   */
  notBefore?: (record: KafkaRecord) => number;
  /**
   * How long after its last join the consumer is run again while no broker
   * names its group coordinator (which kafkajs gives up on), in ms; then the
   * Observable errors. @default DEFAULTS.source.coordinatorPatienceMs
   */
  coordinatorPatienceMs?: number;
  /**
   * Told when no broker named the group coordinator and the consumer is run
   * again (once per wait: after the group is joined again, a later wait is
   * told again), with the group and how long it is waited for at most, in ms.
   */
  onCoordinatorWait?: (groupId: string, patienceMs: number) => void;
}

/**
 * Consumes `topics` as a group. Unsubscribing abandons unsettled records
 * (they are not committed, so the group reads them again) and disconnects.
 *
 * @example
 * ```ts ignore
 * import { fromKafka } from "./from_kafka.ts";
 * fromKafka({ brokers: ["127.0.0.1:9092"], groupId: "g", topics: ["orders"] })
 *   .subscribe(({ record, settle }) => { console.log(record.offset); settle(); });
 * ```
 */
export function fromKafka(options: FromKafkaOptions): Observable<Delivery> {
  const {
    brokers,
    groupId,
    topics,
    fromBeginning = false,
    maxInFlight,
    maxInFlightTotal,
    partitionsConsumedConcurrently = DEFAULTS.source.partitionsConsumedConcurrently,
    maxBytesPerPartition = DEFAULTS.source.maxBytesPerPartition,
    commitIntervalMs = DEFAULTS.source.commitIntervalMs,
    metadataMaxBytes = DEFAULT_METADATA_MAX_BYTES,
    signal,
    drainTimeoutMs = DEFAULTS.consumer.drainTimeoutMs,
    clientId,
    sessionTimeoutMs = DEFAULTS.consumer.sessionTimeoutMs,
    coordinatorPatienceMs = DEFAULTS.source.coordinatorPatienceMs,
    onCoordinatorWait,
    onLag,
    onAssignment,
    onCommitError,
    notBefore,
  } = options;
  const gate = options.gate ??
    new InFlightGate({ perPartition: maxInFlight, total: maxInFlightTotal });
  if (topics.length === 0) throw new RangeError("Cannot consume: 'topics' is empty");
  if (!Number.isInteger(metadataMaxBytes) || metadataMaxBytes < 0) {
    throw new RangeError(
      `Cannot consume: 'metadataMaxBytes' must be a whole number >= 0, got ${metadataMaxBytes}`,
    );
  }

  return new Observable<Delivery>((subscriber) => {
    const kafka = createKafka({ brokers, clientId });
    const consumer = kafka.consumer({
      groupId,
      maxBytesPerPartition,
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeoutMs / 3)),
      allowAutoTopicCreation: false,
      // kafkajs sleeps this long when every partition is paused, so it bounds
      // how soon a partition resumed for room is fetched again.
      maxWaitTimeInMs: FETCH_WAIT_MS,
    });
    const admin = kafka.admin();
    // A broker set below metadataMaxBytes gets a shorter map, never a failed commit.
    const commitOffsets = fittingCommit(commitWith(consumer));
    const commit = options.commit
      ? (position: OffsetCommit) => options.commit!(position, commitOffsets)
      : commitOffsets;
    const ledgers = new LedgerBook(admin, groupId, commit, metadataMaxBytes);
    // A partition the group never committed has its start committed on assignment.
    const starts = new GroupStarts(admin, groupId, topics, fromBeginning);
    const holds = new DueHolds();
    // Set on unsubscribe or error: unsettled records are left unresolved.
    let abandoned = false;
    let stopping = signal?.aborted ?? false;
    let inFlight = 0;
    // Between a join's end and the next rebalance, the member holds its partitions.
    let joined = false;
    let drained: (() => void) | undefined;
    // What the last assignment's `onAssignment` returned: awaited before a ledger opens.
    let assignmentReady: Promise<void> = Promise.resolve();
    // A paused partition is resumed only while the source is live.
    const whileLive = (resume: () => void) => () => {
      if (!abandoned && !stopping) resume();
    };
    // A record's settle, made out here and not in the batch loop: a closure
    // made there would keep the loop's scope alive, and with it kafkajs's
    // batch (a megabyte and thousands of messages) for as long as a record
    // of it waits in backoff.
    const settleOnce = (ledger: OffsetLedger, name: string, offset: number) => {
      let settled = false;
      return () => {
        if (settled) return;
        settled = true;
        ledger.settle(offset);
        gate.release(name);
        if (--inFlight === 0) drained?.();
      };
    };

    const eachBatch = async (payload: EachBatchPayload) => {
      const { batch, resolveOffset, heartbeat, isRunning, isStale, pause } = payload;
      const { topic, partition, messages } = batch;
      const name = `${topic}/${partition}`;
      await assignmentReady;
      const ledger = await ledgers.open(topic, partition, messages[0]?.offset);
      let lastYield = Date.now();
      // The offset after the last record handed out or skipped: where fetching goes on.
      let fetchedTo = ledger.nextOffset;
      // kafkajs is told that position once per stretch, not per record (each
      // call parses and prints offsets): before every yield and on the way out.
      let passed: string | undefined;
      const tellPosition = () => {
        if (passed !== undefined) resolveOffset(passed);
        passed = undefined;
      };
      // A seek or a stop can only come while the loop yields: it is checked
      // on entry and after each yield, not per record.
      let live = isRunning() && !isStale();
      for (let i = 0; i < messages.length; i++) {
        if (abandoned || stopping || !live) return tellPosition();
        const message = messages[i];
        const offset = Number(message.offset);
        if (!ledger.admit(offset)) {
          // Settled (restored from the commit metadata) or already in flight.
          passed = message.offset;
          fetchedTo = offset + 1;
          continue;
        }
        if (!gate.hasRoom(name)) {
          ledger.unadmit(offset);
          gate.waitForRoom(name, whileLive(pause()));
          break;
        }
        const record = toRecord(topic, partition, message);
        if (notBefore) {
          const due = notBefore(record);
          if (due > Date.now()) {
            ledger.unadmit(offset);
            holds.hold(name, due, whileLive(pause()));
            break;
          }
        }
        gate.take(name);
        inFlight++;
        passed = message.offset;
        fetchedTo = offset + 1;
        subscriber.next({ record, ledger, settle: settleOnce(ledger, name, offset) });
        // A batch whose records settle synchronously would otherwise hold the
        // event loop for its whole length: no signal, timer or commit could run.
        if (Date.now() - lastYield >= YIELD_EVERY_MS) {
          tellPosition();
          await new Promise((resolve) => setTimeout(resolve, 0));
          await heartbeat().catch(() => {});
          lastYield = Date.now();
          live = isRunning() && !isStale();
        }
      }
      tellPosition();
      onLag?.(topic, partition, Number(batch.highWatermark) - fetchedTo);
    };

    // kafkajs restarts its consumer after most broker errors; after a missing
    // group coordinator (a broker back before its groups loaded) it is run
    // again here, for a while.
    const rejoin = coordinatorRejoin(groupId, {
      retryMs: DEFAULTS.source.coordinatorRetryMs,
      patienceMs: coordinatorPatienceMs,
    });
    let rerun: ReturnType<typeof setTimeout> | undefined;
    const { GROUP_JOIN, CRASH, REBALANCING } = consumer.events;
    const removeJoin = consumer.on(GROUP_JOIN, (event) => {
      joined = true;
      rejoin.joined();
      const assigned = Object.entries(event.payload.memberAssignment).map((
        [topic, partitions],
      ) => ({ topic, partitions }));
      ledgers.keepOnly(assigned);
      const told = Promise.resolve(onAssignment?.(assigned));
      told.catch((err) => {
        if (!abandoned) subscriber.error(err);
      });
      assignmentReady = told.then(() =>
        starts.commitUnstarted(assigned, commitOffsets).catch((err) => onCommitError?.(err))
      );
    });
    // Before partitions move, commit what is settled, so the next owner repeats little.
    const removeRebalancing = consumer.on(REBALANCING, () => {
      joined = false;
      starts.beforeJoin();
      ledgers.commitDue(onCommitError);
    });
    const removeCrash = consumer.on(CRASH, (event) => {
      if (event.payload.restart || abandoned) return;
      const next = stopping
        ? { error: event.payload.error }
        : rejoin.afterCrash(event.payload.error, Date.now());
      if ("error" in next) {
        return subscriber.error(explained(next.error, groupId, sessionTimeoutMs));
      }
      if (next.first) onCoordinatorWait?.(groupId, coordinatorPatienceMs);
      rerun = setTimeout(() => void run().catch(fail), next.retryInMs);
    });
    const committer = setInterval(() => ledgers.commitDue(onCommitError), commitIntervalMs);

    const stop = async () => {
      stopping = true;
      clearTimeout(rerun);
      holds.clear();
      try {
        try {
          consumer.pause(topics.map((topic) => ({ topic })));
        } catch {
          // Between a crash and kafkajs's restart of the consumer (a broker
          // outage) there is no group to pause, and nothing is fetched either.
        }
        if (inFlight > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, drainTimeoutMs);
            function done() {
              clearTimeout(timer);
              drained = undefined;
              resolve();
            }
            drained = done;
          });
        }
        clearInterval(committer);
        // Records still in flight after the drain timeout stay uncommitted.
        await ledgers.commitAll(onCommitError);
        const leaving = consumer.disconnect();
        // A member still joining holds nothing to commit; its join may wait out
        // a crashed member's session, so it leaves in the background.
        await (joined ? leaving : withinMs(leaving, DEFAULTS.source.leaveWhileJoiningMs));
        await admin.disconnect();
        subscriber.complete();
      } catch (err) {
        subscriber.error(err);
      }
    };
    const onAbort = () => void stop();
    signal?.addEventListener("abort", onAbort, { once: true });

    const run = () =>
      consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently,
        eachBatch,
      });
    const fail = (err: unknown) => {
      if (!abandoned) subscriber.error(explained(err, groupId, sessionTimeoutMs));
    };
    (async () => {
      await admin.connect();
      await consumer.connect();
      for (const topic of topics) await consumer.subscribe({ topic, fromBeginning });
      starts.beforeJoin();
      await run();
      if (stopping) await stop();
    })().catch(fail);

    return () => {
      signal?.removeEventListener("abort", onAbort);
      // After a graceful stop every loop has already returned; after an error
      // or unsubscribe this makes them return without handing out anything more.
      abandoned = true;
      clearInterval(committer);
      clearTimeout(rerun);
      holds.clear();
      removeJoin();
      removeRebalancing();
      removeCrash();
      // What settled before an error is committed: the ledgers never pass an unsettled record.
      void ledgers.commitAll(onCommitError)
        .finally(() => Promise.allSettled([consumer.disconnect(), admin.disconnect()]));
    };
  });
}

// `promise`, or nothing once `ms` have passed (it goes on unwatched).
function withinMs(promise: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const passed = new Promise((resolve) => timer = setTimeout(resolve, ms));
  promise.catch(() => {});
  return Promise.race([promise, passed]).finally(() => clearTimeout(timer));
}

// A broker's refusal of the session timeout, as what to change.
function explained(err: unknown, groupId: string, sessionTimeoutMs: number): unknown {
  if (!errorChain(err).some((e) => e.type === "INVALID_SESSION_TIMEOUT")) return err;
  return new PipelineError(
    "CONFIG_INVALID",
    "fatal",
    `Cannot join group ${groupId}: the broker refuses a session timeout of ${
      formatDuration(sessionTimeoutMs)
    } (it allows what its group.min.session.timeout.ms and group.max.session.timeout.ms allow, ` +
      "6s to 30m unless set otherwise): set --session-timeout within them",
    { cause: err },
  );
}

// The consumer's own commit. kafkajs's `commitOffsets` resolves without
// committing when its consumer is not running (between a crash and its
// restart, as after a broker outage), and so does a commit that failed while
// it stopped; only its COMMIT_OFFSETS event, emitted before the call
// resolves, says that the broker took the commit. A commit that was not sent
// fails, so the ledger does not count it as done and the next one sends it.
function commitWith(consumer: Consumer): (commit: OffsetCommit) => Promise<void> {
  return async ({ topic, partition, offset, metadata }) => {
    let taken = false;
    const stopListening = consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
      taken ||= payload.topics.some((t) =>
        t.topic === topic && t.partitions.some((p) => Number(p.partition) === partition)
      );
    });
    try {
      await consumer.commitOffsets([{ topic, partition, offset, metadata }]);
    } finally {
      stopListening();
    }
    if (!taken) {
      throw new Error(
        `the commit of ${topic}/${partition} at offset ${offset} was not sent: the Kafka consumer is not running (it restarts after a broker error); the next commit tries again`,
      );
    }
  };
}
