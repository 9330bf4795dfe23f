/**
 * `deno task dashboard`: the live dashboard in a browser, fed by the
 * pipeline's topics, with `/metrics` and `/healthz`.
 *
 * @module
 */
import { DEFAULTS, integer } from "../config.ts";
import { requireBroker } from "../kafka/require_broker.ts";
import { listenError } from "../command/listen_error.ts";
import { readConfig } from "../command/read_config.ts";
import { runCommand, VERBOSE_HELP } from "../command/run_command.ts";
import { applySecurity, SECURITY_HELP, SECURITY_SETTINGS } from "../kafka/security_flags.ts";
import { SHARED_SETTINGS } from "./_shared_settings.ts";
import { serveDashboard } from "./_serve_dashboard.ts";
import { stopOnSignals } from "./_signals.ts";

const { dashboard: DASHBOARD, topics: TOPICS } = DEFAULTS;

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
  --port N              port, 0 for any free one [DASHBOARD_PORT] (${DASHBOARD.port})
  --host HOST           address to listen on [DASHBOARD_HOST] (${DASHBOARD.host})
  --brokers LIST        Kafka bootstrap servers [KAFKA_BROKERS] (${DEFAULTS.brokers})
  --topic NAME          orders topic [ORDERS_TOPIC] (${TOPICS.orders})
  --retry-topic NAME    retry topic [RETRY_TOPIC] (${TOPICS.retry})
  --dlq-topic NAME      dead-letter topic [DLQ_TOPIC] (${TOPICS.dlq})
  --stats-topic NAME    aggregate snapshot topic [STATS_TOPIC] (${TOPICS.stats})
  --group ID            consumer group whose snapshots are shown [CONSUMER_GROUP] (${DEFAULTS.groupId})
  --allowed-host NAMES  more host names requests may use, comma-separated, such as
                        dashboard.example.com [DASHBOARD_ALLOWED_HOSTS] (none)
  --max-replays N       park dead letters already replayed N times (${DEFAULTS.replay.maxReplays})
${VERBOSE_HELP}
  -h, --help            show this help
${SECURITY_HELP}`;

/** Runs the command; resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  const { brokers, topic, retryTopic, dlqTopic, statsTopic, group, maxReplays } = SHARED_SETTINGS;
  const config = readConfig("dashboard", args, HELP, {
    port: { env: "DASHBOARD_PORT", default: DASHBOARD.port, parse: integer(0, 65_535) },
    host: { env: "DASHBOARD_HOST", default: DASHBOARD.host, parse: host },
    brokers,
    topic,
    retryTopic,
    dlqTopic,
    statsTopic,
    group,
    allowedHost: { env: "DASHBOARD_ALLOWED_HOSTS", default: [] as string[], parse: hostList },
    maxReplays,
    ...SECURITY_SETTINGS,
  });
  if (config === undefined) return 0;
  applySecurity(config);
  await requireBroker(config.brokers);
  const stop = stopOnSignals("dashboard", { exit: Deno.exit });
  let dashboard;
  try {
    dashboard = serveDashboard({
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
  } catch (err) {
    stop.dispose();
    throw listenError(err, "--port", config.host, config.port);
  }
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
