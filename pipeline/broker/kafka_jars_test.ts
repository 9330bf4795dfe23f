import { deepEqual, equal, match, rejects } from "node:assert/strict";
import { BrokerError } from "../errors.ts";
import { ensureKafkaJars, kafkaJarList } from "./kafka_jars.ts";

const REPO = "https://repo.test/maven2";

async function hex(algorithm: string, text: string): Promise<string> {
  const digest = await crypto.subtle.digest(algorithm, new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A repository serving each jar's path as its content, with only a .sha1 beside it. */
function fakeRepository(tamper?: string) {
  const asked: string[] = [];
  const fetch = async (input: RequestInfo | URL) => {
    const url = String(input);
    asked.push(url);
    const path = url.slice(REPO.length + 1);
    if (path.endsWith(".jar")) return new Response(path === tamper ? "evil" : path);
    if (path.endsWith(".jar.sha1")) {
      return new Response(`${await hex("SHA-1", path.slice(0, -".sha1".length))}  name.jar\n`);
    }
    return new Response("not here", { status: 404 });
  };
  return { asked, fetch: fetch as typeof globalThis.fetch };
}

Deno.test("ensureKafkaJars() fetches every listed jar, checks its published checksum, and caches them", async () => {
  const cacheDir = await Deno.makeTempDir();
  const repo = fakeRepository();
  const lines: string[] = [];
  const libs = await ensureKafkaJars({
    cacheDir,
    repository: REPO,
    fetch: repo.fetch,
    onProgress: (l) => lines.push(l),
  });
  const jars = await kafkaJarList();
  const names = [];
  for await (const e of Deno.readDir(libs)) names.push(e.name);
  deepEqual(names.sort(), jars.map((j) => j.file).sort());
  equal(await Deno.readTextFile(`${libs}/${jars[0].file}`), jars[0].path);
  match(lines.at(-1) ?? "", /checksums verified/);

  const before = repo.asked.length;
  equal(await ensureKafkaJars({ cacheDir, repository: REPO, fetch: repo.fetch }), libs);
  equal(repo.asked.length, before, "a full cache is used without asking the repository");
  await Deno.remove(cacheDir, { recursive: true });
});

Deno.test("ensureKafkaJars() refuses a jar that does not match its checksum and leaves no cache", async () => {
  const cacheDir = await Deno.makeTempDir();
  const [first] = await kafkaJarList();
  const repo = fakeRepository(first.path);
  await rejects(
    ensureKafkaJars({ cacheDir, repository: REPO, fetch: repo.fetch }),
    (err: Error) =>
      err instanceof BrokerError &&
      err.message.startsWith(`${first.file} from ${REPO}/${first.path} does not match`),
  );
  const left = [];
  for await (const e of Deno.readDir(cacheDir)) left.push(e.name);
  deepEqual(left, []);
  await Deno.remove(cacheDir, { recursive: true });
});

Deno.test("the pinned list names the Kafka broker, its tools and the log4j binding", async () => {
  const coordinates = (await kafkaJarList()).map((j) => j.coordinate);
  for (const c of ["org.apache.kafka:kafka_2.13:", "org.apache.kafka:kafka-tools:"]) {
    equal(coordinates.some((x) => x.startsWith(c)), true, c);
  }
  equal(coordinates.some((x) => x.includes(":log4j-slf4j-impl:")), true);
});

Deno.test("ensureKafkaJars() asks once more after a network error or a 5xx, never after a 4xx", async () => {
  const flaky = (first: () => Promise<Response>) => {
    const repo = fakeRepository();
    const failed = new Set<string>();
    const fetch = (input: RequestInfo | URL) => {
      const url = String(input);
      if (url.endsWith(".jar") && !failed.has(url)) {
        failed.add(url);
        repo.asked.push(url);
        return first();
      }
      return repo.fetch(input);
    };
    return { asked: repo.asked, fetch: fetch as typeof globalThis.fetch };
  };
  const [first] = await kafkaJarList();
  for (
    const fault of [
      () => Promise.reject(new TypeError("connection reset")),
      () => Promise.resolve(new Response("busy", { status: 503 })),
    ]
  ) {
    const cacheDir = await Deno.makeTempDir();
    const repo = flaky(fault);
    await ensureKafkaJars({ cacheDir, repository: REPO, fetch: repo.fetch });
    equal(repo.asked.filter((u) => u === `${REPO}/${first.path}`).length, 2);
    await Deno.remove(cacheDir, { recursive: true });
  }
  const cacheDir = await Deno.makeTempDir();
  const refused = flaky(() => Promise.resolve(new Response("no", { status: 403 })));
  await rejects(
    ensureKafkaJars({ cacheDir, repository: REPO, fetch: refused.fetch }),
    (err: Error) =>
      err instanceof BrokerError && /Could not download .* \(HTTP 403\)/.test(err.message),
  );
  equal(refused.asked.filter((u) => u === `${REPO}/${first.path}`).length, 1);
  await Deno.remove(cacheDir, { recursive: true });
});
