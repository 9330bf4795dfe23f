/**
 * An RxJS scheduler for many delays at once: actions due in the same slot of
 * `resolutionMs` share one timer. Under failures the consumer holds thousands
 * of orders in backoff; with RxJS's `asyncScheduler` each has a timer of its
 * own (an interval set and cleared, and the runtime's bookkeeping for it),
 * with this one they share a few hundred a second. An action never runs
 * before it is due, and at most `resolutionMs` after.
 *
 * @module
 */
import { type SchedulerAction, type SchedulerLike, Subscription } from "rxjs";

/** The clock and timers a {@link CoalescingScheduler} runs on (tests pass their own). */
export interface SchedulerClock {
  now(): number;
  setTimeout(run: () => void, delayMs: number): unknown;
}

const REAL_CLOCK: SchedulerClock = {
  now: () => Date.now(),
  setTimeout: (run, delayMs) => setTimeout(run, delayMs),
};

/**
 * A `SchedulerLike` whose actions due in the same slot share one timer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { timer } from "rxjs";
 * import { CoalescingScheduler } from "./coalescing_scheduler.ts";
 *
 * const scheduler = new CoalescingScheduler(10);
 * const fired: number[] = [];
 * await new Promise<void>((done) => {
 *   timer(20, scheduler).subscribe(() => fired.push(1));
 *   timer(21, scheduler).subscribe(() => (fired.push(2), done()));
 * });
 * assert.deepEqual(fired, [1, 2]);
 * ```
 */
export class CoalescingScheduler implements SchedulerLike {
  readonly resolutionMs: number;
  readonly #clock: SchedulerClock;
  // Slot number -> the actions due in it, each with the generation it was scheduled at.
  readonly #slots = new Map<number, Array<Scheduled>>();

  /**
   * @param resolutionMs The slot width: how late an action may run, in ms. @default 10
   * @throws {RangeError} When `resolutionMs` is not a whole number >= 1.
   */
  constructor(resolutionMs = 10, clock: SchedulerClock = REAL_CLOCK) {
    if (!Number.isInteger(resolutionMs) || resolutionMs < 1) {
      throw new RangeError(
        `Cannot create scheduler: 'resolutionMs' must be a whole number >= 1, got ${resolutionMs}`,
      );
    }
    this.resolutionMs = resolutionMs;
    this.#clock = clock;
  }

  now(): number {
    return this.#clock.now();
  }

  schedule<T>(
    work: (this: SchedulerAction<T>, state?: T) => void,
    delay = 0,
    state?: T,
  ): Subscription {
    return new CoalescedAction(this, work).schedule(state, delay);
  }

  /** Puts `action` (at `generation`) in the slot that holds `dueMs`. */
  enqueue(action: CoalescedAction<never>, generation: number, dueMs: number): void {
    const slot = Math.ceil(dueMs / this.resolutionMs);
    let due = this.#slots.get(slot);
    if (due === undefined) {
      this.#slots.set(slot, due = []);
      const wait = Math.max(0, slot * this.resolutionMs - this.#clock.now());
      this.#clock.setTimeout(() => this.#flush(slot), wait);
    }
    due.push({ action, generation });
  }

  // Runs the actions of one slot in the order they were scheduled; an error
  // of one does not keep the others from running, and is thrown after them.
  #flush(slot: number): void {
    const due = this.#slots.get(slot) ?? [];
    this.#slots.delete(slot);
    let failure: { error: unknown } | undefined;
    for (const { action, generation } of due) {
      try {
        action.run(generation);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}

interface Scheduled {
  action: CoalescedAction<never>;
  generation: number;
}

/** One scheduled piece of work; scheduling it again moves it. */
class CoalescedAction<T> extends Subscription implements SchedulerAction<T> {
  #state?: T;
  // Bumped by each schedule: only the latest one runs.
  #generation = 0;
  #pending = false;

  constructor(
    private readonly scheduler: CoalescingScheduler,
    private readonly work: (this: SchedulerAction<T>, state?: T) => void,
  ) {
    super();
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.#state = state;
    this.#pending = true;
    this.scheduler.enqueue(
      this as unknown as CoalescedAction<never>,
      ++this.#generation,
      this.scheduler.now() + Math.max(0, delay),
    );
    return this;
  }

  /** Runs the work if `generation` is still the latest schedule and nobody unsubscribed. */
  run(generation: number): void {
    if (this.closed || !this.#pending || generation !== this.#generation) return;
    this.#pending = false;
    try {
      this.work(this.#state);
    } catch (error) {
      this.unsubscribe();
      throw error;
    }
    // Work that did not schedule itself again is done.
    if (!this.#pending) this.unsubscribe();
  }
}
