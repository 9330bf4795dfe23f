// kafkajs wraps errors in errors: the failure of its last retry in
// KafkaJSNumberOfRetriesExceeded, a broker's answer in a protocol error. What
// a failure is (its type, its code, whether it passes by itself) is often in
// a cause, so the Kafka adapter reads the whole chain, and this is its one walk.

/** The fields kafkajs puts on its errors, as one link of a chain shows them. */
export interface ErrorLink {
  readonly name?: string;
  readonly message?: string;
  /** The broker's error name, such as `UNKNOWN_TOPIC_OR_PARTITION`. */
  readonly type?: string;
  /** The broker's numeric error code. */
  readonly code?: unknown;
  readonly retriable?: boolean;
  /** The broker's address, on connection errors. */
  readonly broker?: unknown;
}

// Deeper than any wrapping kafkajs does; a chain that goes on is cut here.
const MAX_LINKS = 10;

/**
 * `err` and the errors it wraps (`cause`, or `originalError`), outermost
 * first: objects only, each once, at most ten.
 */
export function errorChain(err: unknown): ErrorLink[] {
  const chain: ErrorLink[] = [];
  const seen = new Set<unknown>();
  let link = err;
  while (typeof link === "object" && link !== null && !seen.has(link) && chain.length < MAX_LINKS) {
    seen.add(link);
    chain.push(link as ErrorLink);
    const wrapped = link as { cause?: unknown; originalError?: unknown };
    link = wrapped.cause ?? wrapped.originalError;
  }
  return chain;
}
