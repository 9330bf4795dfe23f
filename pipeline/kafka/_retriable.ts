// Admin calls right after a topic is created can meet a partition whose leader
// is still being elected; kafkajs marks such errors retriable.

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
