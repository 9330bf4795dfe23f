/**
 * Provides the real Kafka broker integration tests talk to, in the order
 * ARCHITECTURE.md gives: `KAFKA_BROKERS` if set, else a container when a
 * Docker engine answers, else the embedded broker from Maven Central jars.
 *
 * @module
 */
import { startEmbeddedBroker } from "../pipeline/broker/embedded_broker.ts";
import { applySecurity, securityFromEnv } from "../pipeline/kafka/security_flags.ts";

/** A broker ready for tests. */
export interface ProvidedBroker {
  /** Bootstrap servers. */
  readonly brokers: string[];
  /** Where it came from. */
  readonly source: "env" | "testcontainers" | "embedded";
  /** Why this source was picked, for the one line a run starts with. */
  readonly reason: string;
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
      reason: "KAFKA_BROKERS is not set and no Docker engine answers",
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
    return {
      brokers: listed,
      source: "env",
      reason: "KAFKA_BROKERS is set",
      stop: () => Promise.resolve(),
    };
  }
  if (await dockerAnswers()) return await startContainer();
  return await startEmbedded();
}

/** Set in the environment of a test process whose runner already announced the broker. */
export const BROKER_ANNOUNCED = "ORDER_PIPELINE_TEST_BROKER_ANNOUNCED";

/**
 * The one line a test run starts with: which broker the tests use and why.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { announceBroker } from "./broker_provider.ts";
 * const line = announceBroker({
 *   brokers: ["a:9092"],
 *   source: "env",
 *   reason: "KAFKA_BROKERS is set",
 *   stop: () => Promise.resolve(),
 * });
 * assert.equal(line, "Test broker: a:9092 from KAFKA_BROKERS (KAFKA_BROKERS is set)");
 * ```
 */
export function announceBroker(broker: ProvidedBroker): string {
  const what = {
    env: "from KAFKA_BROKERS",
    testcontainers: "in a Testcontainers container",
    embedded: "embedded",
  }[broker.source];
  return `Test broker: ${broker.brokers.join(",")} ${what} (${broker.reason})`;
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

const CONTAINER_SCRIPT = new URL("./container/kafka_container.ts", import.meta.url).pathname;
const CONTAINER_CONFIG = new URL("./container/deno.json", import.meta.url).pathname;

// Testcontainers runs in a process of its own with its own lock (see
// container/kafka_container.ts); the container lives as long as its stdin.
async function startKafkaContainer(): Promise<ProvidedBroker> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONTAINER_CONFIG, CONTAINER_SCRIPT],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await lines.read();
    if (done) {
      const { code } = await child.status;
      throw new Error(`The Kafka container did not start (exit ${code}); see the lines above`);
    }
    text += value;
  }
  lines.releaseLock();
  child.stdout.cancel().catch(() => {});
  const { brokers } = JSON.parse(text.slice(0, text.indexOf("\n"))) as { brokers: string };
  const stdin = child.stdin.getWriter();
  return {
    brokers: [brokers],
    source: "testcontainers",
    reason: "KAFKA_BROKERS is not set and a Docker engine answers",
    stop: async () => {
      await stdin.close().catch(() => {});
      await child.status;
    },
  };
}
