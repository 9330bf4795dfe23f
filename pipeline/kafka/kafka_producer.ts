/**
 * The producer side of the adapter: a connected kafkajs producer that writes
 * with acks from all in-sync replicas and idempotence, behind a narrow
 * interface of our own.
 *
 * @module
 */
import { CompressionTypes, Partitioners, type Producer } from "kafkajs";
import { createKafka } from "./client.ts";
import { toWriteError } from "./_retriable.ts";
import { toMessage } from "./_to_message.ts";

/** A record to write. */
export interface OutboundRecord {
  key?: Uint8Array | string | null;
  value: Uint8Array | null;
  headers?: Record<string, Uint8Array | string>;
  /** Pin the partition; otherwise the key (or round robin) decides. */
  partition?: number;
}

/** Where one written record landed. */
export interface WrittenRecord {
  topic: string;
  partition: number;
  /** Offset of the first record of the request on that partition. */
  baseOffset: string;
}

/** A connected producer. */
export interface KafkaSink {
  /**
   * Writes `records` to `topic` and resolves once all replicas acknowledged
   * them. Fails with a `KafkaWriteError`: `BROKER_UNREACHABLE` (transient)
   * when kafkajs's own retries ran out on a broker that may come back, another
   * code when the broker refused the records.
   */
  send(topic: string, records: readonly OutboundRecord[]): Promise<WrittenRecord[]>;
  disconnect(): Promise<void>;
}

/** Options for {@link connectProducer}. */
export interface ProducerOptions {
  brokers: readonly string[];
  clientId?: string;
  /** Exactly-once per partition on retries (kafkajs idempotent producer). @default true */
  idempotent?: boolean;
  /** Attempts kafkajs makes before a send fails. @default 5 */
  retries?: number;
  /** Compress batches with gzip. @default false */
  gzip?: boolean;
}

/**
 * Connects a producer. A failed connect rejects with a `KafkaWriteError`, as a
 * failed send does.
 *
 * @example
 * ```ts ignore
 * import { connectProducer } from "./kafka_producer.ts";
 * const sink = await connectProducer({ brokers: ["127.0.0.1:9092"] });
 * await sink.send("orders", [{ value: new Uint8Array([2, 97]) }]);
 * await sink.disconnect();
 * ```
 */
export async function connectProducer(options: ProducerOptions): Promise<KafkaSink> {
  const { brokers, clientId, idempotent = true, retries = 5, gzip = false } = options;
  const kafka = createKafka({ brokers, clientId, retry: { retries } });
  const producer: Producer = kafka.producer({
    idempotent,
    maxInFlightRequests: idempotent ? 1 : undefined,
    allowAutoTopicCreation: false,
    // The default partitioner hashes keys as the Java client does, so keyed
    // records land where other Kafka clients would put them.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect().catch((err) => {
    throw toWriteError(err, `Cannot connect a producer to ${brokers.join(",")}`);
  });
  return {
    async send(topic, records) {
      const metadata = await producer.send({
        topic,
        acks: -1,
        compression: gzip ? CompressionTypes.GZIP : CompressionTypes.None,
        messages: records.map(toMessage),
      }).catch((err) => {
        throw toWriteError(err, `Cannot write ${records.length} record(s) to ${topic}`);
      });
      return metadata.map((m) => ({
        topic: m.topicName,
        partition: m.partition,
        baseOffset: m.baseOffset ?? "-1",
      }));
    },
    disconnect: () => producer.disconnect(),
  };
}
