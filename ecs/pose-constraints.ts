import { HEAD_AT, handAt } from "./components";
import { clamp, type WritableNumbers } from "./math";
import type { ShowroomBounds } from "./types";

/** Below this a head is crouching through the floor; a seated visitor is still well above it. */
export const HEAD_MIN_Y = 0.3;

type Pose = WritableNumbers & ArrayLike<number>;

const PARTS: readonly number[] = [HEAD_AT, handAt(0), handAt(1)];
const HAND_PARTS: readonly number[] = [handAt(0), handAt(1)];

/** Moves the head, and both hands with it, by the same offset. */
export function shiftPose(pose: Pose, dx: number, dy: number, dz: number): void {
  for (const at of PARTS) {
    pose[at]! += dx;
    pose[at + 1]! += dy;
    pose[at + 2]! += dz;
  }
}

/**
 * Shortens the head's move from `from` to at most maxDistance along its own direction, and shifts
 * the hands by the same correction so they keep their place relative to the head. True when the
 * head was held back.
 */
export function limitHeadSpeed(from: ArrayLike<number>, fromAt: number, next: Pose, maxDistance: number): boolean {
  const dx = next[HEAD_AT]! - from[fromAt + HEAD_AT]!;
  const dy = next[HEAD_AT + 1]! - from[fromAt + HEAD_AT + 1]!;
  const dz = next[HEAD_AT + 2]! - from[fromAt + HEAD_AT + 2]!;
  const distance = Math.sqrt(dx * dx + dy * dy + dz * dz);
  if (distance <= maxDistance) return false;
  const surplus = maxDistance / distance - 1;
  shiftPose(next, dx * surplus, dy * surplus, dz * surplus);
  return true;
}

/** Clamps head and hands into the showroom, then pulls each hand back within arm's reach. */
export function confineToShowroom(pose: Pose, bounds: ShowroomBounds, armReach: number): void {
  clampPoint(pose, HEAD_AT, bounds, HEAD_MIN_Y);
  for (const at of HAND_PARTS) {
    clampPoint(pose, at, bounds, 0);
    // Head and hand are both inside the (convex) box, so any point between them is too.
    const vx = pose[at]! - pose[HEAD_AT]!;
    const vy = pose[at + 1]! - pose[HEAD_AT + 1]!;
    const vz = pose[at + 2]! - pose[HEAD_AT + 2]!;
    const distance = Math.sqrt(vx * vx + vy * vy + vz * vz);
    if (distance > armReach) {
      const k = armReach / distance;
      pose[at] = pose[HEAD_AT]! + vx * k;
      pose[at + 1] = pose[HEAD_AT + 1]! + vy * k;
      pose[at + 2] = pose[HEAD_AT + 2]! + vz * k;
    }
  }
}

function clampPoint(pose: Pose, at: number, bounds: ShowroomBounds, minY: number): void {
  pose[at] = clamp(pose[at]!, bounds.minX, bounds.maxX);
  pose[at + 1] = clamp(pose[at + 1]!, minY, bounds.height);
  pose[at + 2] = clamp(pose[at + 2]!, bounds.minZ, bounds.maxZ);
}
