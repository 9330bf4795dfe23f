/**
 * A transactional producer: writes records and a consumer group's offsets in
 * one Kafka transaction, so progress is committed exactly when the records
 * are, and a crash in between leaves neither (the replay's exactly-once).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Producer } from "kafkajs";
import { createKafka } from "./client.ts";
import type { OutboundRecord } from "./kafka_producer.ts";

/** Offsets to commit for a group: the next offset to read per partition of `topic`. */
export interface GroupOffsets {
  groupId: string;
  topic: string;
  partitions: ReadonlyArray<{ partition: number; offset: bigint }>;
}

/** A connected transactional producer. */
export interface TransactionalSink {
  /** Sends `records` to `topic` and commits `offsets`, atomically; retries a failed transaction. */
  sendWithOffsets(topic: string, records: OutboundRecord[], offsets: GroupOffsets): Promise<void>;
  /** Commits `offsets` alone, in a transaction. */
  commitOffsets(offsets: GroupOffsets): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * Connects a producer with `transactionalId`. Connecting fences any earlier
 * producer with the same id and aborts its open transaction, so a replay
 * killed midway leaves nothing half-sent behind for read-committed consumers.
 *
 * @example
 * ```ts ignore
 * import { connectTransactionalProducer } from "./transactional_producer.ts";
 * const sink = await connectTransactionalProducer({ brokers: ["127.0.0.1:9092"], transactionalId: "replay" });
 * await sink.sendWithOffsets("orders", [{ value: new Uint8Array([1]) }], {
 *   groupId: "orders-dlq-replay", topic: "orders-dlq", partitions: [{ partition: 0, offset: 1n }],
 * });
 * await sink.disconnect();
 * ```
 */
export async function connectTransactionalProducer(options: {
  brokers: readonly string[];
  transactionalId: string;
  clientId?: string;
  /** Attempts at one transaction before giving up, 0.5 s, 1 s, … apart. @default 5 */
  attempts?: number;
}): Promise<TransactionalSink> {
  const { brokers, transactionalId, clientId = "order-pipeline-replay", attempts = 5 } = options;
  const kafka = createKafka({ brokers, clientId });
  const producer: Producer = kafka.producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();

  const inTransaction = async (
    topic: string | null,
    records: OutboundRecord[],
    offsets: GroupOffsets,
  ) => {
    for (let attempt = 1;; attempt++) {
      const transaction = await producer.transaction();
      try {
        if (topic !== null && records.length > 0) {
          await transaction.send({
            topic,
            acks: -1,
            messages: records.map((r) => ({
              key: toBuffer(r.key),
              value: toBuffer(r.value),
              headers: r.headers && Object.fromEntries(
                Object.entries(r.headers).map(([name, v]) => [name, toBuffer(v) ?? ""]),
              ),
              partition: r.partition,
            })),
          });
        }
        await transaction.sendOffsets({
          consumerGroupId: offsets.groupId,
          topics: [{
            topic: offsets.topic,
            partitions: offsets.partitions.map((p) => ({
              partition: p.partition,
              offset: String(p.offset),
            })),
          }],
        });
        await transaction.commit();
        return;
      } catch (error) {
        await transaction.abort().catch(() => {});
        if (attempt >= attempts) throw error;
        // A coordinator still being elected (a broker just started) needs a moment.
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  };

  return {
    sendWithOffsets: (topic, records, offsets) => inTransaction(topic, records, offsets),
    commitOffsets: (offsets) => inTransaction(null, [], offsets),
    disconnect: () => producer.disconnect(),
  };
}

function toBuffer(value: Uint8Array | string | null | undefined): Buffer | string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value;
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
