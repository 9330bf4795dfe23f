// Kafka calls meet errors that pass by themselves: a partition whose leader is
// still being elected, a group coordinator still loading, a broker restarting.
// kafkajs marks those retriable, or wraps them once its own retries ran out.

/** Options for {@link retryRetriable}. */
export interface RetryRetriableOptions {
  /** Calls in all, the first included; `Infinity` retries until `signal` aborts. @default 40 */
  attempts?: number;
  /** Wait before retry number `n` (1 for the first retry), in ms. @default 250 */
  delay?: number | ((n: number) => number);
  /** Stops the waiting: the last error is thrown at once. */
  signal?: AbortSignal;
  /** Told each retriable failure before the wait. */
  onRetry?: (err: unknown, n: number) => void;
}

/**
 * Whether kafkajs would retry `err`: marked retriable itself or at its root
 * cause, or the end of kafkajs's own retries of such an error.
 */
export function isRetriableKafkaError(err: unknown): boolean {
  let root = err as { retriable?: boolean; name?: string; cause?: unknown } | undefined;
  if (root?.name === "KafkaJSNumberOfRetriesExceeded") return true;
  while (root?.cause && typeof root.cause === "object") {
    root = root.cause as typeof root;
  }
  return root?.retriable === true;
}

/** Runs `call`, again after a wait while it fails with a retriable Kafka error. */
export async function retryRetriable<T>(
  call: () => Promise<T>,
  options: RetryRetriableOptions = {},
): Promise<T> {
  const { attempts = 40, delay = 250, signal, onRetry } = options;
  for (let attempt = 1;; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!isRetriableKafkaError(err) || attempt >= attempts || signal?.aborted) throw err;
      onRetry?.(err, attempt);
      const wait = typeof delay === "number" ? delay : delay(attempt);
      await pause(wait, signal);
    }
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
