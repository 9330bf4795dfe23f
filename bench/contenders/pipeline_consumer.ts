// Contender (d): our pipeline, at-least-once, through its public entry point
// `consumeOrders`. It stops gracefully (its AbortSignal) once N records are
// settled, so the run ends with every settled offset committed.
import { lastValueFrom, tap } from "rxjs";
import { consumeOrders } from "../../pipeline/consumer/order_consumer.ts";
import { arg, printResult } from "./_result.ts";
import { secureFromEnv } from "./_secure.ts";

const args = Deno.args;
const messages = Number(arg(args, "messages"));
const brokers = arg(args, "brokers").split(",");
secureFromEnv(brokers);
// Optional: snapshots to a stats topic, and exactly-once mode with its transaction interval.
const optional = (name: string) => Deno.args.includes(`--${name}`) ? arg(args, name) : undefined;
const statsTopic = optional("stats-topic");
const exactlyOnce = args.includes("--exactly-once");
const transactionInterval = optional("transaction-interval");
const stop = new AbortController();
let firstMs = 0;
let lastMs = 0;

const last = await lastValueFrom(
  consumeOrders({
    brokers,
    topic: arg(args, "topic"),
    groupId: arg(args, "group"),
    dlqTopic: arg(args, "dlq-topic"),
    failRate: Number(arg(args, "fail-rate")),
    // Short waits, so a run measures the cost of retrying rather than of sleeping.
    backoffMs: 1,
    maxBackoffMs: 10,
    seed: 1,
    fromBeginning: true,
    statsTopic,
    exactlyOnce,
    transactionIntervalMs: transactionInterval === undefined
      ? undefined
      : Number(transactionInterval),
    signal: stop.signal,
    // The window opens when the group is joined, as ConsumerPerformance's fetch time does.
    onAssignment: () => firstMs ||= Date.now(),
  }).pipe(tap((stats) => {
    if (lastMs === 0 && stats.processed + stats.deadLettered + stats.sentToRetry >= messages) {
      lastMs = Date.now();
      stop.abort();
    }
  })),
  { defaultValue: undefined },
);
printResult({
  messages,
  firstMs,
  lastMs,
  extra: last && {
    processed: last.processed,
    retried: last.retried,
    deadLettered: last.deadLettered,
    average: last.aggregate.average,
  },
});
