/**
 * Reads the stats topic to its end and returns the latest snapshot of each
 * input partition for one consumer group: what a consumer loads when it is
 * assigned partitions.
 *
 * @module
 */
import { DEFAULTS } from "../config.ts";
import { readTopic } from "../kafka/read_topic.ts";
import { latestSnapshots } from "./latest_snapshots.ts";
import { parseStatsSnapshot, type StatsSnapshot } from "./stats_snapshot.ts";

/** Options for {@link loadLatestSnapshots}. */
export interface LoadLatestSnapshotsOptions {
  brokers: readonly string[];
  /** The stats topic. */
  statsTopic: string;
  /** Only this group's snapshots count. */
  groupId: string;
  /** Client id in broker logs. @default `${DEFAULTS.clientId}-stats` */
  clientId?: string;
}

/**
 * The latest snapshot per input partition of `groupId`, keyed
 * `<topic>:<partition>`. Reads committed records only (kafkajs's default), so
 * a snapshot of an aborted or still open transaction is never loaded. Records
 * that are not snapshots are skipped.
 *
 * @example
 * ```ts ignore
 * import { loadLatestSnapshots } from "./load_latest_snapshots.ts";
 * const latest = await loadLatestSnapshots({
 *   brokers: ["127.0.0.1:9092"], statsTopic: "orders-stats", groupId: "order-pipeline",
 * });
 * console.log(latest.get("orders:0")?.nextOffset);
 * ```
 */
export async function loadLatestSnapshots(
  options: LoadLatestSnapshotsOptions,
): Promise<Map<string, StatsSnapshot>> {
  const { brokers, statsTopic, groupId, clientId = `${DEFAULTS.clientId}-stats` } = options;
  const snapshots: StatsSnapshot[] = [];
  await readTopic({ brokers, topic: statsTopic, clientId }, (record) => {
    try {
      snapshots.push(parseStatsSnapshot(record.value));
    } catch {
      // A record some other writer left: not a snapshot, not ours to count.
    }
  });
  return latestSnapshots(snapshots, groupId);
}
