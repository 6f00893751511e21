import { describe, expect, it } from "vitest";
import { queuePose, stepWorld, takeDirty } from "../../../ecs";
import { avatarPose, distance, makeWorld, pose, spawnVisitor } from "./fixtures";

describe("moving an avatar", () => {
  it("a visitor cannot outrun the speed limit: the head stops at maxSpeed*dt along the way it was going", () => {
    const world = makeWorld({ maxSpeed: 4 });
    const visitor = spawnVisitor(world, [0, 1.6, 0]);
    queuePose(world, visitor, pose([3, 1.6, 4])); // 5 m in one 100 ms step
    stepWorld(world, 100);
    const after = avatarPose(world, visitor);
    expect(after[0]).toBeCloseTo(0.4 * 0.6, 9);
    expect(after[2]).toBeCloseTo(0.4 * 0.8, 9);
    expect(after[1]).toBeCloseTo(1.6, 9);
  });

  it("a visitor whose poses arrive slower than the simulation still walks at full speed, but a long silence earns no jump", () => {
    const world = makeWorld({ maxSpeed: 4, maxPoseGapMs: 250 });
    const visitor = spawnVisitor(world, [0, 1.6, 0]);
    // Poses every 200 ms (a busy headset) over 33 ms steps: each may cover 4 m/s x 200 ms.
    for (let i = 0; i < 6; i++) stepWorld(world, 100 / 3);
    queuePose(world, visitor, pose([0.8, 1.6, 0]));
    stepWorld(world, 100 / 3);
    expect(avatarPose(world, visitor)[0]).toBeCloseTo(0.8, 6);
    // Ten seconds of silence, then a pose 5 m away: only 250 ms worth of walking is allowed.
    for (let i = 0; i < 300; i++) stepWorld(world, 100 / 3);
    queuePose(world, visitor, pose([5.8, 1.6, 0]));
    stepWorld(world, 100 / 3);
    expect(avatarPose(world, visitor)[0]).toBeCloseTo(0.8 + 4 * 0.25, 6);
  });

  it("a pose held back by the speed limit is still reached, at the speed limit, on the following steps", () => {
    const world = makeWorld({ maxSpeed: 4 });
    const visitor = spawnVisitor(world, [0, 1.6, 0]);
    queuePose(world, visitor, pose([1, 1.6, 0]));
    stepWorld(world, 100);
    expect(avatarPose(world, visitor)[0]).toBeCloseTo(0.4, 9);
    stepWorld(world, 100);
    expect(avatarPose(world, visitor)[0]).toBeCloseTo(0.8, 9);
    stepWorld(world, 100);
    stepWorld(world, 100);
    expect(avatarPose(world, visitor)[0]).toBeCloseTo(1, 9);
  });

  it("a move within the speed limit is taken as sent", () => {
    const world = makeWorld({ maxSpeed: 4 });
    const visitor = spawnVisitor(world, [0, 1.6, 0]);
    const sent = pose([0.2, 1.5, -0.3], { yaw: 0.5 });
    queuePose(world, visitor, sent);
    stepWorld(world, 100);
    expect(avatarPose(world, visitor)).toEqual(sent);
  });

  it("hands keep their place relative to a head held back by the speed limit", () => {
    const world = makeWorld({ maxSpeed: 4 });
    const visitor = spawnVisitor(world, [0, 1.6, 0]);
    queuePose(world, visitor, pose([4, 1.6, 0], { left: [3.7, 1.2, -0.4], right: [4.3, 1.2, -0.4] }));
    stepWorld(world, 100);
    const after = avatarPose(world, visitor);
    expect(after[0]).toBeCloseTo(0.4, 9);
    expect(after[7]).toBeCloseTo(0.1, 9);
    expect(after[14]).toBeCloseTo(0.7, 9);
  });

  it("only the latest pose queued between two steps counts", () => {
    const world = makeWorld();
    const visitor = spawnVisitor(world, [0, 1.6, 0]);
    queuePose(world, visitor, pose([0.1, 1.6, 0]));
    queuePose(world, visitor, pose([-0.1, 1.6, 0]));
    stepWorld(world, 100);
    expect(avatarPose(world, visitor)[0]).toBeCloseTo(-0.1, 12);
  });

  it("a head cannot leave the showroom nor sink below 0.3 m or rise above the ceiling", () => {
    const world = makeWorld({ maxSpeed: 1000 });
    const visitor = spawnVisitor(world, [4.9, 1.6, 0]);
    queuePose(world, visitor, pose([6, 0.1, -7]));
    stepWorld(world, 100);
    let after = avatarPose(world, visitor);
    expect([after[0], after[1], after[2]]).toEqual([5, 0.3, -5]);
    queuePose(world, visitor, pose([0, 9, 0]));
    stepWorld(world, 100);
    after = avatarPose(world, visitor);
    expect(after[1]).toBe(3);
  });

  it("a hand is kept above the floor and inside the walls", () => {
    const world = makeWorld();
    const visitor = spawnVisitor(world, [4.8, 0.5, 0]);
    queuePose(world, visitor, pose([4.8, 0.5, 0], { left: [4.8, -0.3, 0], right: [5.4, 0.5, 0] }));
    stepWorld(world, 100);
    const after = avatarPose(world, visitor);
    expect(after[8]).toBe(0);
    expect(after[14]).toBe(5);
  });

  it("a hand is pulled back within arm's reach along the line from the head", () => {
    const world = makeWorld({ armReach: 1 });
    const visitor = spawnVisitor(world, [0, 1.6, 0]);
    queuePose(world, visitor, pose([0, 1.6, 0], { right: [0, 1.6, -3] }));
    stepWorld(world, 100);
    const after = avatarPose(world, visitor);
    expect(distance(after, 14, after, 0)).toBeCloseTo(1, 9);
    expect(after[14]).toBeCloseTo(0, 12);
    expect(after[16]).toBeCloseTo(-1, 9);
  });

  it("rotations are taken as sent", () => {
    const world = makeWorld();
    const visitor = spawnVisitor(world, [0, 1.6, 0]);
    const tilted = [0.5, 0.5, 0.5, 0.5];
    queuePose(world, visitor, pose([0, 1.6, 0], { yaw: 1.2, rightQuat: tilted }));
    stepWorld(world, 100);
    const after = avatarPose(world, visitor);
    expect(after.slice(3, 7)).toEqual(pose([0, 0, 0], { yaw: 1.2 }).slice(3, 7));
    expect(after.slice(17, 21)).toEqual(tilted);
  });

  it("the pose a visitor joins with is clamped into the showroom", () => {
    const world = makeWorld({ armReach: 1 });
    const visitor = spawnVisitor(world, [20, 1.6, -20], { right: [30, 1.6, -20] });
    const after = avatarPose(world, visitor);
    expect([after[0], after[2]]).toEqual([5, -5]);
    expect(distance(after, 14, after, 0)).toBeLessThanOrEqual(1 + 1e-12);
  });

  it("an avatar that sends the pose it already has is not dirty", () => {
    const world = makeWorld();
    const visitor = spawnVisitor(world, [0, 1.6, 0]);
    takeDirty(world);
    queuePose(world, visitor, avatarPose(world, visitor));
    stepWorld(world, 100);
    expect(takeDirty(world).avatars).toEqual([]);
  });
});
