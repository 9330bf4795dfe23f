/**
 * Ordering modes: which records wait for which.
 *
 * - `key` (the default): records with the same key wait for each other, in
 *   offset order; records with other keys do not, even in one partition. A
 *   record without a key waits for nothing: Kafka gives keyless records no
 *   order to keep (the producer spreads them over partitions). A lane is
 *   named by a 30-bit hash of the key's bytes, its partition and its topic:
 *   two keys whose hashes meet share a lane and wait for each other, which
 *   keeps every key's order (among 10,000 keys in backoff at once, a record
 *   of another key meets one of them about once in 100,000 records).
 * - `partition`: every record waits for the records before it in its partition.
 * - `unordered`: nothing waits.
 *
 * @module
 */
import type { Delivery } from "../kafka/kafka_record.ts";

/** The ordering modes, the default first. */
export const ORDERINGS = ["key", "partition", "unordered"] as const;

/** One ordering mode. */
export type Ordering = typeof ORDERINGS[number];

/**
 * The lane a delivery waits in under `ordering`: deliveries with the same
 * lane are handled in offset order; `undefined` waits for nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { laneOf } from "./ordering.ts";
 *
 * const delivery = (partition: number, key: string | null) => ({
 *   record: { topic: "orders", partition, key: key === null ? null : new TextEncoder().encode(key) },
 * });
 * const byKey = laneOf("key");
 * assert.equal(byKey(delivery(0, "ORD-1")), byKey(delivery(0, "ORD-1")));
 * assert.notEqual(byKey(delivery(0, "ORD-1")), byKey(delivery(0, "ORD-2")));
 * assert.equal(byKey(delivery(0, null)), undefined);
 * assert.equal(laneOf("partition")(delivery(0, "ORD-1")), laneOf("partition")(delivery(0, "ORD-2")));
 * assert.equal(laneOf("unordered")(delivery(0, "ORD-1")), undefined);
 * ```
 */
export function laneOf(
  ordering: Ordering,
): (
  delivery: { record: Pick<Delivery["record"], "topic" | "partition" | "key"> },
) => number | string | undefined {
  if (!ORDERINGS.includes(ordering)) {
    throw new RangeError(
      `Cannot order records: 'ordering' must be one of ${ORDERINGS.join(", ")}, got ${
        JSON.stringify(ordering)
      }`,
    );
  }
  switch (ordering) {
    case "key": {
      // Every record asks for its lane while any key waits: a number, with
      // no string built and hashed per record.
      const topics = new Map<string, number>();
      const topicSeed = (topic: string) => {
        let seed = topics.get(topic);
        if (seed === undefined) topics.set(topic, seed = hashBytes(TEXT.encode(topic), 0));
        return seed;
      };
      return ({ record: { topic, partition, key } }) =>
        key === null ? undefined : hashBytes(key, Math.imul(topicSeed(topic), 31) + partition);
    }
    case "partition":
      return ({ record: { topic, partition } }) => `${topic}/${partition}`;
    case "unordered":
      return () => undefined;
  }
}

const TEXT = new TextEncoder();

// FNV-1a over the bytes, from a seed, folded to 30 bits: a small integer,
// which a Map looks up without hashing a string.
function hashBytes(bytes: Uint8Array, seed: number): number {
  let hash = Math.imul(0x811c9dc5 ^ seed, 0x01000193);
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  return (hash ^ (hash >>> 30)) & 0x3fffffff;
}

/** Parses a flag or environment value into an ordering mode. */
export function parseOrdering(text: string): Ordering {
  const ordering = ORDERINGS.find((o) => o === text.trim());
  if (ordering === undefined) throw new Error(`must be one of ${ORDERINGS.join(", ")}`);
  return ordering;
}
