/**
 * `readToEnd()`: every record a topic holds now, such as the latest snapshot
 * of every key of a compacted topic.
 *
 * @module
 */
import { firstValueFrom, Observable, timeout, toArray } from "rxjs";
import type { KafkaRecord } from "./kafka_record.ts";
import { tailTopics } from "./tail_topics.ts";

/** Options for {@link readToEnd}. */
export interface ReadToEndOptions {
  brokers: readonly string[];
  topic: string;
  /** Give up when reading takes longer, in ms. @default 30000 */
  timeoutMs?: number;
}

/**
 * Reads `topic` from its beginning up to the end it had when called.
 *
 * @example
 * ```ts ignore
 * import { readToEnd } from "./read_to_end.ts";
 * const records = await readToEnd({ brokers: ["127.0.0.1:9092"], topic: "orders-stats" });
 * console.log(records.length);
 * ```
 */
export function readToEnd(options: ReadToEndOptions): Promise<KafkaRecord[]> {
  const { brokers, topic, timeoutMs = 30_000 } = options;
  const records$ = new Observable<KafkaRecord>((subscriber) => {
    // The last offset to wait for, per partition; set before the first record.
    const remaining = new Map<number, bigint>();
    const done = () => remaining.size === 0 && subscriber.complete();
    const tail = tailTopics({
      brokers,
      topics: [{ name: topic }],
      clientId: "order-pipeline-read",
      onOffsets: (_topic, offsets) => {
        for (const { partition, low, high } of offsets) {
          if (high > low) remaining.set(partition, high - 1n);
        }
        done();
      },
    }).subscribe({
      next: (record) => {
        subscriber.next(record);
        const last = remaining.get(record.partition);
        // A compacted partition may have dropped offsets before its last one.
        if (last !== undefined && BigInt(record.offset) >= last) {
          remaining.delete(record.partition);
          done();
        }
      },
      error: (err) => subscriber.error(err),
    });
    return () => tail.unsubscribe();
  });
  return firstValueFrom(
    records$.pipe(
      toArray(),
      timeout({
        first: timeoutMs,
        with: () => {
          throw new Error(`Cannot read ${topic}: not at its end after ${timeoutMs} ms`);
        },
      }),
    ),
  );
}
