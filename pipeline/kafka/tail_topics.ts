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
import type { Consumer, Kafka } from "kafkajs";
import { Observable, type Subscriber } from "rxjs";
import { createKafka } from "./client.ts";
import type { KafkaRecord } from "./kafka_record.ts";
import { pause, retryAsync } from "../retry_async.ts";
import { retryRetriable } from "./_retriable.ts";
import { toRecord } from "./_to_record.ts";

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
  /** Client id in broker logs. @default "order-pipeline-tail" */
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
  const { brokers, topics, clientId = "order-pipeline-tail" } = options;
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
      void tailForever(kafka, topic, options, subscriber, closing.signal);
    }
    return () => closing.abort();
  });
}

/** Runs sessions of one topic's tail, one after the other, until `signal` aborts. */
async function tailForever(
  kafka: Kafka,
  { name, last }: TailedTopic,
  options: TailTopicsOptions,
  subscriber: Subscriber<KafkaRecord>,
  signal: AbortSignal,
): Promise<void> {
  const { clientId = "order-pipeline-tail", onOffsets, onStatus, retryDelay = () => 1000 } =
    options;
  // The next offset to emit per partition: where a new session resumes.
  const position = new Map<number, bigint>();
  // Failures in a row: a session that joins starts the count again.
  let failures = 0;
  let since = Date.now();
  const runOnce = async () => {
    const session: Session = { consumer: undefined };
    try {
      const offsets = await readOffsets(kafka, name, signal);
      onOffsets?.(name, offsets);
      for (const { partition, low, high } of offsets) {
        const known = position.get(partition);
        if (known === undefined) {
          position.set(partition, last === undefined ? low : maxOf(low, high - BigInt(last)));
        } else if (known < low) position.set(partition, low);
      }
      const stopped = runSession(kafka, `${clientId}-${crypto.randomUUID()}`, name, session, {
        position,
        emit: (record) => {
          if (!signal.aborted) subscriber.next(record);
        },
        onJoined: () => {
          failures = 0;
          since = Date.now();
          onStatus?.(name, { state: "tailing", since });
        },
      });
      // Ended by unsubscribing, the session may still fail while it winds down.
      stopped.catch(() => {});
      await Promise.race([stopped, abortion(signal)]);
    } catch (err) {
      // Told before leaving the group, which can take seconds with the broker away.
      if (!signal.aborted) {
        if (failures === 0) since = Date.now();
        failures += 1;
        const reason = missingTopic(err) ? `topic ${name} does not exist yet` : oneLine(err);
        onStatus?.(name, { state: "waiting", since, reason, attempts: failures });
      }
      throw err;
    } finally {
      await leave(session.consumer);
    }
  };
  onStatus?.(name, { state: "starting" });
  if (signal.aborted) return;
  // A session ends only by failing, or by the signal, which ends the retries too.
  const backoff = () => retryDelay(Math.max(failures, 1));
  await retryAsync(runOnce, { signal, backoff }).catch(() => {});
}

interface Session {
  consumer: Consumer | undefined;
}

/** Each partition's stored offset range, waiting out leader elections. */
async function readOffsets(
  kafka: Kafka,
  topic: string,
  signal: AbortSignal,
): Promise<Array<{ partition: number; low: bigint; high: bigint }>> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const offsets = await retryRetriable(() => admin.fetchTopicOffsets(topic), {
      attempts: 3,
      signal,
    });
    return offsets.map((o) => ({
      partition: o.partition,
      low: BigInt(o.low),
      high: BigInt(o.high),
    }))
      .sort((a, b) => a.partition - b.partition);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Joins a new group on `topic`, seeks every partition to its position and
 * emits from there; resolves never, rejects when the consumer crashes.
 */
async function runSession(
  kafka: Kafka,
  groupId: string,
  topic: string,
  session: Session,
  hooks: {
    position: Map<number, bigint>;
    emit: (record: KafkaRecord) => void;
    onJoined: () => void;
  },
): Promise<never> {
  const { position, emit, onJoined } = hooks;
  // kafkajs would restart a crashed consumer itself, in the same group but
  // without our seeks; a crash ends the session and the loop starts a new one.
  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    retry: { restartOnFailure: () => Promise.resolve(false) },
  });
  session.consumer = consumer;
  const crashed = new Promise<never>((_, reject) => {
    consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
  });
  crashed.catch(() => {});
  const joined = new Promise<void>((resolve) => {
    consumer.on(consumer.events.GROUP_JOIN, () => resolve());
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: ({ partition, message }) => {
      // Records before the position may arrive before the seek lands.
      const offset = BigInt(message.offset);
      if (offset >= (position.get(partition) ?? 0n)) {
        position.set(partition, offset + 1n);
        emit(toRecord(topic, partition, message));
      }
      return Promise.resolve();
    },
  });
  // Seeking before the group is joined throws (no consumer group yet).
  await Promise.race([joined, crashed]);
  for (const [partition, offset] of position) {
    consumer.seek({ topic, partition, offset: offset.toString() });
  }
  onJoined();
  return crashed;
}

async function leave(consumer: Consumer | undefined): Promise<void> {
  if (!consumer) return;
  // Leaving a group on a broker that is away can take long; the group is ours
  // alone and never committed, so it is not waited for beyond a few seconds.
  const gone = consumer.disconnect().catch(() => {});
  await Promise.race([gone, pause(5000)]);
}

function abortion(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/** The failure in one line: its message and, for kafkajs's wrapped retries, the root cause. */
function oneLine(err: unknown): string {
  let text = err instanceof Error ? err.message : String(err);
  let cause = (err as { cause?: unknown })?.cause;
  while (cause instanceof Error) {
    if (!text.includes(cause.message)) text += `: ${cause.message}`;
    cause = (cause as { cause?: unknown }).cause;
  }
  return text.replace(/\s+/g, " ").trim();
}

/** Whether the broker said the topic is not there (kafkajs's UNKNOWN_TOPIC_OR_PARTITION). */
function missingTopic(err: unknown): boolean {
  for (let e = err as { type?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.type === "UNKNOWN_TOPIC_OR_PARTITION") return true;
  }
  return false;
}

function maxOf(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
