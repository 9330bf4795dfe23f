/**
 * `deno task dashboard`: the live dashboard in a browser, fed by the
 * pipeline's topics, with `/metrics` and `/healthz`.
 *
 * @module
 */
import { brokerList, DEFAULT_TOPICS, integer, loadConfig, name } from "../config.ts";
import { startDashboard } from "../dashboard/start_dashboard.ts";
import { requireBroker } from "../kafka/require_broker.ts";
import { parseFlags } from "../command/parse_flags.ts";
import { runCommand, VERBOSE_HELP } from "../command/run_command.ts";
import {
  applySecurity,
  SECURITY_FLAGS,
  SECURITY_HELP,
  SECURITY_SETTINGS,
} from "../kafka/security_flags.ts";
import { stopOnSignals } from "./_signals.ts";

const HELP = `Usage: deno task dashboard [flags]

Serves the operator's console of the pipeline: the global running average
(the merge of every partition's latest snapshot) and throughput over time,
the consumer group's members, partitions and lag, the latest orders, retry
records and dead letters, dead-letter triage and replay (filter, select,
dry run, replay), message details and a topic browser. Also /metrics
(Prometheus) and /healthz (503 while a topic reader waits for the broker).
Requests must name this host (the --host address, localhost, or an
--allowed-host name). Off loopback, every data request needs the token
printed at start-up.

Flags (environment variable in brackets):
  --port N              port, 0 for any free one [DASHBOARD_PORT] (8080)
  --host HOST           address to listen on [DASHBOARD_HOST] (127.0.0.1)
  --brokers LIST        Kafka bootstrap servers [KAFKA_BROKERS] (localhost:9092)
  --topic NAME          orders topic [ORDERS_TOPIC] (orders)
  --retry-topic NAME    retry topic [RETRY_TOPIC] (orders-retry)
  --dlq-topic NAME      dead-letter topic [DLQ_TOPIC] (orders-dlq)
  --stats-topic NAME    aggregate snapshot topic [STATS_TOPIC] (orders-stats)
  --group ID            consumer group whose snapshots are shown [CONSUMER_GROUP] (order-pipeline)
  --allowed-host NAMES  more host names requests may use, comma-separated, such as
                        dashboard.example.com [DASHBOARD_ALLOWED_HOSTS] (none)
  --max-replays N       park dead letters already replayed N times (3)
${VERBOSE_HELP}
  -h, --help            show this help
${SECURITY_HELP}`;

/** Runs the command; resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  const { values: flags } = parseFlags("dashboard", args, {
    port: { type: "string" },
    host: { type: "string" },
    brokers: { type: "string" },
    topic: { type: "string" },
    "retry-topic": { type: "string" },
    "dlq-topic": { type: "string" },
    "stats-topic": { type: "string" },
    group: { type: "string" },
    "allowed-host": { type: "string" },
    "max-replays": { type: "string" },
    ...SECURITY_FLAGS,
    help: { type: "boolean", short: "h" },
  });
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  const config = loadConfig("dashboard", flags, (n) => Deno.env.get(n), {
    port: { env: "DASHBOARD_PORT", default: 8080, parse: integer(0, 65_535) },
    host: { env: "DASHBOARD_HOST", default: "127.0.0.1", parse: host },
    brokers: { env: "KAFKA_BROKERS", default: ["localhost:9092"], parse: brokerList },
    topic: { env: "ORDERS_TOPIC", default: DEFAULT_TOPICS.orders, parse: name },
    retryTopic: { env: "RETRY_TOPIC", default: DEFAULT_TOPICS.retry, parse: name },
    dlqTopic: { env: "DLQ_TOPIC", default: DEFAULT_TOPICS.dlq, parse: name },
    statsTopic: { env: "STATS_TOPIC", default: DEFAULT_TOPICS.stats, parse: name },
    group: { env: "CONSUMER_GROUP", default: "order-pipeline", parse: name },
    allowedHost: { env: "DASHBOARD_ALLOWED_HOSTS", default: [] as string[], parse: hostList },
    maxReplays: { default: 3, parse: integer(0) },
    ...SECURITY_SETTINGS,
  });
  applySecurity(config);
  await requireBroker(config.brokers);
  const stop = stopOnSignals("dashboard", { exit: Deno.exit });
  const dashboard = await startDashboard({
    brokers: config.brokers,
    host: config.host,
    port: config.port,
    groupId: config.group,
    allowedHosts: config.allowedHost,
    maxReplays: config.maxReplays,
    topics: {
      orders: config.topic,
      retry: config.retryTopic,
      dlq: config.dlqTopic,
      stats: config.statsTopic,
    },
  });
  console.log(`Dashboard at ${dashboard.url}`);
  if (dashboard.token) {
    console.log(`Every data request needs the token ${dashboard.token} (it is in the link above)`);
  }
  await new Promise((resolve) => stop.signal.addEventListener("abort", resolve, { once: true }));
  stop.dispose();
  await dashboard.stop();
  return 0;
}

/** A host name or IP address to listen on. */
function host(text: string): string {
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(text)) {
    throw new Error("must be a host name or an IP address, such as 127.0.0.1 or 0.0.0.0");
  }
  return text;
}

/** Host names, comma-separated. */
function hostList(text: string): string[] {
  const names = text.split(",").map((name) => name.trim()).filter(Boolean);
  for (const name of names) host(name);
  return names;
}

if (import.meta.main) await runCommand("dashboard", main);
