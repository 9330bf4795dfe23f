// Reading and filtering dead letters, shared by the `dlq` subcommands.
import { type DeadLetter } from "../dead_letter/dead_letter.ts";
import { decodeDeadLetter } from "../dead_letter/decode_dead_letter.ts";
import { replayCount } from "../dead_letter/build_replay_record.ts";
import {
  type DeadLetterHeaders,
  readDeadLetterHeaders,
} from "../dead_letter/read_dead_letter_headers.ts";
import { errorMessage } from "../errors.ts";
import { deadLetterHeader } from "../headers.ts";
import type { KafkaRecord } from "../kafka/kafka_record.ts";

/** One record of the DLQ, decoded as far as it goes. */
export interface DlqEntry {
  partition: number;
  offset: string;
  /** When it was dead-lettered, ms since the epoch. */
  time: number;
  /** The envelope, or null when the value is not one (the reason is in `problem`). */
  letter: DeadLetter | null;
  problem: string | null;
  headers: DeadLetterHeaders;
  /** Every header as text (binary Spring numbers decoded). */
  headerText: Record<string, string>;
  correlationId: string | null;
  replays: number;
}

/** Filters every subcommand takes. */
export interface DlqFilter {
  since?: number;
  errorClass?: string;
  limit?: number;
}

const utf8 = new TextDecoder();

/**
 * A DLQ record as the subcommands show and filter it. `decoded` is its
 * envelope when the caller has decoded it already (null: it is not one).
 */
export function toEntry(record: KafkaRecord, decoded?: DeadLetter | null): DlqEntry {
  let letter: DeadLetter | null = decoded ?? null;
  let problem: string | null = decoded === null ? "not a dead-letter envelope" : null;
  if (decoded === undefined) {
    try {
      letter = decodeDeadLetter(record.value);
    } catch (err) {
      problem = `not a dead-letter envelope: ${errorMessage(err)}`;
    }
  }
  let headers: DeadLetterHeaders = {};
  try {
    headers = readDeadLetterHeaders(record.headers);
  } catch (err) {
    problem ??= errorMessage(err);
  }
  const headerText: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(record.headers)) headerText[name] = utf8.decode(bytes);
  if (headers.originalPartition !== undefined) {
    headerText[deadLetterHeader.ORIGINAL_PARTITION] = String(headers.originalPartition);
  }
  if (headers.originalOffset) headerText[deadLetterHeader.ORIGINAL_OFFSET] = headers.originalOffset;
  if (headers.originalTimestamp) {
    headerText[deadLetterHeader.ORIGINAL_TIMESTAMP] = headers.originalTimestamp;
  }
  return {
    partition: record.partition,
    offset: record.offset,
    time: Number(record.timestamp),
    letter,
    problem,
    headers,
    headerText,
    correlationId: letter?.correlationId ?? headers.correlationId ?? null,
    replays: letter ? replayCount(letter.originalHeaders) : 0,
  };
}

export function matches(entry: DlqEntry, filter: DlqFilter): boolean {
  if (filter.since !== undefined && entry.time < filter.since) return false;
  const errorClass = entry.letter?.errorClass ?? entry.headers.errorClass;
  if (filter.errorClass !== undefined && errorClass !== filter.errorClass) return false;
  return true;
}

/** Parses `--since`: a duration back from now (`1h`, `30m`) or an ISO date-time. */
export function sinceParser(now: number): (text: string) => number {
  return (text) => {
    const ago = text.match(/^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/);
    if (ago) {
      const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[ago[2]]!;
      return now - Number(ago[1]) * unit;
    }
    const time = Date.parse(text);
    if (!/^\d{4}-\d\d-\d\d/.test(text) || Number.isNaN(time)) {
      throw new Error("must be a duration back from now (30m, 2h, 1d) or an ISO date-time");
    }
    return time;
  };
}

/** Parses `--error-class`. */
export function errorClassParser(text: string): string {
  if (!["poison", "permanent", "transient"].includes(text)) {
    throw new Error("must be poison, permanent or transient");
  }
  return text;
}

/** The entry as one JSON object (bytes as base64), for `--json`. */
export function entryJson(entry: DlqEntry): Record<string, unknown> {
  const { letter } = entry;
  const b64 = (bytes: Uint8Array | null) => bytes === null ? null : bytes.toBase64();
  return {
    partition: entry.partition,
    offset: entry.offset,
    deadLetteredAt: new Date(entry.time).toISOString(),
    correlationId: entry.correlationId,
    replays: entry.replays,
    problem: entry.problem,
    headers: entry.headerText,
    envelope: letter && {
      ...letter,
      payload: b64(letter.payload),
      originalKey: b64(letter.originalKey),
      originalHeaders: Object.fromEntries(
        Object.entries(letter.originalHeaders).map(([n, v]) => [n, utf8.decode(v)]),
      ),
      firstFailureTime: new Date(letter.firstFailureTime).toISOString(),
      lastFailureTime: new Date(letter.lastFailureTime).toISOString(),
      originalTimestamp: new Date(letter.originalTimestamp).toISOString(),
    },
  };
}
