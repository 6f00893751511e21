/**
 * A short history of one entity's poses, sampled in the past so that 20 Hz patches render
 * smoothly. Values are groups of seven numbers [x, y, z, qx, qy, qz, qw]: positions are
 * interpolated linearly, rotations spherically.
 */

/** How far in the past remote entities are drawn: two patch intervals at 20 Hz. */
export const INTERPOLATION_DELAY_MS = 100;
/** A patch interval; a gap much longer than this means the entity stood still meanwhile. */
const EXPECTED_INTERVAL_MS = 50;
const CAPACITY = 8;
const POSE = 7;

export class PoseTrack {
  readonly stride: number;
  private readonly times = new Float64Array(CAPACITY);
  private readonly values: Float32Array;
  /** Index of the oldest sample. */
  private start = 0;
  private count = 0;

  constructor(poseCount: number) {
    this.stride = poseCount * POSE;
    this.values = new Float32Array(CAPACITY * this.stride);
  }

  get size(): number {
    return this.count;
  }

  /** Records the pose the entity had at time atMs (samples arrive in time order). */
  push(atMs: number, pose: ArrayLike<number>): void {
    if (this.count > 0) {
      const lastTime = this.times[this.slot(this.count - 1)]!;
      if (atMs <= lastTime) {
        this.write(this.count - 1, lastTime, pose);
        return;
      }
      // An entity that stood still sends no patches. Without this its next move would be
      // smeared across the whole quiet period instead of one interval.
      if (atMs - lastTime > 2 * EXPECTED_INTERVAL_MS) this.repeatLast(atMs - EXPECTED_INTERVAL_MS);
    }
    this.append(atMs, pose);
  }

  /** Writes the pose at time atMs into out: held at the ends, interpolated in between. */
  sample(atMs: number, out: { [i: number]: number }): boolean {
    if (this.count === 0) return false;
    if (atMs <= this.times[this.slot(0)]!) return this.copy(0, out);
    let older = 0;
    while (older + 1 < this.count && this.times[this.slot(older + 1)]! <= atMs) older++;
    if (older === this.count - 1) return this.copy(older, out);
    const t0 = this.times[this.slot(older)]!;
    const k = (atMs - t0) / (this.times[this.slot(older + 1)]! - t0);
    const a = this.slot(older) * this.stride;
    const b = this.slot(older + 1) * this.stride;
    const v = this.values;
    for (let p = 0; p < this.stride; p += POSE) {
      for (let i = 0; i < 3; i++) out[p + i] = v[a + p + i]! + (v[b + p + i]! - v[a + p + i]!) * k;
      slerp(v, a + p + 3, b + p + 3, k, out, p + 3);
    }
    return true;
  }

  /** The most recent pose received, without delay. */
  latest(out: { [i: number]: number }): boolean {
    return this.count > 0 && this.copy(this.count - 1, out);
  }

  private copy(index: number, out: { [i: number]: number }): boolean {
    const at = this.slot(index) * this.stride;
    for (let i = 0; i < this.stride; i++) out[i] = this.values[at + i]!;
    return true;
  }

  private repeatLast(atMs: number): void {
    const from = this.slot(this.count - 1) * this.stride;
    const copy = this.values.slice(from, from + this.stride);
    this.append(atMs, copy);
  }

  private append(atMs: number, pose: ArrayLike<number>): void {
    if (this.count === CAPACITY) {
      this.start = (this.start + 1) % CAPACITY;
      this.count--;
    }
    this.count++;
    this.write(this.count - 1, atMs, pose);
  }

  private write(index: number, atMs: number, pose: ArrayLike<number>): void {
    const slot = this.slot(index);
    this.times[slot] = atMs;
    const at = slot * this.stride;
    for (let i = 0; i < this.stride; i++) this.values[at + i] = pose[i]!;
  }

  private slot(index: number): number {
    return (this.start + index) % CAPACITY;
  }
}

/** Spherical interpolation of the unit quaternions at a and b of v, written to out at o. */
export function slerp(
  v: ArrayLike<number>,
  a: number,
  b: number,
  k: number,
  out: { [i: number]: number },
  o: number,
): void {
  const ax = v[a]!,
    ay = v[a + 1]!,
    az = v[a + 2]!,
    aw = v[a + 3]!;
  let bx = v[b]!,
    by = v[b + 1]!,
    bz = v[b + 2]!,
    bw = v[b + 3]!;
  let cos = ax * bx + ay * by + az * bz + aw * bw;
  // q and -q are the same rotation: take the short way round.
  if (cos < 0) {
    cos = -cos;
    bx = -bx;
    by = -by;
    bz = -bz;
    bw = -bw;
  }
  let wa: number;
  let wb: number;
  if (cos > 0.9995) {
    wa = 1 - k;
    wb = k;
  } else {
    const angle = Math.acos(cos);
    const sin = Math.sin(angle);
    wa = Math.sin((1 - k) * angle) / sin;
    wb = Math.sin(k * angle) / sin;
  }
  const x = ax * wa + bx * wb,
    y = ay * wa + by * wb,
    z = az * wa + bz * wb,
    w = aw * wa + bw * wb;
  const length = Math.hypot(x, y, z, w) || 1;
  out[o] = x / length;
  out[o + 1] = y / length;
  out[o + 2] = z / length;
  out[o + 3] = w / length;
}
