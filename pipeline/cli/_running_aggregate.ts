// The running average `consume` shows: the group's, as far as this process
// knows it. A partition this run has folded a record of carries the snapshot
// it started from plus what it folded since; any other partition counts as
// its latest snapshot when the run began. So after a crash or a restart the
// line shows the average over every order the group has counted, not over
// the few this run processed (with one consumer in the group, exactly the
// stats topic's average).
import type { ConsumerStats } from "../consumer/consumer_stats.ts";
import { snapshotAggregate, snapshotKey, type StatsSnapshot } from "../consumer/stats_snapshot.ts";
import { type Aggregate, mergeAggregates } from "../operators/aggregate.ts";

/**
 * The running aggregate of `stats` over the topics `topics` names (the
 * orders topic, then the retry topic), with `before` (the group's latest
 * snapshots when the run began, keyed `<topic>:<partition>`) for the
 * partitions this run has not folded.
 */
export function runningAggregate(
  stats: ConsumerStats | undefined,
  before: ReadonlyMap<string, StatsSnapshot>,
  topics: { orders: string; retry?: string },
): Aggregate {
  const parts: Aggregate[] = [];
  const folded = new Set<string>();
  const add = (topic: string | undefined, states: ConsumerStats["partitions"] | undefined) => {
    if (topic === undefined || states === undefined) return;
    for (const [partition, state] of Object.entries(states)) {
      parts.push(state.aggregate);
      folded.add(snapshotKey(topic, Number(partition)));
    }
  };
  add(topics.orders, stats?.partitions);
  add(topics.retry, stats?.retryPartitions);
  for (const [key, snapshot] of before) {
    const ours = snapshot.topic === topics.orders || snapshot.topic === topics.retry;
    if (ours && !folded.has(key)) parts.push(snapshotAggregate(snapshot));
  }
  return mergeAggregates(...parts);
}
