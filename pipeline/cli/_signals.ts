// Ctrl-C handling shared by long-running commands: the first SIGINT or SIGTERM
// asks for a graceful stop, a second one exits at once, and a stop that does
// not finish within its bound exits too, whatever the broker is doing. The
// exit itself is the command's: it passes `exit` (`Deno.exit`), so this module
// never ends the process on its own.

// One stop request can arrive twice within milliseconds: `timeout` and some
// supervisors signal both `deno task` (which forwards it) and the whole process
// group. A person pressing Ctrl-C again takes far longer than this.
const SAME_REQUEST_MS = 300;

/** Options for {@link stopOnSignals}. */
export interface StopOnSignalsOptions {
  /** Ends the process with a code: the command passes `Deno.exit`. */
  exit: (code: number) => void;
  /**
   * Exit with code 1 this many ms after the first signal if the process is
   * still alive: a graceful stop can wait on a broker that does not answer
   * (leaving the group, a last write), and a stop must always end the process.
   * @default no bound
   */
  exitAfterMs?: number;
}

/** Aborts the returned signal on the first SIGINT/SIGTERM; exits 130 on the second. */
export function stopOnSignals(
  command: string,
  options: StopOnSignalsOptions,
): { signal: AbortSignal; dispose(): void } {
  const { exit, exitAfterMs } = options;
  const controller = new AbortController();
  const names: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  let firstAt = 0;
  const handler = () => {
    if (controller.signal.aborted) {
      if (performance.now() - firstAt < SAME_REQUEST_MS) return;
      console.error(`\n${command}: second signal, exiting now without committing`);
      exit(130);
      return;
    }
    firstAt = performance.now();
    console.error(
      `\n${command}: stopping: finishing in-flight messages (signal again to quit now)`,
    );
    if (exitAfterMs !== undefined) {
      const timer = setTimeout(() => {
        console.error(
          `${command}: the stop did not finish within ${
            exitAfterMs / 1000
          } s (is the broker reachable?): exiting; what was in flight stays uncommitted and is consumed again`,
        );
        exit(1);
      }, exitAfterMs);
      // The bound must not itself keep a finished process alive.
      Deno.unrefTimer(timer);
    }
    controller.abort("signal");
  };
  for (const name of names) Deno.addSignalListener(name, handler);
  return {
    signal: controller.signal,
    dispose: () => names.forEach((name) => Deno.removeSignalListener(name, handler)),
  };
}
