import { committedOffsets, topicOffsets } from "./topics.ts";

/** Where a group stands on one partition, before its consumer starts. */
export interface PartitionStartPoint {
  partition: number;
  /** The next offset the group will read, as committed; null when it committed none. */
  committed: bigint | null;
  /** The earliest offset still stored. */
  low: bigint;
  /** The next offset a producer will write (the high watermark). */
  high: bigint;
}

/**
 * The committed offsets of `groupId` and the stored range of every partition
 * of `topic`, sorted by partition: what a consumer of that group is about to
 * start from.
 *
 * @example
 * ```ts ignore
 * import { groupStartPoints } from "./group_start_points.ts";
 * const points = await groupStartPoints(["127.0.0.1:9092"], "order-pipeline", "orders");
 * ```
 */
export async function groupStartPoints(
  brokers: readonly string[],
  groupId: string,
  topic: string,
): Promise<PartitionStartPoint[]> {
  const [ranges, committed] = await Promise.all([
    topicOffsets(brokers, topic),
    // committedOffsets retries a coordinator that is loading or moving itself.
    committedOffsets(brokers, groupId, topic),
  ]);
  return ranges.map(({ partition, low, high }) => {
    const offset = committed.get(partition) ?? -1n;
    return { partition, committed: offset >= 0n ? offset : null, low, high };
  });
}
