/**
 * Starts a real single-node Apache Kafka (KRaft, broker and controller in one
 * JVM) on 127.0.0.1 from the jars on Maven Central. Used by the demo, the
 * `broker` task and the test broker provider.
 *
 * @module
 */
import { BrokerError } from "../errors.ts";
import { waitForBroker } from "../kafka/wait_for_broker.ts";
import { freePort, isPortFree } from "./_free_port.ts";
import { isProcessRunning, terminate } from "./_process.ts";
import { requireJava } from "./java.ts";
import { ensureKafkaJars } from "./kafka_jars.ts";

/** Marks the broker JVM in a process list. */
export const BROKER_MAIN_CLASS = "kafka.Kafka";

/** Options for {@link startEmbeddedBroker}. */
export interface EmbeddedBrokerOptions {
  /** Client port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to listen on. @default "127.0.0.1" */
  host?: string;
  /** Folder for data and logs; a fresh temporary one when omitted, removed on stop. */
  dir?: string;
  /** JVM heap ceiling. Small: the broker shares two cores with the pipeline. @default "512m" */
  heap?: string;
  /** How long to wait for the broker to answer. @default 90000 */
  readyTimeoutMs?: number;
  /** Keep the JVM running after this process exits (the `broker start` task). @default false */
  detached?: boolean;
  /** Told what is happening, one line at a time. */
  onProgress?: (line: string) => void;
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
    heap = "512m",
    readyTimeoutMs = 90_000,
    detached = false,
    onProgress = () => {},
  } = options;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
    throw new RangeError(
      `Cannot start broker: 'port' must be a whole number from 0 to 65535, got ${requestedPort}`,
    );
  }
  if (requestedPort !== 0 && !isPortFree(requestedPort, host)) {
    throw new BrokerError(
      `Port ${requestedPort} on ${host} is already in use: stop what listens there or choose another port`,
    );
  }
  await requireJava();
  const libs = await ensureKafkaJars({ onProgress });

  const port = requestedPort || freePort(host);
  let controllerPort = freePort(host);
  while (controllerPort === port) controllerPort = freePort(host);
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? await Deno.makeTempDir({ prefix: "order-pipeline-kafka-" });
  await Deno.mkdir(`${dir}/data`, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/server.properties`,
    serverProperties(host, port, controllerPort, `${dir}/data`),
  );
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
      "-t",
      await existingClusterId(`${dir}/data`) ?? clusterId(),
      "-c",
      `${dir}/server.properties`,
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
  return { brokers: `${host}:${port}`, port, pid, dir, logFile, stop };
}

/** Whether an embedded broker JVM with this pid is still alive. */
export function isBrokerRunning(pid: number): Promise<boolean> {
  return isProcessRunning(pid, BROKER_MAIN_CLASS);
}

/** Stops the broker JVM with this pid, if it still runs. */
export function stopBrokerProcess(pid: number): Promise<void> {
  return terminate(pid, BROKER_MAIN_CLASS);
}

function serverProperties(host: string, port: number, controllerPort: number, data: string) {
  return [
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@${host}:${controllerPort}`,
    `listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://${host}:${port}`,
    "controller.listener.names=CONTROLLER",
    "inter.broker.listener.name=PLAINTEXT",
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
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
// Storage formatted before keeps its cluster id, so a broker restarted on the
// same folder starts on the same data (the formatter refuses another id).
async function existingClusterId(data: string): Promise<string | undefined> {
  const meta = await Deno.readTextFile(`${data}/meta.properties`).catch(() => "");
  return /^cluster\.id=(.+)$/m.exec(meta)?.[1].trim();
}

// One in 64 ids starts with "-", which the formatter's argument parser takes
// for an option; such ids are drawn again.
function clusterId(): string {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const id = btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
      .replace(/=+$/, "");
    if (!id.startsWith("-")) return id;
  }
}

function tail(bytes: Uint8Array, lines = 20): string {
  return new TextDecoder().decode(bytes).trimEnd().split("\n").slice(-lines).join("\n");
}
