/**
 * Bytes as text for the page: UTF-8 where printable, else hex; and a hex
 * dump for the detail panel.
 *
 * @module
 */

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * UTF-8 where the bytes are printable text, else `0x` and hex.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesText } from "./bytes_text.ts";
 * assert.equal(bytesText(new TextEncoder().encode("ORD-1")), "ORD-1");
 * assert.equal(bytesText(new Uint8Array([0, 255])), "0x00ff");
 * ```
 */
export function bytesText(bytes: Uint8Array): string {
  try {
    const decoded = utf8.decode(bytes);
    // deno-lint-ignore no-control-regex
    if (!/[\u0000-\u0008\u000e-\u001f\u007f]/.test(decoded)) return decoded;
  } catch {
    // not UTF-8: shown as hex below
  }
  return "0x" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A hex dump: offset, 16 bytes in hex, and the printable ASCII characters.
 * Shows the first `limit` bytes, and says how many more there are.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hexDump } from "./bytes_text.ts";
 * assert.equal(hexDump(new TextEncoder().encode("AB")), "00000000  41 42" + " ".repeat(42) + "  AB");
 * ```
 */
export function hexDump(bytes: Uint8Array, limit = 4096): string {
  const lines: string[] = [];
  const shown = bytes.subarray(0, limit);
  for (let at = 0; at < shown.length; at += 16) {
    const row = shown.subarray(at, at + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, "0")).join(" ");
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : "."))
      .join("");
    lines.push(`${at.toString(16).padStart(8, "0")}  ${hex.padEnd(47)}  ${ascii}`);
  }
  if (bytes.length > limit) lines.push(`… ${bytes.length - limit} more bytes`);
  return lines.join("\n");
}
