/**
 * `deno task demo`: the whole pipeline in one command. Starts a broker (the
 * embedded one unless KAFKA_BROKERS is set), creates the topics, runs a
 * consumer, produces orders with some bad ones among them, shows the running
 * average live, and ends with a summary once every order has its outcome.
 *
 * @module
 */
import { auditTime, filter, firstValueFrom, lastValueFrom, shareReplay, tap } from "rxjs";
import {
  boolean,
  brokerList,
  decimal,
  DEFAULTS,
  formatDuration,
  integer,
  parseDuration,
  topicSpecs,
} from "../config.ts";
import { isPortFree } from "../broker/_free_port.ts";
import { startEmbeddedBroker } from "../broker/embedded_broker.ts";
import type { ConsumerStats } from "../consumer/consumer_stats.ts";
import { consumeOrders } from "../consumer/order_consumer.ts";
import { ensureTopics, startGroupAtEnd } from "../kafka/topics.ts";
import { produceOrders, type ProducerProgress } from "../producer/order_producer.ts";
import { runPrefix } from "../orders/order_generator.ts";
import { requireBroker } from "../kafka/require_broker.ts";
import { runCommand, VERBOSE_HELP } from "../command/run_command.ts";
import { UsageError } from "../command/parse_flags.ts";
import { readConfig } from "../command/read_config.ts";
import { applySecurity, SECURITY_HELP, SECURITY_SETTINGS } from "../kafka/security_flags.ts";
import { serveDashboard, type ServedDashboard } from "./_serve_dashboard.ts";
import { stopOnSignals } from "./_signals.ts";
import { formatStatus } from "./_status.ts";

const { demo: DEMO } = DEFAULTS;

const HELP = `Usage: deno task demo [flags]

Runs the pipeline end to end: a local Kafka broker (or KAFKA_BROKERS), the
topics, a consumer, the live dashboard, and a producer of orders with some bad
messages; shows the running average live and ends with a summary.

Flags:
  --count N            orders to produce (${DEMO.count})
  --bad-rate R         share of poison bytes and invalid orders (${DEMO.badRate})
  --interval DURATION  pause between orders (${formatDuration(DEMO.intervalMs)})
  --fail-rate R        simulated transient failure rate (${DEMO.failRate})
  --backoff DURATION   first retry delay (${formatDuration(DEMO.backoffMs)})
  --seed N             seed orders and failures
  --brokers LIST       use this cluster instead of starting one [KAFKA_BROKERS]
  --dashboard-port N   port of the live dashboard; 0 picks a free one (${DEFAULTS.dashboard.port}, or free if taken)
  --keep-open          after the summary keep the broker and dashboard up until Ctrl-C
${VERBOSE_HELP}
  -h, --help           show this help
${SECURITY_HELP}`;

/** Runs the demo; resolves to the exit code (1 if the average does not match). */
export async function main(args: string[]): Promise<number> {
  const config = readConfig("demo", args, HELP, {
    count: { default: DEMO.count, parse: integer(1, 1_000_000) },
    badRate: { default: DEMO.badRate, parse: decimal(0, 1) },
    interval: { default: DEMO.intervalMs, parse: parseDuration },
    failRate: { default: DEMO.failRate, parse: decimal(0, 1) },
    backoff: { default: DEMO.backoffMs, parse: parseDuration },
    seed: { default: undefined as number | undefined, parse: integer(0) },
    brokers: {
      env: "KAFKA_BROKERS",
      default: undefined as string[] | undefined,
      parse: brokerList,
    },
    dashboardPort: { default: undefined as number | undefined, parse: integer(0, 65_535) },
    keepOpen: { default: false, parse: boolean },
    ...SECURITY_SETTINGS,
  });
  if (config === undefined) return 0;
  if (applySecurity(config) && !config.brokers) {
    throw new UsageError(
      "demo: the security flags need --brokers: the demo's own broker is plaintext",
    );
  }

  const say = (line: string) => console.log(line);
  if (config.brokers) await requireBroker(config.brokers);
  const broker = config.brokers ? undefined : await startEmbeddedBroker({
    onProgress: (line) => say(line),
  });
  const brokers = config.brokers ?? [broker!.brokers];
  say(broker ? `Kafka is up at ${broker.brokers}` : `Using Kafka at ${brokers.join(",")}`);
  const stop = stopOnSignals("demo", { exit: Deno.exit });
  let dashboard: ServedDashboard | undefined;
  try {
    const topics = DEFAULTS.topics;
    const created = await ensureTopics(brokers, topicSpecs(topics));
    if (created.created.length) say(`Created topics: ${created.created.join(", ")}`);
    // A fresh group that starts at the current end sees exactly this run's orders.
    const groupId = `${DEFAULTS.groupId}-demo-${Date.now()}`;
    await startGroupAtEnd(brokers, groupId, topics.orders);
    const port = config.dashboardPort ??
      (isPortFree(DEFAULTS.dashboard.port) ? DEFAULTS.dashboard.port : 0);
    dashboard = serveDashboard({ brokers, port, groupId });
    say(`Dashboard: ${dashboard.url}`);

    const live = Deno.stdout.isTerminal();
    const started = performance.now();
    const consumerStop = new AbortController();
    stop.signal.addEventListener("abort", () => consumerStop.abort("signal"), { once: true });
    let last: ConsumerStats | undefined;
    // The latest statistics are replayed: the wait below for the last outcome
    // may start after that outcome came (it raced the producer's last ack).
    const stats$ = consumeOrders({
      brokers,
      topic: topics.orders,
      dlqTopic: topics.dlq,
      groupId,
      statsTopic: topics.stats,
      failRate: config.failRate,
      backoffMs: config.backoff,
      seed: config.seed,
      signal: consumerStop.signal,
    }).pipe(tap((s) => last = s), shareReplay({ bufferSize: 1, refCount: true }));
    const consumed = lastValueFrom(stats$, { defaultValue: undefined });
    const showStatus = (s: ConsumerStats) => {
      // A fresh group: what this run folded is the running aggregate.
      const rate = s.processed / Math.max((performance.now() - started) / 1000, 0.001);
      const status = formatStatus(s, s.aggregate, {}, rate, true);
      if (live) Deno.stdout.writeSync(new TextEncoder().encode(`\r\x1b[2K${status}`));
      else say(status);
    };
    const lines = stats$.pipe(auditTime(live ? 100 : 1000)).subscribe(showStatus);

    say(
      `Producing ${config.count} orders to '${topics.orders}' (about ${
        Math.round(config.badRate * 100)
      }% bad), consumer group ${groupId}`,
    );
    const produced: ProducerProgress | undefined = await lastValueFrom(
      produceOrders({
        brokers,
        topic: topics.orders,
        count: config.count,
        intervalMs: config.interval,
        badRate: config.badRate,
        seed: config.seed,
        run: runPrefix(),
        signal: stop.signal,
      }),
      { defaultValue: undefined },
    );
    const sent = produced?.sent ?? 0;
    if (!stop.signal.aborted) {
      await firstValueFrom(
        stats$.pipe(filter((s) => s.processed + s.deadLettered + s.sentToRetry >= sent)),
        { defaultValue: undefined },
      );
      consumerStop.abort("done");
    }
    await consumed;
    lines.unsubscribe();
    // The status is sampled; its last line shows the final counts the summary repeats.
    if (last) showStatus(last);
    if (live) say("");

    const expected = produced && produced.valid > 0 ? produced.validSum / produced.valid : null;
    const average = last?.aggregate.average ?? null;
    const matches = expected === null
      ? average === null
      : average !== null && Math.abs(average - expected) < 1e-9 * Math.max(1, expected);
    const c = last?.deadLetteredByClass;
    say("");
    say("Summary");
    say(`  produced       ${sent} (${produced?.valid ?? 0} valid, ${produced?.bad ?? 0} bad)`);
    say(`  processed      ${last?.processed ?? 0}`);
    say(`  retried        ${last?.retried ?? 0} attempts`);
    say(
      `  dead-lettered  ${last?.deadLettered ?? 0} (poison ${c?.poison ?? 0}, permanent ${
        c?.permanent ?? 0
      }, transient ${c?.transient ?? 0}) in '${topics.dlq}'`,
    );
    say(`  final average  ${average === null ? "-" : average.toFixed(4)}`);
    say(
      `  mean of valid orders produced ${expected === null ? "-" : expected.toFixed(4)}: ${
        matches ? "the running average matches" : "MISMATCH"
      }`,
    );
    if (config.keepOpen && !stop.signal.aborted) {
      say(`The dashboard stays at ${dashboard.url}; Ctrl-C to stop`);
      await new Promise((resolve) => stop.signal.addEventListener("abort", resolve));
      return matches ? 0 : 1;
    }
    return stop.signal.aborted ? 130 : matches ? 0 : 1;
  } finally {
    stop.dispose();
    await dashboard?.stop();
    if (broker) {
      await broker.stop();
      say("Kafka stopped");
    }
  }
}

if (import.meta.main) await runCommand("demo", main);
