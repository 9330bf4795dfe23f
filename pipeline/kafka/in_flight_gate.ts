/**
 * The in-flight bound: at most `perPartition` unsettled records per partition
 * and `total` in the whole process. A partition that reaches a bound is
 * paused (its records stay in Kafka rather than in memory) and resumed once
 * it is down to half its bound and the process is down to half of `total`,
 * so a paused partition is not fetched again for a handful of records.
 *
 * One gate may serve several sources (the main and the retry topic), as
 * long as their partitions have distinct names.
 *
 * @module
 */
import { DEFAULTS } from "../config.ts";

/** Options for {@link InFlightGate}. */
export interface InFlightLimits {
  /** Unsettled records per partition at most. @default DEFAULTS.consumer.maxInFlight */
  perPartition?: number;
  /** Unsettled records in the process at most. @default DEFAULTS.consumer.maxInFlightTotal */
  total?: number;
}

/**
 * Counts unsettled records and resumes paused partitions when there is room.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InFlightGate } from "./in_flight_gate.ts";
 *
 * const gate = new InFlightGate({ perPartition: 2, total: 10 });
 * gate.take("orders/0");
 * gate.take("orders/0");
 * assert.equal(gate.hasRoom("orders/0"), false);
 * let resumed = false;
 * gate.waitForRoom("orders/0", () => resumed = true);
 * gate.release("orders/0");
 * assert.ok(resumed);
 * ```
 */
export class InFlightGate {
  readonly perPartition: number;
  readonly total: number;
  readonly #counts = new Map<string, number>();
  readonly #waiting = new Map<string, () => void>();
  #inFlight = 0;

  constructor(limits: InFlightLimits = {}) {
    const {
      perPartition = DEFAULTS.consumer.maxInFlight,
      total = DEFAULTS.consumer.maxInFlightTotal,
    } = limits;
    for (const [name, value] of [["perPartition", perPartition], ["total", total]] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(
          `Cannot bound in-flight records: '${name}' must be a whole number >= 1, got ${value}`,
        );
      }
    }
    this.perPartition = perPartition;
    this.total = total;
  }

  /** Unsettled records in all partitions. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Unsettled records of `partition`. */
  count(partition: string): number {
    return this.#counts.get(partition) ?? 0;
  }

  /** Whether `partition` may take one more record. */
  hasRoom(partition: string): boolean {
    return this.count(partition) < this.perPartition && this.#inFlight < this.total;
  }

  /** A record of `partition` was handed out. */
  take(partition: string): void {
    this.#counts.set(partition, this.count(partition) + 1);
    this.#inFlight++;
  }

  /** A record of `partition` settled; resumes the waiting partitions that have room now. */
  release(partition: string): void {
    this.#counts.set(partition, this.count(partition) - 1);
    this.#inFlight--;
    if (this.#waiting.size === 0 || this.#inFlight > this.total >>> 1) return;
    for (const [waiting, resume] of this.#waiting) {
      if (this.count(waiting) <= this.perPartition >>> 1) {
        this.#waiting.delete(waiting);
        resume();
      }
    }
  }

  /** `partition` was paused for want of room: `resume` is called once there is. */
  waitForRoom(partition: string, resume: () => void): void {
    this.#waiting.set(partition, resume);
  }

  /** Whether `partition` is paused, waiting for room. */
  isWaiting(partition: string): boolean {
    return this.#waiting.has(partition);
  }

  /** Forgets the waiting partitions without resuming them (the source is stopping). */
  clear(): void {
    this.#waiting.clear();
  }
}
