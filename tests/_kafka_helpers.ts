// Small helpers for integration tests: create a topic, write raw records, read
// a topic back, all through the pipeline's own Kafka adapter.
import { firstValueFrom, map, take, tap, timeout, toArray } from "rxjs";
import { fromKafka } from "../pipeline/kafka/from_kafka.ts";
import { createProducer, type OutboundRecord } from "../pipeline/kafka/kafka_producer.ts";
import type { KafkaRecord } from "../pipeline/kafka/kafka_record.ts";
import { ensureTopics } from "../pipeline/kafka/topics.ts";

/** Creates `topic` with `partitions` partitions and optional configs. */
export async function createTopic(
  brokers: string[],
  topic: string,
  partitions = 3,
  config?: Record<string, string>,
): Promise<void> {
  await ensureTopics(brokers, [{ name: topic, partitions, config }]);
}

/** Writes raw records to `topic` and waits for the acknowledgements. */
export async function writeRecords(
  brokers: readonly string[],
  topic: string,
  records: OutboundRecord[],
): Promise<void> {
  const sink = createProducer({ brokers });
  try {
    await sink.send(topic, records);
  } finally {
    await sink.disconnect();
  }
}

/** Reads the first `count` records of `topic` (all partitions), or fails after `timeoutMs`. */
export async function readRecords(
  brokers: string[],
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<KafkaRecord[]> {
  if (count === 0) return [];
  return await firstValueFrom(
    fromKafka({
      brokers,
      groupId: `reader-${crypto.randomUUID()}`,
      topics: [topic],
      fromBeginning: true,
    }).pipe(
      tap((delivery) => delivery.settle()),
      map((delivery) => delivery.record),
      take(count),
      toArray(),
      timeout(timeoutMs),
    ),
  );
}

/** Decodes UTF-8 header or key bytes. */
export function text(bytes: Uint8Array | null | undefined): string | null {
  return bytes ? new TextDecoder().decode(bytes) : null;
}
