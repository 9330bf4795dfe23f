// Runs the produce CLI as a child process, as a user fills a topic.
import assert from "node:assert/strict";

/** Produces `count` orders to `topic` back to back with `produce`, and waits until it ends. */
export async function produceWithCli(
  brokers: readonly string[],
  topic: string,
  count: number,
): Promise<void> {
  const produce = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../pipeline/cli/produce.ts", import.meta.url).pathname,
      `--count=${count}`,
      "--interval=0",
      "--json",
      `--topic=${topic}`,
      `--brokers=${brokers.join(",")}`,
    ],
    stdin: "null",
    stdout: "null",
  }).output();
  assert.equal(produce.code, 0, new TextDecoder().decode(produce.stderr));
}
