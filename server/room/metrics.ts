/** A fixed-size ring of recent samples with percentiles; cheap enough for every tick. */
export class SampleWindow {
  private readonly samples: Float64Array;
  private count = 0;
  private next = 0;

  constructor(size = 2048) {
    this.samples = new Float64Array(size);
  }

  add(value: number): void {
    this.samples[this.next] = value;
    this.next = (this.next + 1) % this.samples.length;
    if (this.count < this.samples.length) this.count++;
  }

  percentile(p: number): number {
    if (this.count === 0) return 0;
    const sorted = Array.from(this.samples.subarray(0, this.count)).sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  }

  reset(): void {
    this.count = 0;
    this.next = 0;
  }

  get size(): number {
    return this.count;
  }
}

/** Timings of one room: simulation ticks, state sync, and patch encoding + sending. */
export class RoomMetrics {
  readonly tickMs = new SampleWindow();
  readonly syncMs = new SampleWindow();
  readonly patchMs = new SampleWindow();

  snapshot() {
    return {
      tickMsP50: this.tickMs.percentile(50),
      tickMsP99: this.tickMs.percentile(99),
      syncMsP99: this.syncMs.percentile(99),
      patchMsP50: this.patchMs.percentile(50),
      patchMsP99: this.patchMs.percentile(99),
      samples: this.tickMs.size,
    };
  }

  reset(): void {
    this.tickMs.reset();
    this.syncMs.reset();
    this.patchMs.reset();
  }
}
