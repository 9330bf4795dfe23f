import { decodeOffsetMap } from "./offset_map.ts";
import { committedPositions, topicOffsets } from "./topics.ts";

/** Where a group stands on one partition, before its consumer starts. */
export interface PartitionStartPoint {
  partition: number;
  /** The next offset the group will read, as committed; null when it committed none. */
  committed: bigint | null;
  /** The earliest offset still stored. */
  low: bigint;
  /** The next offset a producer will write (the high watermark). */
  high: bigint;
  /**
   * Offsets past `committed` that the commit's metadata marks as settled:
   * the consumer passes over them.
   */
  settledAhead: number;
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
    // committedPositions retries a coordinator that is loading or moving itself.
    committedPositions(brokers, groupId, topic),
  ]);
  return ranges.map(({ partition, low, high }) => {
    const position = committed.get(partition);
    const offset = position?.offset ?? -1n;
    if (offset < 0n) return { partition, committed: null, low, high, settledAhead: 0 };
    // Only offsets still stored and below the end wait, settled or not.
    const settledAhead = decodeOffsetMap(Number(offset), position?.metadata)
      .filter((settled) => settled >= low && settled < high).length;
    return { partition, committed: offset, low, high, settledAhead };
  });
}
