// `dlq inspect`: the dead letters as a table, or JSON lines.
import type { DeadLetter } from "../dead_letter/dead_letter.ts";
import { deadLetterHeader } from "../headers.ts";
import type { DlqEntry } from "./_dlq_read.ts";

const MESSAGE_WIDTH = 60;

/** The table: one row per dead letter, its headers on the line below. */
export function formatTable(entries: readonly DlqEntry[]): string {
  const rows = entries.map((e) => {
    const l = e.letter;
    return [
      `${e.partition}:${e.offset}`,
      new Date(e.time).toISOString().replace(/\.\d+Z$/, "Z"),
      l?.errorClass ?? e.headers.errorClass ?? "?",
      l?.errorCode ?? e.headers.errorCode ?? "?",
      l?.stage ?? e.headers.stage ?? "?",
      String(l?.attempts ?? e.headers.attempts ?? "?"),
      String(e.replays),
      e.correlationId ?? "-",
      l?.orderId ?? "-",
      l ? `${l.originalTopic}/${l.originalPartition}@${l.originalOffset}${omitted(l)}` : "?",
      clip(l?.errorMessage ?? e.problem ?? "", MESSAGE_WIDTH),
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
      .map(([name, value]) => `${name}=${clip(value, 40)}`);
    out.push(`    headers: ${headers.join("  ")}`);
  });
  return out.join("\n");
}

// A letter written without its payload says so where the original is named.
function omitted(letter: DeadLetter): string {
  return letter.payloadOmitted ? ` (payload omitted, ${letter.payloadSize} B)` : "";
}

function clip(text: string, width: number): string {
  const one = text.replace(/\s+/g, " ");
  return one.length <= width ? one : `${one.slice(0, width - 1)}…`;
}
