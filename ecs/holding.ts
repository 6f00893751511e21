import { addComponent, hasComponent, removeComponent } from "bitecs";
import { handAt, NO_ENTITY, POSE_STRIDE, TRANSFORM_STRIDE } from "./components";
import { markProductDirty } from "./dirty";
import { clamp, copyIfChanged, multiplyQuaternions, rotateVector } from "./math";
import type { Hand } from "./types";
import type { ShowroomWorld } from "./world";

export function isAvatar(world: ShowroomWorld, eid: number): boolean {
  return hasComponent(world, eid, world.components.Avatar);
}

export function isProduct(world: ShowroomWorld, eid: number): boolean {
  return hasComponent(world, eid, world.components.Product);
}

export function productInHand(world: ShowroomWorld, avatar: number, hand: Hand): number {
  return world.components.Hands.product[avatar * 2 + hand]!;
}

/** Gives the product to the hand, remembering where it sits in the hand's frame so it moves rigidly with it. */
export function attachToHand(world: ShowroomWorld, product: number, avatar: number, hand: Hand): void {
  const { AvatarPose, Transform, Held, Hands } = world.components;
  const pose = AvatarPose.values;
  const h = avatar * POSE_STRIDE + handAt(hand);
  const t = Transform.values;
  const p = product * TRANSFORM_STRIDE;
  // Offset = inverse(hand) · product; the inverse of a unit quaternion is its conjugate.
  const cx = -pose[h + 3]!,
    cy = -pose[h + 4]!,
    cz = -pose[h + 5]!,
    cw = pose[h + 6]!;
  rotateVector(cx, cy, cz, cw, t[p]! - pose[h]!, t[p + 1]! - pose[h + 1]!, t[p + 2]! - pose[h + 2]!, Held.offset, p);
  multiplyQuaternions(cx, cy, cz, cw, t[p + 3]!, t[p + 4]!, t[p + 5]!, t[p + 6]!, Held.offset, p + 3);

  addComponent(world, product, Held);
  Held.avatar[product] = avatar;
  Held.hand[product] = hand;
  Hands.product[avatar * 2 + hand] = product;
  markProductDirty(world, product);
  world.events.push({ type: "grabbed", avatar, product, hand, atMs: world.time.elapsedMs });
}

/**
 * Puts a held product where its holder's hand now carries it. The hand is inside the showroom but
 * the product sits up to grabReach from it, so it is kept inside too (it slides along a wall or the
 * floor rather than passing through, where nobody could get it back).
 */
export function followHand(world: ShowroomWorld, product: number): void {
  const { AvatarPose, Transform, Held } = world.components;
  const pose = AvatarPose.values;
  const h = Held.avatar[product]! * POSE_STRIDE + handAt(Held.hand[product]!);
  const off = Held.offset;
  const o = product * TRANSFORM_STRIDE;
  const placed = world.scratch.transform;
  const qx = pose[h + 3]!,
    qy = pose[h + 4]!,
    qz = pose[h + 5]!,
    qw = pose[h + 6]!;
  rotateVector(qx, qy, qz, qw, off[o]!, off[o + 1]!, off[o + 2]!, placed, 0);
  const { bounds } = world;
  placed[0] = clamp(placed[0]! + pose[h]!, bounds.minX, bounds.maxX);
  placed[1] = clamp(placed[1]! + pose[h + 1]!, 0, bounds.height);
  placed[2] = clamp(placed[2]! + pose[h + 2]!, bounds.minZ, bounds.maxZ);
  multiplyQuaternions(qx, qy, qz, qw, off[o + 3]!, off[o + 4]!, off[o + 5]!, off[o + 6]!, placed, 3);
  if (copyIfChanged(placed, 0, Transform.values, o, TRANSFORM_STRIDE)) markProductDirty(world, product);
}

/**
 * Lets go of whatever the hand holds, leaving it exactly where the hand has it now (no gravity,
 * no snapping). Placing it first matters when the hand moved in the same step as the release.
 */
export function releaseHand(world: ShowroomWorld, avatar: number, hand: Hand): void {
  const { Hands, Held, Transform } = world.components;
  const slot = avatar * 2 + hand;
  const product = Hands.product[slot]!;
  if (product === NO_ENTITY) return;
  followHand(world, product);
  Hands.product[slot] = NO_ENTITY;
  Held.avatar[product] = NO_ENTITY;
  removeComponent(world, product, Held);
  markProductDirty(world, product);
  const t = product * TRANSFORM_STRIDE;
  world.events.push({
    type: "released",
    avatar,
    product,
    hand,
    atMs: world.time.elapsedMs,
    position: { x: Transform.values[t]!, y: Transform.values[t + 1]!, z: Transform.values[t + 2]! },
  });
}
