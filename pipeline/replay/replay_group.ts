/**
 * Whom a replayed record is for. A dead letter is one group's: the group that
 * failed the order. Every other group that reads the same topic processed the
 * order the first time. A replay back to the letter's own topic therefore
 * names the letter's group (`x-replay-group`), and the other groups pass it
 * over; without this, each of them would count the order twice. A replay to
 * another topic (`--to`) names no group: it is for whoever reads that topic.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { headerName } from "../header_name.ts";
import { REPLAY_GROUP } from "../headers.ts";
import type { KafkaRecord, OutboundRecord } from "../kafka/kafka_record.ts";

/**
 * The group a replay to `to` is for: the letter's group when `to` is the
 * letter's own topic, otherwise null (every reader of `to`). A letter that
 * names no group gives null.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { replayGroupFor } from "./replay_group.ts";
 *
 * const letter = { originalTopic: "orders", consumerGroup: "billing" };
 * assert.equal(replayGroupFor(letter, "orders"), "billing");
 * assert.equal(replayGroupFor(letter, "orders-staging"), null);
 * assert.equal(replayGroupFor({ ...letter, consumerGroup: "" }, "orders"), null);
 * ```
 */
export function replayGroupFor(
  letter: { readonly originalTopic: string; readonly consumerGroup: string },
  to: string,
): string | null {
  return to === letter.originalTopic && letter.consumerGroup !== "" ? letter.consumerGroup : null;
}

/**
 * `record` addressed to `group`: with `x-replay-group` set to it, or, for
 * null, without the header (an earlier replay may have set it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addressedTo } from "./replay_group.ts";
 *
 * const record = { value: null, headers: { "x-correlation-id": "c-1" } };
 * const billing = addressedTo(record, "billing");
 * assert.equal(String(billing.headers?.["x-replay-group"]), "billing");
 * assert.deepEqual(Object.keys(addressedTo(billing, null).headers ?? {}), ["x-correlation-id"]);
 * ```
 */
export function addressedTo(record: OutboundRecord, group: string | null): OutboundRecord {
  const { [REPLAY_GROUP]: _earlier, ...headers } = record.headers ?? {};
  return {
    ...record,
    headers: group === null ? headers : { ...headers, [REPLAY_GROUP]: Buffer.from(group) },
  };
}

/**
 * The group a record names as the one its replay is for; null when it names
 * none (an empty or unreadable header names none).
 */
export function replayGroupOf({ headers }: Pick<KafkaRecord, "headers">): string | null {
  return headerName(headers[REPLAY_GROUP]);
}

/**
 * Whether group `groupId` takes a record of its topic: every record, except a
 * replay that names another group.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { replayedFor } from "./replay_group.ts";
 *
 * const record = (headers: Record<string, Uint8Array>) => ({ headers });
 * const forBilling = replayedFor("billing");
 * assert.equal(forBilling(record({})), true);
 * assert.equal(forBilling(record({ "x-replay-group": new TextEncoder().encode("billing") })), true);
 * assert.equal(forBilling(record({ "x-replay-group": new TextEncoder().encode("audit") })), false);
 * ```
 */
export function replayedFor(
  groupId: string,
): (record: Pick<KafkaRecord, "headers">) => boolean {
  return (record) => {
    const group = replayGroupOf(record);
    return group === null || group === groupId;
  };
}
