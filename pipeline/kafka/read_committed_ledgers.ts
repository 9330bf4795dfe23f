/**
 * Reads a group's committed position of each partition of a topic: the
 * committed offset and the settled offsets its metadata records beyond it,
 * as offset ledgers. For tools and tests that check what a restart will skip.
 *
 * @module
 */
import { DEFAULTS } from "../config.ts";
import { createKafka } from "./client.ts";
import { OffsetLedger } from "./offset_ledger.ts";

/**
 * The committed ledger of each partition of `topic` that `groupId` committed.
 *
 * @example
 * ```ts ignore
 * const ledgers = await readCommittedLedgers(["127.0.0.1:9092"], "order-pipeline", "orders");
 * console.log(ledgers.get(0)?.nextOffset, ledgers.get(0)?.settledBeyond());
 * ```
 */
export async function readCommittedLedgers(
  brokers: readonly string[],
  groupId: string,
  topic: string,
): Promise<Map<number, OffsetLedger>> {
  const admin = createKafka({ brokers, clientId: `${DEFAULTS.clientId}-offsets` }).admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ledgers = new Map<number, OffsetLedger>();
    for (const { partition, offset, metadata } of committed?.partitions ?? []) {
      if (Number(offset) >= 0) {
        ledgers.set(partition, OffsetLedger.restore(Number(offset), metadata));
      }
    }
    return ledgers;
  } finally {
    await admin.disconnect();
  }
}
