/**
 * `deno task dlq inspect|stats|replay`: look at the dead letters, count them,
 * and send them back.
 *
 * @module
 */
import { boolean, DEFAULTS, integer, loadConfig, name, type Setting } from "../config.ts";
import { summarizeDeadLetters } from "../dead_letter/summarize_dead_letters.ts";
import { missingTopics } from "../kafka/missing_topics.ts";
import { readTopic } from "../kafka/read_topic.ts";
import { requireBroker } from "../kafka/require_broker.ts";
import { ConfigError } from "../errors.ts";
import { parseFlags, UsageError } from "../command/parse_flags.ts";
import { settingFlags } from "../command/read_config.ts";
import { formatTable } from "./_dlq_inspect.ts";
import {
  type DlqEntry,
  entryJson,
  errorClassParser,
  matches,
  sinceParser,
  toEntry,
} from "./_dlq_read.ts";
import { replay } from "./_dlq_replay.ts";
import { formatStats } from "./_dlq_stats.ts";
import { runCommand, VERBOSE_HELP } from "../command/run_command.ts";
import { applySecurity, SECURITY_HELP, SECURITY_SETTINGS } from "../kafka/security_flags.ts";
import { SHARED_SETTINGS } from "./_shared_settings.ts";
import { stopOnSignals } from "./_signals.ts";

const HELP = `Usage: deno task dlq <inspect|stats|replay> [flags]

  inspect   the dead letters, decoded, with their headers: a table, or JSON lines
  stats     counts by error class, code and stage; oldest, newest; rate over the last hour
  replay    send dead letters back to their original topic (or --to), key, value and
            headers byte for byte plus x-replay-count; back on the original topic, a
            replay is for the letter's group only (x-replay-group: other groups pass it
            over); progress is committed with each send, so a replay stopped midway and
            run again sends nothing twice

Flags (environment variable in brackets):
  --brokers LIST        Kafka bootstrap servers [KAFKA_BROKERS] (${DEFAULTS.brokers})
  --dlq-topic NAME      dead-letter topic [DLQ_TOPIC] (${DEFAULTS.topics.dlq})
  --since T             only letters dead-lettered since T: 30m, 2h, 1d ago, or an ISO time
  --error-class C       only poison, permanent or transient letters
  --limit N             inspect: show at most N; replay: send at most N
  --oldest-first        inspect: oldest letters first (default: newest first)
  --json                JSON lines instead of text
${VERBOSE_HELP}
replay only:
  --dry-run             show what would be sent; send and commit nothing
  --rate N/s            send at most N letters a second
  --to TOPIC            send to TOPIC instead of each letter's original topic, for
                        every group that reads TOPIC
  --max-replays N       park (skip and report) letters already replayed N times (${DEFAULTS.replay.maxReplays})
  --group ID            consumer group holding the replay's progress [REPLAY_GROUP]
                        (${DEFAULTS.replay.groupId}); its offsets cover every letter read,
                        replayed or not: use another group to revisit filtered ones
  -h, --help            show this help
${SECURITY_HELP}`;

const SUBCOMMANDS = ["inspect", "stats", "replay"];

function rate(text: string): number {
  const match = text.trim().match(/^(\d+(?:\.\d+)?)\/s$/);
  if (!match || Number(match[1]) <= 0) throw new Error("must be a rate such as 10/s (above 0)");
  return Number(match[1]);
}

/** The settings of every subcommand; `--since` counts back from `now`. */
function dlqSettings(now: number) {
  const { brokers, dlqTopic, json, maxReplays } = SHARED_SETTINGS;
  return {
    brokers,
    dlqTopic,
    since: { default: undefined, parse: sinceParser(now) } as Setting<number | undefined>,
    errorClass: { default: undefined, parse: errorClassParser } as Setting<string | undefined>,
    limit: { default: undefined, parse: integer(1) } as Setting<number | undefined>,
    json,
    oldestFirst: { default: false, parse: boolean },
    dryRun: { default: false, parse: boolean },
    rate: { default: undefined, parse: rate } as Setting<number | undefined>,
    to: { default: undefined, parse: name } as Setting<string | undefined>,
    maxReplays,
    group: { env: "REPLAY_GROUP", default: DEFAULTS.replay.groupId, parse: name },
    ...SECURITY_SETTINGS,
  };
}

/** Runs the command; resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  const now = Date.now();
  const settings = dlqSettings(now);
  const { values: flags, positionals } = parseFlags("dlq", args, settingFlags(settings), true);
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  const [command, ...extra] = positionals;
  if (command === undefined) {
    throw new UsageError("dlq: name a subcommand: inspect, stats or replay");
  }
  if (!SUBCOMMANDS.includes(command)) {
    throw new UsageError(`dlq: unknown subcommand ${command} (inspect, stats or replay)`);
  }
  if (extra.length > 0) throw new UsageError(`dlq: unexpected argument ${extra[0]}`);
  const replayOnly = ["dry-run", "rate", "to", "max-replays", "group"] as const;
  if (command !== "replay") {
    const misplaced = replayOnly.find((flag) => flags[flag] !== undefined);
    if (misplaced) throw new UsageError(`dlq ${command}: flag --${misplaced} is for replay only`);
  }
  if (command === "stats" && flags.limit !== undefined) {
    throw new UsageError("dlq stats: flag --limit is for inspect and replay only");
  }
  if (command !== "inspect" && flags["oldest-first"]) {
    throw new UsageError(`dlq ${command}: flag --oldest-first is for inspect only`);
  }
  const config = loadConfig(`dlq ${command}`, flags, (n) => Deno.env.get(n), settings);
  if (config.to !== undefined && config.to === config.dlqTopic) {
    throw new UsageError(
      `dlq replay: flag --to must name another topic than the dead-letter topic (${config.dlqTopic})`,
    );
  }
  applySecurity(config);
  await requireBroker(config.brokers);
  const [missing] = await missingTopics(
    config.brokers,
    config.to === undefined ? [config.dlqTopic] : [config.dlqTopic, config.to],
  );
  if (missing === config.dlqTopic) {
    throw new ConfigError([
      `dlq ${command}: topic ${missing} does not exist: no consumer has run on this cluster yet, or name the dead-letter topic with --dlq-topic`,
    ]);
  }
  if (missing !== undefined) {
    throw new ConfigError([
      `dlq replay: topic ${missing} (flag --to) does not exist: create it, or leave --to out to replay to each letter's original topic`,
    ]);
  }
  const filter = { since: config.since, errorClass: config.errorClass, limit: config.limit };
  const encoder = new TextEncoder();
  const write = (line: string) => Deno.stdout.writeSync(encoder.encode(`${line}\n`));

  if (command === "replay") {
    const stop = stopOnSignals("dlq replay", { exit: Deno.exit });
    try {
      const summary = await replay({
        brokers: config.brokers,
        dlqTopic: config.dlqTopic,
        group: config.group,
        filter,
        to: config.to,
        maxReplays: config.maxReplays,
        ratePerSecond: config.rate,
        dryRun: config.dryRun,
        json: config.json,
        signal: stop.signal,
        write,
      });
      write(
        config.json
          ? JSON.stringify(summary)
          : `Replay${summary.dryRun ? " (dry run: nothing sent)" : ""}: ` +
            `${
              summary.dryRun ? "would send" : "sent"
            } ${summary.sent}, parked ${summary.parked}, ` +
            `not matching ${summary.skipped}, unreadable ${summary.unreadable}` +
            (summary.complete ? "" : " (stopped before the end)"),
      );
    } finally {
      stop.dispose();
    }
    return 0;
  }

  if (command === "inspect") {
    const entries = await readLetters(config.brokers, config.dlqTopic, filter, config.oldestFirst);
    if (config.json) { for (const entry of entries) write(JSON.stringify(entryJson(entry))); }
    else write(entries.length === 0 ? "No dead letters match." : formatTable(entries));
    return 0;
  }
  // `--limit` goes with inspect only (refused above): stats count every letter.
  const entries = await readLetters(config.brokers, config.dlqTopic, filter, true);
  const summary = summarizeDeadLetters(
    entries.map((e) => ({
      errorClass: e.letter?.errorClass ?? e.headers.errorClass ?? "unknown",
      errorCode: e.letter?.errorCode ?? e.headers.errorCode ?? "unknown",
      stage: e.letter?.stage ?? e.headers.stage ?? "unknown",
      time: e.time,
    })),
    now,
  );
  write(
    config.json
      ? JSON.stringify({ topic: config.dlqTopic, ...summary })
      : formatStats(summary, config.dlqTopic, filter),
  );
  return 0;
}

/**
 * The letters that match `filter`: with a limit, the oldest or the newest
 * that many; in the order asked for.
 */
async function readLetters(
  brokers: readonly string[],
  topic: string,
  filter: { since?: number; errorClass?: string; limit?: number },
  oldestFirst: boolean,
): Promise<DlqEntry[]> {
  const entries: DlqEntry[] = [];
  const enough = new AbortController();
  await readTopic({ brokers, topic, signal: enough.signal }, (record) => {
    const entry = toEntry(record);
    if (!matches(entry, filter)) return;
    entries.push(entry);
    if (filter.limit === undefined || entries.length < filter.limit) return;
    // The oldest are complete at the limit; for the newest, keep a window.
    if (oldestFirst) enough.abort();
    else if (entries.length > filter.limit) entries.shift();
  });
  return oldestFirst ? entries : entries.reverse();
}

if (import.meta.main) await runCommand("dlq", main);
