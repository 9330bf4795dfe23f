import assert from "node:assert/strict";
import { stopOnSignals } from "./_signals.ts";

const until = async (done: () => boolean) => {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 10));
};

Deno.test("stopOnSignals() aborts on the first signal and leaves the exit to the command: 1 past the bound, 130 on a second signal", async () => {
  const codes: number[] = [];
  const stop = stopOnSignals("test", { exit: (code) => codes.push(code), exitAfterMs: 100 });
  try {
    Deno.kill(Deno.pid, "SIGTERM");
    await until(() => stop.signal.aborted);
    assert.deepEqual(codes, [], "the first signal only asks for a stop");
    await until(() => codes.length === 1);
    assert.deepEqual(codes, [1], "the stop did not finish within its bound");
    await new Promise((resolve) => setTimeout(resolve, 400)); // past the same-request window
    Deno.kill(Deno.pid, "SIGTERM");
    await until(() => codes.length === 2);
    assert.deepEqual(codes, [1, 130]);
  } finally {
    stop.dispose();
  }
});
