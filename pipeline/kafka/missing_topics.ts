import { DEFAULTS } from "../config.ts";
import { createKafka } from "./client.ts";

/**
 * The names in `topics` that the cluster does not have, in the order given.
 *
 * @example
 * ```ts ignore
 * import { missingTopics } from "./missing_topics.ts";
 * const missing = await missingTopics(["127.0.0.1:9092"], ["orders", "orders-staging"]);
 * ```
 */
export async function missingTopics(
  brokers: readonly string[],
  topics: readonly string[],
): Promise<string[]> {
  const admin = createKafka({ brokers, clientId: `${DEFAULTS.clientId}-admin` }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    return topics.filter((t) => !existing.has(t));
  } finally {
    await admin.disconnect();
  }
}
