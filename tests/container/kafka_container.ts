/**
 * Starts Kafka in a container with Testcontainers, for the test broker
 * provider when a Docker engine answers. It runs as a process of its own with
 * its own config and lock (this folder's deno.json), so Testcontainers and its
 * dependencies stay out of the project's lock and are never fetched on a
 * machine without Docker. Prints `{"brokers":"127.0.0.1:port"}` once the
 * broker is up, then stops the container when stdin closes or on SIGTERM.
 *
 * @module
 */
import { GenericContainer, Wait } from "testcontainers";

/** The image a Docker engine runs; the same release as the embedded broker. */
const KAFKA_IMAGE = "apache/kafka:4.1.2";

// The host port is not known before the container starts, yet Kafka must
// advertise it; the image's start script reads server properties from env,
// so the listener is advertised on a fixed host port picked up front.
const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const hostPort = (listener.addr as Deno.NetAddr).port;
listener.close();
const container = await new GenericContainer(KAFKA_IMAGE)
  .withExposedPorts({ container: 9092, host: hostPort })
  .withEnvironment({
    KAFKA_NODE_ID: "1",
    KAFKA_PROCESS_ROLES: "broker,controller",
    KAFKA_LISTENERS: "PLAINTEXT://:9092,CONTROLLER://:9093",
    KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${hostPort}`,
    KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    KAFKA_CONTROLLER_QUORUM_VOTERS: "1@localhost:9093",
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "1",
    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "1",
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: "1",
    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: "0",
    KAFKA_AUTO_CREATE_TOPICS_ENABLE: "false",
  })
  .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
  .start();

let stopping: Promise<void> | undefined;
const stop = () => stopping ??= container.stop().then(() => Deno.exit(0));
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
console.log(JSON.stringify({ brokers: `127.0.0.1:${hostPort}` }));
// The provider holds our stdin open for as long as it needs the broker.
for await (const _ of Deno.stdin.readable) {
  // nothing is sent; the end of the stream is the signal
}
await stop();
