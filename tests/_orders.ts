// Helpers the retry and DLQ tests share: orders for chosen partitions, waiting
// for a condition, collecting a topic. Writing them is `writeRecords`.
import { createCodec } from "../pipeline/avro/avro_codec.ts";
import { loadSchema } from "../pipeline/avro/load_schema.ts";
import type { OutboundRecord } from "../pipeline/kafka/kafka_producer.ts";
import type { KafkaRecord } from "../pipeline/kafka/kafka_record.ts";
import { readTopic } from "../pipeline/kafka/read_topic.ts";
import type { Order } from "../pipeline/orders/order.ts";

const codec = createCodec<Order>(loadSchema("order"));
const text = new TextEncoder();

/** An order record pinned to `partition`, keyed by its id, with a correlation id. */
export function orderRecord(orderId: string, price: number, partition: number): OutboundRecord {
  return {
    key: orderId,
    value: codec.encode({ orderId, product: "Laptop", price }),
    headers: { "x-correlation-id": text.encode(`corr-${orderId}`) },
    partition,
  };
}

/** Every record of `topic` now (committed transactions only). */
export async function readAll(brokers: readonly string[], topic: string): Promise<KafkaRecord[]> {
  const records: KafkaRecord[] = [];
  await readTopic({ brokers, topic }, (record) => void records.push(record));
  return records;
}

/**
 * Resolves once `ready()` is true (or resolves true), checking every
 * `everyMs`; rejects after `timeoutMs`.
 */
export async function until(
  ready: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The UTF-8 text of a header, or undefined. */
export function headerText(record: KafkaRecord, name: string): string | undefined {
  const bytes = record.headers[name];
  return bytes && new TextDecoder().decode(bytes);
}
