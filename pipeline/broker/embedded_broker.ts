/**
 * Starts a real single-node Apache Kafka (KRaft, broker and controller in one
 * JVM) on 127.0.0.1 from the jars on Maven Central. Used by the demo, the
 * `broker` task and the test broker provider.
 *
 * @module
 */
import { DEFAULTS } from "../config.ts";
import { BrokerError } from "../errors.ts";
import { waitForBroker } from "../kafka/wait_for_broker.ts";
import { freePort, isPortFree } from "./_free_port.ts";
import { isProcessRunning, terminate } from "./_process.ts";
import { requireJava } from "./java.ts";
import { ensureKafkaJars } from "./kafka_jars.ts";
import {
  createSecureMaterial,
  scramFormatArgs,
  secureListenerProperties,
  type SecureMaterial,
} from "./_secure_listener.ts";

/** Marks the broker JVM in a process list. */
const BROKER_MAIN_CLASS = "kafka.Kafka";

/** Options for {@link startEmbeddedBroker}. */
export interface EmbeddedBrokerOptions {
  /** Client port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to listen on. @default "127.0.0.1" */
  host?: string;
  /** Folder for data and logs; a fresh temporary one when omitted, removed on stop. */
  dir?: string;
  /** JVM heap ceiling. Small: the broker shares two cores with the pipeline. @default DEFAULTS.broker.heap */
  heap?: string;
  /** How long to wait for the broker to answer. @default 90000 */
  readyTimeoutMs?: number;
  /** Keep the JVM running after this process exits (the `broker start` task). @default false */
  detached?: boolean;
  /** Told what is happening, one line at a time. */
  onProgress?: (line: string) => void;
  /**
   * Add a SASL_SSL listener beside the plaintext one: a fresh CA and broker
   * certificate, SCRAM-SHA-256/512 and PLAIN credentials. @default false
   */
  secure?: boolean;
  /** Port of the SASL_SSL listener; 0 picks a free one. @default 0 */
  securePort?: number;
  /**
   * More broker settings, written after ours in `server.properties` (a later
   * line wins), such as `{ "offset.metadata.max.bytes": "64" }`. @default {}
   */
  settings?: Readonly<Record<string, string>>;
}

/** The SASL_SSL listener of a broker started with `secure`. */
export interface SecureListener extends SecureMaterial {
  /** Bootstrap address of the SASL_SSL listener, `host:port`. */
  readonly brokers: string;
  readonly port: number;
}

/** A broker that answers metadata requests. */
export interface RunningBroker {
  /** Bootstrap address, `host:port`. */
  readonly brokers: string;
  readonly port: number;
  readonly pid: number;
  /** The folder holding data and `broker.log`. */
  readonly dir: string;
  readonly logFile: string;
  /** The SASL_SSL listener, when started with `secure`. */
  readonly secure?: SecureListener;
  /** Ends the JVM (SIGTERM, then SIGKILL after a grace period) and waits for it. */
  stop(): Promise<void>;
}

/**
 * Assembles and starts an embedded broker, resolving once it answers.
 *
 * @example
 * ```ts ignore
 * import { startEmbeddedBroker } from "./embedded_broker.ts";
 * const broker = await startEmbeddedBroker();
 * console.log(broker.brokers);
 * await broker.stop();
 * ```
 */
export async function startEmbeddedBroker(
  options: EmbeddedBrokerOptions = {},
): Promise<RunningBroker> {
  const {
    port: requestedPort = 0,
    host = "127.0.0.1",
    heap = DEFAULTS.broker.heap,
    readyTimeoutMs = 90_000,
    detached = false,
    onProgress = () => {},
    secure = false,
    securePort: requestedSecurePort = 0,
    settings = {},
  } = options;
  for (const [label, value] of [["port", requestedPort], ["securePort", requestedSecurePort]]) {
    if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 65535) {
      throw new RangeError(
        `Cannot start broker: '${label}' must be a whole number from 0 to 65535, got ${value}`,
      );
    }
  }
  for (const wanted of secure ? [requestedPort, requestedSecurePort] : [requestedPort]) {
    if (wanted !== 0 && !isPortFree(wanted, host)) {
      throw new BrokerError(
        `Port ${wanted} on ${host} is already in use: stop what listens there or choose another port`,
      );
    }
  }
  await requireJava();
  const libs = await ensureKafkaJars({ onProgress });

  const port = requestedPort || freePort(host);
  const taken = new Set([port]);
  const otherFreePort = () => {
    let next = freePort(host);
    while (taken.has(next)) next = freePort(host);
    taken.add(next);
    return next;
  };
  const securePort = secure ? requestedSecurePort || otherFreePort() : undefined;
  if (securePort !== undefined) taken.add(securePort);
  const controllerPort = otherFreePort();
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? await Deno.makeTempDir({ prefix: "order-pipeline-kafka-" });
  await Deno.mkdir(`${dir}/data`, { recursive: true });
  if (secure) onProgress("Making a CA and a broker certificate with keytool …");
  const material = secure ? await createSecureMaterial(`${dir}/secure`) : undefined;
  // It names the keystore's password and the SASL users: the user's alone.
  await Deno.writeTextFile(
    `${dir}/server.properties`,
    serverProperties(host, port, controllerPort, `${dir}/data`, securePort, material) +
      Object.entries(settings).map(([name, value]) => `${name}=${value}\n`).join(""),
    { mode: 0o600 },
  );
  await Deno.chmod(`${dir}/server.properties`, 0o600);
  await Deno.writeTextFile(`${dir}/log4j2.properties`, LOG4J2);
  const logFile = `${dir}/broker.log`;
  const classpath = `${libs}/*`;
  const logConfig = `-Dlog4j2.configurationFile=${dir}/log4j2.properties`;

  const format = await new Deno.Command("java", {
    args: [
      "-cp",
      classpath,
      logConfig,
      "kafka.tools.StorageTool",
      "format",
      "--ignore-formatted",
      // One argument: an id that starts with "-" would read as a flag.
      `--cluster-id=${await existingClusterId(`${dir}/data`) ?? clusterId()}`,
      "-c",
      `${dir}/server.properties`,
      ...(material ? scramFormatArgs(material) : []),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!format.success) {
    throw new BrokerError(`Kafka could not format its storage:\n${tail(format.stderr)}`);
  }

  onProgress(`Starting Apache Kafka on ${host}:${port} …`);
  const javaArgs = [
    `-Xms128m`,
    `-Xmx${heap}`,
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-Djava.awt.headless=true",
    logConfig,
    "-cp",
    classpath,
    BROKER_MAIN_CLASS,
    `${dir}/server.properties`,
  ];
  // A shell redirects the JVM's output to a file, so the JVM never blocks on a
  // pipe nobody reads, and `exec` makes the recorded pid the JVM's own.
  const child = new Deno.Command("sh", {
    args: ["-c", 'exec java "$@" >>"$0" 2>&1', logFile, ...javaArgs],
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached,
  }).spawn();
  const pid = child.pid;
  const died = new AbortController();
  child.status.then((status) => died.abort(`the JVM exited with code ${status.code}`));
  if (detached) child.unref();

  const stop = async () => {
    await terminate(pid, BROKER_MAIN_CLASS);
    await child.status.catch(() => {});
    if (ownsDir) await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    await waitForBroker([`${host}:${port}`], { timeoutMs: readyTimeoutMs, signal: died.signal });
  } catch (err) {
    const log = await Deno.readTextFile(logFile).catch(() => "");
    await terminate(pid, BROKER_MAIN_CLASS);
    throw new BrokerError(
      `Kafka failed to start (${
        err instanceof Error ? err.message : err
      }). Last lines of ${logFile}:\n${log.trimEnd().split("\n").slice(-20).join("\n")}`,
      "BROKER_START_FAILED",
      { cause: err },
    );
  }
  const listener = material && securePort !== undefined
    ? { ...material, brokers: `${host}:${securePort}`, port: securePort }
    : undefined;
  return { brokers: `${host}:${port}`, port, pid, dir, logFile, secure: listener, stop };
}

/** Whether an embedded broker JVM with this pid is still alive. */
export function isBrokerRunning(pid: number): Promise<boolean> {
  return isProcessRunning(pid, BROKER_MAIN_CLASS);
}

/** Stops the broker JVM with this pid, if it still runs. */
export function stopBrokerProcess(pid: number): Promise<void> {
  return terminate(pid, BROKER_MAIN_CLASS);
}

function serverProperties(
  host: string,
  port: number,
  controllerPort: number,
  data: string,
  securePort?: number,
  material?: SecureMaterial,
) {
  const secured = securePort !== undefined && material !== undefined;
  const clientListeners = [
    `PLAINTEXT://${host}:${port}`,
    ...(secured ? [`SASL_SSL://${host}:${securePort}`] : []),
  ];
  return [
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@${host}:${controllerPort}`,
    `listeners=${clientListeners.join(",")},CONTROLLER://${host}:${controllerPort}`,
    `advertised.listeners=${clientListeners.join(",")}`,
    "controller.listener.names=CONTROLLER",
    "inter.broker.listener.name=PLAINTEXT",
    `listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${
      secured ? ",SASL_SSL:SASL_SSL" : ""
    }`,
    ...(secured ? secureListenerProperties(material) : []),
    `log.dirs=${data}`,
    "num.partitions=1",
    "offsets.topic.replication.factor=1",
    "offsets.topic.num.partitions=5",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "transaction.state.log.num.partitions=5",
    "share.coordinator.state.topic.replication.factor=1",
    "share.coordinator.state.topic.min.isr=1",
    "group.initial.rebalance.delay.ms=0",
    // Our tools create topics with the settings ARCHITECTURE.md gives; a typo
    // in a topic name must fail, not create a stray topic.
    "auto.create.topics.enable=false",
    "num.network.threads=2",
    "num.io.threads=2",
    "",
  ].join("\n");
}

const LOG4J2 = [
  "rootLogger.level=INFO",
  "rootLogger.appenderRef.out.ref=OUT",
  "appender.out.type=Console",
  "appender.out.name=OUT",
  "appender.out.layout.type=PatternLayout",
  "appender.out.layout.pattern=[%d] %p %m (%c)%n",
  "logger.kafka.name=kafka",
  "logger.kafka.level=INFO",
  "logger.state.name=state.change.logger",
  "logger.state.level=WARN",
  "",
].join("\n");

// KRaft wants a base64url UUID (22 characters, no padding).
function clusterId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

// Storage formatted before keeps its cluster id, so a broker restarted on the
// same folder starts on the same data (the formatter refuses another id).
async function existingClusterId(data: string): Promise<string | undefined> {
  const meta = await Deno.readTextFile(`${data}/meta.properties`).catch(() => "");
  return /^cluster\.id=(.+)$/m.exec(meta)?.[1].trim();
}

function tail(bytes: Uint8Array, lines = 20): string {
  return new TextDecoder().decode(bytes).trimEnd().split("\n").slice(-lines).join("\n");
}
