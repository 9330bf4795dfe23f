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
import { runTopicReader } from "./run_topic_reader.ts";

/** Options for {@link readTopic}. */
export interface ReadTopicOptions {
  brokers: readonly string[];
  topic: string;
  /** Where to start on each partition; a partition not named, or below its earliest offset, starts at the earliest. */
  from?: ReadonlyMap<number, bigint>;
  /** Read only these partitions. @default all */
  partitions?: readonly number[];
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
    partitions,
    signal,
    clientId = `${DEFAULTS.clientId}-reader`,
    waitMs = 60_000,
  } = options;
  if (!Number.isFinite(waitMs) || waitMs < 0) {
    throw new RangeError(`Cannot read ${topic}: 'waitMs' must be a number >= 0, got ${waitMs}`);
  }
  // Failures reach the caller as one rejection; kafkajs's per-attempt lines would only repeat them.
  const kafka = createKafka({ brokers, clientId, logLevel: "nothing" });
  const deadline = AbortSignal.any([
    AbortSignal.timeout(waitMs),
    ...(signal ? [signal] : []),
  ]);
  const asUnavailable = (err: unknown) =>
    isRetriableKafkaError(err) ? unavailable(brokers, topic, waitMs, err) : err;
  const next = new Map(from ?? []);
  const { read, complete } = await runTopicReader({
    kafka,
    topic,
    groupPrefix: clientId,
    position: next,
    partitions,
    bounded: true,
    signal,
    attempt: (call) =>
      retryRetriable(call, { attempts: Infinity, delay: 500, signal: deadline }).catch((err) => {
        throw asUnavailable(err);
      }),
    // kafkajs restarts a consumer after a retriable crash (the read resumes at
    // `next`); any other crash ends the read, and so does a broker away for
    // longer than `waitMs`.
    restartWithinMs: waitMs,
    crashError: asUnavailable,
    onRecord,
  });
  return { read, complete, next };
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
