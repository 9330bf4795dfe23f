/**
 * Reads one record back by its topic, partition and offset: how a replay
 * finds the original of a dead letter that was written without its payload.
 *
 * @module
 */
import type { KafkaRecord } from "./kafka_record.ts";
import { readTopic } from "./read_topic.ts";

/**
 * The record at `offset` of `topic`'s `partition`, or `undefined` when the
 * topic no longer holds it (retention or compaction removed it) or never did.
 *
 * @example
 * ```ts ignore
 * import { readRecordAt } from "./read_record_at.ts";
 * const record = await readRecordAt(["127.0.0.1:9092"], "orders", 1, 41n);
 * console.log(record?.value?.byteLength);
 * ```
 */
export async function readRecordAt(
  brokers: readonly string[],
  topic: string,
  partition: number,
  offset: bigint,
): Promise<KafkaRecord | undefined> {
  const found = new AbortController();
  let record: KafkaRecord | undefined;
  const from = new Map([[partition, offset]]);
  await readTopic({ brokers, topic, from, partitions: [partition], signal: found.signal }, (r) => {
    if (r.offset === String(offset)) record = r;
    // The first record at or after the offset answers the question either way.
    found.abort();
  });
  return record;
}
