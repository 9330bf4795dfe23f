// A broker of a test's own (to stop, restart or configure it), started from
// the test file, which is then the entry point: it installs what the CLIs and
// the shared broker do, so kafkajs's timer warning does not reach the output.
import {
  type EmbeddedBrokerOptions,
  type RunningBroker,
  startEmbeddedBroker,
} from "../pipeline/broker/embedded_broker.ts";
import { quietNegativeTimeoutWarning } from "../pipeline/kafka/quiet_negative_timeout_warning.ts";

/** Starts an embedded broker for one test (see `startEmbeddedBroker`). */
export function startOwnBroker(options: EmbeddedBrokerOptions = {}): Promise<RunningBroker> {
  quietNegativeTimeoutWarning();
  return startEmbeddedBroker(options);
}
