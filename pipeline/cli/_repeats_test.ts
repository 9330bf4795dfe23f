import assert from "node:assert/strict";
import { quietRepeats } from "./_repeats.ts";

function harness(windowMs = 30_000) {
  const said: string[] = [];
  let now = 0;
  const say = quietRepeats((line) => said.push(line), { windowMs, now: () => now });
  return { said, say, at: (ms: number) => (now = ms) };
}

Deno.test("a line that repeats every second, on every partition, is said once per window, and the next one counts the rest", () => {
  const { said, say, at } = harness();
  for (let second = 0; second < 65; second++) {
    at(second * 1000);
    for (const partition of [0, 1, 2]) {
      say(`commit of orders/${partition} at offset ${second} failed`);
    }
  }
  assert.deepEqual(said, [
    "commit of orders/0 at offset 0 failed",
    "commit of orders/0 at offset 30 failed (89 more like it in the last 30 s)",
    "commit of orders/0 at offset 60 failed (89 more like it in the last 30 s)",
  ]);
});

Deno.test("lines of other shapes are said each in their own right, and a line alone after the window is said plainly", () => {
  const { said, say, at } = harness(1000);
  say("stats snapshot: broker away");
  say("stats snapshot: not authorized");
  say("stats snapshot: broker away");
  at(5000);
  say("stats snapshot: not authorized");
  assert.deepEqual(said, [
    "stats snapshot: broker away",
    "stats snapshot: not authorized",
    "stats snapshot: not authorized",
  ]);
});
