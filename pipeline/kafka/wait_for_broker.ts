import { DEFAULTS } from "../config.ts";
import { BrokerError } from "../errors.ts";
import { retryAsync } from "../retry_async.ts";
import { createKafka } from "./client.ts";

/** Options for {@link waitForBroker}. */
export interface WaitForBrokerOptions {
  /** Give up after this many milliseconds. @default 60000 */
  timeoutMs?: number;
  /** Pause between attempts in milliseconds. @default 250 */
  intervalMs?: number;
  /** Stop waiting early, for example when the broker process has died. */
  signal?: AbortSignal;
}

/**
 * Resolves once the cluster answers a metadata request, with the number of
 * brokers it reports; rejects with a {@link BrokerError} after the timeout.
 *
 * @example
 * ```ts ignore
 * import { waitForBroker } from "./wait_for_broker.ts";
 * await waitForBroker(["127.0.0.1:9092"], { timeoutMs: 10_000 });
 * ```
 */
export async function waitForBroker(
  brokers: readonly string[],
  options: WaitForBrokerOptions = {},
): Promise<number> {
  const { timeoutMs = 60_000, intervalMs = 250, signal } = options;
  const kafka = createKafka({
    brokers,
    clientId: `${DEFAULTS.clientId}-probe`,
    logLevel: "nothing",
    retry: { retries: 0 },
    connectionTimeout: 1000,
  });
  // Any failure is retried: a broker that is starting refuses connections.
  const probe = async () => {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length;
    } finally {
      await admin.disconnect().catch(() => {});
    }
  };
  try {
    return await retryAsync(probe, { timeoutMs, backoff: intervalMs, signal });
  } catch (lastError) {
    const why = signal?.aborted ? String(signal.reason ?? "aborted") : `${timeoutMs} ms passed`;
    throw new BrokerError(
      `Kafka at ${brokers.join(",")} did not answer a metadata request (${why})`,
      "BROKER_UNAVAILABLE",
      { cause: lastError },
    );
  }
}
