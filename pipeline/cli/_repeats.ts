// A fault that repeats every second (a commit kafkajs cannot send while it
// restarts, on every partition) is said once, not once a second: lines alike
// (the same but for their numbers) are said at most once a window, and the
// next one says how many were not.

/** Options for {@link quietRepeats}. */
export interface QuietRepeatsOptions {
  /** The window in ms. @default 30_000 */
  windowMs?: number;
  /** The clock, in ms. @default performance.now */
  now?: () => number;
}

// Shapes remembered at most; past it the memory starts again (lines are said, never lost).
const MAX_SHAPES = 100;

/**
 * Wraps `say` so that lines alike are said at most once per window.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quietRepeats } from "./_repeats.ts";
 * const said: string[] = [];
 * let now = 0;
 * const say = quietRepeats((line) => said.push(line), { windowMs: 1000, now: () => now });
 * say("commit of orders/0 failed");
 * say("commit of orders/1 failed");
 * now = 1500;
 * say("commit of orders/2 failed");
 * assert.deepEqual(said, [
 *   "commit of orders/0 failed",
 *   "commit of orders/2 failed (1 more like it in the last 2 s)",
 * ]);
 * ```
 */
export function quietRepeats(
  say: (line: string) => void,
  options: QuietRepeatsOptions = {},
): (line: string) => void {
  const { windowMs = 30_000, now = () => performance.now() } = options;
  const shapes = new Map<string, { saidAt: number; unsaid: number }>();
  return (line) => {
    const shape = line.replace(/\d+/g, "#");
    const at = now();
    const last = shapes.get(shape);
    if (last !== undefined && at - last.saidAt < windowMs) {
      last.unsaid++;
      return;
    }
    if (shapes.size >= MAX_SHAPES) shapes.clear();
    shapes.set(shape, { saidAt: at, unsaid: 0 });
    if (last === undefined || last.unsaid === 0) return say(line);
    const seconds = Math.max(1, Math.round((at - last.saidAt) / 1000));
    say(`${line} (${last.unsaid} more like it in the last ${seconds} s)`);
  };
}
