// What `consume` says before it starts: where the group starts on each
// partition, how many messages wait, and why a new group may read nothing.
import type { PartitionStartPoint } from "../kafka/group_start_points.ts";

/** The start-up lines of `consume`, without the command prefix. */
export function describeStartPoints(
  group: string,
  topic: string,
  points: readonly PartitionStartPoint[],
  fromBeginning: boolean,
): string[] {
  const isNew = points.every((p) => p.committed === null);
  const lines = [
    `group ${group} on topic ${topic}, ${points.length} partition${plural(points.length)}` +
    (isNew ? " (a new group: nothing committed yet)" : ""),
  ];
  let waiting = 0n;
  let stored = 0n;
  for (const p of points) {
    stored += p.high - p.low;
    let where: string;
    let from: bigint;
    if (p.committed !== null && p.committed >= p.low) {
      where = `its committed offset ${p.committed}`;
      from = p.committed;
    } else if (fromBeginning) {
      where = `the beginning, offset ${p.low}`;
      from = p.low;
    } else {
      where = `the end, offset ${p.high}`;
      from = p.high;
    }
    // Offsets the last run settled past its commit are passed over, not read again.
    const ahead = from === p.committed ? BigInt(p.settledAhead) : 0n;
    const wait = p.high > from ? p.high - from - ahead : 0n;
    waiting += wait;
    const done = ahead > 0n ? `, ${ahead} more already settled` : "";
    lines.push(`  partition ${p.partition} starts at ${where} (${wait} waiting${done})`);
  }
  lines.push(`${waiting} message${plural(waiting)} waiting`);
  if (isNew && !fromBeginning && stored > 0n) {
    lines.push(
      `${topic} holds ${stored} message${plural(stored)} that a new group starting at the end ` +
        "does not read: run with --from-beginning to read them",
    );
  }
  return lines;
}

function plural(n: number | bigint): string {
  return n === 1 || n === 1n ? "" : "s";
}
