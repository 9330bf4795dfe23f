/**
 * The records of a shared topic that are this consumer's: on the retry topic,
 * its own group's rounds (`retry_owner.ts`); on the main topic, every record
 * but a replay for another group (`replay_group.ts`). The others are another
 * group's to process, so here they are settled without being processed or
 * counted (their outcome is `passed-over`), and the partition's commit moves
 * past them. It goes after the partition starts, so that a partition holding
 * only others' records still has a start, a snapshot and a commit.
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
 * What is done with each record left to its owner: `tell` hears of each owner
 * once (a consumer says once whose records it leaves), and `report` of every
 * record.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { leaveToOwners } from "./own_records.ts";
 * import type { KafkaRecord } from "../kafka/kafka_record.ts";
 *
 * const told: string[] = [];
 * const reported: string[] = [];
 * const leave = leaveToOwners(
 *   (record) => record.topic,
 *   (owner) => told.push(owner),
 *   (record) => reported.push(record.offset),
 * );
 * for (const [topic, offset] of [["a", "0"], ["b", "1"], ["a", "2"]]) {
 *   leave({ topic, offset } as KafkaRecord);
 * }
 * assert.deepEqual(told, ["a", "b"]);
 * assert.deepEqual(reported, ["0", "1", "2"]);
 * ```
 */
export function leaveToOwners<T>(
  ownerOf: (record: KafkaRecord) => T,
  tell?: (owner: T) => void,
  report?: (record: KafkaRecord, owner: T) => void,
): (record: KafkaRecord) => void {
  const told = new Set<string>();
  return (record) => {
    const owner = ownerOf(record);
    report?.(record, owner);
    if (!tell) return;
    const id = JSON.stringify(owner);
    if (told.has(id)) return;
    told.add(id);
    tell(owner);
  };
}
