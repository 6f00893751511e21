import { addComponent, addEntity, removeEntity } from "bitecs";
import { NO_ENTITY, POSE_STRIDE, TRANSFORM_STRIDE } from "./components";
import { markAvatarDirty, markProductDirty } from "./dirty";
import { closeDwellEpisode } from "./dwell-episodes";
import { isAvatar, isProduct, releaseHand } from "./holding";
import type { WritableNumbers } from "./math";
import { confineToShowroom } from "./pose-constraints";
import { Hand, Role, type PoseArray } from "./types";
import type { ShowroomWorld } from "./world";

export function addAvatar(world: ShowroomWorld, init: { role: Role; pose: PoseArray }): number {
  if (init.role !== Role.Customer && init.role !== Role.Agent && init.role !== Role.Assistant) {
    throw new RangeError(`unknown avatar role ${String(init.role)}`);
  }
  assertPoseLength(init.pose);
  const { Avatar, AvatarPose, PendingPose, Hands, Locomotion, DwellFocus } = world.components;
  const eid = addEntityWithinCapacity(world);
  for (const component of [Avatar, AvatarPose, PendingPose, Hands, Locomotion, DwellFocus]) {
    addComponent(world, eid, component);
  }
  // Ids are recycled, so every field is reset rather than trusting what a previous owner left.
  Avatar.role[eid] = init.role;
  Avatar.away[eid] = 0;
  const pose = world.scratch.pose;
  for (let i = 0; i < POSE_STRIDE; i++) pose[i] = init.pose[i]!;
  confineToShowroom(pose, world.bounds, world.config.armReach);
  AvatarPose.values.set(pose, eid * POSE_STRIDE);
  PendingPose.pending[eid] = 0;
  Hands.product[eid * 2 + Hand.Left] = NO_ENTITY;
  Hands.product[eid * 2 + Hand.Right] = NO_ENTITY;
  Locomotion.lastTeleportAtMs[eid] = -Infinity;
  Locomotion.lastPoseAtMs[eid] = world.time.elapsedMs;
  DwellFocus.product[eid] = NO_ENTITY;
  markAvatarDirty(world, eid);
  return eid;
}

/**
 * Marks a visitor whose connection is lost (their seat held for a reconnection) or back. While
 * away they attend to no product: an open dwell closes at the next step and none starts.
 */
export function setAvatarAway(world: ShowroomWorld, eid: number, away: boolean): void {
  if (isAvatar(world, eid)) world.components.Avatar.away[eid] = away ? 1 : 0;
}

/** Releases what the avatar held and closes its dwell episode before it disappears. Unknown ids are ignored. */
export function removeAvatar(world: ShowroomWorld, eid: number): void {
  if (!isAvatar(world, eid)) return;
  releaseHand(world, eid, Hand.Left);
  releaseHand(world, eid, Hand.Right);
  closeDwellEpisode(world, eid);
  // The id may be handed to a newcomer before the next step; its queued commands must not follow.
  const { inputs } = world;
  inputs.teleports = inputs.teleports.filter((command) => command.avatar !== eid);
  inputs.hands = inputs.hands.filter((command) => command.avatar !== eid);
  world.components.PendingPose.pending[eid] = 0;
  removeEntity(world, eid);
}

export function addProduct(
  world: ShowroomWorld,
  init: { x: number; y: number; z: number; qx: number; qy: number; qz: number; qw: number; grabbable: boolean },
): number {
  const transform = [init.x, init.y, init.z, init.qx, init.qy, init.qz, init.qw];
  if (!transform.every(Number.isFinite))
    throw new RangeError(`product transform must be finite: ${transform.join(",")}`);
  const { Product, Transform, Held } = world.components;
  const eid = addEntityWithinCapacity(world);
  addComponent(world, eid, Product);
  addComponent(world, eid, Transform);
  Product.grabbable[eid] = init.grabbable ? 1 : 0;
  Transform.values.set(transform, eid * TRANSFORM_STRIDE);
  Held.avatar[eid] = NO_ENTITY;
  markProductDirty(world, eid);
  return eid;
}

export function readAvatarPose(world: ShowroomWorld, eid: number, out: WritableNumbers): void {
  assertAvatar(world, eid);
  const values = world.components.AvatarPose.values;
  const at = eid * POSE_STRIDE;
  for (let i = 0; i < POSE_STRIDE; i++) out[i] = values[at + i]!;
}

export function readProductTransform(world: ShowroomWorld, eid: number, out: WritableNumbers): void {
  assertProduct(world, eid);
  const values = world.components.Transform.values;
  const at = eid * TRANSFORM_STRIDE;
  for (let i = 0; i < TRANSFORM_STRIDE; i++) out[i] = values[at + i]!;
}

export function productHolder(world: ShowroomWorld, product: number): { avatar: number; hand: Hand } | null {
  assertProduct(world, product);
  const { Held } = world.components;
  const avatar = Held.avatar[product]!;
  return avatar === NO_ENTITY ? null : { avatar, hand: Held.hand[product] as Hand };
}

export function avatarRole(world: ShowroomWorld, eid: number): Role {
  assertAvatar(world, eid);
  return world.components.Avatar.role[eid] as Role;
}

function addEntityWithinCapacity(world: ShowroomWorld): number {
  const eid = addEntity(world);
  // bitECS reuses freed ids before minting new ones, so an id past capacity means the world is full.
  if (eid > world.capacity) {
    removeEntity(world, eid);
    throw new RangeError(`showroom world is full: it holds at most ${world.capacity} entities`);
  }
  return eid;
}

export function assertPoseLength(pose: PoseArray): void {
  if (pose.length < POSE_STRIDE) throw new RangeError(`a pose has ${POSE_STRIDE} numbers, got ${pose.length}`);
}

function assertAvatar(world: ShowroomWorld, eid: number): void {
  if (!isAvatar(world, eid)) throw new RangeError(`entity ${eid} is not an avatar`);
}

function assertProduct(world: ShowroomWorld, eid: number): void {
  if (!isProduct(world, eid)) throw new RangeError(`entity ${eid} is not a product`);
}
