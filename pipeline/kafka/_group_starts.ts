// Where a group starts a partition it never committed, made durable. Kafka
// starts such a partition at its earliest or latest offset on every join, so
// a group that ran without settling a record there would start "at the end"
// again next time, and skip what was produced in between. So on assignment
// the start is committed.
//
// The start is each partition's watermark read before the join (before the
// first run, and when a rebalance begins): kafkajs resolves its own start
// after the join, at that offset or beyond, so the commit is never past a
// record this member hands out. A record between the two is read by the next
// run, not skipped.
import type { Admin } from "kafkajs";
import type { OffsetCommit } from "./_ledger_book.ts";

type Assigned = ReadonlyArray<{ topic: string; partitions: number[] }>;

export class GroupStarts {
  readonly #admin: Admin;
  readonly #groupId: string;
  readonly #topics: readonly string[];
  readonly #fromBeginning: boolean;
  // Per topic, each partition's earliest or latest offset, read before the join.
  #watermarks: Promise<Map<string, Map<number, string>>> = Promise.resolve(new Map());

  constructor(admin: Admin, groupId: string, topics: readonly string[], fromBeginning: boolean) {
    this.#admin = admin;
    this.#groupId = groupId;
    this.#topics = topics;
    this.#fromBeginning = fromBeginning;
  }

  // Reads the watermarks again; called before each join. A failed read leaves
  // no starts (the commit waits for the first record, as Kafka would).
  beforeJoin(): void {
    const reading = Promise.all(this.#topics.map(async (topic) => {
      const offsets = await this.#admin.fetchTopicOffsets(topic);
      const start = new Map(
        offsets.map((p) => [p.partition, this.#fromBeginning ? p.low : p.high]),
      );
      return [topic, start] as const;
    }));
    this.#watermarks = reading.then((entries) => new Map(entries), () => new Map());
  }

  // Commits the start of each assigned partition the group has no offset for.
  async commitUnstarted(
    assigned: Assigned,
    commit: (commit: OffsetCommit) => Promise<void>,
  ): Promise<void> {
    const watermarks = await this.#watermarks;
    for (const { topic, partitions } of assigned) {
      const starts = watermarks.get(topic);
      if (starts === undefined) continue;
      const [committed] = await this.#admin.fetchOffsets({
        groupId: this.#groupId,
        topics: [topic],
      });
      for (const partition of partitions) {
        const mine = committed?.partitions.find((p) => p.partition === partition);
        const offset = starts.get(partition);
        if (offset === undefined || Number(mine?.offset ?? -1) >= 0) continue;
        await commit({ topic, partition, offset, metadata: "" });
      }
    }
  }
}
