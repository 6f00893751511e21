import { describe, expect, it } from "vitest";
import { addProduct, Hand, queueGrab, queuePose, queueRelease, removeAvatar, stepWorld, takeDirty } from "../../../ecs";
import { avatarPose, makeWorld, pose, spawnVisitor } from "./fixtures";

describe("takeDirty", () => {
  it("reports new entities once, then nothing while nothing changes", () => {
    const world = makeWorld();
    const visitor = spawnVisitor(world, [0, 1.6, 0]);
    const vase = addProduct(world, { x: 3, y: 1, z: 3, qx: 0, qy: 0, qz: 0, qw: 1, grabbable: true });
    expect(takeDirty(world)).toEqual({ avatars: [visitor], products: [vase] });
    stepWorld(world, 100);
    expect(takeDirty(world)).toEqual({ avatars: [], products: [] });
  });

  it("takeDirty reports only changed entities", () => {
    const world = makeWorld();
    const still = spawnVisitor(world, [-2, 1.6, 0]);
    const moving = spawnVisitor(world, [2, 1.6, 0]);
    addProduct(world, { x: -4, y: 1, z: -4, qx: 0, qy: 0, qz: 0, qw: 1, grabbable: true });
    // The product far away never changes; the vase goes through a grab, a carry and a release.
    const vase = addProduct(world, { x: 2.3, y: 1.0, z: -0.5, qx: 0, qy: 0, qz: 0, qw: 1, grabbable: true });
    takeDirty(world);

    queuePose(world, still, avatarPose(world, still));
    queuePose(world, moving, pose([2, 1.6, 0], { yaw: 0.1 }));
    stepWorld(world, 100);
    expect(takeDirty(world)).toEqual({ avatars: [moving], products: [] });

    queueGrab(world, moving, vase, Hand.Right);
    stepWorld(world, 100);
    expect(takeDirty(world)).toEqual({ avatars: [], products: [vase] });

    queuePose(world, moving, pose([2.1, 1.6, 0]));
    stepWorld(world, 100);
    expect(takeDirty(world)).toEqual({ avatars: [moving], products: [vase] });

    queueRelease(world, moving, Hand.Right);
    stepWorld(world, 100);
    expect(takeDirty(world)).toEqual({ avatars: [], products: [vase] });
  });

  it("a removed avatar is not reported", () => {
    const world = makeWorld();
    const visitor = spawnVisitor(world, [0, 1.6, 0]);
    const other = spawnVisitor(world, [1, 1.6, 0]);
    removeAvatar(world, visitor);
    expect(takeDirty(world).avatars).toEqual([other]);
  });
});
