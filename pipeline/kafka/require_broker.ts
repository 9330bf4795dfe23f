import { BrokerError, errorMessage } from "../errors.ts";
import { waitForBroker } from "./wait_for_broker.ts";

/** Options for {@link requireBroker}. */
export interface RequireBrokerOptions {
  /** Give up after this many milliseconds. @default 5000 */
  timeoutMs?: number;
}

/**
 * Resolves once the cluster answers; otherwise rejects with a
 * {@link BrokerError} whose message is the one line a CLI prints: the
 * address, why it failed, and what to do.
 *
 * @example
 * ```ts ignore
 * import { requireBroker } from "./require_broker.ts";
 * await requireBroker(["127.0.0.1:9092"]);
 * ```
 */
export async function requireBroker(
  brokers: readonly string[],
  options: RequireBrokerOptions = {},
): Promise<void> {
  const { timeoutMs = 5000 } = options;
  try {
    await waitForBroker(brokers, { timeoutMs, intervalMs: 500 });
  } catch (err) {
    throw new BrokerError(
      `no Kafka broker answers at ${brokers.join(",")} (${why(err)}): start one with ` +
        "`deno task broker start`, or set KAFKA_BROKERS to a broker that runs",
      "BROKER_UNAVAILABLE",
      { cause: err },
    );
  }
}

function why(err: unknown): string {
  const cause = err instanceof Error && err.cause ? errorMessage(err.cause) : "";
  if (/ECONNREFUSED/.test(cause)) return "connection refused";
  if (/ENOTFOUND|EAI_AGAIN/.test(cause)) return "unknown host";
  return "no answer";
}
