/**
 * Reads a topic once, from given offsets (or the earliest) up to the end it
 * had when the read began, then stops: the reader of the read-only `dlq`
 * tools and of replay. It commits nothing: it reads as a throwaway consumer
 * group, which it deletes when done.
 *
 * @module
 */
import { DEFAULTS } from "../config.ts";
import { BrokerError } from "../errors.ts";
import { createKafka } from "./client.ts";
import type { KafkaRecord } from "./kafka_record.ts";
import { isRetriableKafkaError, retryRetriable } from "./_retriable.ts";
import { toRecord } from "./_to_record.ts";

/** Options for {@link readTopic}. */
export interface ReadTopicOptions {
  brokers: readonly string[];
  topic: string;
  /** Where to start on each partition; a partition not named, or below its earliest offset, starts at the earliest. */
  from?: ReadonlyMap<number, bigint>;
  /** Stop after the record in hand; the read then reports `complete: false`. */
  signal?: AbortSignal;
  /** Client id in broker logs. @default `${DEFAULTS.clientId}-reader` */
  clientId?: string;
  /**
   * How long to wait for a broker that is starting or away (connection
   * refused, coordinator loading, leader election) before giving up with a
   * {@link BrokerError}, in ms. @default 60000
   */
  waitMs?: number;
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
 * stops the read and rejects with it. A broker that does not answer within
 * `waitMs` rejects with a {@link BrokerError} whose message is one line.
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
  const {
    brokers,
    topic,
    from,
    signal,
    clientId = `${DEFAULTS.clientId}-reader`,
    waitMs = 60_000,
  } = options;
  if (!Number.isFinite(waitMs) || waitMs < 0) {
    throw new RangeError(`Cannot read ${topic}: 'waitMs' must be a number >= 0, got ${waitMs}`);
  }
  // Failures reach the caller as one rejection; kafkajs's per-attempt lines would only repeat them.
  const kafka = createKafka({ brokers, clientId, logLevel: "nothing" });
  const admin = kafka.admin();
  const deadline = AbortSignal.any([
    AbortSignal.timeout(waitMs),
    ...(signal ? [signal] : []),
  ]);
  const patiently = <T>(call: () => Promise<T>) =>
    retryRetriable(call, { attempts: Infinity, delay: 500, signal: deadline }).catch((err) => {
      throw isRetriableKafkaError(err) ? unavailable(brokers, topic, waitMs, err) : err;
    });
  await patiently(() => admin.connect());
  try {
    const next = new Map<number, bigint>();
    const end = new Map<number, bigint>();
    for (const o of await patiently(() => admin.fetchTopicOffsets(topic))) {
      const low = BigInt(o.low);
      const wanted = from?.get(o.partition);
      next.set(o.partition, wanted === undefined || wanted < low ? low : wanted);
      end.set(o.partition, BigInt(o.high));
    }
    const finished = () => [...end].every(([p, high]) => (next.get(p) ?? high) >= high);
    if (finished()) return { read: 0, complete: true, next };

    const groupId = `${clientId}-${crypto.randomUUID()}`;
    await patiently(() =>
      admin.setOffsets({
        groupId,
        topic,
        partitions: [...next].map(([partition, offset]) => ({
          partition,
          offset: String(offset < end.get(partition)! ? offset : end.get(partition)!),
        })),
      })
    );
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
    // kafkajs restarts a consumer after a retriable crash (the read resumes at
    // `next`); any other crash ends the read.
    // A broker away for longer than `waitMs` ends it too.
    let away: ReturnType<typeof setTimeout> | undefined;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) {
        away ??= setTimeout(() => {
          failure ??= { error: unavailable(brokers, topic, waitMs, payload.error) };
          check();
        }, waitMs);
        return;
      }
      failure ??= {
        error: isRetriableKafkaError(payload.error)
          ? unavailable(brokers, topic, waitMs, payload.error)
          : payload.error,
      };
      check();
    });
    // Batches of only transaction markers never reach eachBatch; this sees them.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.topic !== topic || payload.batchSize > 0) return;
      advance(payload.partition, BigInt(payload.lastOffset) + 1n);
      check();
    });
    try {
      await patiently(() => consumer.connect());
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
          clearTimeout(away);
          away = undefined;
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
      clearTimeout(away);
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

function unavailable(
  brokers: readonly string[],
  topic: string,
  waitMs: number,
  err: unknown,
): BrokerError {
  const why = err instanceof Error ? err.message.replace(/\s+/g, " ") : String(err);
  return new BrokerError(
    `Kafka at ${brokers.join(",")} did not serve ${topic} within ${waitMs} ms: ${why}`,
    "BROKER_UNAVAILABLE",
    { cause: err },
  );
}
