// Ctrl-C handling shared by long-running commands: the first SIGINT or SIGTERM
// asks for a graceful stop, a second one exits at once.

// One stop request can arrive twice within milliseconds: `timeout` and some
// supervisors signal both `deno task` (which forwards it) and the whole process
// group. A person pressing Ctrl-C again takes far longer than this.
const SAME_REQUEST_MS = 300;

/** Aborts the returned signal on the first SIGINT/SIGTERM; exits 130 on the second. */
export function stopOnSignals(command: string): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const names: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  let firstAt = 0;
  const handler = () => {
    if (controller.signal.aborted) {
      if (performance.now() - firstAt < SAME_REQUEST_MS) return;
      console.error(`\n${command}: second signal, exiting now without committing`);
      Deno.exit(130);
    }
    firstAt = performance.now();
    console.error(
      `\n${command}: stopping: finishing in-flight messages (signal again to quit now)`,
    );
    controller.abort("signal");
  };
  for (const name of names) Deno.addSignalListener(name, handler);
  return {
    signal: controller.signal,
    dispose: () => names.forEach((name) => Deno.removeSignalListener(name, handler)),
  };
}
