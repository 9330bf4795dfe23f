/**
 * Provides the real Kafka broker integration tests talk to, in the order
 * ARCHITECTURE.md gives: `KAFKA_BROKERS` if set, else a container when a
 * Docker engine answers, else the embedded broker from Maven Central jars.
 *
 * @module
 */
import { startEmbeddedBroker } from "../pipeline/broker/embedded_broker.ts";
import { applySecurity, securityFromEnv } from "../pipeline/kafka/security_flags.ts";

/** The image a Docker engine runs; the same release as the embedded broker. */
export const KAFKA_IMAGE = "apache/kafka:4.1.2";

/** A broker ready for tests. */
export interface ProvidedBroker {
  /** Bootstrap servers. */
  readonly brokers: string[];
  /** Where it came from. */
  readonly source: "env" | "testcontainers" | "embedded";
  /** Stops what the provider started; does nothing for `env`. */
  stop(): Promise<void>;
  /** Ends an embedded broker at once, from code that cannot wait (an unload handler). */
  killNow?(): void;
}

/** What the provider consults; tests replace parts to exercise each branch. */
export interface ProviderDeps {
  env(name: string): string | undefined;
  dockerAnswers(): Promise<boolean>;
  startContainer(): Promise<ProvidedBroker>;
  startEmbedded(): Promise<ProvidedBroker>;
}

const defaultDeps: ProviderDeps = {
  env: (name) => Deno.env.get(name),
  dockerAnswers: dockerEngineAnswers,
  startContainer: startKafkaContainer,
  startEmbedded: async () => {
    const broker = await startEmbeddedBroker({
      onProgress: (line) => console.error(`[test broker] ${line}`),
    });
    return {
      brokers: [broker.brokers],
      source: "embedded",
      stop: broker.stop,
      killNow: () => Deno.kill(broker.pid, "SIGKILL"),
    };
  },
};

/** Picks and starts the broker for a test run. */
export async function provideBroker(deps: Partial<ProviderDeps> = {}): Promise<ProvidedBroker> {
  const { env, dockerAnswers, startContainer, startEmbedded } = { ...defaultDeps, ...deps };
  const listed = env("KAFKA_BROKERS")?.split(",").map((s) => s.trim()).filter(Boolean);
  if (listed && listed.length > 0) {
    // A secured cluster: KAFKA_TLS, KAFKA_SASL_* and the like, as every task reads them.
    applySecurity({ brokers: listed, ...securityFromEnv("test broker", env) });
    return { brokers: listed, source: "env", stop: () => Promise.resolve() };
  }
  if (await dockerAnswers()) return await startContainer();
  return await startEmbedded();
}

/**
 * Whether a Docker engine answers `GET /_ping` on its socket (`DOCKER_HOST`
 * when it names a unix socket, else `/var/run/docker.sock`). A client binary
 * without an engine, as on our machines, answers false. Never throws.
 */
export async function dockerEngineAnswers(
  socket = dockerSocketPath(Deno.env.get("DOCKER_HOST")),
): Promise<boolean> {
  if (!socket) return false;
  let conn: Deno.UnixConn | undefined;
  try {
    conn = await Deno.connect({ transport: "unix", path: socket });
    await conn.write(new TextEncoder().encode("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"));
    const buf = new Uint8Array(512);
    const timer = setTimeout(() => conn?.close(), 2000);
    const n = await conn.read(buf);
    clearTimeout(timer);
    return n !== null && new TextDecoder().decode(buf.subarray(0, n)).startsWith("HTTP/1.") &&
      / 200 /.test(new TextDecoder().decode(buf.subarray(0, n)).split("\r\n")[0]);
  } catch {
    return false;
  } finally {
    try {
      conn?.close();
    } catch {
      // already closed by the timeout
    }
  }
}

/** The unix socket a `DOCKER_HOST` value points at, or the default one. */
export function dockerSocketPath(dockerHost: string | undefined): string | null {
  if (!dockerHost) return "/var/run/docker.sock";
  return dockerHost.startsWith("unix://") ? dockerHost.slice("unix://".length) : null;
}

async function startKafkaContainer(): Promise<ProvidedBroker> {
  const { GenericContainer, Wait } = await import("testcontainers");
  // The host port is not known before the container starts, yet Kafka must
  // advertise it; the image's start script reads server properties from env,
  // so the listener is advertised on a fixed host port picked up front.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const hostPort = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const container = await new GenericContainer(KAFKA_IMAGE)
    .withExposedPorts({ container: 9092, host: hostPort })
    .withEnvironment({
      KAFKA_NODE_ID: "1",
      KAFKA_PROCESS_ROLES: "broker,controller",
      KAFKA_LISTENERS: "PLAINTEXT://:9092,CONTROLLER://:9093",
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${hostPort}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
      KAFKA_CONTROLLER_QUORUM_VOTERS: "1@localhost:9093",
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "1",
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "1",
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: "1",
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: "0",
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: "false",
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  return {
    brokers: [`127.0.0.1:${hostPort}`],
    source: "testcontainers",
    stop: async () => {
      await container.stop();
    },
  };
}
