/**
 * Turns what kafkajs throws when a secured connection fails (a wrong
 * password, a broker certificate nobody trusts, plaintext spoken to a TLS
 * port or TLS to a plaintext one) into one line that says what to change.
 *
 * @module
 */
import { BrokerError } from "../errors.ts";
import { errorChain } from "./_error_chain.ts";
import { type KafkaSecurity, registeredSaslUsers, securityFor } from "./kafka_security.ts";

const UNTRUSTED =
  /self[- ]signed certificate|unable to (get|verify)|certificate (has expired|is not yet valid)|unknown ?issuer|invalid peer certificate|CERT_|Hostname\/IP does not match|not in the cert's altnames|NotValidForName/i;
const NOT_TLS =
  /before secure TLS connection was established|wrong version number|packet length too long|InvalidContentType|CorruptMessage|unexpected eof|peer closed connection without sending TLS close_notify/i;

/**
 * The one-line {@link BrokerError} for a failed secured connection found in
 * `err` or its causes, or `undefined` when `err` is something else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { explainConnectionError } from "./explain_connection_error.ts";
 * const err = Object.assign(new Error("Connection error: self-signed certificate in certificate chain"), {
 *   name: "KafkaJSConnectionError",
 *   broker: "127.0.0.1:9093",
 * });
 * assert.match(explainConnectionError(err)!.message, /certificate of 127\.0\.0\.1:9093 is not trusted/);
 * ```
 */
export function explainConnectionError(err: unknown): BrokerError | undefined {
  const chain = errorChain(err);
  // The outer errors repeat the message of the inner one without its address.
  const broker = chain.map((c) => c.broker).find((b): b is string => typeof b === "string");
  const security = broker ? securityFor([broker]) : undefined;
  const at = broker ? ` at ${broker}` : "";
  const where = broker ?? "the broker";
  for (const { name, message = "" } of chain) {
    if (name === "KafkaJSSASLAuthenticationError") {
      return fail(
        `authentication failed for user ${saslUser(security)}${at}: ${saslReason(message)}`,
        err,
      );
    }
    if (UNTRUSTED.test(message)) {
      const detail = message.replace(/^Connection error: /, "");
      return fail(
        `the TLS certificate of ${where} is not trusted (${detail}): ` +
          "give the CA that signed it with --tls-ca or KAFKA_TLS_CA",
        err,
      );
    }
    if (NOT_TLS.test(message)) {
      return fail(
        `${where} does not speak TLS on this port: ` +
          "use its TLS listener, or drop --tls (KAFKA_TLS) for a plaintext one",
        err,
      );
    }
    if (name === "KafkaJSConnectionClosedError" && !security?.tls) {
      return fail(
        `${where} closed the connection at once: ` +
          "the port likely expects TLS (--tls) or SASL (--sasl-mechanism)",
        err,
      );
    }
    if (name === "KafkaJSConnectionClosedError" && !security?.sasl) {
      // TLS was spoken (a plaintext port says so above), then the broker hung up.
      return fail(
        `${where} closed the connection after TLS: the listener likely wants SASL ` +
          "authentication: give --sasl-mechanism, --sasl-username and the password " +
          "(--sasl-password-file or KAFKA_SASL_PASSWORD)",
        err,
      );
    }
  }
  return undefined;
}

function saslUser(security: KafkaSecurity | undefined): string {
  if (security?.sasl) return `${security.sasl.username} (${security.sasl.mechanism})`;
  return registeredSaslUsers().join(", ") || "(none given)";
}

function saslReason(message: string): string {
  return /invalid credentials|Invalid username or password/i.test(message)
    ? "the broker refused the username or password"
    : message.replace(/^SASL [A-Z0-9 -]+ authentication failed: /i, "");
}

function fail(message: string, cause: unknown): BrokerError {
  return new BrokerError(message, "BROKER_UNAVAILABLE", { cause });
}
