import { HEAD_AT, NO_ENTITY, POSE_STRIDE, TRANSFORM_STRIDE } from "../components";
import { closeDwellEpisode, openDwellEpisode } from "../dwell-episodes";
import { avatars, products } from "../queries";
import type { ShowroomWorld } from "../world";

/** Looking almost straight up or down leaves no horizontal direction to compare against. */
const MIN_FORWARD_LENGTH = 1e-6;

/**
 * Tracks which product each visitor is attending to: the nearest one within dwellDistance inside
 * the facing cone of the head, on the floor plane. An episode runs while that focus stays the same.
 */
export function dwell(world: ShowroomWorld): void {
  const { DwellFocus, Avatar } = world.components;
  for (const avatar of avatars(world)) {
    const focus = Avatar.away[avatar] ? NO_ENTITY : focusOf(world, avatar);
    if (focus === DwellFocus.product[avatar]) continue;
    closeDwellEpisode(world, avatar);
    if (focus !== NO_ENTITY) openDwellEpisode(world, avatar, focus);
  }
}

function focusOf(world: ShowroomWorld, avatar: number): number {
  const pose = world.components.AvatarPose.values;
  const transforms = world.components.Transform.values;
  const { dwellDistance, dwellFacingCos } = world.config;
  const h = avatar * POSE_STRIDE + HEAD_AT;
  const qx = pose[h + 3]!,
    qy = pose[h + 4]!,
    qz = pose[h + 5]!,
    qw = pose[h + 6]!;
  // -Z rotated by the head quaternion (the negated third column of its rotation matrix), on the floor plane.
  const forwardX = -2 * (qx * qz + qw * qy);
  const forwardZ = 2 * (qx * qx + qy * qy) - 1;
  const forwardLength = Math.sqrt(forwardX * forwardX + forwardZ * forwardZ);
  if (forwardLength < MIN_FORWARD_LENGTH) return NO_ENTITY;
  const fx = forwardX / forwardLength;
  const fz = forwardZ / forwardLength;

  let nearest = NO_ENTITY;
  let nearestDistance = Infinity;
  for (const product of products(world)) {
    const p = product * TRANSFORM_STRIDE;
    const dx = transforms[p]! - pose[h]!;
    const dz = transforms[p + 2]! - pose[h + 2]!;
    const distance = Math.sqrt(dx * dx + dz * dz);
    if (distance > dwellDistance || distance >= nearestDistance) continue;
    // Standing over a product (no horizontal direction to it) counts as facing it.
    const facing = distance === 0 || (fx * dx + fz * dz) / distance >= dwellFacingCos;
    if (facing) {
      nearest = product;
      nearestDistance = distance;
    }
  }
  return nearest;
}
