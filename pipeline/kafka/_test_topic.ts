// For the readers' tests: a new topic holding text records on given partitions.
import { createTopic, writeRecords } from "../../tests/_kafka_helpers.ts";
import { uniqueTopic } from "../../tests/_shared_broker.ts";

/** UTF-8 bytes of `value`. */
export const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);

/**
 * Creates a topic named after `label` with `partitions` partitions and writes
 * `texts[p]` to partition `p`, in order; resolves to its name.
 */
export async function topicWithTexts(
  brokers: string[],
  label: string,
  partitions: number,
  texts: Record<number, string[]> = {},
): Promise<string> {
  const topic = uniqueTopic(label);
  await createTopic(brokers, topic, partitions);
  const records = Object.entries(texts).flatMap(([partition, values]) =>
    values.map((value) => ({ value: bytes(value), partition: Number(partition) }))
  );
  if (records.length > 0) await writeRecords(brokers, topic, records);
  return topic;
}
