/**
 * The records of a shared topic that are this consumer's: on the retry topic,
 * its own group's rounds (`retry_owner.ts`); on the main topic, every record
 * but a replay for another group (`replay_group.ts`). The others are another
 * group's to process, so here they are settled with no outcome and no count,
 * and the partition's commit moves past them. It goes after the partition
 * starts, so that a partition holding only others' records still has a start,
 * a snapshot and a commit.
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
 * import { takeOwnRecords } from "./own_records.ts";
 * import type { Delivery } from "../kafka/kafka_record.ts";
 *
 * const settled: string[] = [];
 * const delivery = (offset: string) =>
 *   ({ record: { offset }, settle: () => settled.push(offset) }) as unknown as Delivery;
 * const passed = await lastValueFrom(
 *   from([delivery("0"), delivery("1"), delivery("2")]).pipe(
 *     takeOwnRecords((record) => record.offset !== "1"),
 *     toArray(),
 *   ),
 * );
 * assert.deepEqual(passed.map((d) => d.record.offset), ["0", "2"]);
 * assert.deepEqual(settled, ["1"]);
 * ```
 */
export function takeOwnRecords(
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

/**
 * Tells `tell` what `describe` says of a record passed over, once per
 * distinct description: a consumer says once whose records it leaves.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tellEachOnce } from "./own_records.ts";
 * import type { KafkaRecord } from "../kafka/kafka_record.ts";
 *
 * const told: string[] = [];
 * const passedOver = tellEachOnce((record) => record.topic, (topic) => told.push(topic));
 * for (const topic of ["a", "b", "a"]) passedOver({ topic } as KafkaRecord);
 * assert.deepEqual(told, ["a", "b"]);
 * ```
 */
export function tellEachOnce<T>(
  describe: (record: KafkaRecord) => T,
  tell: (what: T) => void,
): (record: KafkaRecord) => void {
  const told = new Set<string>();
  return (record) => {
    const what = describe(record);
    const id = JSON.stringify(what);
    if (told.has(id)) return;
    told.add(id);
    tell(what);
  };
}
