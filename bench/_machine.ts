// The machine and the versions a run measured, for the results file and table.
import denoJson from "../deno.json" with { type: "json" };
import { KAFKA_VERSION } from "../pipeline/broker/kafka_jars.ts";

/** Where and with what a run was measured. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  deno: string;
  v8: string;
  java: string;
  kafka: string;
  kafkajs: string;
  rxjs: string;
  avsc: string;
}

/** Reads the machine from /proc and the versions from the runtimes and deno.json. */
export async function machineInfo(): Promise<MachineInfo> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const meminfo = await Deno.readTextFile("/proc/meminfo").catch(() => "");
  const memKb = Number(meminfo.match(/^MemTotal:\s+(\d+) kB/m)?.[1] ?? 0);
  const java = await new Deno.Command("java", { args: ["-version"], stderr: "piped" }).output()
    .then((out) => new TextDecoder().decode(out.stderr).split("\n")[0].trim())
    .catch(() => "not found");
  const imports: Record<string, string> = denoJson.imports;
  const version = (name: string) => imports[name]?.split("@").at(-1) ?? "?";
  return {
    cpu: cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1] ?? "unknown",
    cores: navigator.hardwareConcurrency,
    memoryGb: Math.round(memKb / 1024 / 1024 * 10) / 10,
    os: `${Deno.build.os} ${Deno.osRelease()}`,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    java,
    kafka: KAFKA_VERSION,
    kafkajs: version("kafkajs"),
    rxjs: version("rxjs"),
    avsc: version("avsc"),
  };
}
