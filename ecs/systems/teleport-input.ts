import { POSE_STRIDE } from "../components";
import { markAvatarDirty } from "../dirty";
import { copyIfChanged } from "../math";
import { confineToShowroom, shiftPose } from "../pose-constraints";
import type { TeleportRefusedReason } from "../types";
import type { ShowroomWorld } from "../world";

/**
 * Applies teleport requests in arrival order. The avatar lands at the target with its head height
 * and its hands' placement unchanged.
 */
export function teleportInput(world: ShowroomWorld): void {
  const commands = world.inputs.teleports;
  if (commands.length === 0) return;
  world.inputs.teleports = [];
  const { AvatarPose, PendingPose, Locomotion } = world.components;
  const pose = world.scratch.pose;
  const now = world.time.elapsedMs;
  for (const { avatar, x, z } of commands) {
    const at = avatar * POSE_STRIDE;
    const dx = x - AvatarPose.values[at]!;
    const dz = z - AvatarPose.values[at + 2]!;
    const reason = refusal(world, avatar, x, z, dx, dz);
    if (reason !== null) {
      world.events.push({ type: "teleport_refused", avatar, reason, atMs: now });
      continue;
    }
    Locomotion.lastTeleportAtMs[avatar] = now;
    Locomotion.lastPoseAtMs[avatar] = now;
    // A pose sent before the client saw the teleport would drag the head back toward the old spot.
    PendingPose.pending[avatar] = 0;
    for (let i = 0; i < POSE_STRIDE; i++) pose[i] = AvatarPose.values[at + i]!;
    shiftPose(pose, dx, 0, dz);
    confineToShowroom(pose, world.bounds, world.config.armReach);
    if (copyIfChanged(pose, 0, AvatarPose.values, at, POSE_STRIDE)) markAvatarDirty(world, avatar);
  }
}

function refusal(
  world: ShowroomWorld,
  avatar: number,
  x: number,
  z: number,
  dx: number,
  dz: number,
): TeleportRefusedReason | null {
  const { bounds, config } = world;
  // Written so that NaN fails every comparison and lands here as out of bounds.
  const inside = x >= bounds.minX && x <= bounds.maxX && z >= bounds.minZ && z <= bounds.maxZ;
  if (!inside) return "out_of_bounds";
  if (Math.sqrt(dx * dx + dz * dz) > config.teleportMaxDistance) return "too_far";
  if (world.time.elapsedMs - world.components.Locomotion.lastTeleportAtMs[avatar]! < config.teleportCooldownMs)
    return "cooldown";
  return null;
}
