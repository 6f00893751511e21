/** Where a standing avatar's head is, above the floor (metres). */
export const HEAD_HEIGHT = 1.6;
/** Where its hands rest: this high, this far to each side of the head and this far ahead of it. */
const HAND_HEIGHT = 1.1;
const HAND_SIDE = 0.25;
const HAND_AHEAD = 0.3;

/**
 * The pose (head, left hand, right hand: 21 numbers) of an avatar standing at (x, z) and facing
 * `yaw`, a heading about +Y where 0 looks down -Z (the head `headHeight` above the floor): the one shape every server-placed avatar takes
 * (newcomers at the spawn point, the assistant, an agent arriving next to a customer).
 */
export function standingPose(x: number, z: number, yaw: number, headHeight = HEAD_HEIGHT): number[] {
  const qy = Math.sin(yaw / 2);
  const qw = Math.cos(yaw / 2);
  // Forward and right on the floor for this heading.
  const fx = -Math.sin(yaw);
  const fz = -Math.cos(yaw);
  const rx = Math.cos(yaw);
  const rz = -Math.sin(yaw);
  const hand = (side: number) => [
    x + HAND_SIDE * side * rx + HAND_AHEAD * fx,
    HAND_HEIGHT,
    z + HAND_SIDE * side * rz + HAND_AHEAD * fz,
    0,
    qy,
    0,
    qw,
  ];
  return [x, headHeight, z, 0, qy, 0, qw, ...hand(-1), ...hand(1)];
}

/** The heading (as `standingPose` takes it) of a head rotation. */
export function yawOf(qx: number, qy: number, qz: number, qw: number): number {
  return Math.atan2(2 * (qw * qy + qx * qz), 1 - 2 * (qx * qx + qy * qy));
}
