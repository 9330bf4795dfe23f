// kafkajs gives up on a consumer whose group coordinator no broker named:
// KafkaJSGroupCoordinatorNotFound is "not retriable", so its consumer crashes
// without the restart it makes after other broker errors. Yet that is what a
// broker restart looks like when the broker answers again before its group
// coordinator has loaded (or goes away between the connect and the lookup).
// The source runs its consumer again after such a crash, for a bounded time
// since the last time it had joined the group: a coordinator that never comes
// (a group this user may not use, say) still ends in one line.
import { errorChain } from "./_error_chain.ts";
import { BrokerError, errorMessage } from "../errors.ts";

/** Why no broker may name a group coordinator: said while waiting for one and when giving up. */
export const NO_COORDINATOR_WHY =
  "a broker still loading its groups, or a group this user may not use";

/** Whether `err` is kafkajs's "no broker named a group coordinator". */
export function isCoordinatorNotFound(err: unknown): boolean {
  return errorChain(err).some((link) => link.name === "KafkaJSGroupCoordinatorNotFound");
}

/**
 * The one line for a group coordinator no broker named, for the source that
 * waited `waitedMs` for it, or a start that did not wait.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { coordinatorNotFoundError } from "./_coordinator_rejoin.ts";
 *
 * const err = coordinatorNotFoundError("g", new Error("Failed to find group coordinator"), 60_000);
 * assert.match(err.message, /^No broker named a group coordinator for g in 60 s \(/);
 * ```
 */
export function coordinatorNotFoundError(
  groupId: string,
  error: unknown,
  waitedMs?: number,
): BrokerError {
  const waited = waitedMs === undefined ? "" : ` in ${Math.round(waitedMs / 1000)} s`;
  return new BrokerError(
    `No broker named a group coordinator for ${groupId}${waited} (${NO_COORDINATOR_WHY}): ${
      errorMessage(error)
    }`,
    "BROKER_UNAVAILABLE",
    { cause: error },
  );
}

/** When to run a crashed consumer again. */
export interface CoordinatorRejoin {
  /** The group was joined: the patience starts afresh at the next crash. */
  joined(): void;
  /**
   * After a crash kafkajs does not restart from: the ms to wait before
   * running the consumer again (`first`: the first such wait since the last
   * join), or the error to end with.
   */
  afterCrash(
    error: unknown,
    now: number,
  ): { retryInMs: number; first: boolean } | { error: unknown };
}

/**
 * The rejoin policy of group `groupId`: only a missing coordinator is waited
 * for, `retryMs` between runs, for at most `patienceMs` since the first such
 * crash after the group was last joined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { coordinatorRejoin } from "./_coordinator_rejoin.ts";
 *
 * const missing = Object.assign(new Error("Failed to find group coordinator"), {
 *   name: "KafkaJSGroupCoordinatorNotFound",
 * });
 * const rejoin = coordinatorRejoin("g", { retryMs: 1_000, patienceMs: 60_000 });
 * assert.deepEqual(rejoin.afterCrash(missing, 0), { retryInMs: 1_000, first: true });
 * assert.deepEqual(rejoin.afterCrash(missing, 10_000), { retryInMs: 1_000, first: false });
 * assert.ok("error" in rejoin.afterCrash(missing, 61_000));
 * rejoin.joined();
 * assert.deepEqual(rejoin.afterCrash(missing, 70_000), { retryInMs: 1_000, first: true });
 * ```
 */
export function coordinatorRejoin(
  groupId: string,
  { retryMs, patienceMs }: { retryMs: number; patienceMs: number },
): CoordinatorRejoin {
  let since: number | undefined;
  return {
    joined() {
      since = undefined;
    },
    afterCrash(error, now) {
      if (!isCoordinatorNotFound(error)) return { error };
      const first = since === undefined;
      since ??= now;
      if (now - since < patienceMs) return { retryInMs: retryMs, first };
      return { error: coordinatorNotFoundError(groupId, error, patienceMs) };
    },
  };
}
