/**
 * `deno task consume`: reads orders, processes them with retry and backoff,
 * dead-letters what fails, and shows the running average of prices.
 *
 * @module
 */
import { auditTime, lastValueFrom, share, Subject, takeUntil, tap } from "rxjs";
import {
  boolean,
  brokerList,
  decimal,
  DEFAULT_TOPICS,
  integer,
  loadConfig,
  name,
  parseDuration,
  topicSpecs,
} from "../config.ts";
import { DEFAULT_TRANSACTION_INTERVAL_MS } from "../consumer/exactly_once.ts";
import { consumeOrders } from "../consumer/order_consumer.ts";
import type { ConsumerStats } from "../consumer/consumer_stats.ts";
import { type Ordering, parseOrdering } from "../consumer/ordering.ts";
import { ensureTopics } from "../kafka/topics.ts";
import { groupStartPoints } from "../kafka/group_start_points.ts";
import { DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_IN_FLIGHT_TOTAL } from "../kafka/in_flight_gate.ts";
import { requireBroker } from "../kafka/require_broker.ts";
import { classify as errorClass, DeadLetterWriteError, errorMessage } from "../errors.ts";
import { createConsumerMetrics } from "../metrics/consumer_metrics.ts";
import { createMetricsApp } from "../metrics/metrics_app.ts";
import { parseFlags, UsageError } from "../command/parse_flags.ts";
import { runCommand, VERBOSE_HELP } from "../command/run_command.ts";
import { describeStartPoints } from "./_start_points.ts";
import {
  applySecurity,
  SECURITY_FLAGS,
  SECURITY_HELP,
  SECURITY_SETTINGS,
} from "../kafka/security_flags.ts";
import { stopOnSignals } from "./_signals.ts";
import { brokerWait, formatStatus, formatSummary } from "./_status.ts";

const HELP = `Usage: deno task consume [flags]

Consumes Avro orders, processes each with retries and exponential backoff,
sends what cannot be processed to the dead-letter topic, and keeps the
running average of prices. Ctrl-C stops gracefully; a second Ctrl-C quits now.

Flags (environment variable in brackets):
  --brokers LIST        Kafka bootstrap servers [KAFKA_BROKERS] (localhost:9092)
  --topic NAME          topic to consume [ORDERS_TOPIC] (orders)
  --group ID            consumer group [CONSUMER_GROUP] (order-pipeline)
  --dlq-topic NAME      dead-letter topic [DLQ_TOPIC] (orders-dlq)
  --stats-topic NAME    compacted topic for per-partition aggregate snapshots [STATS_TOPIC] (orders-stats)
  --metrics-port N      serve /metrics and /healthz on this port, 0 for any [METRICS_PORT] (off)
  --metrics-host HOST   address the metrics server listens on [METRICS_HOST] (127.0.0.1)
  --retry-topic NAME    retry topic, also consumed here when due [RETRY_TOPIC] (orders-retry)
  --retry-group ID      consumer group on the retry topic [RETRY_GROUP] (<group>-retry)
  --retry-delay DURATION  wait before each round on the retry topic [RETRY_DELAY] (30s)
  --max-retry-rounds N  rounds on the retry topic before the DLQ; 0 turns the
                        retry tier off [MAX_RETRY_ROUNDS] (3)
  --max-retries N       retries of a transient failure [MAX_RETRIES] (3)
  --backoff DURATION    first retry delay, doubling with full jitter [BACKOFF] (1s)
  --max-backoff DURATION  longest retry delay [MAX_BACKOFF] (30s)
  --fail-rate R         simulated transient failure rate, 0 to 1 [FAIL_RATE] (0.1)
  --seed N              seed the simulated failures [SEED]
  --from-beginning      a new group starts at the earliest offset [FROM_BEGINNING]
  --exactly-once        per partition, one Kafka transaction carries its dead
                        letters, retry records, snapshot and offsets [EXACTLY_ONCE]
  --transaction-interval DURATION  how often each partition's transaction
                        commits with --exactly-once [TRANSACTION_INTERVAL] (200ms)
  --ordering MODE       key: one key's messages in offset order, other keys side
                        by side; partition: offset order per partition;
                        unordered [ORDERING] (key)
  --max-in-flight N     unsettled messages per partition; a full partition
                        pauses [MAX_IN_FLIGHT] (3000)
  --max-in-flight-total N  unsettled messages in the whole consumer
                        [MAX_IN_FLIGHT_TOTAL] (10000)
  --drain-timeout DURATION  how long a stop waits for in-flight messages (10s);
                        the process ends at most 10s after that, whatever the broker does
  --write-timeout DURATION  how long a write to the DLQ, retry or stats topic waits
                        for an unreachable broker before the consumer stops [WRITE_TIMEOUT] (5m)
  --session-timeout DURATION  how soon the group reassigns a crashed member's partitions (30s)
  --status-interval DURATION  how often the status updates (1s)
  --json                one JSON line per update even on a terminal
  --print-outcomes      also one JSON line per message outcome
${VERBOSE_HELP}
  -h, --help            show this help
${SECURITY_HELP}`;

/** How long the consumer stays quiet while no message comes before it says it waits. */
const IDLE_NOTICE_MS = 30_000;

/** Runs the command; resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  const { values: flags } = parseFlags("consume", args, {
    brokers: { type: "string" },
    topic: { type: "string" },
    group: { type: "string" },
    "dlq-topic": { type: "string" },
    "stats-topic": { type: "string" },
    "metrics-port": { type: "string" },
    "metrics-host": { type: "string" },
    "retry-topic": { type: "string" },
    "retry-group": { type: "string" },
    "retry-delay": { type: "string" },
    "max-retry-rounds": { type: "string" },
    "max-retries": { type: "string" },
    backoff: { type: "string" },
    "max-backoff": { type: "string" },
    "fail-rate": { type: "string" },
    seed: { type: "string" },
    "from-beginning": { type: "boolean" },
    "exactly-once": { type: "boolean" },
    "transaction-interval": { type: "string" },
    ordering: { type: "string" },
    "max-in-flight": { type: "string" },
    "max-in-flight-total": { type: "string" },
    "drain-timeout": { type: "string" },
    "write-timeout": { type: "string" },
    "session-timeout": { type: "string" },
    "status-interval": { type: "string" },
    json: { type: "boolean" },
    "print-outcomes": { type: "boolean" },
    ...SECURITY_FLAGS,
    help: { type: "boolean", short: "h" },
  });
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  const config = loadConfig("consume", flags, (n) => Deno.env.get(n), {
    brokers: { env: "KAFKA_BROKERS", default: ["localhost:9092"], parse: brokerList },
    topic: { env: "ORDERS_TOPIC", default: DEFAULT_TOPICS.orders, parse: name },
    group: { env: "CONSUMER_GROUP", default: "order-pipeline", parse: name },
    dlqTopic: { env: "DLQ_TOPIC", default: DEFAULT_TOPICS.dlq, parse: name },
    statsTopic: { env: "STATS_TOPIC", default: DEFAULT_TOPICS.stats, parse: name },
    metricsPort: {
      env: "METRICS_PORT",
      default: undefined as number | undefined,
      parse: integer(0, 65_535),
    },
    metricsHost: { env: "METRICS_HOST", default: "127.0.0.1", parse: name },
    retryTopic: { env: "RETRY_TOPIC", default: DEFAULT_TOPICS.retry, parse: name },
    retryGroup: { env: "RETRY_GROUP", default: undefined as string | undefined, parse: name },
    retryDelay: { env: "RETRY_DELAY", default: 30_000, parse: parseDuration },
    maxRetryRounds: { env: "MAX_RETRY_ROUNDS", default: 3, parse: integer(0, 100) },
    maxRetries: { env: "MAX_RETRIES", default: 3, parse: integer(0, 20) },
    backoff: { env: "BACKOFF", default: 1000, parse: parseDuration },
    maxBackoff: { env: "MAX_BACKOFF", default: 30_000, parse: parseDuration },
    failRate: { env: "FAIL_RATE", default: 0.1, parse: decimal(0, 1) },
    seed: { env: "SEED", default: undefined as number | undefined, parse: integer(0) },
    fromBeginning: { env: "FROM_BEGINNING", default: false, parse: boolean },
    exactlyOnce: { env: "EXACTLY_ONCE", default: false, parse: boolean },
    transactionInterval: {
      env: "TRANSACTION_INTERVAL",
      default: DEFAULT_TRANSACTION_INTERVAL_MS,
      parse: parseDuration,
    },
    // Bounded so that in-flight records fit the task's V8 heap ceiling.
    ordering: { env: "ORDERING", default: "key" as Ordering, parse: parseOrdering },
    maxInFlight: {
      env: "MAX_IN_FLIGHT",
      default: DEFAULT_MAX_IN_FLIGHT,
      parse: integer(1, 10_000),
    },
    maxInFlightTotal: {
      env: "MAX_IN_FLIGHT_TOTAL",
      default: DEFAULT_MAX_IN_FLIGHT_TOTAL,
      parse: integer(1, 50_000),
    },
    drainTimeout: { default: 10_000, parse: parseDuration },
    writeTimeout: { env: "WRITE_TIMEOUT", default: 300_000, parse: parseDuration },
    sessionTimeout: { default: 30_000, parse: parseDuration },
    statusInterval: { default: 1000, parse: parseDuration },
    json: { default: false, parse: boolean },
    printOutcomes: { default: false, parse: boolean },
    ...SECURITY_SETTINGS,
  });
  applySecurity(config);

  if (config.backoff > config.maxBackoff) {
    throw new UsageError(
      `consume: flag --backoff (${config.backoff} ms) must not exceed --max-backoff (${config.maxBackoff} ms)`,
    );
  }
  if (config.statusInterval === 0) {
    throw new UsageError("consume: flag --status-interval must be above 0, such as 1s");
  }
  const retryTopic = config.maxRetryRounds > 0 ? config.retryTopic : undefined;
  if (retryTopic === config.topic) {
    throw new UsageError(`consume: flag --retry-topic must differ from --topic (${config.topic})`);
  }
  await requireBroker(config.brokers);
  await ensureTopics(
    config.brokers,
    topicSpecs({
      orders: config.topic,
      retry: retryTopic,
      dlq: config.dlqTopic,
      stats: config.statsTopic,
    }),
  );
  const live = Deno.stdout.isTerminal() && !config.json;
  const encoder = new TextEncoder();
  const write = (text: string) => Deno.stdout.writeSync(encoder.encode(text));
  // Our own lines go to stderr; on a terminal they first clear the live status line.
  const say = (line: string) => {
    if (live) write("\r\x1b[2K");
    console.error(`consume: ${line}`);
  };
  const points = await groupStartPoints(config.brokers, config.group, config.topic);
  for (
    const line of describeStartPoints(config.group, config.topic, points, config.fromBeginning)
  ) {
    say(line);
  }
  const lag: Record<number, number> = {};
  const stop = stopOnSignals("consume", {
    exit: Deno.exit,
    exitAfterMs: config.drainTimeout + STOP_GRACE_MS,
  });
  const started = performance.now();
  let last: ConsumerStats | undefined;
  let lastActivity = performance.now();
  const idle = setInterval(() => {
    const quiet = performance.now() - lastActivity;
    if (quiet >= IDLE_NOTICE_MS) {
      say(`waiting for messages on ${config.topic} (none for ${Math.round(quiet / 1000)} s)`);
    }
  }, IDLE_NOTICE_MS);
  const metrics = createConsumerMetrics();
  let health = { ok: true, detail: "consuming" };
  let waitingSince: number | undefined;
  const metricsServer = config.metricsPort === undefined ? undefined : Deno.serve({
    port: config.metricsPort,
    hostname: config.metricsHost,
    onListen: ({ hostname, port }) =>
      console.error(`consume: metrics at http://${hostname}:${port}/metrics`),
  }, createMetricsApp({ registry: metrics.registry, health: () => health }).fetch);

  const snapshotFailed = new Subject<never>();
  const stats$ = consumeOrders({
    brokers: config.brokers,
    topic: config.topic,
    groupId: config.group,
    dlqTopic: config.dlqTopic,
    retryTopic,
    retryGroupId: config.retryGroup,
    retryDelayMs: config.retryDelay,
    maxRetryRounds: config.maxRetryRounds,
    maxRetries: config.maxRetries,
    backoffMs: config.backoff,
    maxBackoffMs: config.maxBackoff,
    failRate: config.failRate,
    seed: config.seed,
    fromBeginning: config.fromBeginning,
    exactlyOnce: config.exactlyOnce,
    transactionIntervalMs: config.transactionInterval,
    ordering: config.ordering,
    maxInFlight: config.maxInFlight,
    maxInFlightTotal: config.maxInFlightTotal,
    drainTimeoutMs: config.drainTimeout,
    sessionTimeoutMs: config.sessionTimeout,
    signal: stop.signal,
    writeTimeoutMs: config.writeTimeout,
    // Waiting is not a fault: /healthz stays 200, so a supervisor does not
    // restart a consumer that is riding out a broker restart.
    onBrokerWait: (since) => {
      waitingSince = since;
      if (health.ok) {
        health = {
          ok: true,
          detail: since === undefined ? "consuming" : brokerWait(since),
        };
      }
      showStatus(last);
    },
    statsTopic: config.statsTopic,
    onSnapshotError: (err) => {
      // A snapshot the broker refused, or that waited past --write-timeout,
      // stops the consumer as a dead letter would; anything else is tried
      // again with the next snapshot.
      if (errorClass(err) === "fatal") snapshotFailed.error(err);
      else say(`stats snapshot: ${errorMessage(err)}`);
    },
    onAssignment: (partitions) =>
      say(
        partitions.length === 0
          ? `holds no partition of ${config.topic} (other members of ${config.group} hold them all)`
          : `holds partition${partitions.length === 1 ? "" : "s"} ${
            partitions.join(", ")
          } of ${config.topic}`,
      ),
    onLag: (partition, n) => {
      lag[partition] = n;
      metrics.observeLag(partition, n);
    },
    onOutcome: (outcome) => {
      metrics.observeOutcome(outcome);
      if (config.printOutcomes) write(JSON.stringify({ type: "outcome", ...outcome }) + "\n");
    },
  }).pipe(
    // Its error ends the stream with that error; it never completes by itself.
    takeUntil(snapshotFailed),
    tap({
      next: (stats) => {
        last = stats;
        lastActivity = performance.now();
        metrics.observeStats(stats);
      },
      error: (err) => {
        if (err instanceof DeadLetterWriteError) metrics.deadLetterWriteFailed();
        health = { ok: false, detail: `stopped: ${errorMessage(err)}` };
      },
    }),
    share(),
  );

  function showStatus(stats: ConsumerStats | undefined) {
    const status = formatStatus(stats, lag, performance.now() - started, live, waitingSince);
    write(live ? `\r\x1b[2K${status}` : `${status}\n`);
  }
  const updates = stats$.pipe(auditTime(config.statusInterval)).subscribe(showStatus);
  try {
    await lastValueFrom(stats$, { defaultValue: undefined });
  } finally {
    clearInterval(idle);
    updates.unsubscribe();
    stop.dispose();
    await metricsServer?.shutdown();
    if (live) write("\n");
    const summary = formatSummary(last, performance.now() - started, live);
    write(`${summary}\n`);
  }
  return 0;
}

// How long past the drain timeout a stop may take (leaving the group, the last
// snapshot, closing connections) before the process ends regardless.
const STOP_GRACE_MS = 10_000;

if (import.meta.main) await runCommand("consume", main);
