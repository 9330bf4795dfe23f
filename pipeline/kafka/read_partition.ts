/**
 * `readPartition()`: one page of one partition, for the dashboard's topic
 * browser and message details: up to `count` records from an offset, or from
 * the first record at or after a time.
 *
 * @module
 */
import { DEFAULTS } from "../config.ts";
import { createKafka } from "./client.ts";
import type { KafkaRecord } from "./kafka_record.ts";
import { readTopic } from "./read_topic.ts";

/** Options for {@link readPartition}. */
export interface ReadPartitionOptions {
  brokers: readonly string[];
  topic: string;
  partition: number;
  /** The first offset to read, or `{ time }` for the first record at or after that time (ms). */
  from: bigint | { time: number };
  /** Records at most. @default 20 */
  count?: number;
  /** How long to wait for a broker that is away, in ms. @default 10000 */
  waitMs?: number;
}

/** A page of a partition. */
export interface PartitionPage {
  records: KafkaRecord[];
  /** The partition's earliest and end offsets when the page was read. */
  low: bigint;
  high: bigint;
  /** Where the page starts (after clamping to the partition). */
  start: bigint;
}

/**
 * Reads a page of `partition`; an offset below the earliest starts at the
 * earliest, and one at or past the end gives an empty page.
 *
 * @example
 * ```ts ignore
 * import { readPartition } from "./read_partition.ts";
 * const page = await readPartition({ brokers: ["127.0.0.1:9092"], topic: "orders", partition: 0, from: 0n });
 * console.log(page.records.length, page.high);
 * ```
 */
export async function readPartition(options: ReadPartitionOptions): Promise<PartitionPage> {
  const { brokers, topic, partition, from, count = 20, waitMs = 10_000 } = options;
  if (!Number.isInteger(partition) || partition < 0) {
    throw new RangeError(
      `Cannot read ${topic}: 'partition' must be a whole number >= 0, got ${partition}`,
    );
  }
  if (!Number.isInteger(count) || count < 1 || count > 500) {
    throw new RangeError(
      `Cannot read ${topic}: 'count' must be a whole number from 1 to 500, got ${count}`,
    );
  }
  const admin = createKafka({ brokers, clientId: `${DEFAULTS.clientId}-browser` }).admin();
  await admin.connect();
  let low = 0n;
  let high = 0n;
  let start: bigint;
  let partitions: number[] = [];
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    partitions = offsets.map((o) => o.partition);
    const mine = offsets.find((o) => o.partition === partition);
    if (!mine) {
      throw new RangeError(
        `Cannot read ${topic}: it has no partition ${partition} (it has ${partitions.length})`,
      );
    }
    low = BigInt(mine.low);
    high = BigInt(mine.high);
    if (typeof from === "bigint") start = from;
    else {
      const found = (await admin.fetchTopicOffsetsByTimestamp(topic, from.time))
        .find((o) => o.partition === partition);
      // -1: no record at or after that time.
      start = found && BigInt(found.offset) >= 0n ? BigInt(found.offset) : high;
    }
  } finally {
    await admin.disconnect();
  }
  if (start < low) start = low;
  if (start >= high) return { records: [], low, high, start: start > high ? high : start };
  const records: KafkaRecord[] = [];
  const enough = new AbortController();
  await readTopic(
    {
      brokers,
      topic,
      from: new Map([[partition, start]]),
      partitions: [partition],
      signal: enough.signal,
      waitMs,
      clientId: `${DEFAULTS.clientId}-browser`,
    },
    (record) => {
      records.push(record);
      if (records.length >= count) enough.abort();
    },
  );
  return { records, low, high, start };
}
