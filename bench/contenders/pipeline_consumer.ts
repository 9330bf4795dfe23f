// Contender (d): our pipeline, at-least-once, through its public entry point
// `consumeOrders`. It stops gracefully (its AbortSignal) once N records are
// settled, so the run ends with every settled offset committed. The failure
// rows pass --ordering and the consume defaults' backoff (1 s, doubling).
import { lastValueFrom, tap } from "rxjs";
import { consumeOrders } from "../../pipeline/consumer/order_consumer.ts";
import type { Ordering } from "../../pipeline/consumer/ordering.ts";
import { quietNegativeTimeoutWarning } from "../../pipeline/kafka/quiet_negative_timeout_warning.ts";
import { arg, printResult } from "./_result.ts";
import { secureFromEnv } from "./_secure.ts";

quietNegativeTimeoutWarning();

const args = Deno.args;
const messages = Number(arg(args, "messages"));
const brokers = arg(args, "brokers").split(",");
secureFromEnv(brokers);
// Optional: snapshots to a stats topic, and exactly-once mode with its transaction interval.
const optional = (name: string) => args.includes(`--${name}`) ? arg(args, name) : undefined;
const statsTopic = optional("stats-topic");
const exactlyOnce = args.includes("--exactly-once");
const transactionInterval = optional("transaction-interval");
const stop = new AbortController();
let firstMs = 0;
let lastMs = 0;
// When 10%, 90% and 99% had settled. Under failures the last orders wait out
// their backoffs (up to 1 + 2 + 4 s with the defaults) after the backlog is
// read, so the whole window mixes a rate and a fixed tail; the middle of the
// run (10% to 90%) is the rate a consumer keeps while there is work.
let settled10Ms = 0;
let settled90Ms = 0;
let settled99Ms = 0;

const last = await lastValueFrom(
  consumeOrders({
    brokers,
    topic: arg(args, "topic"),
    groupId: arg(args, "group"),
    dlqTopic: arg(args, "dlq-topic"),
    failRate: Number(arg(args, "fail-rate")),
    backoffMs: Number(arg(args, "backoff-ms")),
    ordering: arg(args, "ordering") as Ordering,
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
    ...optionalBounds(),
  }).pipe(tap((stats) => {
    const settled = stats.processed + stats.deadLettered + stats.sentToRetry;
    if (settled10Ms === 0 && settled >= messages * 0.1) settled10Ms = Date.now();
    if (settled90Ms === 0 && settled >= messages * 0.9) settled90Ms = Date.now();
    if (settled99Ms === 0 && settled >= messages * 0.99) settled99Ms = Date.now();
    if (lastMs === 0 && settled >= messages) {
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
    settled10Ms: settled10Ms - firstMs,
    settled90Ms: settled90Ms - firstMs,
    settled99Ms: settled99Ms - firstMs,
    processed: last.processed,
    retried: last.retried,
    deadLettered: last.deadLettered,
    average: last.aggregate.average,
  },
});

// Bounds other than the defaults, for trying them by hand.
function optionalBounds() {
  const named = (name: string) => {
    const text = optional(name);
    return text === undefined ? undefined : Number(text);
  };
  return { maxInFlight: named("max-in-flight"), maxInFlightTotal: named("max-in-flight-total") };
}
