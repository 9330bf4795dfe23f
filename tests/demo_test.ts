import { equal, match } from "node:assert/strict";
import { testBrokers } from "./_shared_broker.ts";

const DEMO = new URL("../pipeline/cli/demo.ts", import.meta.url).pathname;

Deno.test("deno task demo ends by itself with an average equal to the mean of the valid orders", async () => {
  const brokers = await testBrokers();
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      DEMO,
      "--count=30",
      "--interval=0",
      "--backoff=20ms",
      "--seed=4",
      "--dashboard-port=0",
    ],
    env: { KAFKA_BROKERS: brokers.join(",") },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout);
  equal(code, 0, `demo failed:\n${out}\n${new TextDecoder().decode(stderr)}`);
  match(out, /produced {7}30 \(\d+ valid, \d+ bad\)/);
  match(out, /the running average matches/);
  match(out, /Dashboard: http:\/\/127\.0\.0\.1:\d+/);
});

Deno.test("deno task demo names a bad flag in one line and exits 2", async () => {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", DEMO, "--count=many"],
    stdout: "null",
    stderr: "piped",
  }).output();
  equal(code, 2);
  equal(
    new TextDecoder().decode(stderr).trim(),
    'demo: flag --count must be a whole number from 1 to 1000000, got "many"',
  );
});
