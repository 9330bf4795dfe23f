/**
 * Stands in for the real work done per order (a downstream call), failing now
 * and then the way such calls do.
 *
 * @module
 */
import { TransientError } from "../errors.ts";
import type { Order } from "./order.ts";
import { createRandom } from "./random.ts";

/**
 * Options for {@link createSimulatedProcessor}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   createSimulatedProcessor,
 *   type SimulatedProcessorOptions,
 * } from "./simulated_processor.ts";
 *
 * const options: SimulatedProcessorOptions = { failRate: 1, seed: 7 };
 * const process = createSimulatedProcessor(options);
 * assert.throws(() => process({ orderId: "ORD-0001", product: "Laptop", price: 10 }), /timed out/);
 * ```
 */
export interface SimulatedProcessorOptions {
  /**
   * The chance, from 0 to 1, that processing an order times out.
   *
   * @default {0.1}
   */
  failRate?: number;
  /**
   * Seeds the failures, so a run can be repeated exactly.
   *
   * @default {a random seed}
   */
  seed?: number;
  /**
   * Whether the downstream is failing for this order: lets a test hold a fault
   * for a while (for example, until a clock passes a time).
   *
   * @default {never}
   */
  isFaulty?: (order: Order) => boolean;
}

/**
 * Creates a processor that returns each order unchanged, or throws a
 * {@link TransientError}: `PROCESSING_TIMEOUT` with probability `failRate`, and
 * `DOWNSTREAM_FAILED` whenever `isFaulty(order)` is true. Its errors carry no
 * call stack (`TransientError.withoutStack`): the place of a simulated
 * failure says nothing, and Deno takes 3 to 9 µs to record it.
 *
 * It draws one random number per call whatever the outcome, so the timeouts of
 * a seeded run do not move when `isFaulty` changes.
 *
 * @throws {RangeError} When `failRate` is not from 0 to 1 or `seed` is not a whole number.
 * @throws {TypeError} When `isFaulty` is not a function.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   createSimulatedProcessor,
 *   type SimulatedProcessorOptions,
 * } from "./simulated_processor.ts";
 *
 * const options: SimulatedProcessorOptions = { failRate: 0, seed: 1 };
 * const process = createSimulatedProcessor(options);
 * const order = { orderId: "ORD-0001", product: "Laptop", price: 12.5 };
 * assert.equal(process(order), order);
 * ```
 */
export function createSimulatedProcessor(
  options: SimulatedProcessorOptions = {},
): (order: Order) => Order {
  const { failRate = 0.1, seed, isFaulty } = options;
  if (typeof failRate !== "number" || !(failRate >= 0 && failRate <= 1)) {
    throw new RangeError(
      `Cannot create processor: 'failRate' must be between 0 and 1, got ${failRate}`,
    );
  }
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new RangeError(`Cannot create processor: 'seed' must be a whole number, got ${seed}`);
  }
  if (isFaulty !== undefined && typeof isFaulty !== "function") {
    throw new TypeError(
      `Cannot create processor: 'isFaulty' must be a function, got ${typeof isFaulty}`,
    );
  }
  const random = createRandom(seed);
  return (order) => {
    const roll = random();
    if (isFaulty?.(order)) {
      throw TransientError.withoutStack(
        `Processing order ${order.orderId} failed: the downstream is down (simulated)`,
        "DOWNSTREAM_FAILED",
      );
    }
    if (roll < failRate) {
      throw TransientError.withoutStack(
        `Processing order ${order.orderId} timed out (simulated)`,
        "PROCESSING_TIMEOUT",
      );
    }
    return order;
  };
}
