// The client properties Kafka's Java perf tools need for a secured cluster,
// from the same settings every task reads (`--consumer.config`, `--producer.config`).
import type { KafkaSecurity } from "../pipeline/kafka/kafka_security.ts";

/** Java client properties for `security` (PEM inline, JAAS for SASL). */
export function javaClientProperties(security: KafkaSecurity): string {
  const { tls, sasl } = security;
  const protocol = `${sasl ? "SASL_" : ""}${tls ? "SSL" : "PLAINTEXT"}`;
  const lines = [`security.protocol=${protocol}`];
  if (tls?.ca) lines.push("ssl.truststore.type=PEM", `ssl.truststore.certificates=${tls.ca}`);
  if (tls?.cert && tls.key) {
    lines.push(
      "ssl.keystore.type=PEM",
      `ssl.keystore.certificate.chain=${tls.cert}`,
      `ssl.keystore.key=${tls.key}`,
    );
  }
  if (sasl) {
    const module = sasl.mechanism === "PLAIN"
      ? "org.apache.kafka.common.security.plain.PlainLoginModule"
      : "org.apache.kafka.common.security.scram.ScramLoginModule";
    const quoted = (text: string) => `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    lines.push(
      `sasl.mechanism=${sasl.mechanism}`,
      `sasl.jaas.config=${module} required username=${quoted(sasl.username)} password=${
        quoted(sasl.password)
      };`,
    );
  }
  // A properties value is one line: backslashes doubled, line breaks as \n.
  return lines.map((line) => line.replace(/\\/g, "\\\\").replace(/\r?\n/g, "\\n")).join("\n") +
    "\n";
}
