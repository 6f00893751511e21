import { describe, expect, it } from "vitest";
import {
  addAvatar,
  addProduct,
  avatarRole,
  createShowroomWorld,
  drainEvents,
  Hand,
  productHolder,
  queueGrab,
  queuePose,
  queueTeleport,
  removeAvatar,
  Role,
  stepWorld,
} from "../../../ecs";
import { avatarPose, makeWorld, pose, ROOM, spawnVisitor } from "./fixtures";

const product = { x: 0, y: 1, z: 0, qx: 0, qy: 0, qz: 0, qw: 1, grabbable: true };

describe("showroom world", () => {
  it("a full world refuses a newcomer clearly, and takes one again once someone leaves", () => {
    const world = makeWorld({}, 2);
    const first = spawnVisitor(world, [0, 1.6, 0]);
    addProduct(world, product);
    expect(() => spawnVisitor(world, [1, 1.6, 0])).toThrow(/full.*2 entities/);
    removeAvatar(world, first);
    expect(spawnVisitor(world, [1, 1.6, 0])).toBeLessThanOrEqual(2);
  });

  it("an id reused by a newcomer carries nothing from its previous owner", () => {
    const world = makeWorld();
    const vase = addProduct(world, { ...product, x: 0.3, y: 1.0, z: -0.5 });
    const agent = addAvatar(world, { role: Role.Agent, pose: pose([0, 1.6, 0]) });
    queueGrab(world, agent, vase, Hand.Right);
    stepWorld(world, 100);
    queuePose(world, agent, pose([0.3, 1.6, 0]));
    removeAvatar(world, agent);
    const customer = spawnVisitor(world, [-3, 1.6, 0]);
    expect(customer).toBe(agent);
    stepWorld(world, 100);
    expect(avatarRole(world, customer)).toBe(Role.Customer);
    expect(avatarPose(world, customer)[0]).toBe(-3);
    expect(productHolder(world, vase)).toBeNull();
  });

  it("a leaver's queued grab and teleport do not happen to the newcomer given its id", () => {
    const world = makeWorld();
    const vase = addProduct(world, { ...product, x: 0.3, y: 1.0, z: -0.5 });
    const leaver = spawnVisitor(world, [0, 1.6, 0]);
    queueGrab(world, leaver, vase, Hand.Right);
    queueTeleport(world, leaver, 3, 3);
    removeAvatar(world, leaver);
    const newcomer = spawnVisitor(world, [0, 1.6, 0]);
    expect(newcomer).toBe(leaver);
    stepWorld(world, 100);
    expect(productHolder(world, vase)).toBeNull();
    expect(avatarPose(world, newcomer)[0]).toBe(0);
  });

  it("two worlds in one process share nothing", () => {
    const a = makeWorld();
    const b = createShowroomWorld({ ...ROOM, maxX: 50, maxZ: 50 });
    const inA = spawnVisitor(a, [0, 1.6, 0]);
    const inB = spawnVisitor(b, [20, 1.6, 20]);
    expect(inA).toBe(inB);
    expect(avatarPose(a, inA)[0]).toBe(0);
    expect(avatarPose(b, inB)[0]).toBe(20);
    stepWorld(a, 100);
    expect(a.time.elapsedMs).toBe(100);
    expect(b.time.elapsedMs).toBe(0);
  });

  it("inputs for an id that is no longer an avatar are dropped", () => {
    const world = makeWorld();
    const visitor = spawnVisitor(world, [0, 1.6, 0]);
    removeAvatar(world, visitor);
    queuePose(world, visitor, pose([0.1, 1.6, 0]));
    queueGrab(world, visitor, 1, Hand.Left);
    stepWorld(world, 100);
    expect(drainEvents(world)).toEqual([]);
  });

  it("rejects nonsense it is handed", () => {
    expect(() => createShowroomWorld({ ...ROOM, minX: 6 })).toThrow(RangeError);
    expect(() => makeWorld({ maxSpeed: Number.NaN })).toThrow(/maxSpeed/);
    const world = makeWorld();
    expect(() => stepWorld(world, -1)).toThrow(RangeError);
    const visitor = spawnVisitor(world, [0, 1.6, 0]);
    expect(() => queueGrab(world, visitor, visitor, 2 as Hand)).toThrow(/hand/);
    expect(() => addAvatar(world, { role: 7 as Role, pose: pose([0, 1.6, 0]) })).toThrow(/role/);
    expect(() => addAvatar(world, { role: Role.Agent, pose: [0, 1.6, 0] })).toThrow(/21 numbers/);
  });
});
