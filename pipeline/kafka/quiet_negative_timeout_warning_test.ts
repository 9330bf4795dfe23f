import assert from "node:assert/strict";
import process from "node:process";
import { quietNegativeTimeoutWarning } from "./quiet_negative_timeout_warning.ts";

Deno.test("quietNegativeTimeoutWarning() drops only TimeoutNegativeWarning, once installed twice", async () => {
  const seen: string[] = [];
  const listen = (warning: Error) => seen.push(warning.name);
  process.on("warning", listen);
  try {
    quietNegativeTimeoutWarning();
    quietNegativeTimeoutWarning();
    process.emitWarning("a negative delay", "TimeoutNegativeWarning");
    process.emitWarning(
      Object.assign(new Error("also negative"), { name: "TimeoutNegativeWarning" }),
    );
    process.emitWarning("something else", "OrderPipelineTestWarning");
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(seen, ["OrderPipelineTestWarning"]);
  } finally {
    process.off("warning", listen);
  }
});
