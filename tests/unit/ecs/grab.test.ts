import { describe, expect, it } from "vitest";
import {
  drainEvents,
  Hand,
  productHolder,
  queueGrab,
  queuePose,
  queueRelease,
  removeAvatar,
  stepWorld,
} from "../../../ecs";
import { avatarPose, makeWorld, placeProduct, pose, productTransform, ROOM, spawnVisitor, yawQuat } from "./fixtures";
import { nth } from "../../support/items";

/** A visitor at the origin whose right hand rests at (0.3, 1.2, -0.4), next to a vase at (0.3, 1.0, -0.5). */
function visitorBesideVase() {
  const world = makeWorld();
  const visitor = spawnVisitor(world, [0, 1.6, 0]);
  const vase = placeProduct(world, [0.3, 1.0, -0.5]);
  return { world, visitor, vase };
}

describe("grabbing and releasing products", () => {
  it("a visitor within reach takes the product into the hand", () => {
    const { world, visitor, vase } = visitorBesideVase();
    queueGrab(world, visitor, vase, Hand.Right);
    stepWorld(world, 100);
    expect(productHolder(world, vase)).toEqual({ avatar: visitor, hand: Hand.Right });
    expect(drainEvents(world)).toEqual([
      { type: "grabbed", avatar: visitor, product: vase, hand: Hand.Right, atMs: 100 },
    ]);
  });

  it("two visitors grabbing the same product: only the first gets it", () => {
    const { world, visitor: first, vase } = visitorBesideVase();
    const second = spawnVisitor(world, [0.6, 1.6, 0]);
    queueGrab(world, first, vase, Hand.Right);
    queueGrab(world, second, vase, Hand.Left);
    stepWorld(world, 100);
    expect(productHolder(world, vase)).toEqual({ avatar: first, hand: Hand.Right });
    expect(drainEvents(world)).toEqual([
      { type: "grabbed", avatar: first, product: vase, hand: Hand.Right, atMs: 100 },
      { type: "grab_refused", avatar: second, product: vase, hand: Hand.Left, reason: "held_by_other", atMs: 100 },
    ]);
  });

  it("a product out of grabReach is refused", () => {
    const world = makeWorld({ grabReach: 1.2 });
    const visitor = spawnVisitor(world, [0, 1.6, 0]);
    const farVase = placeProduct(world, [0.3, 1.2, -2]);
    queueGrab(world, visitor, farVase, Hand.Right);
    stepWorld(world, 100);
    expect(productHolder(world, farVase)).toBeNull();
    expect(drainEvents(world)).toMatchObject([{ type: "grab_refused", reason: "out_of_reach" }]);
  });

  it("a product flagged not grabbable, or an id that is not a product, is refused", () => {
    const world = makeWorld();
    const visitor = spawnVisitor(world, [0, 1.6, 0]);
    const display = placeProduct(world, [0.3, 1.0, -0.5], false);
    queueGrab(world, visitor, display, Hand.Right);
    queueGrab(world, visitor, visitor, Hand.Left);
    queueGrab(world, visitor, 999, Hand.Left);
    stepWorld(world, 100);
    expect(drainEvents(world).map((e) => e.type === "grab_refused" && e.reason)).toEqual([
      "not_grabbable",
      "unknown_product",
      "unknown_product",
    ]);
  });

  it("a hand holds at most one product", () => {
    const { world, visitor, vase } = visitorBesideVase();
    const cup = placeProduct(world, [0.2, 1.1, -0.4]);
    queueGrab(world, visitor, vase, Hand.Right);
    queueGrab(world, visitor, cup, Hand.Right);
    stepWorld(world, 100);
    expect(productHolder(world, cup)).toBeNull();
    expect(drainEvents(world)[1]).toMatchObject({ type: "grab_refused", product: cup, reason: "hand_busy" });
  });

  it("a held product follows and rotates with the hand, keeping its offset", () => {
    const { world, visitor, vase } = visitorBesideVase();
    queueGrab(world, visitor, vase, Hand.Right);
    stepWorld(world, 100);
    // Turn the right controller a quarter turn about +Y without moving it.
    const quarter = yawQuat(Math.PI / 2);
    queuePose(world, visitor, pose([0, 1.6, 0], { rightQuat: quarter }));
    stepWorld(world, 100);
    const t = productTransform(world, vase);
    // The vase sat 0.1 m toward -Z of the hand; a quarter turn about +Y puts it 0.1 m toward -X.
    expect(t[0]).toBeCloseTo(0.2, 9);
    expect(t[1]).toBeCloseTo(1.0, 9);
    expect(t[2]).toBeCloseTo(-0.4, 9);
    for (let i = 0; i < 4; i++) expect(t[3 + i]).toBeCloseTo(nth(quarter, i), 9);

    queuePose(world, visitor, pose([0.2, 1.6, 0], { rightQuat: quarter }));
    stepWorld(world, 100);
    expect(productTransform(world, vase)[0]).toBeCloseTo(0.4, 9);
  });

  it("releasing leaves the product where it was put", () => {
    const { world, visitor, vase } = visitorBesideVase();
    queueGrab(world, visitor, vase, Hand.Right);
    stepWorld(world, 100);
    queuePose(world, visitor, pose([0, 1.6, 0], { right: [0.4, 1.0, -0.5] }));
    queueRelease(world, visitor, Hand.Right);
    stepWorld(world, 100);
    drainEvents(world);
    const putDown = productTransform(world, vase);
    expect(putDown.slice(0, 3).map((v) => Number(v.toFixed(9)))).toEqual([0.4, 0.8, -0.6]);
    expect(productHolder(world, vase)).toBeNull();

    queuePose(world, visitor, pose([0, 1.6, 0], { right: [-0.5, 1.5, 0] }));
    stepWorld(world, 100);
    expect(productTransform(world, vase)).toEqual(putDown);
  });

  it("a held product stays inside the showroom: not through a wall, not under the floor", () => {
    const world = makeWorld();
    // Right hand at (4.8, 1.2, -0.4), by the wall at x = 5; the vase 0.8 m toward -X of it.
    const visitor = spawnVisitor(world, [4.5, 1.6, 0]);
    const vase = placeProduct(world, [4.0, 1.2, -0.4]);
    queueGrab(world, visitor, vase, Hand.Right);
    stepWorld(world, 100);
    expect(productHolder(world, vase)).toEqual({ avatar: visitor, hand: Hand.Right });
    // A half turn would carry it 0.8 m past the hand, through the wall.
    queuePose(world, visitor, pose([4.5, 1.6, 0], { rightQuat: yawQuat(Math.PI) }));
    stepWorld(world, 100);
    expect(productTransform(world, vase)[0]).toBeLessThanOrEqual(ROOM.maxX);
    // Crouching with the hand near the floor and rolled down a quarter turn: the vase would be 0.6 m under it.
    const rollDown = [0, 0, Math.SQRT1_2, Math.SQRT1_2];
    queuePose(world, visitor, pose([4.5, 0.9, 0], { right: [4.8, 0.2, -0.4], rightQuat: rollDown }));
    queueRelease(world, visitor, Hand.Right);
    stepWorld(world, 100);
    const [x, y, z] = productTransform(world, vase);
    expect(y).toBeGreaterThanOrEqual(0);
    expect(x).toBeLessThanOrEqual(ROOM.maxX);
    expect(z).toBeGreaterThanOrEqual(ROOM.minZ);
  });

  it("the released event carries where the product was left", () => {
    const { world, visitor, vase } = visitorBesideVase();
    queueGrab(world, visitor, vase, Hand.Right);
    stepWorld(world, 100);
    queueRelease(world, visitor, Hand.Right);
    stepWorld(world, 100);
    const released = nth(drainEvents(world), 1);
    expect(released).toMatchObject({ type: "released", avatar: visitor, product: vase, hand: Hand.Right, atMs: 200 });
    expect(released.type === "released" && released.position.z).toBeCloseTo(-0.5, 9);
  });

  it("an avatar leaving while holding releases the product, and someone else may take it", () => {
    const { world, visitor, vase } = visitorBesideVase();
    queueGrab(world, visitor, vase, Hand.Right);
    stepWorld(world, 100);
    drainEvents(world);
    removeAvatar(world, visitor);
    expect(productHolder(world, vase)).toBeNull();
    expect(drainEvents(world)).toMatchObject([{ type: "released", avatar: visitor, product: vase }]);

    const next = spawnVisitor(world, [0, 1.6, 0]);
    queueGrab(world, next, vase, Hand.Right);
    stepWorld(world, 100);
    expect(productHolder(world, vase)).toEqual({ avatar: next, hand: Hand.Right });
  });

  it("a product passes from one hand to the other of the same visitor", () => {
    const { world, visitor, vase } = visitorBesideVase();
    queueGrab(world, visitor, vase, Hand.Right);
    stepWorld(world, 100);
    queueGrab(world, visitor, vase, Hand.Left);
    stepWorld(world, 100);
    expect(productHolder(world, vase)).toEqual({ avatar: visitor, hand: Hand.Left });
    expect(drainEvents(world).map((e) => e.type)).toEqual(["grabbed", "released", "grabbed"]);
    expect(avatarPose(world, visitor)[7]).toBeCloseTo(-0.3, 12);
  });
});
