/**
 * How this process authenticates to and encrypts its traffic with a secured
 * cluster. A command registers the settings once for its bootstrap addresses,
 * right after it reads its configuration; every client created for those
 * addresses afterwards (consumers, producers, admin, readers, however deep in
 * the pipeline) connects with them, so no call site passes them along.
 *
 * @module
 */
import type { KafkaConfig } from "kafkajs";

/** SASL mechanisms the clients speak. */
export const SASL_MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const;

/** One of {@link SASL_MECHANISMS}. */
export type SaslMechanism = typeof SASL_MECHANISMS[number];

/** TLS and SASL settings of a cluster; both parts are optional. */
export interface KafkaSecurity {
  /** Speak TLS. Without `ca` the system's trusted roots verify the broker. */
  readonly tls?: {
    /** PEM text of the CA (or CAs) that signed the broker certificates. */
    readonly ca?: string;
    /** PEM text of a client certificate, with `key`, for brokers that ask for one. */
    readonly cert?: string;
    /** PEM text of the client certificate's private key. */
    readonly key?: string;
  };
  /** Authenticate with SASL. */
  readonly sasl?: {
    readonly mechanism: SaslMechanism;
    readonly username: string;
    readonly password: string;
  };
}

const registered = new Map<string, KafkaSecurity>();

/**
 * Connects every later client of this process whose bootstrap list names one
 * of `brokers` with `security`; `undefined` forgets them (plaintext again).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { securityFor, useSecurity } from "./kafka_security.ts";
 * useSecurity(["kafka.example:9093"], { tls: {} });
 * assert.deepEqual(securityFor(["kafka.example:9093"]), { tls: {} });
 * useSecurity(["kafka.example:9093"], undefined);
 * assert.equal(securityFor(["kafka.example:9093"]), undefined);
 * ```
 */
export function useSecurity(brokers: readonly string[], security: KafkaSecurity | undefined): void {
  for (const broker of brokers) {
    if (security) registered.set(broker, security);
    else registered.delete(broker);
  }
}

/** The settings registered for the first of `brokers` that has any. */
export function securityFor(brokers: readonly string[]): KafkaSecurity | undefined {
  for (const broker of brokers) {
    const security = registered.get(broker);
    if (security) return security;
  }
  return undefined;
}

/** Every SASL user registered in this process, as `name (MECHANISM)` (for error lines). */
export function registeredSaslUsers(): string[] {
  return [
    ...new Set(
      [...registered.values()].flatMap(({ sasl }) =>
        sasl ? [`${sasl.username} (${sasl.mechanism})`] : []
      ),
    ),
  ];
}

/**
 * The `ssl` and `sasl` options of a kafkajs client for `security` (kafkajs
 * names mechanisms in lower case and takes `ssl: true` for the system roots).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kafkaJsSecurity } from "./kafka_security.ts";
 * assert.deepEqual(kafkaJsSecurity(undefined), { ssl: false });
 * assert.deepEqual(kafkaJsSecurity({ tls: {} }), { ssl: true });
 * ```
 */
export function kafkaJsSecurity(
  security: KafkaSecurity | undefined,
): Pick<KafkaConfig, "ssl" | "sasl"> {
  const { tls, sasl } = security ?? {};
  const ssl = tls && (tls.ca || tls.cert)
    ? { ca: tls.ca ? [tls.ca] : undefined, cert: tls.cert, key: tls.key }
    : tls !== undefined;
  if (!sasl) return { ssl };
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case "PLAIN":
      return { ssl, sasl: { mechanism: "plain", username, password } };
    case "SCRAM-SHA-256":
      return { ssl, sasl: { mechanism: "scram-sha-256", username, password } };
    case "SCRAM-SHA-512":
      return { ssl, sasl: { mechanism: "scram-sha-512", username, password } };
  }
}
