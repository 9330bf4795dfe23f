/**
 * Builds the kafkajs client from our config: one place for client id, broker
 * list, logging, the connection retry policy, sockets, TLS and SASL, and the
 * codecs of compressed batches.
 *
 * @module
 */
import { DEFAULTS } from "../config.ts";
import { Kafka, type logCreator, logLevel, type RetryOptions } from "kafkajs";
import { kafkaJsSecurity, type KafkaSecurity, securityFor } from "./kafka_security.ts";
import { noDelaySocketFactory } from "./_socket_factory.ts";
import { readCompressedBatches } from "./compression_codecs.ts";

/** Connection settings shared by every Kafka client we create. */
export interface KafkaClientOptions {
  /** Bootstrap servers, such as `["127.0.0.1:9092"]`. */
  brokers: readonly string[];
  /** Names this process in broker logs. @default DEFAULTS.clientId */
  clientId?: string;
  /** Log kafkajs messages at this level and above. @default "nothing", or what {@link showKafkaLogs} set */
  logLevel?: "nothing" | "error" | "warn" | "info" | "debug";
  /** How kafkajs retries a failed request. @default kafkajs defaults */
  retry?: RetryOptions;
  /** Connection timeout in milliseconds. @default 3000 */
  connectionTimeout?: number;
  /** TLS and SASL. @default what `useSecurity` registered for `brokers`, else plaintext */
  security?: KafkaSecurity;
}

const LEVELS = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
} as const;

// kafkajs logs JSON to stdout by default; stdout belongs to our own output, so
// its lines go to stderr in a short human form.
// Connection-level errors are single failed requests that kafkajs retries (a
// coordinator still loading, say), and so are the broker pool's failed
// connects and SASL handshakes (an untrusted certificate, a wrong password);
// when retries run out the failure reaches us as a rejected call, so those
// lines are noise and are dropped.
const CONNECTING = /^(Connection|BrokerPool|SaslAuthenticator)/;
const toStderr: logCreator = () => ({ namespace, level, log }) => {
  if (level === logLevel.ERROR && CONNECTING.test(namespace)) return;
  const { message, error } = log;
  const name = level === logLevel.ERROR ? "error" : level === logLevel.WARN ? "warn" : "info";
  const detail = error ? `: ${error}` : "";
  console.error(`kafkajs ${name} [${namespace}] ${message}${detail}`);
};

// kafkajs' own lines are for diagnosis; a failure reaches the user as one line
// of ours, so they are shown only when asked for (the CLIs' --verbose).
let shownLevel: NonNullable<KafkaClientOptions["logLevel"]> = "nothing";

/** Clients created from now on log kafkajs messages at `level` (the CLIs' `--verbose`). */
export function showKafkaLogs(level: NonNullable<KafkaClientOptions["logLevel"]> = "info"): void {
  shownLevel = level;
}

/**
 * Creates a kafkajs client.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createKafka } from "./client.ts";
 * const kafka = createKafka({ brokers: ["127.0.0.1:9092"] });
 * assert.equal(typeof kafka.producer, "function");
 * ```
 */
export function createKafka(options: KafkaClientOptions): Kafka {
  const {
    brokers,
    clientId = DEFAULTS.clientId,
    logLevel: level = shownLevel,
    retry,
    connectionTimeout = 3000,
    security = securityFor(brokers),
  } = options;
  if (brokers.length === 0) {
    throw new RangeError("Cannot create a Kafka client: 'brokers' is empty");
  }
  // Batches that other clients compressed with Snappy, LZ4 or Zstandard.
  readCompressedBatches();
  return new Kafka({
    clientId,
    brokers: [...brokers],
    logLevel: LEVELS[level],
    logCreator: toStderr,
    retry,
    connectionTimeout,
    socketFactory: noDelaySocketFactory,
    ...kafkaJsSecurity(security),
  });
}
