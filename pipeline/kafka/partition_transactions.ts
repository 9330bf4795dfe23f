/**
 * The transactional producers of the exactly-once mode, one per input
 * partition. kafkajs has no fencing by group generation (KIP-447), so each
 * input partition gets a transactional id of its own: whoever is assigned the
 * partition initialises that id, which fences a consumer that still believes
 * it owns it (a zombie) and aborts whatever transaction it left open.
 *
 * @module
 */
import { DEFAULTS } from "../config.ts";
import { connectTransactionalProducer, type TransactionalSink } from "./transactional_producer.ts";

/**
 * The transactional id of one input partition: `<groupId>-<topic>-<partition>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { partitionTransactionalId } from "./partition_transactions.ts";
 * assert.equal(partitionTransactionalId("order-pipeline", "orders", 2), "order-pipeline-orders-2");
 * ```
 */
export function partitionTransactionalId(
  groupId: string,
  topic: string,
  partition: number,
): string {
  return `${groupId}-${topic}-${partition}`;
}

/** Options for {@link createPartitionTransactions}. */
export interface PartitionTransactionsOptions {
  brokers: readonly string[];
  /** The consumer group whose offsets the transactions commit. */
  groupId: string;
  /** The input topic whose partitions get a producer each. */
  topic: string;
  /** Client id in broker logs. @default `${DEFAULTS.clientId}-eos` */
  clientId?: string;
  /** Attempts at one transaction before its error is passed on. @default 5 */
  attempts?: number;
}

/** The producers of the partitions a consumer owns. */
export interface PartitionTransactions {
  /**
   * Takes the partitions of `topic` this consumer owns after a rebalance:
   * connects a producer for each new one and disconnects those no longer
   * owned. Resolves once every owned partition's producer is initialised, so
   * any zombie is fenced and its open transaction aborted: read the committed
   * offsets and the latest snapshot only after this resolves.
   */
  assign(partitions: readonly number[]): Promise<void>;
  /**
   * The producer of an owned partition; its `commit` carries that partition's
   * dead letters, retry records, snapshot and offsets in one transaction.
   *
   * @throws {RangeError} When the partition is not owned (or not yet connected).
   */
  writer(partition: number): TransactionalSink;
  /** Disconnects every producer, after the transactions under way. */
  close(): Promise<void>;
}

/**
 * Creates the producers' keeper; nothing connects before `assign`.
 *
 * @example
 * ```ts ignore
 * import { createPartitionTransactions } from "./partition_transactions.ts";
 * const eos = createPartitionTransactions({ brokers: ["127.0.0.1:9092"], groupId: "g", topic: "orders" });
 * await eos.assign([0, 1]);
 * await eos.writer(0).commit({
 *   writes: [{ topic: "orders-stats", records: [{ key: "orders:0", value: new Uint8Array([123, 125]) }] }],
 *   offsets: { groupId: "g", topic: "orders", partitions: [{ partition: 0, offset: 42n }] },
 * });
 * await eos.close();
 * ```
 */
export function createPartitionTransactions(
  options: PartitionTransactionsOptions,
): PartitionTransactions {
  const { brokers, groupId, topic, clientId = `${DEFAULTS.clientId}-eos`, attempts } = options;
  const writers = new Map<number, TransactionalSink>();
  const connecting = new Map<number, Promise<TransactionalSink | undefined>>();
  let owned = new Set<number>();

  const connect = (partition: number): Promise<TransactionalSink | undefined> => {
    let pending = connecting.get(partition);
    if (!pending) {
      pending = connectTransactionalProducer({
        brokers,
        clientId,
        attempts,
        transactionalId: partitionTransactionalId(groupId, topic, partition),
      }).then(async (writer) => {
        connecting.delete(partition);
        // Revoked while connecting: the next owner's producer is the only one.
        if (!owned.has(partition)) {
          await writer.disconnect();
          return undefined;
        }
        writers.set(partition, writer);
        return writer;
      }, (error) => {
        connecting.delete(partition);
        throw error;
      });
      connecting.set(partition, pending);
    }
    return pending;
  };

  return {
    async assign(partitions) {
      for (const partition of partitions) {
        if (!Number.isInteger(partition) || partition < 0) {
          throw new RangeError(
            `Cannot assign partitions: each must be a whole number >= 0, got ${partition}`,
          );
        }
      }
      owned = new Set(partitions);
      const revoked = [...writers].filter(([partition]) => !owned.has(partition));
      for (const [partition] of revoked) writers.delete(partition);
      await Promise.all(revoked.map(([, writer]) => writer.disconnect().catch(() => {})));
      await Promise.all(
        [...owned].map((partition) => writers.get(partition) ?? connect(partition)),
      );
    },
    writer(partition) {
      const writer = writers.get(partition);
      if (!writer) {
        throw new RangeError(
          `Cannot write for ${topic}/${partition}: the partition is not assigned to this consumer`,
        );
      }
      return writer;
    },
    async close() {
      owned = new Set();
      await Promise.allSettled(connecting.values());
      const all = [...writers.values()];
      writers.clear();
      await Promise.all(all.map((writer) => writer.disconnect().catch(() => {})));
    },
  };
}
