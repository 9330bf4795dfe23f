/**
 * Due-time holds: a partition whose next record is not yet due (a retry
 * topic's record) is paused, and resumed when that record is due. Only that
 * partition waits; the fetches of the others go on.
 *
 * @module
 */

/** The timers a hold uses; tests pass a clock of their own. */
export interface HoldClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

const systemClock: HoldClock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

/**
 * The partitions held until a due time, each with the call that resumes it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DueHolds } from "./due_holds.ts";
 *
 * const holds = new DueHolds();
 * let resumed = false;
 * holds.hold("orders-retry/0", Date.now() + 5, () => resumed = true);
 * await new Promise((resolve) => setTimeout(resolve, 20));
 * assert.ok(resumed);
 * ```
 */
export class DueHolds {
  readonly #clock: HoldClock;
  readonly #timers = new Map<string, unknown>();

  constructor(clock: HoldClock = systemClock) {
    this.#clock = clock;
  }

  /**
   * Calls `resume` at `dueAt` (ms since the epoch), or at once if that has
   * passed. A new hold of the same partition replaces the earlier one.
   */
  hold(partition: string, dueAt: number, resume: () => void): void {
    const earlier = this.#timers.get(partition);
    if (earlier !== undefined) this.#clock.clearTimeout(earlier);
    const timer = this.#clock.setTimeout(() => {
      this.#timers.delete(partition);
      resume();
    }, Math.max(0, dueAt - this.#clock.now()));
    this.#timers.set(partition, timer);
  }

  /** Whether `partition` is held. */
  isHeld(partition: string): boolean {
    return this.#timers.has(partition);
  }

  /** Drops every hold without resuming (the source is stopping). */
  clear(): void {
    for (const timer of this.#timers.values()) this.#clock.clearTimeout(timer);
    this.#timers.clear();
  }
}
