/**
 * `tailTopics()`: watch topics without joining the work: a consumer in a group
 * of its own that never commits, starting each partition at its beginning or
 * a few records before its end. For the dashboard and for reading the
 * compacted stats topic.
 *
 * @module
 */
import { Observable } from "rxjs";
import { createKafka } from "./client.ts";
import type { KafkaRecord } from "./kafka_record.ts";
import { retryRetriable } from "./_retriable.ts";
import { toRecord } from "./_to_record.ts";

/** One topic to watch. */
export interface TailedTopic {
  name: string;
  /** Start this many records before the end of each partition; all records if left out. */
  last?: number;
}

/** Options for {@link tailTopics}. */
export interface TailTopicsOptions {
  brokers: readonly string[];
  topics: readonly TailedTopic[];
  /** Client id in broker logs. @default "order-pipeline-tail" */
  clientId?: string;
  /** Told each topic's partitions' stored offset range once, before the first record. */
  onOffsets?: (
    topic: string,
    offsets: ReadonlyArray<{ partition: number; low: bigint; high: bigint }>,
  ) => void;
}

/**
 * Emits every record of `topics` from its start position on, live, until
 * unsubscribed. Nothing is committed: the group id is new each time.
 *
 * @example
 * ```ts ignore
 * import { tailTopics } from "./tail_topics.ts";
 * tailTopics({ brokers: ["127.0.0.1:9092"], topics: [{ name: "orders", last: 20 }] })
 *   .subscribe((record) => console.log(record.offset));
 * ```
 */
export function tailTopics(options: TailTopicsOptions): Observable<KafkaRecord> {
  const { brokers, topics, clientId = "order-pipeline-tail", onOffsets } = options;
  for (const { name, last } of topics) {
    if (last !== undefined && (!Number.isInteger(last) || last < 0)) {
      throw new RangeError(
        `Cannot tail ${name}: 'last' must be a whole number >= 0, got ${last}`,
      );
    }
  }
  return new Observable<KafkaRecord>((subscriber) => {
    const kafka = createKafka({ brokers, clientId });
    const admin = kafka.admin();
    const consumer = kafka.consumer({
      groupId: `${clientId}-${crypto.randomUUID()}`,
      allowAutoTopicCreation: false,
    });
    // Records before a partition's start position may arrive before the seek lands.
    const start = new Map<string, bigint>();
    let closed = false;

    (async () => {
      await admin.connect();
      const seeks: Array<{ topic: string; partition: number; offset: string }> = [];
      try {
        for (const { name, last } of topics) {
          const offsets = (await retryRetriable(() => admin.fetchTopicOffsets(name))).map((o) => ({
            partition: o.partition,
            low: BigInt(o.low),
            high: BigInt(o.high),
          })).sort((a, b) => a.partition - b.partition);
          onOffsets?.(name, offsets);
          for (const { partition, low, high } of offsets) {
            const from = last === undefined ? low : maxOf(low, high - BigInt(last));
            start.set(`${name}:${partition}`, from);
            seeks.push({ topic: name, partition, offset: from.toString() });
          }
        }
      } finally {
        await admin.disconnect();
      }
      if (closed) return;
      await consumer.connect();
      for (const { name } of topics) await consumer.subscribe({ topic: name, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: ({ topic, partition, message }) => {
          const from = start.get(`${topic}:${partition}`) ?? 0n;
          if (closed || BigInt(message.offset) < from) return Promise.resolve();
          subscriber.next(toRecord(topic, partition, message));
          return Promise.resolve();
        },
      });
      for (const seek of seeks) consumer.seek(seek);
    })().catch((err) => {
      if (!closed) subscriber.error(err);
    });

    return () => {
      closed = true;
      consumer.disconnect().catch(() => {});
    };
  });
}

function maxOf(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
