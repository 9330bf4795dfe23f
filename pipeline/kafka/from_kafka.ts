/**
 * `fromKafka()`: a consumer group as an RxJS Observable of deliveries, with
 * backpressure. kafkajs hands us one batch per partition; we emit at most
 * `maxInFlight` unsettled records of that partition at a time and resolve
 * each offset only once the pipeline settles its record, so Kafka is read no
 * faster than the pipeline finishes, and a commit never covers a record that
 * has not reached its outcome.
 *
 * @module
 */
import { Observable } from "rxjs";
import type { EachBatchPayload } from "kafkajs";
import { createKafka } from "./client.ts";
import type { Delivery, KafkaRecord } from "./kafka_record.ts";
import { toRecord } from "./_to_record.ts";

const YIELD_EVERY_MS = 20;
// How long a batch waits for an in-flight record before it lets kafkajs fetch
// the other partitions (see eachBatch).
const DETACH_AFTER_MS = 250;

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
  /** Unsettled records emitted per partition at most. @default 1000 */
  maxInFlight?: number;
  /** Partitions handled at once; set it to at least the partition count. @default 3 */
  partitionsConsumedConcurrently?: number;
  /** Fetch size ceiling per partition in bytes. @default 1048576 */
  maxBytesPerPartition?: number;
  /** Commit settled offsets at least this often, in milliseconds. @default 1000 */
  commitIntervalMs?: number;
  /**
   * Aborting it stops gracefully: no new records are emitted, records already
   * emitted get `drainTimeoutMs` to settle, settled offsets are committed, the
   * consumer leaves the group and the Observable completes.
   */
  signal?: AbortSignal;
  /** How long a graceful stop waits for in-flight records. @default 10000 */
  drainTimeoutMs?: number;
  /** Client id in broker logs. @default "order-pipeline" */
  clientId?: string;
  /**
   * How long the group waits for a silent member before it hands that member's
   * partitions to others (after a crash), in ms. @default 30000
   */
  sessionTimeoutMs?: number;
  /** Told each partition's lag (high watermark minus next offset) after each batch. */
  onLag?: (topic: string, partition: number, lag: number) => void;
  /** Told when partitions are assigned or revoked by a rebalance. */
  onAssignment?: (assigned: ReadonlyArray<{ topic: string; partitions: number[] }>) => void;
  /**
   * When a record becomes due, in milliseconds since the epoch (a retry
   * topic's due time). A record not yet due is not emitted: once the records
   * before it have settled, its partition is paused until then and fetched
   * again from that record, so a wait holds back only its own partition and
   * never the fetches of the others. @default every record is due at once
   */
  notBefore?: (record: KafkaRecord) => number;
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
    maxInFlight = 1000,
    partitionsConsumedConcurrently = 3,
    maxBytesPerPartition = 1_048_576,
    commitIntervalMs = 1000,
    signal,
    drainTimeoutMs = 10_000,
    clientId,
    sessionTimeoutMs = 30_000,
    onLag,
    onAssignment,
    notBefore,
  } = options;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new RangeError(
      `Cannot consume: 'maxInFlight' must be a whole number >= 1, got ${maxInFlight}`,
    );
  }
  if (topics.length === 0) throw new RangeError("Cannot consume: 'topics' is empty");

  return new Observable<Delivery>((subscriber) => {
    const kafka = createKafka({ brokers, clientId });
    const consumer = kafka.consumer({
      groupId,
      maxBytesPerPartition,
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeoutMs / 3)),
      allowAutoTopicCreation: false,
    });
    // Set on unsubscribe or error: unsettled records are left unresolved.
    let abandoned = false;
    let stopping = signal?.aborted ?? false;
    const wakers = new Set<() => void>();
    const wakeAll = () => {
      for (const wake of [...wakers]) wake();
    };
    // Timers that resume partitions paused until their next record is due.
    const resumers = new Set<ReturnType<typeof setTimeout>>();
    const clearResumers = () => {
      for (const timer of resumers) clearTimeout(timer);
      resumers.clear();
    };

    // Batches still being worked through after eachBatch returned (see below).
    const detachedBatches = new Set<Promise<void>>();

    // After a broker outage kafkajs restarts the consumer, which fetches again
    // from the last commit: records this subscription already emitted come
    // again. They are not emitted twice; each counts as settled once its first
    // emission has. Per partition: the offset of the last record emitted, and
    // of the last one settled (strings: a BigInt per record would cost).
    const lastEmitted = new Map<string, string>();
    const lastSettled = new Map<string, string>();

    // kafkajs fetches all partitions of a broker together and waits for every
    // batch of a fetch before the next one, so a record in backoff would hold
    // back every partition. A batch that waits long for an in-flight record
    // therefore pauses its own partition and lets eachBatch return; the same
    // loop goes on in the background, resolving offsets as records settle,
    // and resumes the partition when the batch is done. Fetching then goes on
    // from the last resolved offset, so nothing is skipped or read twice.
    const eachBatch = async (payload: EachBatchPayload) => {
      let detach!: () => void;
      const detached = new Promise<void>((resolve) => detach = resolve);
      const done = drainBatch(payload, detach);
      const finished = await Promise.race([done.then(() => true), detached.then(() => false)]);
      if (!finished) {
        // Nobody awaits a batch in the background: a heartbeat or commit it
        // meets failing (a rebalance, a broker restart) just ends it, and
        // kafkajs fetches its unresolved records again.
        const background = done.catch(() => {});
        detachedBatches.add(background);
        background.finally(() => detachedBatches.delete(background));
      }
    };

    const drainBatch = async (payload: EachBatchPayload, detach: () => void) => {
      const {
        batch,
        resolveOffset,
        heartbeat,
        commitOffsetsIfNecessary,
        isRunning,
        isStale,
        pause,
      } = payload;
      const messages = batch.messages;
      const total = messages.length;
      let settled = 0;
      let emitted = 0;
      let resolved = 0;
      let wake: (() => void) | undefined;
      let lastCommit = Date.now();
      let lastYield = lastCommit;
      let drainDeadline = Infinity;
      // Set when the next record is not yet due: emit nothing more from this batch.
      let heldUntil: number | undefined;
      // When the batch began waiting for an in-flight record, and the call that
      // resumes its partition once the batch has gone on in the background.
      let waitingSince: number | undefined;
      let resumeDetached: (() => void) | undefined;
      const canEmit = () => heldUntil === undefined && !abandoned && !stopping;
      const partitionKey = `${batch.topic}/${batch.partition}`;
      const before = lastEmitted.get(partitionKey);
      // How many records at the head of this batch an earlier batch emitted.
      let repeated = 0;
      if (before !== undefined) {
        const last = BigInt(before);
        while (repeated < total && BigInt(messages[repeated].offset) <= last) repeated++;
        emitted = repeated;
      }

      while (resolved < total) {
        while (settled < repeated && settledBefore(partitionKey, messages[settled].offset)) {
          settled++;
        }
        // kafkajs's own checks are lookups; asked once per burst, as nothing
        // in a synchronous burst can stop the runner or seek the partition.
        const live = isRunning() && !isStale();
        // New records wait until the repeated ones have settled: records of a
        // partition settle in order.
        const emitting = live && settled >= repeated;
        while (emitting && emitted < total && emitted - settled < maxInFlight && canEmit()) {
          const record = toRecord(batch.topic, batch.partition, messages[emitted]);
          if (notBefore) {
            const due = notBefore(record);
            if (due > Date.now()) {
              heldUntil = due;
              break;
            }
          }
          const index = emitted++;
          subscriber.next({
            record,
            settle: () => {
              if (index !== settled) {
                throw new Error(
                  `Records of ${batch.topic}[${batch.partition}] must settle in order: ` +
                    `got offset ${messages[index].offset} before ${messages[settled]?.offset}`,
                );
              }
              settled += 1;
              lastSettled.set(partitionKey, messages[index].offset);
              wake?.();
            },
          });
        }
        if (emitted > repeated) lastEmitted.set(partitionKey, messages[emitted - 1].offset);
        if (abandoned) return;
        if (settled > resolved) {
          resolved = settled;
          waitingSince = undefined;
          resolveOffset(messages[resolved - 1].offset);
          const now = Date.now();
          if (now - lastCommit >= commitIntervalMs) {
            lastCommit = now;
            await heartbeat();
            await commitOffsetsIfNecessary();
          }
          // A batch whose records settle synchronously would otherwise hold the
          // event loop for its whole length: no signal, timer or status update
          // could run. Yielding every few milliseconds bounds that.
          if (now - lastYield >= YIELD_EVERY_MS) {
            await new Promise((resolve) => setTimeout(resolve, 0));
            lastYield = Date.now();
          }
          continue;
        }
        if (emitted === resolved) break; // stopping, and nothing of ours is in flight
        if (stopping && drainDeadline === Infinity) drainDeadline = Date.now() + drainTimeoutMs;
        if (Date.now() >= drainDeadline) return; // in-flight records stay uncommitted
        if (resumeDetached === undefined && !stopping) {
          waitingSince ??= Date.now();
          if (Date.now() - waitingSince >= DETACH_AFTER_MS) {
            resumeDetached = pause();
            detach();
          }
        }
        await new Promise<void>((resolve) => {
          const longest = resumeDetached === undefined ? DETACH_AFTER_MS : 1000;
          const timer = setTimeout(done, Math.min(longest, drainDeadline - Date.now()));
          function done() {
            clearTimeout(timer);
            wakers.delete(done);
            wake = undefined;
            resolve();
          }
          wake = done;
          wakers.add(done);
        });
        if (!abandoned && settled === resolved && resumeDetached === undefined) {
          await heartbeat().catch(() => {});
        }
      }
      if (onLag && resolved > 0) {
        const next = BigInt(messages[resolved - 1].offset) + 1n;
        onLag(batch.topic, batch.partition, Number(BigInt(batch.highWatermark) - next));
      }
      if (heldUntil !== undefined && emitted === resolved && canWait()) {
        // Fetching resumes at the first unresolved offset: the record held back.
        const resume = pause();
        const timer = setTimeout(() => {
          resumers.delete(timer);
          resume();
        }, Math.max(0, heldUntil - Date.now()));
        resumers.add(timer);
      } else if (resumeDetached !== undefined) {
        if (stopping && resolved > 0 && !abandoned) {
          // kafkajs commits resolved offsets after each batch it runs; this one
          // ended in the background, so its last offsets are committed here.
          // The offset equals what was resolved, so kafkajs's own bookkeeping
          // agrees with it and no later commit can move the group backwards.
          const next = (BigInt(messages[resolved - 1].offset) + 1n).toString();
          await consumer.commitOffsets([{
            topic: batch.topic,
            partition: batch.partition,
            offset: next,
          }])
            .catch(() => {}); // rebalanced away: the new owner reads these again
        } else if (canWait()) {
          resumeDetached();
        }
      }
    };
    const canWait = () => !abandoned && !stopping;
    const settledBefore = (partitionKey: string, offset: string) => {
      const last = lastSettled.get(partitionKey);
      return last !== undefined && BigInt(offset) <= BigInt(last);
    };

    const { GROUP_JOIN, CRASH } = consumer.events;
    const removeJoin = consumer.on(GROUP_JOIN, (event) => {
      const assigned = Object.entries(event.payload.memberAssignment).map((
        [topic, partitions],
      ) => ({
        topic,
        partitions,
      }));
      onAssignment?.(assigned);
    });
    const removeCrash = consumer.on(CRASH, (event) => {
      if (!event.payload.restart && !abandoned) subscriber.error(event.payload.error);
    });

    const stop = async () => {
      stopping = true;
      wakeAll();
      clearResumers();
      try {
        // Batches that went on in the background settle (within the drain
        // timeout) and commit before the consumer leaves the group.
        await Promise.allSettled([...detachedBatches]);
        await consumer.disconnect();
        subscriber.complete();
      } catch (err) {
        subscriber.error(err);
      }
    };
    const onAbort = () => void stop();
    signal?.addEventListener("abort", onAbort, { once: true });

    (async () => {
      await consumer.connect();
      for (const topic of topics) await consumer.subscribe({ topic, fromBeginning });
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: commitIntervalMs,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently,
        eachBatch,
      });
      if (stopping) await stop();
    })().catch((err) => {
      if (!abandoned) subscriber.error(err);
    });

    return () => {
      signal?.removeEventListener("abort", onAbort);
      // After a graceful stop every loop has already returned; after an error
      // or unsubscribe this makes them return without resolving anything more.
      abandoned = true;
      wakeAll();
      clearResumers();
      removeJoin();
      removeCrash();
      consumer.disconnect().catch(() => {});
    };
  });
}
