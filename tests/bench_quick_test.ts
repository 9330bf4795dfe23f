import { equal, ok } from "node:assert/strict";
import type { Row } from "../bench/_summary.ts";
import { testBrokers } from "./_shared_broker.ts";

Deno.test("deno task bench --quick measures every row and writes its results file", async () => {
  const brokers = await testBrokers();
  const outDir = await Deno.makeTempDir({ prefix: "order-pipeline-bench-" });
  try {
    const bench = new URL("../bench/bench.ts", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", bench, "--quick", "--messages", "5000", "--out-dir", outDir],
      env: { KAFKA_BROKERS: brokers.join(",") },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    equal(out.code, 0, stderr);
    const table = new TextDecoder().decode(out.stdout);
    ok(table.includes("ratios hold within this one run only"), table);

    const [file] = [...Deno.readDirSync(outDir)].map((e) => e.name);
    ok(file?.endsWith(".json"), `no results file in ${outDir}`);
    const { summary, machine } = JSON.parse(await Deno.readTextFile(`${outDir}/${file}`));
    ok(machine.cores > 0 && machine.memoryGb > 0 && machine.kafkajs === "2.2.4");

    const ids = (rows: Row[]) => rows.map((r) => r.id);
    equal(ids(summary.consumers).join(), "a,b,c,d,d10,e,eos,dk,dks,eosk,dp");
    equal(ids(summary.producers).join(), "pa,pb,pc");
    equal(ids(summary.memory).join(), "m-small,d");
    for (const row of [...summary.consumers, ...summary.producers, ...summary.memory] as Row[]) {
      ok(row.runs === 1 && row.messages > 0, `${row.id}: ${JSON.stringify(row)}`);
      ok(Number.isFinite(row.messagesPerSec) && row.messagesPerSec > 0, `${row.id} messages/s`);
      ok(row.peakRssMb > 0, `${row.id} peak RSS`);
    }
    for (const row of summary.consumers as Row[]) {
      ok(row.cpuUsPerMsg !== null && row.cpuUsPerMsg >= 0, `${row.id} CPU per message`);
    }
    equal(summary.latency.length, 2);
    for (const l of summary.latency) ok(l.p50Ms > 0 && l.p99Ms >= l.p50Ms, JSON.stringify(l));
    // Our consumer's rows also have a rate over the middle of the backlog.
    for (const id of ["d", "dk", "dks", "eosk"]) {
      const row = (summary.consumers as Row[]).find((r) => r.id === id);
      ok(row?.steadyPerSec && row.steadyPerSec > 0, `${id} steady messages/s`);
    }
    equal(summary.ratios.length, 11);
    for (const r of summary.ratios) ok(Number.isFinite(r.value) && r.value > 0, r.name);
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});
