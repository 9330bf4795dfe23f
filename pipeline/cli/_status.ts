// How the consumer reports itself: a live line on a terminal, JSON lines for
// machines, and a summary at the end.
import type { ConsumerStats } from "../consumer/consumer_stats.ts";
import type { Aggregate } from "../operators/aggregate.ts";

const money = (n: number | null) => n === null ? "-" : n.toFixed(2);

/** What the status and `/healthz` say while a write waits for the broker. */
export function brokerWait(since: number): string {
  return `waiting for the broker since ${new Date(since).toISOString()}`;
}

/**
 * One status update: a readable line when `live`, else a JSON line. While a
 * write waits for the broker (`waitingSince`), the line says so first; before
 * the first record settled, `stats` is undefined and that is all it says.
 * The live line shows this run's counts and `running`, the group's running
 * average (see `runningAggregate`); a JSON line has this run's figures at
 * its top (they add up over runs) and the group's in `running`.
 * `ratePerSecond` is the recent rate (see `RecentRate`).
 */
export function formatStatus(
  stats: ConsumerStats | undefined,
  running: Aggregate,
  lag: Readonly<Record<number, number>>,
  ratePerSecond: number,
  live: boolean,
  waitingSince?: number,
): string {
  const waiting = waitingSince === undefined ? undefined : brokerWait(waitingSince);
  if (!stats) {
    return live ? waiting ?? "" : JSON.stringify({ type: "status", waiting: waiting ?? null });
  }
  const totalLag = Object.values(lag).reduce((a, b) => a + b, 0);
  if (!live) {
    return JSON.stringify({
      type: "status",
      waiting: waiting ?? null,
      processed: stats.processed,
      average: stats.aggregate.average,
      count: stats.aggregate.count,
      sum: stats.aggregate.sum,
      min: stats.aggregate.min,
      max: stats.aggregate.max,
      running: runningFields(running),
      retried: stats.retried,
      deadLettered: stats.deadLettered,
      deadLetteredByClass: stats.deadLetteredByClass,
      sentToRetry: stats.sentToRetry,
      lag,
      ratePerSecond: Math.round(ratePerSecond),
    });
  }
  return `${waiting ? `${waiting}  ` : ""}processed ${stats.processed}  average ${
    money(running.average)
  }  ` +
    `retries ${stats.retried}  to retry topic ${stats.sentToRetry}  ` +
    `dead-lettered ${stats.deadLettered}  lag ${totalLag}  ` +
    `${Math.round(ratePerSecond)}/s`;
}

// The group's running aggregate, as JSON lines give it.
function runningFields({ average, count, sum, min, max }: Aggregate) {
  return { average, count, sum, min, max };
}

/** The closing summary: this run's figures, and the group's running aggregate `running`. */
export function formatSummary(
  stats: ConsumerStats | undefined,
  running: Aggregate,
  elapsedMs: number,
  live: boolean,
): string {
  const s = stats;
  const seconds = elapsedMs / 1000;
  if (!live) {
    return JSON.stringify({
      type: "summary",
      processed: s?.processed ?? 0,
      average: s?.aggregate.average ?? null,
      sum: s?.aggregate.sum ?? 0,
      running: runningFields(running),
      retried: s?.retried ?? 0,
      deadLettered: s?.deadLettered ?? 0,
      deadLetteredByClass: s?.deadLetteredByClass ?? { poison: 0, permanent: 0, transient: 0 },
      sentToRetry: s?.sentToRetry ?? 0,
      seconds: Number(seconds.toFixed(3)),
    });
  }
  if (!s) return `Consumed nothing in ${seconds.toFixed(1)} s`;
  const c = s.deadLetteredByClass;
  return [
    `Summary after ${seconds.toFixed(1)} s:`,
    `  processed      ${s.processed}`,
    `  average price  ${money(running.average)} (min ${money(running.min)}, max ${
      money(running.max)
    })`,
    `  retries        ${s.retried}`,
    `  to retry topic ${s.sentToRetry}`,
    `  dead-lettered  ${s.deadLettered} (poison ${c.poison}, permanent ${c.permanent}, transient ${c.transient})`,
  ].join("\n");
}
