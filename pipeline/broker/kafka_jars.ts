import { BrokerError, errorMessage } from "../errors.ts";
import { retryAsync } from "../retry_async.ts";

/** The Apache Kafka release the embedded broker runs; keep in step with kafka_jars.txt. */
export const KAFKA_VERSION = "4.1.2";

const LIST = new URL("./kafka_jars.txt", import.meta.url);
const CENTRAL = "https://repo1.maven.org/maven2";
// Strongest first; Maven Central always publishes .sha1, newer uploads more.
const CHECKSUMS = [
  { ext: "sha512", algorithm: "SHA-512" },
  { ext: "sha256", algorithm: "SHA-256" },
  { ext: "sha1", algorithm: "SHA-1" },
] as const;

/** Options for {@link ensureKafkaJars}. */
export interface KafkaJarsOptions {
  /** Where the jars are cached. @default `$XDG_CACHE_HOME/order-pipeline/kafka-<version>` */
  cacheDir?: string;
  /** Told what is happening, one line at a time. */
  onProgress?: (line: string) => void;
  /** Downloads run this many at a time. @default 6 */
  concurrency?: number;
  /** The Maven repository to fetch from. @default Maven Central over HTTPS */
  repository?: string;
  /** How files are fetched; tests pass their own. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
}

/** One jar to fetch: its Maven coordinate and where it lives in a repository. */
export interface KafkaJar {
  /** `group:artifact:version`. */
  coordinate: string;
  /** The file name in the cache, `artifact-version.jar`. */
  file: string;
  /** The path below the repository root. */
  path: string;
}

/** The default jar cache, outside the repository so clones share it. */
function defaultJarCache(): string {
  const base = Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME") ?? "/tmp"}/.cache`;
  return `${base}/order-pipeline/kafka-${KAFKA_VERSION}`;
}

/** Reads `kafka_jars.txt`: the pinned jars, comments and blank lines left out. */
export async function kafkaJarList(): Promise<KafkaJar[]> {
  const text = await Deno.readTextFile(LIST);
  return text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#")).map(
    (coordinate) => {
      const [group, artifact, version] = coordinate.split(":");
      const file = `${artifact}-${version}.jar`;
      return {
        coordinate,
        file,
        path: `${group.replaceAll(".", "/")}/${artifact}/${version}/${file}`,
      };
    },
  );
}

/**
 * Returns the folder holding the Kafka jars, fetching them from Maven Central
 * over HTTPS on first use and checking each against the checksum published
 * beside it. A half-finished copy is never mistaken for a full one: the jars
 * land in a scratch folder that is renamed into place at the end, and a cache
 * counts only when it holds exactly the listed jars.
 *
 * @example
 * ```ts ignore
 * import { ensureKafkaJars } from "./kafka_jars.ts";
 * const libs = await ensureKafkaJars({ onProgress: console.error });
 * ```
 */
export async function ensureKafkaJars(options: KafkaJarsOptions = {}): Promise<string> {
  const {
    cacheDir = defaultJarCache(),
    onProgress = () => {},
    concurrency = 6,
    repository = CENTRAL,
    fetch = globalThis.fetch,
  } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(
      `Cannot fetch the Kafka jars: 'concurrency' must be a whole number >= 1, got ${concurrency}`,
    );
  }
  const jars = await kafkaJarList();
  const libs = `${cacheDir}/libs`;
  if (await holdsExactly(libs, jars)) return libs;

  onProgress(
    `Fetching Apache Kafka ${KAFKA_VERSION} (${jars.length} jars) from Maven Central into ${libs} …`,
  );
  const started = performance.now();
  const scratch = `${cacheDir}/libs.partial-${Deno.pid}`;
  await Deno.mkdir(cacheDir, { recursive: true });
  await Deno.remove(scratch, { recursive: true }).catch(() => {});
  await Deno.mkdir(scratch);
  let bytes = 0;
  const queue = [...jars];
  const worker = async () => {
    for (let jar = queue.shift(); jar; jar = queue.shift()) {
      try {
        const body = await fetchVerified(fetch, repository, jar);
        await Deno.writeFile(`${scratch}/${jar.file}`, body);
        bytes += body.byteLength;
      } catch (err) {
        queue.length = 0; // the other workers take nothing more
        throw err;
      }
    }
  };
  // Every worker has stopped before the scratch folder goes: a write still
  // under way would otherwise leave it behind.
  const done = await Promise.allSettled(
    Array.from({ length: Math.min(concurrency, jars.length) }, worker),
  );
  const failed = done.find((d) => d.status === "rejected");
  if (failed !== undefined) {
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
    throw failed.reason;
  }
  await Deno.remove(libs, { recursive: true }).catch(() => {});
  await Deno.rename(scratch, libs);
  onProgress(
    `Kafka jars ready in ${libs} (${(bytes / 1e6).toFixed(0)} MB, checksums verified, ${
      ((performance.now() - started) / 1000).toFixed(0)
    } s)`,
  );
  return libs;
}

async function fetchVerified(
  fetch: typeof globalThis.fetch,
  repository: string,
  jar: KafkaJar,
): Promise<Uint8Array> {
  const url = `${repository}/${jar.path}`;
  const body = await download(fetch, url);
  if (body === null) throw new BrokerError(`Maven Central has no ${jar.coordinate} (${url})`);
  for (const { ext, algorithm } of CHECKSUMS) {
    const published = await download(fetch, `${url}.${ext}`);
    if (published === null) continue;
    // A checksum file holds the hex digest, sometimes followed by the file name.
    const want = new TextDecoder().decode(published).trim().split(/\s+/)[0].toLowerCase();
    const got = toHex(await crypto.subtle.digest(algorithm, body as Uint8Array<ArrayBuffer>));
    if (want !== got) {
      throw new BrokerError(
        `${jar.file} from ${url} does not match its published ${ext} checksum (${want}, got ${got}): not used`,
      );
    }
    return body;
  }
  throw new BrokerError(`Maven Central publishes no checksum for ${jar.coordinate}: not used`);
}

/** The body of `url`, or null on 404; one retry, at once, on a network error or a 5xx. */
async function download(fetch: typeof globalThis.fetch, url: string): Promise<Uint8Array | null> {
  const fetchOnce = async () => {
    const res = await fetch(url);
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (res.ok) return new Uint8Array(await res.arrayBuffer());
    await res.body?.cancel();
    throw new HttpStatus(res.status);
  };
  try {
    return await retryAsync(fetchOnce, {
      attempts: 2,
      backoff: 0,
      isRetriable: (err) => !(err instanceof HttpStatus && err.status < 500),
    });
  } catch (err) {
    throw new BrokerError(
      `Could not download ${url} (${
        errorMessage(err)
      }): check the network or proxy, or set KAFKA_BROKERS to use a running broker`,
    );
  }
}

/** A response that is neither the file nor a 404. */
class HttpStatus extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

async function holdsExactly(dir: string, jars: readonly KafkaJar[]): Promise<boolean> {
  const names = new Set<string>();
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name.endsWith(".jar")) names.add(entry.name);
    }
  } catch {
    return false;
  }
  return names.size === jars.length && jars.every((j) => names.has(j.file));
}

function toHex(digest: ArrayBuffer): string {
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
