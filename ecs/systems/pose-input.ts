import { POSE_STRIDE } from "../components";
import { markAvatarDirty } from "../dirty";
import { copyIfChanged } from "../math";
import { confineToShowroom, limitHeadSpeed } from "../pose-constraints";
import { avatars } from "../queries";
import type { ShowroomWorld } from "../world";

/**
 * Accepts each avatar's latest headset pose within what a person can do: the head no faster than
 * maxSpeed over the time since its last pose (at most maxPoseGapMs), everything inside the
 * showroom, hands within arm's reach. Rotations pass through as sent. A pose beyond this step's
 * allowance is approached over the following steps.
 */
export function poseInput(world: ShowroomWorld): void {
  const { AvatarPose, PendingPose, Locomotion } = world.components;
  const pose = world.scratch.pose;
  const now = world.time.elapsedMs;
  for (const avatar of avatars(world)) {
    if (PendingPose.pending[avatar] === 0) continue;
    const sinceLastPoseMs = Math.min(
      Math.max(now - Locomotion.lastPoseAtMs[avatar]!, world.time.dtMs),
      world.config.maxPoseGapMs,
    );
    const maxDistance = (world.config.maxSpeed * sinceLastPoseMs) / 1000;
    Locomotion.lastPoseAtMs[avatar] = now;
    const at = avatar * POSE_STRIDE;
    for (let i = 0; i < POSE_STRIDE; i++) pose[i] = PendingPose.values[at + i]!;
    // A pose the head could not reach yet stays the goal: the avatar keeps walking to it at the
    // speed limit, so the last pose a client sends is where it ends up.
    if (!limitHeadSpeed(AvatarPose.values, at, pose, maxDistance)) PendingPose.pending[avatar] = 0;
    confineToShowroom(pose, world.bounds, world.config.armReach);
    if (copyIfChanged(pose, 0, AvatarPose.values, at, POSE_STRIDE)) markAvatarDirty(world, avatar);
  }
}
