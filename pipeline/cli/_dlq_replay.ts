// `dlq replay`: the shared replay (pipeline/replay/) with the command's
// filters, one line per letter as text or JSON.
import {
  replayDeadLetters,
  type ReplayEvent,
  type ReplaySummary,
} from "../replay/replay_dead_letters.ts";
import { type DlqFilter, matches, toEntry } from "./_dlq_read.ts";
import { terminalText } from "./_terminal_text.ts";

// A field a producer wrote (an order id, a correlation id, a group or topic
// from a header) is shown escaped and cut, as `dlq inspect` shows it.
const FIELD_WIDTH = 64;
const shown = (text: string | null) => text === null ? "-" : terminalText(text, FIELD_WIDTH);

export type { ReplaySummary };

export interface ReplayOptions {
  brokers: readonly string[];
  dlqTopic: string;
  group: string;
  filter: DlqFilter;
  to?: string;
  maxReplays: number;
  ratePerSecond?: number;
  dryRun: boolean;
  json: boolean;
  signal: AbortSignal;
  write: (line: string) => void;
}

export function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const { filter, maxReplays, json, write } = options;
  return replayDeadLetters({
    brokers: options.brokers,
    dlqTopic: options.dlqTopic,
    group: options.group,
    // The replay has decoded the letter already: it is not decoded again.
    select: ({ record, letter }) => matches(toEntry(record, letter), filter),
    to: options.to,
    maxReplays,
    limit: filter.limit,
    ratePerSecond: options.ratePerSecond,
    dryRun: options.dryRun,
    signal: options.signal,
    onEvent: (event) =>
      write(json ? JSON.stringify(eventJson(event)) : replayEventText(event, maxReplays)),
  });
}

function eventJson(event: ReplayEvent): Record<string, unknown> {
  return event.type === "sent" || event.type === "would-send"
    ? { ...event, replay: event.replays + 1 }
    : event;
}

/** One replay event as a line for a terminal. */
export function replayEventText(event: ReplayEvent, maxReplays: number): string {
  if (event.type === "unreadable") {
    return `unreadable ${event.dlq}: ${terminalText(event.problem, 2 * FIELD_WIDTH)}`;
  }
  const who = `order ${shown(event.orderId)}  correlation ${shown(event.correlationId)}`;
  if (event.type === "parked") {
    return `parked  ${event.dlq}  ${who}: already replayed ${event.replays} times (--max-replays ${maxReplays})`;
  }
  const verb = event.type === "would-send" ? "would send" : "sent";
  const readers = event.group === null ? "every group" : `group ${shown(event.group)}`;
  return `${verb}  ${event.dlq} -> ${shown(event.to)} (for ${readers})  ${who}  replay #${
    event.replays + 1
  }`;
}
