// `dlq inspect`: the dead letters as a table, or JSON lines.
import type { DeadLetter } from "../dead_letter/dead_letter.ts";
import { deadLetterHeader } from "../headers.ts";
import type { DlqEntry } from "./_dlq_read.ts";
import { terminalText } from "./_terminal_text.ts";

const MESSAGE_WIDTH = 60;
const CELL_WIDTH = 40;

/** The table: one row per dead letter, its headers on the line below. */
export function formatTable(entries: readonly DlqEntry[]): string {
  const rows = entries.map((e) => {
    const l = e.letter;
    return [
      `${e.partition}:${e.offset}`,
      new Date(e.time).toISOString().replace(/\.\d+Z$/, "Z"),
      cell(l?.errorClass ?? e.headers.errorClass ?? "?"),
      cell(l?.errorCode ?? e.headers.errorCode ?? "?"),
      cell(l?.stage ?? e.headers.stage ?? "?"),
      cell(String(l?.attempts ?? e.headers.attempts ?? "?")),
      String(e.replays),
      cell(e.correlationId ?? "-"),
      // A blank id (the reason for some letters) is shown as one, not as an empty cell.
      cell(l?.orderId === "" ? '""' : l?.orderId ?? "-"),
      l ? `${cell(l.originalTopic)}/${l.originalPartition}@${l.originalOffset}${omitted(l)}` : "?",
      terminalText(l?.errorMessage ?? e.problem ?? "", MESSAGE_WIDTH),
    ];
  });
  const head = [
    "DLQ",
    "DEAD-LETTERED",
    "CLASS",
    "CODE",
    "STAGE",
    "ATTEMPTS",
    "REPLAYS",
    "CORRELATION-ID",
    "ORDER",
    "ORIGINAL",
    "MESSAGE",
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  const out = [line(head)];
  entries.forEach((entry, i) => {
    out.push(line(rows[i]));
    const headers = Object.entries(entry.headerText)
      .filter(([name]) => name !== deadLetterHeader.EXCEPTION_STACKTRACE)
      .map(([name, value]) => `${terminalText(name, 40)}=${terminalText(value, 40)}`);
    out.push(`    headers: ${headers.join("  ")}`);
  });
  return out.join("\n");
}

// A letter written without its payload says so where the original is named.
function omitted(letter: DeadLetter): string {
  return letter.payloadOmitted ? ` (payload omitted, ${letter.payloadSize} B)` : "";
}

// A short field of a letter (an id, a code, a topic): a producer may have written anything there.
function cell(text: string): string {
  return terminalText(text, CELL_WIDTH);
}
