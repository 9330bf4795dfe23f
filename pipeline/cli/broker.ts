/**
 * `deno task broker start|stop|status`: a local Apache Kafka for trying the
 * pipeline, kept running in the background between commands.
 *
 * @module
 */
import {
  isBrokerRunning,
  startEmbeddedBroker,
  stopBrokerProcess,
} from "../broker/embedded_broker.ts";
import { DEFAULTS } from "../config.ts";
import { waitForBroker } from "../kafka/wait_for_broker.ts";
import { parseFlags, UsageError } from "../command/parse_flags.ts";
import { runCommand } from "../command/run_command.ts";

const { broker: BROKER } = DEFAULTS;

const HELP =
  `Usage: deno task broker <start|stop|status> [--port ${BROKER.port}] [--heap ${BROKER.heap}] [--secure]

Runs a single-node Apache Kafka (KRaft) on 127.0.0.1 in the background,
fetched once from Maven Central (needs Java 17+).

  start     start it and wait until it answers; prints where it listens
  stop      stop it and remove its data
  status    say whether it runs and answers

State (pid, address, data, log) lives in .broker/ of the repository, or in
BROKER_STATE_DIR when set.

Flags:
  --port N          client port (default ${BROKER.port}; 0 picks a free one)
  --heap SIZE       JVM heap ceiling (default ${BROKER.heap})
  --secure          also listen with SASL_SSL: a fresh CA and broker certificate
                    (keytool), SCRAM-SHA-256/512 and PLAIN user "pipeline"; prints
                    the flags and environment clients need
  --secure-port N   SASL_SSL port (default: --port + 1; 0 picks a free one)
  -h, --help        show this help`;

// BROKER_STATE_DIR lets tests run a broker of their own beside a user's.
const STATE_DIR = (Deno.env.get("BROKER_STATE_DIR") ??
  new URL("../../.broker", import.meta.url).pathname).replace(/\/?$/, "/");
const STATE_FILE = `${STATE_DIR}state.json`;

interface BrokerState {
  pid: number;
  brokers: string;
  dir: string;
  logFile: string;
  startedAt: string;
  /** The SASL_SSL listener of `start --secure`. */
  secure?: { brokers: string; caFile: string; username: string; passwordFile: string };
}

/** Runs the command; resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags("broker", args, {
    port: { type: "string", default: String(BROKER.port) },
    heap: { type: "string", default: BROKER.heap },
    secure: { type: "boolean", default: false },
    "secure-port": { type: "string" },
    help: { type: "boolean", short: "h" },
  }, true);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const [action, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`broker: unexpected argument ${extra[0]}`);
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) {
    throw new UsageError(
      `broker: flag --port must be a port number from 0 to 65535, got ${values.port}`,
    );
  }
  const securePort = values["secure-port"] === undefined
    ? (port === 0 ? 0 : port + 1)
    : Number(values["secure-port"]);
  if (values["secure-port"] !== undefined && !/^\d+$/.test(values["secure-port"])) {
    throw new UsageError(
      `broker: flag --secure-port must be a port number from 0 to 65535, got ${
        values["secure-port"]
      }`,
    );
  }
  if (securePort > 65535 || (securePort !== 0 && securePort === port)) {
    throw new UsageError(
      `broker: flag --secure-port must be a port number from 0 to 65535 other than --port, got ${securePort}`,
    );
  }
  if (values["secure-port"] !== undefined && !values.secure) {
    throw new UsageError("broker: flag --secure-port needs --secure");
  }
  if (!/^\d+[kmg]$/i.test(values.heap)) {
    throw new UsageError(`broker: flag --heap must look like 512m or 1g, got ${values.heap}`);
  }
  switch (action) {
    case "start":
      return await start(port, values.heap, values.secure ? securePort : undefined);
    case "stop":
      return await stop();
    case "status":
      return await status();
    case undefined:
      throw new UsageError("broker: say start, stop or status (see --help)");
    default:
      throw new UsageError(`broker: unknown action ${action}: say start, stop or status`);
  }
}

async function start(port: number, heap: string, securePort?: number): Promise<number> {
  const state = await readState();
  if (state && await isBrokerRunning(state.pid)) {
    console.log(`Kafka is already running at ${state.brokers} (pid ${state.pid})`);
    if (state.secure) console.log(secureUsage(state.secure));
    return 0;
  }
  await Deno.mkdir(STATE_DIR, { recursive: true });
  const dir = `${STATE_DIR}kafka`;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  const broker = await startEmbeddedBroker({
    port,
    heap,
    dir,
    detached: true,
    secure: securePort !== undefined,
    securePort,
    onProgress: (line) => console.error(line),
  });
  const secure = broker.secure;
  const next: BrokerState = {
    pid: broker.pid,
    brokers: broker.brokers,
    dir: broker.dir,
    logFile: broker.logFile,
    startedAt: new Date().toISOString(),
    secure: secure && {
      brokers: secure.brokers,
      caFile: secure.caFile,
      username: secure.username,
      passwordFile: secure.passwordFile,
    },
  };
  await Deno.writeTextFile(STATE_FILE, JSON.stringify(next, null, 2) + "\n");
  console.log(`Kafka is running at ${broker.brokers} (pid ${broker.pid}, log ${broker.logFile})`);
  console.log(`Use it with: export KAFKA_BROKERS=${broker.brokers}`);
  if (next.secure) console.log(secureUsage(next.secure));
  return 0;
}

/** The exact settings a client needs for the SASL_SSL listener, as flags and as environment. */
function secureUsage(secure: NonNullable<BrokerState["secure"]>): string {
  const { brokers, caFile, username, passwordFile } = secure;
  return [
    `SASL_SSL listener at ${brokers} (SCRAM-SHA-256, SCRAM-SHA-512, PLAIN; user ${username}).`,
    "Use it with flags:",
    `  --brokers ${brokers} --tls --tls-ca ${caFile} --sasl-mechanism SCRAM-SHA-256 --sasl-username ${username} --sasl-password-file ${passwordFile}`,
    "or with the environment:",
    `  export KAFKA_BROKERS=${brokers} KAFKA_TLS=true KAFKA_TLS_CA=${caFile}`,
    `  export KAFKA_SASL_MECHANISM=SCRAM-SHA-256 KAFKA_SASL_USERNAME=${username}`,
    `  export KAFKA_SASL_PASSWORD_FILE=${passwordFile}`,
  ].join("\n");
}

async function stop(): Promise<number> {
  const state = await readState();
  if (!state || !(await isBrokerRunning(state.pid))) {
    console.log("Kafka is not running: nothing to stop");
    await Deno.remove(STATE_FILE).catch(() => {});
    return 0;
  }
  await stopBrokerProcess(state.pid);
  await Deno.remove(STATE_FILE).catch(() => {});
  await Deno.remove(state.dir, { recursive: true }).catch(() => {});
  console.log(`Kafka at ${state.brokers} stopped (pid ${state.pid})`);
  return 0;
}

async function status(): Promise<number> {
  const state = await readState();
  if (!state || !(await isBrokerRunning(state.pid))) {
    console.log("Kafka is not running");
    return 3;
  }
  try {
    await waitForBroker([state.brokers], { timeoutMs: 5000 });
  } catch {
    console.log(`Kafka's JVM runs (pid ${state.pid}) but ${state.brokers} does not answer`);
    return 1;
  }
  console.log(`Kafka is running at ${state.brokers} (pid ${state.pid}, since ${state.startedAt})`);
  if (state.secure) console.log(secureUsage(state.secure));
  return 0;
}

async function readState(): Promise<BrokerState | null> {
  try {
    return JSON.parse(await Deno.readTextFile(STATE_FILE)) as BrokerState;
  } catch {
    return null;
  }
}

if (import.meta.main) await runCommand("broker", main);
