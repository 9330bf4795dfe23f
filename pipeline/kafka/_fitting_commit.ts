// An offset commit whose metadata always fits the broker. The map of settled
// offsets is cut to `offset.metadata.max.bytes`, 4096 unless the broker says
// otherwise; a broker set lower refuses the commit (OFFSET_METADATA_TOO_LARGE),
// and then the map is cut to half of what it refused and the commit goes again,
// down to no map at all, which every broker takes. The bound learnt holds for
// every later commit, so a refusal costs one round trip once, not per commit.
import { isMetadataTooLarge } from "./_retriable.ts";
import type { OffsetCommit } from "./_ledger_book.ts";
import { decodeOffsetMap, encodeOffsetMap } from "./offset_map.ts";

/** Wraps `commit` so that its metadata never makes it fail. */
export function fittingCommit(
  commit: (c: OffsetCommit) => Promise<void>,
): (c: OffsetCommit) => Promise<void> {
  let bound = Infinity;
  return async (c) => {
    let metadata = c.metadata.length > bound ? cut(c, bound) : c.metadata;
    for (;;) {
      try {
        return await commit(metadata === c.metadata ? c : { ...c, metadata });
      } catch (err) {
        if (metadata === "" || !isMetadataTooLarge(err)) throw err;
        bound = Math.floor(metadata.length / 2);
        metadata = cut(c, bound);
      }
    }
  };
}

// The commit's map, keeping its lowest settled offsets that fit in `bound` characters.
function cut({ offset, metadata }: OffsetCommit, bound: number): string {
  const committed = Number(offset);
  return encodeOffsetMap(committed, decodeOffsetMap(committed, metadata), bound);
}
