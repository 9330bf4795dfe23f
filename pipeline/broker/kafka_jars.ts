import { BrokerError } from "../errors.ts";

/** The Apache Kafka release the embedded broker runs; keep in step with pom.xml. */
export const KAFKA_VERSION = "4.1.2";

const POM = new URL("./pom.xml", import.meta.url);

/** Options for {@link ensureKafkaJars}. */
export interface KafkaJarsOptions {
  /** Where the jars are cached. @default `$XDG_CACHE_HOME/order-pipeline/kafka-<version>` */
  cacheDir?: string;
  /** Told what is happening, one line at a time. */
  onProgress?: (line: string) => void;
}

/** The default jar cache, outside the repository so clones share it. */
export function defaultJarCache(): string {
  const base = Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME") ?? "/tmp"}/.cache`;
  return `${base}/order-pipeline/kafka-${KAFKA_VERSION}`;
}

/**
 * Returns the folder holding the Kafka jars, copying them from Maven Central
 * on first use. A half-finished copy is never mistaken for a full one: the
 * jars land in a scratch folder that is renamed into place at the end.
 *
 * @example
 * ```ts ignore
 * import { ensureKafkaJars } from "./kafka_jars.ts";
 * const libs = await ensureKafkaJars({ onProgress: console.error });
 * ```
 */
export async function ensureKafkaJars(options: KafkaJarsOptions = {}): Promise<string> {
  const { cacheDir = defaultJarCache(), onProgress = () => {} } = options;
  const libs = `${cacheDir}/libs`;
  const pom = await Deno.readTextFile(POM);
  const stamp = `${libs}/.pom`;
  if (await readOrNull(stamp) === pom) return libs;

  onProgress(`Fetching Apache Kafka ${KAFKA_VERSION} jars from Maven Central into ${libs} …`);
  const scratch = `${cacheDir}/libs.partial-${Deno.pid}`;
  await Deno.mkdir(cacheDir, { recursive: true });
  await Deno.remove(scratch, { recursive: true }).catch(() => {});
  const args = [
    "-q",
    "-B",
    "-f",
    POM.pathname,
    "dependency:copy-dependencies",
    `-DoutputDirectory=${scratch}`,
    "-DincludeScope=runtime",
  ];
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("mvn", { args, stdout: "piped", stderr: "piped" }).output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new BrokerError(
        "Maven (mvn) is needed once to fetch the Kafka jars: install it (Debian: apt-get install maven) or set KAFKA_BROKERS",
      );
    }
    throw err;
  }
  if (!out.success) {
    const tail = new TextDecoder().decode(out.stdout).split("\n").slice(-15).join("\n");
    throw new BrokerError(`Maven could not fetch the Kafka jars:\n${tail}`);
  }
  await Deno.writeTextFile(`${scratch}/.pom`, pom);
  await Deno.remove(libs, { recursive: true }).catch(() => {});
  await Deno.rename(scratch, libs);
  onProgress(`Kafka jars ready in ${libs}`);
  return libs;
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return null;
  }
}
