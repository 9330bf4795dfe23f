// How kafkajs failures are told apart: the ones worth trying again (a broker
// down, restarting or electing a leader) from the ones no wait can mend.
import { KafkaWriteError } from "../errors.ts";

/** Runs `call`, again after `delayMs` while it fails with a retriable Kafka error. */
export async function retryRetriable<T>(
  call: () => Promise<T>,
  attempts = 40,
  delayMs = 250,
): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await call();
    } catch (err) {
      const retriable = (err as { retriable?: boolean }).retriable === true;
      if (!retriable || attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

interface KafkaJsFailure {
  name?: string;
  type?: string;
  retriable?: boolean;
  cause?: unknown;
  message?: string;
}

const TOO_LARGE = new Set(["MESSAGE_TOO_LARGE", "RECORD_LIST_TOO_LARGE"]);
const NOT_AUTHORIZED = new Set([
  "TOPIC_AUTHORIZATION_FAILED",
  "CLUSTER_AUTHORIZATION_FAILED",
  "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
  "SASL_AUTHENTICATION_FAILED",
]);

/**
 * Turns a kafkajs error from a write (or the connect before it) into a
 * {@link KafkaWriteError}. kafkajs wraps the failure of its last retry in
 * `KafkaJSNumberOfRetriesExceeded`, which says "not retriable" of itself; as
 * kafkajs's own consumer does, the root cause decides.
 */
export function toWriteError(err: unknown, what: string): KafkaWriteError {
  if (err instanceof KafkaWriteError) return err;
  const chain: KafkaJsFailure[] = [];
  for (let e = err as KafkaJsFailure | undefined; e && chain.length < 10; e = e.cause as never) {
    chain.push(e);
  }
  const root = chain[chain.length - 1] ?? {};
  const types = chain.map((e) => e.type ?? e.name ?? "");
  const reason = root.message ?? String(err);
  if (types.some((t) => TOO_LARGE.has(t))) {
    return new KafkaWriteError("RECORD_TOO_LARGE", `${what}: the record is too large (${reason})`, {
      cause: err,
    });
  }
  if (types.some((t) => NOT_AUTHORIZED.has(t) || t === "KafkaJSSASLAuthenticationError")) {
    return new KafkaWriteError("WRITE_NOT_AUTHORIZED", `${what}: not authorized (${reason})`, {
      cause: err,
    });
  }
  if (root.retriable === true) {
    return new KafkaWriteError("BROKER_UNREACHABLE", `${what}: ${reason}`, { cause: err });
  }
  return new KafkaWriteError("WRITE_REFUSED", `${what}: ${reason}`, { cause: err });
}
