// Kafka calls meet errors that pass by themselves: a partition whose leader is
// still being elected, a group coordinator still loading, a broker restarting.
// kafkajs marks those retriable, or wraps them once its own retries ran out.
// Writes tell those apart from the ones no wait can mend (toWriteError).
import { KafkaWriteError } from "../errors.ts";
import { retryAsync } from "../retry_async.ts";
import { errorChain } from "./_error_chain.ts";

/** Options for {@link retryRetriable}. */
export interface RetryRetriableOptions {
  /** Calls in all, the first included; `Infinity` retries until `signal` aborts. @default 40 */
  attempts?: number;
  /** Wait before each retry, in ms. @default 250 */
  delay?: number;
  /** Stops the waiting: the last error is thrown at once. */
  signal?: AbortSignal;
}

/**
 * Whether kafkajs would retry `err`: marked retriable itself or at its root
 * cause, or the end of kafkajs's own retries of such an error.
 */
export function isRetriableKafkaError(err: unknown): boolean {
  const chain = errorChain(err);
  if (chain[0]?.name === "KafkaJSNumberOfRetriesExceeded") return true;
  return chain.at(-1)?.retriable === true;
}

/**
 * Runs `call`, again after a steady wait while it fails with a retriable Kafka
 * error: {@link retryAsync} with the Kafka calls' defaults.
 */
export function retryRetriable<T>(
  call: () => Promise<T>,
  options: RetryRetriableOptions = {},
): Promise<T> {
  const { attempts = 40, delay = 250, signal } = options;
  return retryAsync(call, {
    isRetriable: isRetriableKafkaError,
    attempts,
    backoff: delay,
    signal,
  });
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
  const chain = errorChain(err);
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

/**
 * Whether the broker refused an offset commit because its metadata is longer
 * than its `offset.metadata.max.bytes`.
 */
export function isMetadataTooLarge(err: unknown): boolean {
  return errorChain(err).some((e) => e.type === "OFFSET_METADATA_TOO_LARGE");
}
