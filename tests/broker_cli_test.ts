import { equal, match } from "node:assert/strict";
import { isBrokerRunning } from "../pipeline/broker/embedded_broker.ts";

const CLI = new URL("../pipeline/cli/broker.ts", import.meta.url).pathname;

async function broker(stateDir: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    env: { BROKER_STATE_DIR: stateDir },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
}

Deno.test("broker start, start again, status, stop and stop again each tell the truth", async () => {
  const stateDir = await Deno.makeTempDir({ prefix: "broker-cli-test-" });
  try {
    const started = await broker(stateDir, "start", "--port", "0");
    equal(started.code, 0);
    match(started.stdout, /^Kafka is running at 127\.0\.0\.1:\d+ \(pid \d+/);
    const { pid } = JSON.parse(await Deno.readTextFile(`${stateDir}/state.json`));

    const again = await broker(stateDir, "start", "--port", "0");
    equal(again.code, 0);
    match(again.stdout, /^Kafka is already running at 127\.0\.0\.1:\d+ \(pid \d+\)/);

    const status = await broker(stateDir, "status");
    equal(status.code, 0);
    match(status.stdout, /^Kafka is running at/);

    const stopped = await broker(stateDir, "stop");
    equal(stopped.code, 0);
    match(stopped.stdout, /^Kafka at 127\.0\.0\.1:\d+ stopped/);
    equal(await isBrokerRunning(pid), false, "no JVM is left behind");

    const stopAgain = await broker(stateDir, "stop");
    equal(stopAgain.stdout.trim(), "Kafka is not running: nothing to stop");
    const statusAfter = await broker(stateDir, "status");
    equal(statusAfter.code, 3);
    equal(statusAfter.stdout.trim(), "Kafka is not running");
  } finally {
    await broker(stateDir, "stop");
    await Deno.remove(stateDir, { recursive: true });
  }
});

Deno.test("broker start on a port in use says so and starts nothing", async () => {
  const stateDir = await Deno.makeTempDir({ prefix: "broker-cli-test-" });
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (taken.addr as Deno.NetAddr).port;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, "start", "--port", String(port)],
      env: { BROKER_STATE_DIR: stateDir },
      stdout: "piped",
      stderr: "piped",
    }).output();
    equal(out.code, 1);
    equal(
      new TextDecoder().decode(out.stderr).trim(),
      `broker: Port ${port} on 127.0.0.1 is already in use: stop what listens there or choose another port`,
    );
  } finally {
    taken.close();
    await Deno.remove(stateDir, { recursive: true });
  }
});
