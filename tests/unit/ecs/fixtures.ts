import {
  addAvatar,
  addProduct,
  createShowroomWorld,
  readAvatarPose,
  readProductTransform,
  Role,
  stepWorld,
  type ShowroomWorld,
  type SimConfig,
} from "../../../ecs";
import { nth } from "../../support/items";

export type Point = [number, number, number];

/** A 10 m x 10 m room centred on the origin, 3 m high. */
export const ROOM = { minX: -5, maxX: 5, minZ: -5, maxZ: 5, height: 3 };

export function makeWorld(config: Partial<SimConfig> = {}, capacity?: number): ShowroomWorld {
  return createShowroomWorld(ROOM, config, capacity);
}

/** Quaternion turning the view by `yaw` radians about +Y; yaw 0 looks down -Z. */
export function yawQuat(yaw: number): [number, number, number, number] {
  return [0, Math.sin(yaw / 2), 0, Math.cos(yaw / 2)];
}

/** A standing visitor: hands 40 cm in front of and 30 cm to each side of the head unless given. */
export function pose(
  head: Point,
  opts: { yaw?: number; left?: Point; right?: Point; leftQuat?: number[]; rightQuat?: number[] } = {},
): number[] {
  const q = yawQuat(opts.yaw ?? 0);
  const left = opts.left ?? [head[0] - 0.3, head[1] - 0.4, head[2] - 0.4];
  const right = opts.right ?? [head[0] + 0.3, head[1] - 0.4, head[2] - 0.4];
  return [...head, ...q, ...left, ...(opts.leftQuat ?? [0, 0, 0, 1]), ...right, ...(opts.rightQuat ?? [0, 0, 0, 1])];
}

export function spawnVisitor(world: ShowroomWorld, head: Point, opts: Parameters<typeof pose>[1] = {}): number {
  return addAvatar(world, { role: Role.Customer, pose: pose(head, opts) });
}

export function avatarPose(world: ShowroomWorld, eid: number): number[] {
  const out = new Array<number>(21).fill(NaN);
  readAvatarPose(world, eid, out);
  return out;
}

export function productTransform(world: ShowroomWorld, eid: number): number[] {
  const out = new Array<number>(7).fill(NaN);
  readProductTransform(world, eid, out);
  return out;
}

export const distance = (a: ArrayLike<number>, aAt: number, b: ArrayLike<number>, bAt: number): number =>
  Math.hypot(nth(a, aAt) - nth(b, bAt), nth(a, aAt + 1) - nth(b, bAt + 1), nth(a, aAt + 2) - nth(b, bAt + 2));

/** Steps `count` times at `dtMs` each. */
export function run(world: ShowroomWorld, count: number, dtMs = 100): void {
  for (let i = 0; i < count; i++) stepWorld(world, dtMs);
}

export function placeProduct(world: ShowroomWorld, at: Point, grabbable = true): number {
  return addProduct(world, { x: at[0], y: at[1], z: at[2], qx: 0, qy: 0, qz: 0, qw: 1, grabbable });
}
