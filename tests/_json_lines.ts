// A child process's JSON lines (one object per line), collected as they come.

/** Appends each JSON line of `stream` to `lines` as it arrives, then tells `onLines`. */
export async function collectJsonLines<T>(
  stream: ReadableStream<Uint8Array>,
  lines: T[],
  onLines: () => void = () => {},
): Promise<void> {
  let pending = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (pending + chunk).split("\n");
    pending = parts.pop() ?? "";
    for (const line of parts) if (line.startsWith("{")) lines.push(JSON.parse(line));
    onLines();
  }
}
