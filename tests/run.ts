/**
 * `deno task test`: brings what the tests need and the machine lacks
 * (Chromium, see ensure_chromium.ts; the Kafka jars, fetched as the embedded
 * broker starts), starts one real Kafka broker for the whole run (see
 * broker_provider.ts), runs `deno test -P` against it, stops the broker, and
 * ends with the plain line `N passed, N failed` counted from the run's JUnit
 * report. Extra arguments go to `deno test` (a path or `--filter`).
 *
 * @module
 */
import { errorMessage } from "../pipeline/errors.ts";
import { quietNegativeTimeoutWarning } from "../pipeline/kafka/quiet_negative_timeout_warning.ts";
import {
  announceBroker,
  BROKER_ANNOUNCED,
  provideBroker,
  type ProvidedBroker,
} from "./broker_provider.ts";
import { ensureChromium } from "./ensure_chromium.ts";

async function main(args: string[]): Promise<number> {
  // The runner is an entry point: the broker's readiness check goes through kafkajs.
  quietNegativeTimeoutWarning();
  const chromium = await ensureChromium();
  if (!chromium.ok) {
    console.error(chromium.line);
    return 1;
  }
  const started = performance.now();
  let broker: ProvidedBroker;
  try {
    broker = await provideBroker();
  } catch (err) {
    console.error(`Test broker: ${errorMessage(err)}`);
    return 1;
  }
  console.error(
    `${announceBroker(broker)}; ready in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const report = await Deno.makeTempFile({ prefix: "order-pipeline-junit-", suffix: ".xml" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", "-P", "--doc", `--junit-path=${report}`, ...args],
    env: { KAFKA_BROKERS: broker.brokers.join(","), [BROKER_ANNOUNCED]: "1" },
    stdin: "null",
  }).spawn();

  // Ctrl-C reaches the test process too; the broker is stopped once it ends.
  const onSignal = () => {};
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  let code: number;
  try {
    code = (await child.status).code;
  } finally {
    await broker.stop();
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }
  const counts = countResults(await Deno.readTextFile(report).catch(() => ""));
  await Deno.remove(report).catch(() => {});
  console.log(`${counts.passed} passed, ${counts.failed} failed`);
  if (counts.passed + counts.failed === 0) {
    console.error("No test ran: the run counts as failed");
    return 1;
  }
  return code !== 0 ? code : counts.failed > 0 ? 1 : 0;
}

/** Counts passed and failed test cases in a JUnit XML report. */
export function countResults(xml: string): { passed: number; failed: number } {
  let passed = 0;
  let failed = 0;
  for (const match of xml.matchAll(/<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const body = match[2] ?? "";
    if (/<(failure|error)\b/.test(body)) failed += 1;
    else if (!/<skipped\b/.test(body)) passed += 1;
  }
  return { passed, failed };
}

if (import.meta.main) Deno.exit(await main(Deno.args));
