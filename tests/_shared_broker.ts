// The one broker every test file in a run shares. `deno task test` starts it
// and passes it in KAFKA_BROKERS; a bare `deno test` starts one here on first
// use and ends it when the test process unloads.
import {
  announceBroker,
  BROKER_ANNOUNCED,
  provideBroker,
  type ProvidedBroker,
} from "./broker_provider.ts";
import { quietNegativeTimeoutWarning } from "../pipeline/kafka/quiet_negative_timeout_warning.ts";

let shared: Promise<ProvidedBroker> | undefined;

/** Bootstrap servers of the shared test broker, started on first call. */
export async function testBrokers(): Promise<string[]> {
  if (!shared) {
    // The tests are the entry point here: they install what the CLIs do.
    quietNegativeTimeoutWarning();
    shared = provideBroker();
    const broker = await shared;
    if (!Deno.env.get(BROKER_ANNOUNCED)) console.error(announceBroker(broker));
    if (broker.killNow) globalThis.addEventListener("unload", () => broker.killNow?.());
  }
  return (await shared).brokers;
}

let counter = 0;

/** A topic name no other test uses, so tests never see each other's data. */
export function uniqueTopic(label: string): string {
  counter += 1;
  const nonce = crypto.randomUUID().slice(0, 8);
  return `test-${label}-${counter}-${nonce}`;
}
