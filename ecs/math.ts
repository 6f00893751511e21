/** Anything indexable we may write numbers into: typed arrays and plain arrays alike. */
export type WritableNumbers = { [index: number]: number };

export function clamp(value: number, min: number, max: number): number {
  return value < min ? min : Math.min(value, max);
}

/** Rotates (vx,vy,vz) by the unit quaternion (qx,qy,qz,qw), writing out[at..at+2]. */
export function rotateVector(
  qx: number,
  qy: number,
  qz: number,
  qw: number,
  vx: number,
  vy: number,
  vz: number,
  out: WritableNumbers,
  at: number,
): void {
  // v + qw*t + q.xyz × t with t = 2 q.xyz × v: fewer multiplications than q v q*.
  const tx = 2 * (qy * vz - qz * vy);
  const ty = 2 * (qz * vx - qx * vz);
  const tz = 2 * (qx * vy - qy * vx);
  out[at] = vx + qw * tx + (qy * tz - qz * ty);
  out[at + 1] = vy + qw * ty + (qz * tx - qx * tz);
  out[at + 2] = vz + qw * tz + (qx * ty - qy * tx);
}

/** Hamilton product a·b, writing out[at..at+3] as x,y,z,w. */
export function multiplyQuaternions(
  ax: number,
  ay: number,
  az: number,
  aw: number,
  bx: number,
  by: number,
  bz: number,
  bw: number,
  out: WritableNumbers,
  at: number,
): void {
  out[at] = aw * bx + ax * bw + ay * bz - az * by;
  out[at + 1] = aw * by - ax * bz + ay * bw + az * bx;
  out[at + 2] = aw * bz + ax * by - ay * bx + az * bw;
  out[at + 3] = aw * bw - ax * bx - ay * by - az * bz;
}

/** Copies n numbers and reports whether any differed, so callers mark dirty only on real change. */
export function copyIfChanged(
  from: ArrayLike<number>,
  fromAt: number,
  to: WritableNumbers & ArrayLike<number>,
  toAt: number,
  n: number,
): boolean {
  let changed = false;
  for (let i = 0; i < n; i++) {
    const value = from[fromAt + i]!;
    if (to[toAt + i] !== value) {
      to[toAt + i] = value;
      changed = true;
    }
  }
  return changed;
}
