/** The JS time spent in renderer.render per frame, kept for the last few hundred frames. */
const KEEP = 600;

export class RenderTimer {
  private readonly samples: number[] = [];
  frames = 0;

  measure(render: () => void): void {
    const start = performance.now();
    render();
    this.samples.push(performance.now() - start);
    if (this.samples.length > KEEP) this.samples.shift();
    this.frames++;
  }

  median(): number {
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? 0;
  }

  reset(): void {
    this.samples.length = 0;
  }
}
