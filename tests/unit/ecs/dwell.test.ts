import { describe, expect, it } from "vitest";
import {
  drainEvents,
  endAllDwells,
  queuePose,
  removeAvatar,
  setAvatarAway,
  stepWorld,
  type ShowroomWorld,
  type SimEvent,
} from "../../../ecs";
import { makeWorld, placeProduct, pose, run, spawnVisitor } from "./fixtures";

const dwells = (events: SimEvent[]) => events.filter((e) => e.type === "dwell");

/** A visitor at the origin looking down -Z at a sofa 2 m ahead. */
function visitorFacingSofa() {
  const world = makeWorld({ dwellMinMs: 2000 });
  const visitor = spawnVisitor(world, [0, 1.6, 0]);
  const sofa = placeProduct(world, [0, 0.5, -2]);
  return { world, visitor, sofa };
}

const turnAround = (world: ShowroomWorld, visitor: number) =>
  queuePose(world, visitor, pose([0, 1.6, 0], { yaw: Math.PI }));

describe("dwell", () => {
  it("looking at a product for 2.5 s records one dwell; turning away ends it", () => {
    const { world, visitor, sofa } = visitorFacingSofa();
    run(world, 25);
    expect(dwells(drainEvents(world))).toEqual([]);
    turnAround(world, visitor);
    stepWorld(world, 100);
    run(world, 10);
    expect(dwells(drainEvents(world))).toEqual([
      { type: "dwell", avatar: visitor, product: sofa, startedAtMs: 100, durationMs: 2500, atMs: 2600 },
    ]);
  });

  it("a visitor whose connection drops stops attending: the dwell ends then, and a new one starts only once they are back", () => {
    const { world, visitor, sofa } = visitorFacingSofa();
    run(world, 25);
    setAvatarAway(world, visitor, true);
    run(world, 100);
    // The avatar still stands facing the sofa, but its visitor is not there to see it.
    expect(dwells(drainEvents(world))).toEqual([
      { type: "dwell", avatar: visitor, product: sofa, startedAtMs: 100, durationMs: 2500, atMs: 2600 },
    ]);
    setAvatarAway(world, visitor, false);
    run(world, 30);
    turnAround(world, visitor);
    stepWorld(world, 100);
    expect(dwells(drainEvents(world))).toMatchObject([{ type: "dwell", product: sofa, durationMs: 3000 }]);
  });

  it("looking at a product for 1.5 s records none", () => {
    const { world, visitor } = visitorFacingSofa();
    run(world, 15);
    turnAround(world, visitor);
    run(world, 30);
    expect(dwells(drainEvents(world))).toEqual([]);
  });

  it("a product outside the facing cone is not attended to", () => {
    const world = makeWorld({ dwellFacingCos: Math.cos((40 * Math.PI) / 180) });
    spawnVisitor(world, [0, 1.6, 0]);
    placeProduct(world, [1.5, 0.5, -1.2]); // about 51° to the right of straight ahead
    run(world, 30);
    endAllDwells(world);
    expect(dwells(drainEvents(world))).toEqual([]);
  });

  it("looking down at a product still faces it", () => {
    const { world, visitor, sofa } = visitorFacingSofa();
    const pitchDown = -Math.PI / 5; // 36° below the horizon, about +X
    const pitchedDown = [Math.sin(pitchDown / 2), 0, 0, Math.cos(pitchDown / 2)];
    const headPose = pose([0, 1.6, 0]);
    headPose.splice(3, 4, ...pitchedDown);
    queuePose(world, visitor, headPose);
    run(world, 25);
    turnAround(world, visitor);
    stepWorld(world, 100);
    expect(dwells(drainEvents(world))).toMatchObject([{ product: sofa, durationMs: 2500 }]);
  });

  it("a product further than dwellDistance is not attended to", () => {
    const world = makeWorld({ dwellDistance: 2.5 });
    spawnVisitor(world, [0, 1.6, 0]);
    placeProduct(world, [0, 0.5, -2.6]);
    run(world, 30);
    endAllDwells(world);
    expect(dwells(drainEvents(world))).toEqual([]);
  });

  it("walking away ends the episode", () => {
    const { world, visitor, sofa } = visitorFacingSofa();
    run(world, 30);
    queuePose(world, visitor, pose([0, 1.6, 0.4])); // the speed limit allows 0.4 m per 100 ms
    stepWorld(world, 100);
    queuePose(world, visitor, pose([0, 1.6, 0.8]));
    stepWorld(world, 100);
    expect(dwells(drainEvents(world))).toEqual([
      { type: "dwell", avatar: visitor, product: sofa, startedAtMs: 100, durationMs: 3100, atMs: 3200 },
    ]);
  });

  it("the nearest product in view is the focus, and a new focus ends the previous episode", () => {
    const { world, visitor, sofa } = visitorFacingSofa();
    const lamp = placeProduct(world, [0, 1.0, -1]);
    run(world, 30);
    queuePose(world, visitor, pose([0, 1.6, -0.4]));
    stepWorld(world, 100);
    // Still the lamp: nearer. Now step past it so only the sofa is ahead.
    expect(dwells(drainEvents(world))).toEqual([]);
    queuePose(world, visitor, pose([0, 1.6, -0.8]));
    stepWorld(world, 100);
    queuePose(world, visitor, pose([0, 1.6, -1.2]));
    stepWorld(world, 100);
    const ended = dwells(drainEvents(world));
    expect(ended).toEqual([
      { type: "dwell", avatar: visitor, product: lamp, startedAtMs: 100, durationMs: 3200, atMs: 3300 },
    ]);
    run(world, 25);
    endAllDwells(world);
    expect(dwells(drainEvents(world))).toEqual([
      { type: "dwell", avatar: visitor, product: sofa, startedAtMs: 3300, durationMs: 2500, atMs: 5800 },
    ]);
  });

  it("an avatar leaving mid-episode records its dwell", () => {
    const { world, visitor, sofa } = visitorFacingSofa();
    run(world, 21);
    removeAvatar(world, visitor);
    expect(dwells(drainEvents(world))).toEqual([
      { type: "dwell", avatar: visitor, product: sofa, startedAtMs: 100, durationMs: 2000, atMs: 2100 },
    ]);
  });

  it("endAllDwells records every open episode long enough, once", () => {
    const { world, visitor, sofa } = visitorFacingSofa();
    const latecomer = spawnVisitor(world, [0.5, 1.6, 0]);
    run(world, 20);
    spawnVisitor(world, [-0.5, 1.6, 0]); // 500 ms on the sofa: too short to report
    run(world, 5);
    endAllDwells(world);
    endAllDwells(world);
    expect(dwells(drainEvents(world))).toEqual([
      { type: "dwell", avatar: visitor, product: sofa, startedAtMs: 100, durationMs: 2400, atMs: 2500 },
      { type: "dwell", avatar: latecomer, product: sofa, startedAtMs: 100, durationMs: 2400, atMs: 2500 },
    ]);
  });
});
