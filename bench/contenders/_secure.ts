// A contender reaches a secured cluster with the settings every task reads
// from the environment (KAFKA_TLS, KAFKA_SASL_* and the like): the bench
// passes them for its SASL_SSL rows, or they are set for KAFKA_BROKERS.
import { type KafkaConfig } from "kafkajs";
import { kafkaJsSecurity } from "../../pipeline/kafka/kafka_security.ts";
import { applySecurity, securityFromEnv } from "../../pipeline/kafka/security_flags.ts";

/**
 * Registers the settings for `brokers` (clients made by the pipeline), and
 * returns them as kafkajs options (clients the contender makes itself).
 */
export function secureFromEnv(brokers: readonly string[] = []): Pick<KafkaConfig, "ssl" | "sasl"> {
  const security = applySecurity({
    brokers,
    ...securityFromEnv("bench contender", (name) => Deno.env.get(name)),
  });
  return kafkaJsSecurity(security);
}
