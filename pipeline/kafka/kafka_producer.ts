/**
 * The producer side of the adapter: one lazily connected kafkajs producer per
 * process, that writes with acks from all in-sync replicas and idempotence,
 * behind a narrow interface of our own. Code outside `kafka/` hands it plain
 * `Uint8Array`s.
 *
 * @module
 */
import { CompressionTypes, Partitioners, type Producer } from "kafkajs";
import { createKafka } from "./client.ts";
import { lazyConnection } from "./_lazy_connection.ts";
import { toWriteError } from "./_retriable.ts";
import { toMessage } from "./_to_message.ts";
import type { OutboundRecord } from "./kafka_record.ts";

export type { OutboundRecord };

/** Where one written record landed. */
export interface WrittenRecord {
  topic: string;
  partition: number;
  /** Offset of the first record of the request on that partition. */
  baseOffset: string;
}

/** A producer: connected on the first send, shared by every writer of a process. */
export interface KafkaSink {
  /**
   * Writes `records` to `topic` and resolves once all replicas acknowledged
   * them. The first send connects. Fails with a `KafkaWriteError`:
   * `BROKER_UNREACHABLE` (transient) when the connect or kafkajs's own
   * retries failed on a broker that may come back (the next send connects
   * afresh), another code when the broker refused the records or the sink
   * is disconnected.
   */
  send(topic: string, records: readonly OutboundRecord[]): Promise<WrittenRecord[]>;
  /**
   * Connects now, rather than on the first send: to learn early that the
   * broker answers, or to keep the connect out of a first send's time.
   * Rejects as a failed send does.
   */
  connect(): Promise<void>;
  /** Disconnects, once; nothing to do when nothing connected. Later sends fail. */
  disconnect(): Promise<void>;
}

/** Options for {@link createProducer}. */
export interface ProducerOptions {
  brokers: readonly string[];
  /** Names the process's role in broker logs. @default "order-pipeline" */
  clientId?: string;
  /** Exactly-once per partition on retries (kafkajs idempotent producer). @default true */
  idempotent?: boolean;
  /** Attempts kafkajs makes before a send fails. @default 5 */
  retries?: number;
  /** Compress batches with gzip. @default false */
  gzip?: boolean;
}

/**
 * Creates the producer sink of a process: nothing connects until the first
 * send (or `connect`), sends made meanwhile share that one connect, and
 * `disconnect` closes it once. Records are written with acks from all
 * in-sync replicas; their bytes are handed to kafkajs without a copy.
 *
 * @example
 * ```ts ignore
 * import { createProducer } from "./kafka_producer.ts";
 * const sink = createProducer({ brokers: ["127.0.0.1:9092"], clientId: "order-pipeline-producer" });
 * await sink.send("orders", [{ value: new Uint8Array([2, 97]) }]);
 * await sink.disconnect();
 * ```
 */
export function createProducer(options: ProducerOptions): KafkaSink {
  const { brokers, clientId, idempotent = true, retries = 5, gzip = false } = options;
  const kafka = createKafka({ brokers, clientId, retry: { retries } });
  const compression = gzip ? CompressionTypes.GZIP : CompressionTypes.None;
  const cannotConnect = `Cannot connect a producer to ${brokers.join(",")}`;
  const connection = lazyConnection<Producer>({
    what: "the producer",
    connect: async () => {
      const producer = kafka.producer({
        idempotent,
        maxInFlightRequests: idempotent ? 1 : undefined,
        allowAutoTopicCreation: false,
        // The default partitioner hashes keys as the Java client does, so keyed
        // records land where other Kafka clients would put them.
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      try {
        await producer.connect();
        return producer;
      } catch (err) {
        await producer.disconnect().catch(() => {});
        throw toWriteError(err, cannotConnect);
      }
    },
    disconnect: (producer) => producer.disconnect(),
  });
  return {
    async send(topic, records) {
      const metadata = await connection.open()
        .then((producer) =>
          producer.send({ topic, acks: -1, compression, messages: records.map(toMessage) })
        )
        .catch((err) => {
          throw toWriteError(err, `Cannot write ${records.length} record(s) to ${topic}`);
        });
      return metadata.map((m) => ({
        topic: m.topicName,
        partition: m.partition,
        baseOffset: m.baseOffset ?? "-1",
      }));
    },
    async connect() {
      await connection.open().catch((err) => {
        throw toWriteError(err, cannotConnect);
      });
    },
    disconnect: () => connection.close(),
  };
}
