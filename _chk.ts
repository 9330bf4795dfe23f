import { committedOffsets, topicOffsets } from "./pipeline/kafka/topics.ts";
import { loadLatestSnapshots } from "./pipeline/consumer/load_latest_snapshots.ts";
const [topic, group] = Deno.args;
const b = ["127.0.0.1:19192"];
console.log(await committedOffsets(b, group, topic), await topicOffsets(b, topic));
const s = await loadLatestSnapshots({ brokers: b, statsTopic: `${topic}-stats`, groupId: group });
for (const [k, v] of s) console.log(k, v.count, v.nextOffset, JSON.stringify(v.settledBeyond ?? []).slice(0, 80));
