// Process checks for a broker JVM that may have been started by another run.

/** Whether `pid` is a live process whose command line contains `marker`. */
export async function isProcessRunning(pid: number, marker: string): Promise<boolean> {
  try {
    const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`);
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && cmdline.includes(marker);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    // No /proc (macOS): ask ps instead.
    const out = await new Deno.Command("ps", { args: ["-p", String(pid), "-o", "command="] })
      .output();
    return out.success && new TextDecoder().decode(out.stdout).includes(marker);
  }
}

/** Sends SIGTERM, waits up to `graceMs` for the exit, then SIGKILL. */
export async function terminate(pid: number, marker: string, graceMs = 20_000): Promise<void> {
  if (!(await isProcessRunning(pid, marker))) return;
  signal(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!(await isProcessRunning(pid, marker))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  signal(pid, "SIGKILL");
  while (await isProcessRunning(pid, marker)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function signal(pid: number, name: Deno.Signal): void {
  try {
    Deno.kill(pid, name);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}
