/**
 * Whose a retry record is. Every group that reads a topic may share one retry
 * topic (`orders-retry` by default); each retry record names the group whose
 * round it is and the topic it came from, and a group's retry reader takes
 * only its own. Without this, a second group would process the first one's
 * failed orders as its own and count them twice.
 *
 * @module
 */
import { headerName } from "../header_name.ts";
import { retryHeader as header } from "../headers.ts";
import type { KafkaRecord } from "../kafka/kafka_record.ts";

/** What a retry record says of its owner; null where it says nothing. */
export interface RetryOwner {
  /** The consumer group whose round it is (`x-retry-group`). */
  readonly group: string | null;
  /** The topic the record came from (`x-original-topic`). */
  readonly topic: string | null;
}

/**
 * The owner a retry record names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { retryOwnerOf } from "./retry_owner.ts";
 *
 * const headers = { "x-retry-group": new TextEncoder().encode("billing") };
 * assert.deepEqual(retryOwnerOf({ headers }), { group: "billing", topic: null });
 * ```
 */
export function retryOwnerOf({ headers }: Pick<KafkaRecord, "headers">): RetryOwner {
  return {
    group: headerName(headers[header.GROUP]),
    topic: headerName(headers[header.ORIGINAL_TOPIC]),
  };
}

/**
 * Whether a record of the retry topic is a round of group `groupId` reading
 * `topic`. A record that names another group, or another original topic, is
 * not. A record that names neither (written by hand, or by a version of this
 * consumer that did not name its group) is taken, as it always was.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { retryOwnedBy } from "./retry_owner.ts";
 *
 * const text = (s: string) => new TextEncoder().encode(s);
 * const record = (headers: Record<string, Uint8Array>) => ({
 *   topic: "orders-retry", partition: 0, offset: "0", timestamp: "0", key: null, value: null, headers,
 * });
 * const isOurs = retryOwnedBy("billing", "orders");
 * assert.equal(isOurs(record({ "x-retry-group": text("billing"), "x-original-topic": text("orders") })), true);
 * assert.equal(isOurs(record({ "x-retry-group": text("audit"), "x-original-topic": text("orders") })), false);
 * assert.equal(isOurs(record({ "x-retry-group": text("billing"), "x-original-topic": text("refunds") })), false);
 * assert.equal(isOurs(record({})), true);
 * ```
 */
export function retryOwnedBy(groupId: string, topic: string): (record: KafkaRecord) => boolean {
  return (record) => {
    const owner = retryOwnerOf(record);
    return (owner.group ?? groupId) === groupId && (owner.topic ?? topic) === topic;
  };
}
