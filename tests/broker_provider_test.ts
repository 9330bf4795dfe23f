import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { dockerEngineAnswers, dockerSocketPath, provideBroker } from "./broker_provider.ts";

const unused = () => Promise.reject(new Error("this branch must not be taken"));

Deno.test("provideBroker() uses KAFKA_BROKERS when it is set", async () => {
  const broker = await provideBroker({
    env: (name) => name === "KAFKA_BROKERS" ? "a:9092, b:9093" : undefined,
    dockerAnswers: () => Promise.reject(new Error("docker must not be asked")),
    startContainer: unused,
    startEmbedded: unused,
  });
  assertEquals(broker.source, "env");
  assertEquals(broker.brokers, ["a:9092", "b:9093"]);
});

Deno.test("provideBroker() starts a container when a Docker engine answers", async () => {
  const broker = await provideBroker({
    env: () => undefined,
    dockerAnswers: () => Promise.resolve(true),
    startContainer: () =>
      Promise.resolve({
        brokers: ["c:1"],
        source: "testcontainers",
        reason: "a Docker engine answers",
        stop: () => Promise.resolve(),
      }),
    startEmbedded: unused,
  });
  assertEquals(broker.source, "testcontainers");
});

Deno.test("provideBroker() falls through to the embedded broker without a Docker engine", async () => {
  // A socket path where nothing listens stands for a machine with no engine.
  const missing = await Deno.makeTempDir();
  const broker = await provideBroker({
    env: () => undefined,
    dockerAnswers: () => dockerEngineAnswers(`${missing}/docker.sock`),
    startContainer: unused,
    startEmbedded: () =>
      Promise.resolve({
        brokers: ["e:1"],
        source: "embedded",
        reason: "no Docker engine answers",
        stop: () => Promise.resolve(),
      }),
  });
  assertEquals(broker.source, "embedded");
  await Deno.remove(missing, { recursive: true });
});

Deno.test("dockerEngineAnswers() is false when the socket is not a Docker engine", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/fake.sock`;
  const server = Deno.listen({ transport: "unix", path });
  const serving = (async () => {
    for await (const conn of server) {
      await conn.write(new TextEncoder().encode("nonsense\r\n"));
      conn.close();
    }
  })();
  assertEquals(await dockerEngineAnswers(path), false);
  server.close();
  await serving.catch(() => {});
  await Deno.remove(dir, { recursive: true });
});

Deno.test("dockerSocketPath() follows DOCKER_HOST", () => {
  assertEquals(dockerSocketPath(undefined), "/var/run/docker.sock");
  assertEquals(dockerSocketPath("unix:///run/user/1/docker.sock"), "/run/user/1/docker.sock");
  assertEquals(dockerSocketPath("tcp://10.0.0.1:2375"), null);
});
