/**
 * `deno task consume`: reads orders, processes them with retry and backoff,
 * dead-letters what fails, and shows the running average of prices.
 *
 * @module
 */
import { auditTime, lastValueFrom, share, Subject, takeUntil, tap } from "rxjs";
import {
  boolean,
  decimal,
  DEFAULTS,
  durationWithin,
  formatDuration as show,
  integer,
  name,
  parseDuration,
  sharedTopic,
  topicSpecs,
} from "../config.ts";
import { consumeOrders } from "../consumer/order_consumer.ts";
import type { ConsumerStats } from "../consumer/consumer_stats.ts";
import { type Ordering, parseOrdering } from "../consumer/ordering.ts";
import { ensureTopics } from "../kafka/topics.ts";
import { NO_COORDINATOR_WHY } from "../kafka/from_kafka.ts";
import { groupStartPoints } from "../kafka/group_start_points.ts";
import { requireBroker } from "../kafka/require_broker.ts";
import { classify as errorClass, DeadLetterWriteError, errorMessage } from "../errors.ts";
import { createConsumerMetrics } from "../metrics/consumer_metrics.ts";
import { createMetricsApp } from "../metrics/metrics_app.ts";
import { UsageError } from "../command/parse_flags.ts";
import { readConfig } from "../command/read_config.ts";
import { runCommand, VERBOSE_HELP } from "../command/run_command.ts";
import { describeStartPoints } from "./_start_points.ts";
import { applySecurity, SECURITY_HELP, SECURITY_SETTINGS } from "../kafka/security_flags.ts";
import { SHARED_SETTINGS } from "./_shared_settings.ts";
import { quietRepeats } from "./_repeats.ts";
import { stopOnSignals } from "./_signals.ts";
import { brokerWait, formatStatus, formatSummary } from "./_status.ts";
import { runningAggregate } from "./_running_aggregate.ts";
import { RecentRate } from "./_recent_rate.ts";
import { isRebalanceRefusal } from "../kafka/rebalance_refusal.ts";
import { listenError } from "../command/listen_error.ts";
import type { StatsSnapshot } from "../consumer/stats_snapshot.ts";

const { consumer: CONSUMER, topics: TOPICS } = DEFAULTS;

// How long past the drain timeout a stop may take (leaving the group, the last
// snapshot, closing connections) before the process ends regardless.
const STOP_GRACE_MS = 10_000;

const HELP = `Usage: deno task consume [flags]

Consumes Avro orders, processes each with retries and exponential backoff,
sends what cannot be processed to the dead-letter topic, and keeps the
running average of prices. Ctrl-C stops gracefully; a second Ctrl-C quits now.

Flags (environment variable in brackets):
  --brokers LIST        Kafka bootstrap servers [KAFKA_BROKERS] (${DEFAULTS.brokers})
  --topic NAME          topic to consume [ORDERS_TOPIC] (${TOPICS.orders})
  --group ID            consumer group [CONSUMER_GROUP] (${DEFAULTS.groupId})
  --dlq-topic NAME      dead-letter topic [DLQ_TOPIC] (${TOPICS.dlq})
  --stats-topic NAME    compacted topic for per-partition aggregate snapshots [STATS_TOPIC] (${TOPICS.stats})
  --metrics-port N      serve /metrics and /healthz on this port, 0 for any [METRICS_PORT] (off)
  --metrics-host HOST   address the metrics server listens on [METRICS_HOST] (${CONSUMER.metricsHost})
  --retry-topic NAME    retry topic, also consumed here when due [RETRY_TOPIC] (${TOPICS.retry})
  --retry-group ID      consumer group on the retry topic [RETRY_GROUP] (<group>-retry)
  --retry-delay DURATION  wait before each round on the retry topic [RETRY_DELAY] (${
  show(CONSUMER.retryDelayMs)
})
  --max-retry-rounds N  rounds on the retry topic before the DLQ; 0 turns the
                        retry tier off [MAX_RETRY_ROUNDS] (${CONSUMER.maxRetryRounds})
  --max-retries N       retries of a transient failure [MAX_RETRIES] (${CONSUMER.maxRetries})
  --backoff DURATION    first retry delay, doubling with full jitter [BACKOFF] (${
  show(CONSUMER.backoffMs)
})
  --max-backoff DURATION  longest retry delay [MAX_BACKOFF] (${show(CONSUMER.maxBackoffMs)})
  --fail-rate R         simulated transient failure rate, 0 to 1 [FAIL_RATE] (${CONSUMER.failRate})
  --seed N              seed the simulated failures [SEED]
  --from-beginning      a new group starts at the earliest offset [FROM_BEGINNING]
  --exactly-once        per partition, one Kafka transaction carries its dead
                        letters, retry records, snapshot and offsets [EXACTLY_ONCE]
  --transaction-interval DURATION  how often each partition's transaction
                        commits with --exactly-once [TRANSACTION_INTERVAL] (${
  show(CONSUMER.transactionIntervalMs)
})
  --ordering MODE       key: one key's messages in offset order, other keys side
                        by side; partition: offset order per partition;
                        unordered [ORDERING] (${CONSUMER.ordering})
  --max-in-flight N     unsettled messages per partition; a full partition
                        pauses [MAX_IN_FLIGHT] (${CONSUMER.maxInFlight})
  --max-in-flight-total N  unsettled messages in the whole consumer
                        [MAX_IN_FLIGHT_TOTAL] (${CONSUMER.maxInFlightTotal})
  --drain-timeout DURATION  how long a stop waits for in-flight messages (${
  show(CONSUMER.drainTimeoutMs)
});
                        the process ends at most ${
  show(STOP_GRACE_MS)
} after that, whatever the broker does
  --write-timeout DURATION  how long a write to the DLQ, retry or stats topic waits
                        for an unreachable broker before the consumer stops [WRITE_TIMEOUT] (${
  show(DEFAULTS.writeTimeoutMs)
})
  --session-timeout DURATION  how soon the group reassigns a crashed member's partitions (${
  show(CONSUMER.sessionTimeoutMs)
})
  --status-interval DURATION  how often the status updates (${show(CONSUMER.statusIntervalMs)})
  --json                one JSON line per update even on a terminal
  --print-outcomes      also one JSON line per message outcome
${VERBOSE_HELP}
  -h, --help            show this help
${SECURITY_HELP}`;

/** How long the consumer stays quiet while no message comes before it says it waits. */
const IDLE_NOTICE_MS = 30_000;

/** Runs the command; resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  const { brokers, topic, group, dlqTopic, statsTopic, seed, json, writeTimeout } = SHARED_SETTINGS;
  const config = readConfig("consume", args, HELP, {
    brokers,
    topic,
    group,
    dlqTopic,
    statsTopic,
    metricsPort: {
      env: "METRICS_PORT",
      default: undefined as number | undefined,
      parse: integer(0, 65_535),
    },
    metricsHost: { env: "METRICS_HOST", default: CONSUMER.metricsHost, parse: name },
    retryTopic: SHARED_SETTINGS.retryTopic,
    retryGroup: { env: "RETRY_GROUP", default: undefined as string | undefined, parse: name },
    retryDelay: { env: "RETRY_DELAY", default: CONSUMER.retryDelayMs, parse: parseDuration },
    maxRetryRounds: {
      env: "MAX_RETRY_ROUNDS",
      default: CONSUMER.maxRetryRounds,
      parse: integer(0, 100),
    },
    maxRetries: { env: "MAX_RETRIES", default: CONSUMER.maxRetries, parse: integer(0, 20) },
    backoff: { env: "BACKOFF", default: CONSUMER.backoffMs, parse: parseDuration },
    maxBackoff: { env: "MAX_BACKOFF", default: CONSUMER.maxBackoffMs, parse: parseDuration },
    failRate: { env: "FAIL_RATE", default: CONSUMER.failRate, parse: decimal(0, 1) },
    seed,
    fromBeginning: { env: "FROM_BEGINNING", default: false, parse: boolean },
    exactlyOnce: { env: "EXACTLY_ONCE", default: false, parse: boolean },
    transactionInterval: {
      env: "TRANSACTION_INTERVAL",
      default: CONSUMER.transactionIntervalMs,
      parse: durationWithin(10, 60_000),
    },
    ordering: { env: "ORDERING", default: CONSUMER.ordering as Ordering, parse: parseOrdering },
    // Bounded so that in-flight records fit the task's V8 heap ceiling.
    maxInFlight: {
      env: "MAX_IN_FLIGHT",
      default: CONSUMER.maxInFlight,
      parse: integer(1, 10_000),
    },
    maxInFlightTotal: {
      env: "MAX_IN_FLIGHT_TOTAL",
      default: CONSUMER.maxInFlightTotal,
      parse: integer(1, 50_000),
    },
    drainTimeout: { default: CONSUMER.drainTimeoutMs, parse: parseDuration },
    writeTimeout,
    // Kafka's own bounds are 6s to 30m unless a broker sets others; under 1s
    // no heartbeat could keep a member in its group.
    sessionTimeout: { default: CONSUMER.sessionTimeoutMs, parse: durationWithin(1000, 1_800_000) },
    statusInterval: { default: CONSUMER.statusIntervalMs, parse: parseDuration },
    json,
    printOutcomes: { default: false, parse: boolean },
    ...SECURITY_SETTINGS,
  });
  if (config === undefined) return 0;
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
  const shared = sharedTopic({
    "--topic": config.topic,
    "--retry-topic": retryTopic,
    "--dlq-topic": config.dlqTopic,
    "--stats-topic": config.statsTopic,
  });
  if (shared !== undefined) {
    const [first, second, name] = shared;
    throw new UsageError(`consume: flag ${second} must differ from ${first} (${name})`);
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
  // The group's snapshots, read on assignment: the running average counts
  // what they counted before this run.
  let before: ReadonlyMap<string, StatsSnapshot> = new Map();
  const runningTopics = { orders: config.topic, retry: retryTopic };
  const live = Deno.stdout.isTerminal() && !config.json;
  const encoder = new TextEncoder();
  const write = (text: string) => Deno.stdout.writeSync(encoder.encode(text));
  // Our own lines go to stderr; on a terminal they first clear the live status line.
  const say = (line: string) => {
    if (live) write("\r\x1b[2K");
    console.error(`consume: ${line}`);
  };
  // A failure tried again every second (a snapshot, a commit) is said once per window.
  const sayOnce = quietRepeats(say);
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
  const serveMetrics = (port: number) => {
    try {
      return Deno.serve({
        port,
        hostname: config.metricsHost,
        onListen: ({ hostname, port }) =>
          console.error(`consume: metrics at http://${hostname}:${port}/metrics`),
      }, createMetricsApp({ registry: metrics.registry, health: () => health }).fetch);
    } catch (err) {
      throw listenError(err, "--metrics-port", config.metricsHost, port);
    }
  };
  const metricsServer = config.metricsPort === undefined
    ? undefined
    : serveMetrics(config.metricsPort);

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
      else if (isRebalanceRefusal(err)) {
        sayOnce(
          "stats snapshot: a commit came as the group rebalanced and was refused " +
            `(${errorMessage(err)}): the partitions' owners after the rebalance commit them`,
        );
      } else sayOnce(`stats snapshot: ${errorMessage(err)}`);
    },
    // The retry topic is shared: another group's rounds are passed over, said once per owner.
    onForeignRounds: ({ group, topic }) =>
      say(
        `${retryTopic} also holds retry rounds ${
          group === null ? `from ${topic}` : `of group ${group} from ${topic ?? config.topic}`
        }: they are passed over, left to the consumers they belong to`,
      ),
    // A broker back before its groups loaded: the consumer is run again, said once per wait.
    onCoordinatorWait: (group, patienceMs) =>
      say(
        `no broker names a group coordinator for ${group} yet (${NO_COORDINATOR_WHY}): ` +
          `trying again for up to ${Math.round(patienceMs / 1000)} s`,
      ),
    // A replay back to the topic is for the group that dead-lettered the order;
    // this group had its own outcome for it. Said once per group.
    onForeignReplays: (group) =>
      say(
        `${config.topic} also holds replays of group ${group}'s dead letters: they are passed ` +
          "over, left to that group",
      ),
    // Offsets moved back (or a crash between a snapshot and its commit) skip
    // what the snapshot counts: said once, so a run that processes nothing is explained.
    onCoveredStart: ({ topic, partition, offset, nextOffset }) =>
      say(
        `${topic}/${partition} starts at offset ${offset}, but the group's snapshot in ` +
          `${config.statsTopic} counts offsets ${offset} to ${nextOffset - 1n} already: they are ` +
          "skipped, not processed again (a new --group processes them)",
      ),
    onAssignment: (partitions) =>
      say(
        partitions.length === 0
          ? `holds no partition of ${config.topic} (other members of ${config.group} hold them all)`
          : `holds partition${partitions.length === 1 ? "" : "s"} ${
            partitions.join(", ")
          } of ${config.topic}`,
      ),
    onStartSnapshots: (snapshots) => before = snapshots,
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

  const recentRate = new RecentRate();
  // Counted from the start: the first line's rate covers the run so far.
  recentRate.sample(0, started);
  function showStatus(stats: ConsumerStats | undefined) {
    const running = runningAggregate(stats, before, runningTopics);
    const rate = recentRate.sample(stats?.processed ?? 0, performance.now());
    const status = formatStatus(stats, running, lag, rate, live, waitingSince);
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
    const running = runningAggregate(last, before, runningTopics);
    const summary = formatSummary(last, running, performance.now() - started, live);
    write(`${summary}\n`);
  }
  return 0;
}

if (import.meta.main) await runCommand("consume", main);
