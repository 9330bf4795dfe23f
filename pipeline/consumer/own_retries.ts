/**
 * The retry topic's records that are this consumer's rounds. The others are
 * another group's (see `retry_owner.ts`): that group's reader processes them,
 * so here they are settled with no outcome and no count, and the partition's
 * commit moves past them. It goes after the partition starts, so that a retry
 * partition holding only others' rounds still has a start, a snapshot and a
 * commit.
 *
 * @module
 */
import { filter, type MonoTypeOperatorFunction } from "rxjs";
import type { Delivery, KafkaRecord } from "../kafka/kafka_record.ts";

/**
 * Passes on the deliveries whose record `isOwn` says are this consumer's, and
 * settles the others, each after telling `passedOver` of it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { from, lastValueFrom, toArray } from "rxjs";
 * import { takeOwnRetries } from "./own_retries.ts";
 * import type { Delivery } from "../kafka/kafka_record.ts";
 *
 * const settled: string[] = [];
 * const delivery = (offset: string) =>
 *   ({ record: { offset }, settle: () => settled.push(offset) }) as unknown as Delivery;
 * const passed = await lastValueFrom(
 *   from([delivery("0"), delivery("1"), delivery("2")]).pipe(
 *     takeOwnRetries((record) => record.offset !== "1"),
 *     toArray(),
 *   ),
 * );
 * assert.deepEqual(passed.map((d) => d.record.offset), ["0", "2"]);
 * assert.deepEqual(settled, ["1"]);
 * ```
 */
export function takeOwnRetries(
  isOwn: (record: KafkaRecord) => boolean,
  passedOver?: (record: KafkaRecord) => void,
): MonoTypeOperatorFunction<Delivery> {
  return filter((delivery) => {
    if (isOwn(delivery.record)) return true;
    passedOver?.(delivery.record);
    delivery.settle();
    return false;
  });
}
