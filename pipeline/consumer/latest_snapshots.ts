/**
 * Picks the snapshot that counts for each input partition out of everything
 * the stats topic holds. The topic is compacted, but its active segment never
 * is, so a read sees several snapshots of one partition; the last one in log
 * order wins, which is also the one compaction keeps.
 *
 * @module
 */
import { snapshotKey, type StatsSnapshot } from "./stats_snapshot.ts";

/**
 * The latest snapshot per input partition written by `groupId`, keyed
 * `<topic>:<partition>` (see `snapshotKey`). `snapshots` must be in the stats
 * topic's log order (it has one partition, so that order is total). Position
 * decides, not `updatedAt`: clocks of different machines disagree, the log
 * does not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { latestSnapshots } from "./latest_snapshots.ts";
 * const at = (nextOffset: string, groupId = "g") => ({
 *   topic: "orders", partition: 0, count: Number(nextOffset), sumCents: 100, min: 1, max: 1,
 *   nextOffset, groupId, updatedAt: 0,
 * });
 * const latest = latestSnapshots([at("5"), at("9"), at("12", "other")], "g");
 * assert.equal(latest.get("orders:0")?.nextOffset, "9");
 * ```
 */
export function latestSnapshots(
  snapshots: Iterable<StatsSnapshot>,
  groupId: string,
): Map<string, StatsSnapshot> {
  const latest = new Map<string, StatsSnapshot>();
  for (const snapshot of snapshots) {
    if (snapshot.groupId !== groupId) continue;
    const key = snapshotKey(snapshot.topic, snapshot.partition);
    // Deleting first keeps the map in the order of the last writes.
    latest.delete(key);
    latest.set(key, snapshot);
  }
  return latest;
}
