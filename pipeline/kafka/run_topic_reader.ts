/**
 * The one reader of a topic beneath `readTopic()` (a bounded read) and
 * `tailTopics()` (a live tail): it resolves where each partition starts,
 * joins a throwaway consumer group that never commits, seeks, hands over the
 * records in offset order per partition, knows when it reached the end
 * offsets it captured at the start, and leaves the group when it stops.
 *
 * @module
 */
import type { Admin, Consumer, Kafka } from "kafkajs";
import type { KafkaRecord } from "./kafka_record.ts";
import { pause } from "../retry_async.ts";
import { toRecord } from "./_to_record.ts";

/** The stored offsets of one partition when a read began. */
export interface PartitionRange {
  partition: number;
  /** The earliest offset still stored. */
  low: bigint;
  /** The end: the next offset a producer will write (the last stable offset for readers of committed records). */
  high: bigint;
}

/** Options for {@link runTopicReader}. */
export interface TopicReaderOptions {
  /** The client the reader makes its admin and its consumer from. */
  kafka: Kafka;
  topic: string;
  /** The throwaway group's id is this prefix, a dash and a random UUID. */
  groupPrefix: string;
  /**
   * The next offset to hand over on each partition. The reader fills in the
   * partitions it does not name (`last` records before the end, or the
   * earliest), raises an offset below the earliest to it, and advances each
   * as it reads: after the read it says where the read stopped, and a reader
   * given it again resumes there.
   */
  position: Map<number, bigint>;
  /** Read only these partitions. @default all */
  partitions?: readonly number[];
  /** Where a partition not named in `position` starts: this many records before its end. @default the earliest */
  last?: number;
  /** Stop at the ends the partitions had when the read began; otherwise read on until `signal` aborts. @default false */
  bounded?: boolean;
  /** Stops the read after the record in hand; the reader then leaves its group. */
  signal?: AbortSignal;
  /** Runs each call of the start-up (connecting, reading the offsets): a place to wait for a broker. @default calls once */
  attempt?: <T>(call: () => Promise<T>) => Promise<T>;
  /**
   * After a retriable crash kafkajs restarts the consumer (the read resumes
   * at `position`) if this is set: the read fails when no records came this
   * many ms after such a crash. Unset, any crash ends the read.
   */
  restartWithinMs?: number;
  /** What a crash of the consumer rejects with. @default the crash's error */
  crashError?: (err: unknown) => unknown;
  /** Told the stored offsets of the partitions read, before any record. */
  onRange?: (ranges: readonly PartitionRange[]) => void;
  /** Told when the consumer joined its group and sought, before any record. */
  onJoined?: () => void;
  /** Handed each record, one at a time, awaited; a rejection ends the read with it. */
  onRecord: (record: KafkaRecord) => void | Promise<void>;
}

/** What {@link runTopicReader} did; where it stopped is in `position`. */
export interface TopicReaderResult {
  /** Records handed to `onRecord`. */
  read: number;
  /** Whether a bounded read reached its end (always false for a live one). */
  complete: boolean;
}

/** How long leaving the group may take: it is ours alone and never committed, so it is not waited for beyond this. */
const LEAVE_MS = 5000;

/**
 * Reads `topic` from `position` on, as described in the module, and resolves
 * when the read ends: a bounded one at its end, either one when `signal`
 * aborts. Rejects when the consumer crashes or `onRecord` rejects. Leaves its
 * group (and deletes it) in every case.
 *
 * @example
 * ```ts ignore
 * import { createKafka } from "./client.ts";
 * import { runTopicReader } from "./run_topic_reader.ts";
 * const position = new Map<number, bigint>();
 * const { read } = await runTopicReader({
 *   kafka: createKafka({ brokers: ["127.0.0.1:9092"], clientId: "reader" }),
 *   topic: "orders-dlq", groupPrefix: "reader", position, bounded: true,
 *   onRecord: (record) => console.log(record.offset),
 * });
 * ```
 */
export async function runTopicReader(options: TopicReaderOptions): Promise<TopicReaderResult> {
  const {
    kafka,
    topic,
    groupPrefix,
    position,
    partitions,
    last,
    bounded = false,
    signal,
    attempt = (call) => call(),
    restartWithinMs,
    crashError = (err) => err,
    onRange,
    onJoined,
    onRecord,
  } = options;
  if (last !== undefined && (!Number.isInteger(last) || last < 0)) {
    throw new RangeError(`Cannot read ${topic}: 'last' must be a whole number >= 0, got ${last}`);
  }
  if (restartWithinMs !== undefined && !(restartWithinMs >= 0)) {
    throw new RangeError(
      `Cannot read ${topic}: 'restartWithinMs' must be a number >= 0, got ${restartWithinMs}`,
    );
  }
  const admin = kafka.admin();
  let consumer: Consumer | undefined;
  const groupId = `${groupPrefix}-${crypto.randomUUID()}`;
  try {
    await attempt(() => admin.connect());
    const ranges = (await attempt(() => admin.fetchTopicOffsets(topic)))
      .map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }))
      .filter((r) => partitions?.includes(r.partition) ?? true)
      .sort((a, b) => a.partition - b.partition);
    onRange?.(ranges);
    startPositions(position, ranges, last, bounded);
    const end = new Map(bounded ? ranges.map((r) => [r.partition, r.high]) : []);
    const reached = () => bounded && [...end].every(([p, high]) => position.get(p)! >= high);
    if (reached() || signal?.aborted) return { read: 0, complete: reached() };

    consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      ...(restartWithinMs === undefined
        ? { retry: { restartOnFailure: () => Promise.resolve(false) } }
        : {}),
    });
    const reader = consumer;
    let read = 0;
    let failure: { error: unknown } | undefined;
    let finish = () => {};
    const done = new Promise<void>((resolve) => finish = resolve);
    // A record in hand is seen through (handed over, counted, its position
    // advanced) before the read ends.
    let inHand = false;
    const check = () => {
      if (!inHand && (failure || signal?.aborted || reached())) finish();
    };
    const fail = (error: unknown) => {
      failure ??= { error };
      check();
    };
    signal?.addEventListener("abort", check, { once: true });
    const advance = (partition: number, after: bigint) => {
      const at = position.get(partition);
      if (at !== undefined && after > at) position.set(partition, after);
    };
    let away: ReturnType<typeof setTimeout> | undefined;
    reader.on(reader.events.CRASH, ({ payload }) => {
      if (payload.restart && restartWithinMs !== undefined) {
        away ??= setTimeout(() => fail(crashError(payload.error)), restartWithinMs);
      } else fail(crashError(payload.error));
    });
    // Every join (the first, after a rebalance, after a restart) starts the
    // fetches at the position, and pauses the partitions not read; the group
    // exists from here on, so seek works.
    let joined = false;
    reader.on(reader.events.GROUP_JOIN, ({ payload }) => {
      for (const [partition, offset] of position) {
        reader.seek({ topic, partition, offset: String(offset) });
      }
      const unread = (payload.memberAssignment[topic] ?? []).filter((p) => !position.has(p));
      if (unread.length > 0) reader.pause([{ topic, partitions: unread }]);
      if (!joined) onJoined?.();
      joined = true;
    });
    // Batches of only transaction markers never reach eachBatch; this sees them.
    reader.on(reader.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.topic !== topic || payload.batchSize > 0) return;
      advance(payload.partition, BigInt(payload.lastOffset) + 1n);
      check();
    });
    try {
      await attempt(() => reader.connect());
      await reader.subscribe({ topic, fromBeginning: true });
      await reader.run({
        autoCommit: false,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
          clearTimeout(away);
          away = undefined;
          // A partition not read: fetched before its pause landed.
          if (!position.has(batch.partition)) return;
          const stop = end.get(batch.partition);
          let whole = true;
          for (const message of batch.messages) {
            if (failure || signal?.aborted || !isRunning() || isStale()) {
              whole = false;
              break;
            }
            const offset = BigInt(message.offset);
            if (stop !== undefined && offset >= stop) break;
            if (offset < position.get(batch.partition)!) continue;
            inHand = true;
            try {
              await onRecord(toRecord(batch.topic, batch.partition, message));
            } catch (error) {
              failure ??= { error };
              whole = false;
              break;
            } finally {
              inHand = false;
            }
            read += 1;
            position.set(batch.partition, offset + 1n);
            await heartbeat();
          }
          // Past the batch's trailing transaction markers too, which no message stands for.
          if (whole) advance(batch.partition, BigInt(batch.lastOffset()) + 1n);
          check();
        },
      });
      check();
      await done;
    } finally {
      clearTimeout(away);
      signal?.removeEventListener("abort", check);
    }
    if (failure) throw failure.error;
    for (const [p, high] of end) if (position.get(p)! > high) position.set(p, high);
    return { read, complete: reached() };
  } finally {
    await leave(consumer, admin, groupId);
  }
}

/** Fills in and clamps `position` for the partitions read, and forgets the others. */
function startPositions(
  position: Map<number, bigint>,
  ranges: readonly PartitionRange[],
  last: number | undefined,
  bounded: boolean,
): void {
  const present = new Set(ranges.map((r) => r.partition));
  for (const partition of position.keys()) if (!present.has(partition)) position.delete(partition);
  for (const { partition, low, high } of ranges) {
    let start = position.get(partition) ??
      (last === undefined ? low : high - BigInt(last));
    if (start < low) start = low;
    // A bounded read never goes past its end, however far it was asked to start.
    if (bounded && start > high) start = high;
    position.set(partition, start);
  }
}

async function leave(consumer: Consumer | undefined, admin: Admin, groupId: string): Promise<void> {
  if (consumer) {
    const gone = (async () => {
      await consumer.disconnect().catch(() => {});
      await admin.deleteGroups([groupId]).catch(() => {});
    })();
    await Promise.race([gone, pause(LEAVE_MS)]);
  }
  await admin.disconnect().catch(() => {});
}
