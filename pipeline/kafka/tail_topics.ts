/**
 * `tailTopics()`: watch topics without joining the work: per topic, a consumer
 * in a group of its own that never commits, starting each partition at its
 * beginning or a few records before its end. For the dashboard and for
 * reading the compacted stats topic.
 *
 * A tail never gives up: a broker that is starting, restarting or away, a
 * coordinator still loading or a topic not there yet make it wait and try
 * again, and it says so through `onStatus`. It resumes after the last record
 * it emitted, so no record is emitted twice.
 *
 * @module
 */
import { DEFAULTS } from "../config.ts";
import type { Kafka } from "kafkajs";
import { Observable, type Subscriber } from "rxjs";
import { createKafka } from "./client.ts";
import type { KafkaRecord } from "./kafka_record.ts";
import { retryAsync } from "../retry_async.ts";
import { retryRetriable } from "./_retriable.ts";
import { errorChain } from "./_error_chain.ts";
import { runTopicReader } from "./run_topic_reader.ts";

/** One topic to watch. */
export interface TailedTopic {
  name: string;
  /** Start this many records before the end of each partition; all records if left out. */
  last?: number;
}

/** Where the tail of one topic stands. */
export type TailStatus =
  | { state: "starting" }
  | { state: "tailing"; since: number }
  | {
    state: "waiting";
    /** When the tail last stopped reading (ms since the epoch). */
    since: number;
    /** The latest failure, one line. */
    reason: string;
    /** Failed attempts in a row. */
    attempts: number;
  };

/** Options for {@link tailTopics}. */
export interface TailTopicsOptions {
  brokers: readonly string[];
  topics: readonly TailedTopic[];
  /** Client id in broker logs. @default `${DEFAULTS.clientId}-tail` */
  clientId?: string;
  /** Told each topic's partitions' stored offset range each time its tail (re)starts, before its records. */
  onOffsets?: (
    topic: string,
    offsets: ReadonlyArray<{ partition: number; low: bigint; high: bigint }>,
  ) => void;
  /** Told each change of a topic's tail: starting, tailing, waiting for the broker. */
  onStatus?: (topic: string, status: TailStatus) => void;
  /** Wait before attempt `n + 1` after `n` failures in a row, in ms. @default () => 1000 */
  retryDelay?: (n: number) => number;
}

/**
 * Emits every record of `topics` from its start position on, live, until
 * unsubscribed. Nothing is committed: the group id is new each time. Never
 * errors after it started: failures are reported to `onStatus` and retried.
 *
 * @example
 * ```ts ignore
 * import { tailTopics } from "./tail_topics.ts";
 * tailTopics({ brokers: ["127.0.0.1:9092"], topics: [{ name: "orders", last: 20 }] })
 *   .subscribe((record) => console.log(record.offset));
 * ```
 */
export function tailTopics(options: TailTopicsOptions): Observable<KafkaRecord> {
  const { brokers, topics, clientId = `${DEFAULTS.clientId}-tail` } = options;
  for (const { name, last } of topics) {
    if (last !== undefined && (!Number.isInteger(last) || last < 0)) {
      throw new RangeError(
        `Cannot tail ${name}: 'last' must be a whole number >= 0, got ${last}`,
      );
    }
  }
  return new Observable<KafkaRecord>((subscriber) => {
    // Failures are reported through onStatus, once per change, not logged per request.
    // Few retries inside kafkajs: the tail's own loop retries, and reports each failure.
    const kafka = createKafka({ brokers, clientId, logLevel: "nothing", retry: { retries: 2 } });
    const closing = new AbortController();
    for (const topic of topics) {
      void tailForever(kafka, clientId, topic, options, subscriber, closing.signal);
    }
    return () => closing.abort();
  });
}

/** Runs sessions of one topic's tail, one after the other, until `signal` aborts. */
async function tailForever(
  kafka: Kafka,
  clientId: string,
  { name, last }: TailedTopic,
  options: TailTopicsOptions,
  subscriber: Subscriber<KafkaRecord>,
  signal: AbortSignal,
): Promise<void> {
  const { onOffsets, onStatus, retryDelay = () => 1000 } = options;
  // The next offset to emit per partition: where a new session resumes.
  const position = new Map<number, bigint>();
  // Failures in a row: a session that joins starts the count again.
  let failures = 0;
  let since = Date.now();
  const runOnce = async () => {
    try {
      // Ends only when unsubscribed; a crash rejects, and a new session resumes.
      await runTopicReader({
        kafka,
        topic: name,
        groupPrefix: clientId,
        position,
        last,
        signal,
        // Waiting out leader elections.
        attempt: (call) => retryRetriable(call, { attempts: 3, signal }),
        onRange: (offsets) => onOffsets?.(name, offsets),
        onJoined: () => {
          failures = 0;
          since = Date.now();
          onStatus?.(name, { state: "tailing", since });
        },
        onRecord: (record) => {
          if (!signal.aborted) subscriber.next(record);
        },
      });
      // A live read ends only when the signal aborts; anything else is a failure.
      if (!signal.aborted) throw new Error(`the tail of ${name} ended`);
    } catch (err) {
      if (!signal.aborted) {
        if (failures === 0) since = Date.now();
        failures += 1;
        const reason = missingTopic(err) ? `topic ${name} does not exist yet` : oneLine(err);
        onStatus?.(name, { state: "waiting", since, reason, attempts: failures });
      }
      throw err;
    }
  };
  onStatus?.(name, { state: "starting" });
  if (signal.aborted) return;
  // A session ends only by failing, or by the signal, which ends the retries too.
  const backoff = () => retryDelay(Math.max(failures, 1));
  await retryAsync(runOnce, { signal, backoff }).catch(() => {});
}

/** The failure in one line: its message and, for kafkajs's wrapped retries, the root cause. */
function oneLine(err: unknown): string {
  let text = err instanceof Error ? err.message : String(err);
  for (const cause of errorChain(err).slice(1)) {
    if (!(cause instanceof Error)) break;
    if (!text.includes(cause.message)) text += `: ${cause.message}`;
  }
  return text.replace(/\s+/g, " ").trim();
}

/** Whether the broker said the topic is not there (kafkajs's UNKNOWN_TOPIC_OR_PARTITION). */
function missingTopic(err: unknown): boolean {
  return errorChain(err).some((e) => e.type === "UNKNOWN_TOPIC_OR_PARTITION");
}
