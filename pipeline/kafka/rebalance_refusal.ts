/**
 * A commit the group coordinator refused because the group was rebalancing:
 * the member's generation ended, or it is not a member any more. Nothing is
 * lost: the partitions' owners after the rebalance commit them.
 *
 * @module
 */
import { errorChain } from "./_error_chain.ts";

// The broker's answers to a commit from a generation that has ended.
const REBALANCE_REFUSALS = new Set([
  "ILLEGAL_GENERATION",
  "REBALANCE_IN_PROGRESS",
  "UNKNOWN_MEMBER_ID",
  "FENCED_INSTANCE_ID",
]);

/**
 * Whether `err` (or an error it wraps) is the coordinator refusing a commit
 * because the group rebalanced.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRebalanceRefusal } from "./rebalance_refusal.ts";
 *
 * const refused = Object.assign(new Error("Specified group generation id is not valid"), {
 *   type: "ILLEGAL_GENERATION",
 * });
 * assert.ok(isRebalanceRefusal(new Error("commit failed", { cause: refused })));
 * assert.ok(!isRebalanceRefusal(new Error("Connection error")));
 * ```
 */
export function isRebalanceRefusal(err: unknown): boolean {
  return errorChain(err).some((link) =>
    link.type !== undefined && REBALANCE_REFUSALS.has(link.type)
  );
}
