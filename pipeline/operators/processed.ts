/**
 * Marks a successful message's value as its terminal outcome.
 *
 * @module
 */

import type { ProcessedOutcome } from "./outcome.ts";

/**
 * Wraps a successful stage's value as a `"processed"` outcome, so that
 * successes and dead letters travel in one stream of `Outcome`s.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lastValueFrom, map, of } from "rxjs";
 * import { processed } from "./processed.ts";
 *
 * const outcome = await lastValueFrom(of(42).pipe(map(processed)));
 * assert.deepEqual(outcome, { kind: "processed", value: 42 });
 * ```
 */
export function processed<V>(value: V): ProcessedOutcome<V> {
  return { kind: "processed", value };
}
