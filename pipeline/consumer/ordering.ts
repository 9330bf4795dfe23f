/**
 * Ordering modes: which records wait for which.
 *
 * - `key` (the default): records with the same key wait for each other, in
 *   offset order; records with other keys do not, even in one partition. A
 *   record without a key waits for nothing: Kafka gives keyless records no
 *   order to keep (the producer spreads them over partitions).
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
) => string | undefined {
  if (!ORDERINGS.includes(ordering)) {
    throw new RangeError(
      `Cannot order records: 'ordering' must be one of ${ORDERINGS.join(", ")}, got ${
        JSON.stringify(ordering)
      }`,
    );
  }
  switch (ordering) {
    case "key":
      return ({ record: { topic, partition, key } }) =>
        key === null ? undefined : `${topic}/${partition}/${keyText(key)}`;
    case "partition":
      return ({ record: { topic, partition } }) => `${topic}/${partition}`;
    case "unordered":
      return () => undefined;
  }
}

// The key's bytes one character each: a unique string, cheaper than UTF-8
// decoding. A short key is made in one call, as one flat string (cheaper to
// hash than one built a character at a time).
const ONE_CALL_KEY_BYTES = 256;
function keyText(key: Uint8Array): string {
  if (key.length <= ONE_CALL_KEY_BYTES) {
    return String.fromCharCode.apply(null, key as unknown as number[]);
  }
  let text = "";
  for (let i = 0; i < key.length; i++) text += String.fromCharCode(key[i]);
  return text;
}

/** Parses a flag or environment value into an ordering mode. */
export function parseOrdering(text: string): Ordering {
  const ordering = ORDERINGS.find((o) => o === text.trim());
  if (ordering === undefined) throw new Error(`must be one of ${ORDERINGS.join(", ")}`);
  return ordering;
}
