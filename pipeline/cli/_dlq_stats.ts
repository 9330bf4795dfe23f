// `dlq stats`: the summary as readable lines.
import type { DeadLetterSummary } from "../dead_letter/summarize_dead_letters.ts";
import { terminalText } from "./_terminal_text.ts";

export function formatStats(
  summary: DeadLetterSummary,
  topic: string,
  filter: { since?: number; errorClass?: string } = {},
): string {
  const counts = (title: string, by: Record<string, number>) => {
    const entries = Object.entries(by).sort((a, b) => b[1] - a[1]);
    if (entries.length === 0) return [`${title}: -`];
    return [
      `${title}:`,
      ...entries.map(([key, n]) => `  ${terminalText(key, 40).padEnd(20)} ${n}`),
    ];
  };
  const time = (t: number | null) => t === null ? "-" : new Date(t).toISOString();
  return [
    `Dead letters on ${topic}${chosen(filter)}: ${summary.total}`,
    ...counts("by error class", summary.byClass),
    ...counts("by error code", summary.byCode),
    ...counts("by stage", summary.byStage),
    `oldest: ${time(summary.oldest)}`,
    `newest: ${time(summary.newest)}`,
    `last hour: ${summary.lastHour} (${summary.perMinuteLastHour}/min)`,
  ].join("\n");
}

// Which letters were counted, when a filter chose them.
function chosen({ since, errorClass }: { since?: number; errorClass?: string }): string {
  const only = [
    ...(errorClass === undefined ? [] : [`error class ${errorClass}`]),
    ...(since === undefined ? [] : [`since ${new Date(since).toISOString()}`]),
  ];
  return only.length === 0 ? "" : ` (only ${only.join(", ")})`;
}
