import { describe, expect, it } from "vitest";
import { drainEvents, queuePose, queueTeleport, stepWorld, takeDirty } from "../../../ecs";
import { avatarPose, makeWorld, pose, spawnVisitor } from "./fixtures";
import { nth } from "../../support/items";

describe("teleporting", () => {
  it("moves the head and both hands by the same offset, keeping the head height", () => {
    const world = makeWorld();
    const visitor = spawnVisitor(world, [0, 1.6, 0]);
    const before = avatarPose(world, visitor);
    takeDirty(world);
    queueTeleport(world, visitor, 3, -2);
    stepWorld(world, 16);
    const after = avatarPose(world, visitor);
    for (const at of [0, 7, 14]) {
      expect(after[at]).toBeCloseTo(nth(before, at) + 3, 12);
      expect(after[at + 1]).toBe(before[at + 1]);
      expect(after[at + 2]).toBeCloseTo(nth(before, at + 2) - 2, 12);
    }
    expect(drainEvents(world)).toEqual([]);
    expect(takeDirty(world).avatars).toEqual([visitor]);
  });

  it("teleport out of bounds is refused and the avatar stays put", () => {
    const world = makeWorld();
    const visitor = spawnVisitor(world, [0, 1.6, 0]);
    queueTeleport(world, visitor, 5.5, 0);
    queueTeleport(world, visitor, Number.NaN, 0);
    stepWorld(world, 16);
    expect(avatarPose(world, visitor)[0]).toBe(0);
    expect(drainEvents(world)).toEqual([
      { type: "teleport_refused", avatar: visitor, reason: "out_of_bounds", atMs: 16 },
      { type: "teleport_refused", avatar: visitor, reason: "out_of_bounds", atMs: 16 },
    ]);
  });

  it("a teleport further than teleportMaxDistance is refused", () => {
    const world = makeWorld({ teleportMaxDistance: 8 });
    const visitor = spawnVisitor(world, [-4, 1.6, -4]);
    queueTeleport(world, visitor, 4, 4);
    stepWorld(world, 16);
    expect(avatarPose(world, visitor)[0]).toBe(-4);
    expect(drainEvents(world)).toMatchObject([{ type: "teleport_refused", reason: "too_far" }]);
  });

  it("a second teleport inside the cooldown is refused; after it, allowed", () => {
    const world = makeWorld({ teleportCooldownMs: 300 });
    const visitor = spawnVisitor(world, [0, 1.6, 0]);
    queueTeleport(world, visitor, 1, 0);
    stepWorld(world, 100);
    queueTeleport(world, visitor, 2, 0);
    stepWorld(world, 100);
    expect(avatarPose(world, visitor)[0]).toBe(1);
    expect(drainEvents(world)).toEqual([{ type: "teleport_refused", avatar: visitor, reason: "cooldown", atMs: 200 }]);
    stepWorld(world, 200);
    queueTeleport(world, visitor, 2, 0);
    stepWorld(world, 100);
    expect(avatarPose(world, visitor)[0]).toBe(2);
    expect(drainEvents(world)).toEqual([]);
  });

  it("a pose sent before the teleport does not drag the avatar back", () => {
    const world = makeWorld();
    const visitor = spawnVisitor(world, [0, 1.6, 0]);
    queuePose(world, visitor, pose([0.1, 1.6, 0]));
    queueTeleport(world, visitor, 4, 0);
    stepWorld(world, 100);
    expect(avatarPose(world, visitor)[0]).toBe(4);
  });
});
