// Text from a topic, made safe to print on a terminal in one table cell:
// whitespace runs become one space, control and bidirectional-override
// characters are shown as \u escapes (a dead letter's id or message may hold
// anything a producer wrote, escape sequences included), and the text is cut
// to `width` characters with an ellipsis.

// C0 and C1 controls, DEL, and the characters that reorder or hide text.
// deno-lint-ignore no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/**
 * `text` as one printable cell at most `width` characters wide.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { terminalText } from "./_terminal_text.ts";
 *
 * assert.equal(terminalText("a\n b", 10), "a b");
 * assert.equal(terminalText("x\u001b[2Jy", 20), "x\\u001b[2Jy");
 * assert.equal(terminalText("ORD-".padEnd(100, "9"), 8), "ORD-999…");
 * ```
 */
export function terminalText(text: string, width: number): string {
  const safe = text.replace(/\s+/g, " ").replace(
    UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return safe.length <= width ? safe : `${safe.slice(0, width - 1)}…`;
}
