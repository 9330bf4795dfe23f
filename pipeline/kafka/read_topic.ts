/**
 * Reads a topic once, from given offsets (or the earliest) up to the end it
 * had when the read began, then stops: the reader of the read-only `dlq`
 * tools and of replay. It commits nothing: it reads as a throwaway consumer
 * group, which it deletes when done.
 *
 * @module
 */
import { createKafka } from "./client.ts";
import type { KafkaRecord } from "./kafka_record.ts";
import { toRecord } from "./_to_record.ts";

/** Options for {@link readTopic}. */
export interface ReadTopicOptions {
  brokers: readonly string[];
  topic: string;
  /** Where to start on each partition; a partition not named, or below its earliest offset, starts at the earliest. */
  from?: ReadonlyMap<number, bigint>;
  /** Stop after the record in hand; the read then reports `complete: false`. */
  signal?: AbortSignal;
  /** Client id in broker logs. @default "order-pipeline-reader" */
  clientId?: string;
}

/** What {@link readTopic} did. */
export interface ReadTopicResult {
  /** Records handed to `onRecord`. */
  read: number;
  /** False when `signal` stopped the read before the end. */
  complete: boolean;
  /** The offsets where the read stopped: the next offset on each partition. */
  next: Map<number, bigint>;
}

/**
 * Hands every record of `topic` in the range to `onRecord`, one at a time,
 * in offset order per partition, awaiting each. A rejection of `onRecord`
 * stops the read and rejects with it.
 *
 * @example
 * ```ts ignore
 * import { readTopic } from "./read_topic.ts";
 * const { read } = await readTopic(
 *   { brokers: ["127.0.0.1:9092"], topic: "orders-dlq" },
 *   (record) => console.log(record.offset),
 * );
 * ```
 */
export async function readTopic(
  options: ReadTopicOptions,
  onRecord: (record: KafkaRecord) => void | Promise<void>,
): Promise<ReadTopicResult> {
  const { brokers, topic, from, signal, clientId = "order-pipeline-reader" } = options;
  const kafka = createKafka({ brokers, clientId });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const next = new Map<number, bigint>();
    const end = new Map<number, bigint>();
    for (const o of await admin.fetchTopicOffsets(topic)) {
      const low = BigInt(o.low);
      const wanted = from?.get(o.partition);
      next.set(o.partition, wanted === undefined || wanted < low ? low : wanted);
      end.set(o.partition, BigInt(o.high));
    }
    const finished = () => [...end].every(([p, high]) => (next.get(p) ?? high) >= high);
    if (finished()) return { read: 0, complete: true, next };

    const groupId = `${clientId}-${crypto.randomUUID()}`;
    await admin.setOffsets({
      groupId,
      topic,
      partitions: [...next].map(([partition, offset]) => ({
        partition,
        offset: String(offset < end.get(partition)! ? offset : end.get(partition)!),
      })),
    });
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
    let read = 0;
    let failure: { error: unknown } | undefined;
    let finish = () => {};
    const done = new Promise<void>((resolve) => finish = resolve);
    const check = () => {
      if (failure || signal?.aborted || finished()) finish();
    };
    signal?.addEventListener("abort", check, { once: true });
    const advance = (partition: number, after: bigint) => {
      if (after > (next.get(partition) ?? 0n)) next.set(partition, after);
    };
    // Batches of only transaction markers never reach eachBatch; this sees them.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.topic !== topic || payload.batchSize > 0) return;
      advance(payload.partition, BigInt(payload.lastOffset) + 1n);
      check();
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
          const stop = end.get(batch.partition) ?? 0n;
          let whole = true;
          for (const message of batch.messages) {
            if (failure || signal?.aborted || !isRunning() || isStale()) {
              whole = false;
              break;
            }
            const offset = BigInt(message.offset);
            if (offset >= stop) break;
            if (offset < (next.get(batch.partition) ?? 0n)) continue;
            try {
              await onRecord(toRecord(batch.topic, batch.partition, message));
            } catch (error) {
              failure = { error };
              whole = false;
              break;
            }
            read += 1;
            next.set(batch.partition, offset + 1n);
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
      signal?.removeEventListener("abort", check);
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => {});
    }
    if (failure) throw failure.error;
    for (const [p, high] of end) if ((next.get(p) ?? high) > high) next.set(p, high);
    return { read, complete: finished(), next };
  } finally {
    await admin.disconnect();
  }
}
