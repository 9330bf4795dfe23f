// The embedded broker's JVM started again on the same data: the way the
// restart tests stop a broker and bring back the very same one.

/** The command line of a running process, to start the same JVM again. */
export async function jvmCommand(pid: number): Promise<string[]> {
  const raw = await Deno.readTextFile(`/proc/${pid}/cmdline`);
  return raw.split("\0").filter((arg) => arg !== "");
}

/** Starts `jvm` (from {@link jvmCommand}) again, detached from the test's output. */
export function startJvm(jvm: readonly string[]): Deno.ChildProcess {
  return new Deno.Command(jvm[0], {
    args: jvm.slice(1),
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}
