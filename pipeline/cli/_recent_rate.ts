// The rate `consume` shows: orders processed per second over the last few
// seconds, not since the start, so a consumer that slowed down (or waits for
// new orders after a backlog) says so.

/** A rate over a sliding window of samples of a growing count. */
export class RecentRate {
  readonly #windowMs: number;
  // Samples [time in ms, count], oldest first, spanning at most the window.
  readonly #samples: Array<[number, number]> = [];

  constructor(windowMs = 10_000) {
    this.#windowMs = windowMs;
  }

  /** Takes the count at `nowMs` and returns the rate per second over the window before it. */
  sample(count: number, nowMs: number): number {
    const samples = this.#samples;
    samples.push([nowMs, count]);
    // Keep one sample at or before the window's start, to measure from it.
    while (samples.length > 2 && samples[1][0] <= nowMs - this.#windowMs) samples.shift();
    const [firstMs, firstCount] = samples[0];
    const spanMs = nowMs - firstMs;
    return spanMs <= 0 ? 0 : ((count - firstCount) * 1000) / spanMs;
  }
}
