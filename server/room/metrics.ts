/** A fixed-size ring of recent timed samples with percentiles over a trailing window. */
export class SampleWindow {
  private readonly values: Float64Array;
  private readonly times: Float64Array;
  private count = 0;
  private next = 0;

  constructor(size = 4096) {
    this.values = new Float64Array(size);
    this.times = new Float64Array(size);
  }

  add(value: number, atMs: number = performance.now()): void {
    this.values[this.next] = value;
    this.times[this.next] = atMs;
    this.next = (this.next + 1) % this.values.length;
    if (this.count < this.values.length) this.count++;
  }

  /** The p-th percentile of samples taken in the last windowMs (all retained samples when omitted). */
  percentile(p: number, windowMs = Infinity, nowMs: number = performance.now()): { value: number; samples: number } {
    const selected: number[] = [];
    for (let i = 0; i < this.count; i++) if (nowMs - this.times[i]! <= windowMs) selected.push(this.values[i]!);
    if (selected.length === 0) return { value: 0, samples: 0 };
    selected.sort((a, b) => a - b);
    return {
      value: selected[Math.min(selected.length - 1, Math.floor((p / 100) * selected.length))] ?? 0,
      samples: selected.length,
    };
  }
}

/** Timings of one room: simulation ticks, state sync, and patch encoding + sending. */
export class RoomMetrics {
  readonly tickMs = new SampleWindow();
  readonly syncMs = new SampleWindow();
  readonly patchMs = new SampleWindow();
  avatars = 0;

  snapshot(windowMs = Infinity) {
    const now = performance.now();
    const tick = this.tickMs.percentile(99, windowMs, now);
    return {
      avatars: this.avatars,
      ticks: tick.samples,
      tickMsP50: this.tickMs.percentile(50, windowMs, now).value,
      tickMsP99: tick.value,
      syncMsP99: this.syncMs.percentile(99, windowMs, now).value,
      patches: this.patchMs.percentile(99, windowMs, now).samples,
      patchMsP50: this.patchMs.percentile(50, windowMs, now).value,
      patchMsP99: this.patchMs.percentile(99, windowMs, now).value,
    };
  }
}
