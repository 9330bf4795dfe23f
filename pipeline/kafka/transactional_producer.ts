/**
 * A transactional producer: writes records to several topics and a consumer
 * group's offsets in one Kafka transaction, so progress is committed exactly
 * when the records are, and a crash in between leaves neither. `dlq replay`
 * uses it, and so does the consumer's exactly-once mode, one per input
 * partition.
 *
 * kafkajs leaves a few troubles of transactions to its caller, and they are
 * handled here:
 * - it fences nothing on `connect()`: the producer id (and so the fencing of
 *   an older producer with the same transactional id) comes with the first
 *   transaction, so connecting runs an empty one;
 * - `sendOffsets` is not retried when `AddOffsetsToTxn` meets the previous
 *   transaction still completing (CONCURRENT_TRANSACTIONS, common for
 *   transactions back to back) or a coordinator that is loading or moved;
 * - a failed commit or abort leaves its transaction state stuck, and the
 *   outcome of a failed commit unknown: a new producer with the same id
 *   settles it (the broker completes or aborts what was open), and the
 *   group's committed offsets then tell which it was.
 *
 * @module
 */
import { DEFAULTS } from "../config.ts";
import type { Admin, Kafka, Producer } from "kafkajs";
import type { BackoffOptions } from "../backoff.ts";
import { ProducerFencedError } from "../errors.ts";
import { retryAsync } from "../retry_async.ts";
import { createKafka } from "./client.ts";
import type { OutboundRecord } from "./kafka_producer.ts";
import { toMessage } from "./_to_message.ts";
import { toWriteError } from "./_retriable.ts";
import { errorChain } from "./_error_chain.ts";

/** Offsets to commit for a group: the next offset to read per partition of `topic`. */
export interface GroupOffsets {
  groupId: string;
  topic: string;
  partitions: ReadonlyArray<{ partition: number; offset: bigint }>;
}

/** Records for one topic, inside a transaction. */
export interface TopicWrite {
  topic: string;
  records: readonly OutboundRecord[];
}

/** What one transaction carries: records for any topics, and the consumed offsets. */
export interface TransactionBatch {
  writes: readonly TopicWrite[];
  offsets: GroupOffsets;
}

/** A connected transactional producer. */
export interface TransactionalSink {
  /** The transactional id it writes with. */
  readonly transactionalId: string;
  /**
   * Writes every record of `batch` and commits its offsets in one transaction.
   * Resolves once it is committed, exactly once however often it had to be
   * tried. Rejects with {@link ProducerFencedError} when a newer producer
   * with the same transactional id took over, or with the broker's error when
   * a write is refused for good (a record too large, say); the transaction is
   * then aborted and nothing of it is visible to read-committed readers.
   */
  commit(batch: TransactionBatch): Promise<void>;
  /** `commit` with the records of one topic. */
  sendWithOffsets(topic: string, records: OutboundRecord[], offsets: GroupOffsets): Promise<void>;
  /** `commit` with offsets alone. */
  commitOffsets(offsets: GroupOffsets): Promise<void>;
  disconnect(): Promise<void>;
}

/** Options for {@link connectTransactionalProducer}. */
export interface TransactionalProducerOptions {
  brokers: readonly string[];
  transactionalId: string;
  /** Client id in broker logs. @default `${DEFAULTS.clientId}-replay` */
  clientId?: string;
  /** Attempts at one transaction before its error is passed on. @default 5 */
  attempts?: number;
  /** How long the broker lets a transaction stay open before aborting it, in ms. @default 60000 */
  transactionTimeoutMs?: number;
}

/**
 * Connects a producer with `transactionalId` and fences: any earlier producer
 * with the same id can no longer write or commit, and the transaction it left
 * open is aborted before this resolves. So a replay or a consumer killed
 * midway leaves nothing half-sent for read-committed readers, and the group's
 * offsets read after connecting are final.
 *
 * @example
 * ```ts ignore
 * import { connectTransactionalProducer } from "./transactional_producer.ts";
 * const sink = await connectTransactionalProducer({ brokers: ["127.0.0.1:9092"], transactionalId: "replay" });
 * await sink.commit({
 *   writes: [{ topic: "orders", records: [{ value: new Uint8Array([1]) }] }],
 *   offsets: { groupId: "orders-dlq-replay", topic: "orders-dlq", partitions: [{ partition: 0, offset: 1n }] },
 * });
 * await sink.disconnect();
 * ```
 */
export async function connectTransactionalProducer(
  options: TransactionalProducerOptions,
): Promise<TransactionalSink> {
  const {
    brokers,
    transactionalId,
    clientId = `${DEFAULTS.clientId}-replay`,
    attempts = 5,
    transactionTimeoutMs = 60_000,
  } = options;
  if (transactionalId === "") {
    throw new TypeError("Cannot connect a transactional producer: 'transactionalId' is empty");
  }
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new RangeError(
      `Cannot connect a transactional producer: 'attempts' must be a whole number >= 1, got ${attempts}`,
    );
  }
  const kafka = createKafka({ brokers, clientId });
  let producer = await connectFenced(kafka, transactionalId, transactionTimeoutMs);
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();

  /** Set while the producer's transaction state is unknown, until a new one replaced it. */
  let stale = false;
  /** Replaces a producer whose transaction state is unknown; the new one settles what was open. */
  const reset = async () => {
    stale = true;
    await producer.disconnect().catch(() => {});
    producer = await connectFenced(kafka, transactionalId, transactionTimeoutMs);
    stale = false;
  };

  /**
   * One try at `batch`. A failed commit leaves its outcome unknown: the
   * producer is replaced (which completes or aborts the transaction) and the
   * group's offsets tell which; `unsure` carries that question over to the
   * next try when the replacement itself failed.
   */
  const attempt = async (batch: TransactionBatch, unsure: { value: boolean }) => {
    if (stale) await reset();
    if (unsure.value) {
      if (await isCommitted(kafka, batch.offsets)) return "committed";
      unsure.value = false;
    }
    const transaction = await producer.transaction();
    try {
      for (const { topic, records } of batch.writes) {
        if (records.length === 0) continue;
        await transaction.send({ topic, acks: -1, messages: records.map(toMessage) })
          .catch((error) => {
            // A record the topic refuses as too large says so by its code, so
            // that the caller can send a smaller one; other errors stay as they are.
            const written = toWriteError(
              error,
              `Cannot write ${records.length} record(s) to ${topic}`,
            );
            throw written.code === "RECORD_TOO_LARGE" ? written : error;
          });
      }
      await retryStep(() =>
        transaction.sendOffsets({
          consumerGroupId: batch.offsets.groupId,
          topics: [{
            topic: batch.offsets.topic,
            partitions: batch.offsets.partitions.map((p) => ({
              partition: p.partition,
              offset: String(p.offset),
            })),
          }],
        })
      );
    } catch (error) {
      if (isFenced(error)) throw fenced(transactionalId, error);
      await transaction.abort().catch(reset);
      throw error;
    }
    try {
      await transaction.commit();
      return "committed";
    } catch (error) {
      if (isFenced(error)) throw fenced(transactionalId, error);
      unsure.value = true;
      await reset();
      if (await isCommitted(kafka, batch.offsets)) return "committed";
      unsure.value = false;
      throw error;
    }
  };

  const run = (batch: TransactionBatch): Promise<void> => {
    const unsure = { value: false };
    return retryAsync(async () => {
      if (closed) {
        throw new Error(`Cannot commit: the producer ${transactionalId} is disconnected`);
      }
      await attempt(batch, unsure);
    }, {
      attempts,
      backoff: TRANSACTION_BACKOFF,
      // A failed try was aborted, or never begun: nothing of it is visible.
      isRetriable: (error) => !(error instanceof ProducerFencedError) && isRetriable(error),
    });
  };

  const commit = (batch: TransactionBatch): Promise<void> => {
    if (batch.offsets.partitions.length === 0) {
      return Promise.reject(
        new RangeError("Cannot commit a transaction: 'offsets.partitions' is empty"),
      );
    }
    // One transaction at a time: kafkajs refuses to begin one while another is open.
    const done = queue.then(() => run(batch));
    queue = done.catch(() => {});
    return done;
  };

  return {
    transactionalId,
    commit,
    sendWithOffsets: (topic, records, offsets) => commit({ writes: [{ topic, records }], offsets }),
    commitOffsets: (offsets) => commit({ writes: [], offsets }),
    disconnect: async () => {
      closed = true;
      await queue;
      await producer.disconnect();
    },
  };
}

/** A producer with `transactionalId`, its producer id initialised: older ones are fenced. */
async function connectFenced(
  kafka: Kafka,
  transactionalId: string,
  transactionTimeout: number,
): Promise<Producer> {
  const producer = kafka.producer({
    transactionalId,
    transactionTimeout,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // A send right after a commit meets the coordinator still writing the
    // markers (CONCURRENT_TRANSACTIONS, for milliseconds): kafkajs's first
    // retry after 300 ms would cap a partition at a few transactions a second.
    // Bounded, so a broker that stays away fails the try, which is then
    // aborted and tried again whole.
    retry: { initialRetryTime: 20, maxRetryTime: 5_000, retries: 10 },
  });
  try {
    await producer.connect();
    // The first transaction initialises the producer id (InitProducerId):
    // that is the fencing. An empty one ends without a request to the broker.
    await retryStep(async () => {
      const transaction = await producer.transaction();
      await transaction.abort();
    });
    return producer;
  } catch (error) {
    await producer.disconnect().catch(() => {});
    throw isFenced(error) ? fenced(transactionalId, error) : error;
  }
}

/** Whether the group committed at least `offsets` on every partition named. */
async function isCommitted(kafka: Kafka, offsets: GroupOffsets): Promise<boolean> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const [entry] = await retryStep(() =>
      admin.fetchOffsets({ groupId: offsets.groupId, topics: [offsets.topic] })
    );
    const committed = new Map(entry.partitions.map((p) => [p.partition, BigInt(p.offset)]));
    return offsets.partitions.every((p) => (committed.get(p.partition) ?? -1n) >= p.offset);
  } finally {
    await admin.disconnect();
  }
}

/** Runs `call` again while it fails with a retriable error, for about 30 s. */
function retryStep<T>(call: () => Promise<T>): Promise<T> {
  return retryAsync(call, {
    attempts: 15,
    backoff: TRANSACTION_BACKOFF,
    isRetriable: (error) => !isFenced(error) && isRetriable(error),
  });
}

/** The waits between tries at a transaction or one step of it: 20 ms doubling to 5 s. */
const TRANSACTION_BACKOFF: BackoffOptions = {
  baseDelay: 20,
  factor: 2,
  maxDelay: 5_000,
  jitter: "none",
};

/** Broker errors that mean a newer producer holds the transactional id. */
const FENCED = new Set(["INVALID_PRODUCER_EPOCH", "PRODUCER_FENCED"]);
const FENCED_CODES = new Set([47, 90]);

function isFenced(error: unknown): boolean {
  for (const e of errorChain(error)) {
    if (FENCED.has(e.type as string) || FENCED_CODES.has(e.code as number)) return true;
  }
  return false;
}

function isRetriable(error: unknown): boolean {
  for (const e of errorChain(error)) if (e.retriable === true) return true;
  return false;
}

function fenced(transactionalId: string, cause: unknown): ProducerFencedError {
  return new ProducerFencedError(
    `The producer ${transactionalId} was fenced: a newer producer with the same transactional id took over`,
    { cause },
  );
}
