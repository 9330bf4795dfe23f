import { BrokerError } from "../errors.ts";

const INSTALL_HINT =
  "install Java 17 or later (Debian: apt-get install openjdk-17-jre-headless) or set KAFKA_BROKERS";

/**
 * Checks that `java` is on PATH and is version 17 or later; returns the major
 * version. Throws a {@link BrokerError} whose message says what to install.
 *
 * @example
 * ```ts ignore
 * import { requireJava } from "./java.ts";
 * const major = await requireJava();
 * ```
 */
export async function requireJava(): Promise<number> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("java", { args: ["-version"], stdout: "null", stderr: "piped" })
      .output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new BrokerError(`Java was not found on PATH: ${INSTALL_HINT}`);
    }
    throw err;
  }
  const text = new TextDecoder().decode(out.stderr);
  const match = text.match(/version "(\d+)(?:\.(\d+))?/);
  if (!out.success || !match) {
    throw new BrokerError(`Could not tell the Java version from 'java -version': ${INSTALL_HINT}`);
  }
  const major = match[1] === "1" ? Number(match[2]) : Number(match[1]);
  if (major < 17) {
    throw new BrokerError(`Java ${major} is too old for Kafka 4: ${INSTALL_HINT}`);
  }
  return major;
}
