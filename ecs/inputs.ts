import { POSE_STRIDE } from "./components";
import { assertPoseLength } from "./entities";
import { isAvatar } from "./holding";
import type { Hand, PoseArray } from "./types";
import type { ShowroomWorld } from "./world";

// Inputs for an id that is not an avatar (it left between the message and this call) are dropped:
// there is no one left to apply them to.

/** Only the latest pose before a step counts; the step measures speed from the last applied pose. */
export function queuePose(world: ShowroomWorld, avatar: number, pose: PoseArray): void {
  if (!isAvatar(world, avatar)) return;
  assertPoseLength(pose);
  const { PendingPose } = world.components;
  const at = avatar * POSE_STRIDE;
  for (let i = 0; i < POSE_STRIDE; i++) PendingPose.values[at + i] = pose[i]!;
  PendingPose.pending[avatar] = 1;
}

export function queueTeleport(world: ShowroomWorld, avatar: number, x: number, z: number): void {
  if (!isAvatar(world, avatar)) return;
  world.inputs.teleports.push({ avatar, x, z });
}

export function queueGrab(world: ShowroomWorld, avatar: number, product: number, hand: Hand): void {
  assertHand(hand);
  if (!isAvatar(world, avatar)) return;
  world.inputs.hands.push({ kind: "grab", avatar, product, hand });
}

export function queueRelease(world: ShowroomWorld, avatar: number, hand: Hand): void {
  assertHand(hand);
  if (!isAvatar(world, avatar)) return;
  world.inputs.hands.push({ kind: "release", avatar, hand });
}

/** A hand indexes per-avatar slots, so a bad value would write into a neighbour's data. */
function assertHand(hand: number): void {
  if (hand !== 0 && hand !== 1) throw new RangeError(`hand must be 0 (left) or 1 (right), got ${hand}`);
}
