// The ledgers of the partitions a member owns: restored from the group's
// committed offsets and metadata on assignment, dropped when a partition is
// lost, and committed from on a timer.
import type { Admin } from "kafkajs";
import { OffsetLedger } from "./offset_ledger.ts";

/** One partition's commit: every record below `offset` is settled; `metadata` maps those beyond. */
export interface OffsetCommit {
  topic: string;
  partition: number;
  /** The next offset to read, a decimal string. */
  offset: string;
  /** The settled offsets beyond `offset`, encoded (see `encodeOffsetMap`). */
  metadata: string;
}

export class LedgerBook {
  readonly #admin: Admin;
  readonly #groupId: string;
  readonly #commit: (commit: OffsetCommit) => Promise<void>;
  readonly #metadataMaxBytes: number;
  readonly #open = new Map<string, Promise<OffsetLedger>>();
  // What was last committed per partition, to skip unchanged ones.
  readonly #committed = new Map<string, string>();
  #committing: Promise<void> | undefined;

  constructor(
    admin: Admin,
    groupId: string,
    commit: (commit: OffsetCommit) => Promise<void>,
    metadataMaxBytes: number,
  ) {
    this.#admin = admin;
    this.#groupId = groupId;
    this.#commit = commit;
    this.#metadataMaxBytes = metadataMaxBytes;
  }

  // The partition's ledger; on its first batch since assignment, restored from
  // the committed offset and its metadata, or started at the first record.
  open(topic: string, partition: number, firstOffset: string | undefined): Promise<OffsetLedger> {
    const name = `${topic}/${partition}`;
    let ledger = this.#open.get(name);
    if (ledger === undefined) {
      ledger = this.#restore(topic, partition, firstOffset);
      this.#open.set(name, ledger);
      ledger.catch(() => this.#open.delete(name));
    }
    return ledger;
  }

  async #restore(
    topic: string,
    partition: number,
    firstOffset: string | undefined,
  ): Promise<OffsetLedger> {
    const [committed] = await this.#admin.fetchOffsets({ groupId: this.#groupId, topics: [topic] });
    const mine = committed?.partitions.find((p) => p.partition === partition);
    const offset = Number(mine?.offset ?? -1);
    if (offset >= 0) {
      this.#committed.set(`${topic}/${partition}`, `${offset}/${mine?.metadata ?? ""}`);
      return OffsetLedger.restore(offset, mine?.metadata);
    }
    // Nothing committed yet: a ledger that has not moved is not committed either.
    const start = Number(firstOffset ?? 0);
    this.#committed.set(`${topic}/${partition}`, `${start}/`);
    return new OffsetLedger(start);
  }

  // After a rebalance: the ledgers of partitions this member lost are revoked
  // and dropped (their in-flight records end without an outcome; the new
  // owner reads them again).
  keepOnly(assigned: ReadonlyArray<{ topic: string; partitions: number[] }>): void {
    const owned = new Set(
      assigned.flatMap(({ topic, partitions }) => partitions.map((p) => `${topic}/${p}`)),
    );
    for (const [name, opening] of this.#open) {
      if (!owned.has(name)) {
        this.#open.delete(name);
        this.#committed.delete(name);
        opening.then((ledger) => ledger.revoke(), () => {});
      }
    }
  }

  // Commits every owned partition whose position moved, one at a time, after
  // any commit still running, so it covers everything settled before the call.
  commitAll(onError?: (error: unknown) => void): Promise<void> {
    const run = (this.#committing ?? Promise.resolve()).then(() => this.#commitChanged(onError));
    this.#committing = run;
    run.finally(() => {
      if (this.#committing === run) this.#committing = undefined;
    });
    return run;
  }

  // The timer's commit: skipped while one is running (slow commits do not pile up).
  commitDue(onError?: (error: unknown) => void): void {
    if (this.#committing === undefined) void this.commitAll(onError);
  }

  async #commitChanged(onError?: (error: unknown) => void): Promise<void> {
    for (const [name, opening] of [...this.#open]) {
      const ledger = await opening.catch(() => undefined);
      if (ledger === undefined) continue;
      const offset = String(ledger.nextOffset);
      const metadata = ledger.metadata(this.#metadataMaxBytes);
      const mark = `${offset}/${metadata}`;
      if (this.#committed.get(name) === mark) continue;
      const slash = name.lastIndexOf("/");
      try {
        await this.#commit({
          topic: name.slice(0, slash),
          partition: Number(name.slice(slash + 1)),
          offset,
          metadata,
        });
        if (this.#open.get(name) === opening) this.#committed.set(name, mark);
      } catch (err) {
        onError?.(err);
      }
    }
  }
}
