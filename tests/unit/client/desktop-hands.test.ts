import { PerspectiveCamera } from "three";
import { describe, expect, it } from "vitest";
import { packPose } from "../../../schema/codec";
import type { HandIndex } from "../../../schema/messages";
import { DesktopHands } from "../../../client/input/desktop-hands";
import { LocalRig } from "../../../client/input/local-rig";
import type { AvatarFields, ProductFields } from "../../../client/world/state-source";
import { fromHandFrame, WorldView } from "../../../client/world/world-view";
import { demoShowroomView } from "./fixtures";
import { nth } from "../../support/items";

const packed = () => ({ xz: 0, y: 0, q: 0 });

function avatarFields(pose: ArrayLike<number>): AvatarFields {
  const part = (at: number) =>
    packPose(
      nth(pose, at),
      nth(pose, at + 1),
      nth(pose, at + 2),
      nth(pose, at + 3),
      nth(pose, at + 4),
      nth(pose, at + 5),
      nth(pose, at + 6),
      packed(),
    );
  const [h, l, r] = [part(0), part(7), part(14)];
  return {
    name: "Me",
    role: 0,
    connected: true,
    hxz: h.xz,
    hy: h.y,
    hq: h.q,
    lxz: l.xz,
    ly: l.y,
    lq: l.q,
    rxz: r.xz,
    ry: r.y,
    rq: r.q,
  };
}

function productFields(sku: string, t: ArrayLike<number>, heldBy: string): ProductFields {
  const p = packPose(nth(t, 0), nth(t, 1), nth(t, 2), nth(t, 3), nth(t, 4), nth(t, 5), nth(t, 6), packed());
  return { sku, xz: p.xz, y: p.y, q: p.q, heldBy, hand: 1 };
}

/** A desktop visitor standing 0.8 m from the dining table, looking down at the vase on it. */
function scene() {
  const view = demoShowroomView();
  const world = new WorldView(view, { locale: "en", loadGltf: null });
  const rig = new LocalRig(view.bounds);
  const camera = new PerspectiveCamera(70, 16 / 9, 0.05, 100);
  rig.dolly.add(camera);
  world.scene.add(rig.dolly);
  rig.placeAt(0, -3.2, 0);
  rig.pitch = Math.atan2(-(1.6 - 0.93), 0.8);
  const sent: Array<{ type: "grab" | "release"; sku?: string; hand: HandIndex }> = [];
  /** The pose the server had last been sent when the release went out. */
  const poseAtRelease = new Float32Array(21);
  const hints: string[] = [];
  const hands = new DesktopHands({
    world,
    rig,
    camera,
    grab: (sku, hand) => sent.push({ type: "grab", sku, hand }),
    release: (hand) => {
      sent.push({ type: "release", hand });
      poseAtRelease.set(rig.pose);
    },
    hint: (text) => hints.push(text),
    poseSent: () => true,
  });
  let now = 1000;
  const frames = (count: number) => {
    for (let i = 0; i < count; i++) {
      now += 16;
      rig.applyDesktopHead(camera);
      hands.update(0.016, now, "me");
      world.update(now, { sessionId: "me", pose: rig.pose });
      // What renderer.render does first: bring world matrices up to date for the next raycast.
      world.scene.updateMatrixWorld();
    }
  };
  frames(1);
  return { world, rig, hands, sent, hints, frames, poseAtRelease, now: () => now };
}

describe("desktop hands", () => {
  it("reach for the clicked product and ask the server for it only once the hand is there", () => {
    const { hands, rig, sent, frames, now } = scene();
    hands.primary(now());
    expect(hands.state).toBe("reaching");
    frames(2);
    expect(sent).toEqual([]);
    frames(60);
    expect(sent).toEqual([{ type: "grab", sku: "VASE-KOI", hand: 1 }]);
    const hand = rig.pose.slice(14, 17);
    expect(Math.hypot(nth(hand, 0) - 0, nth(hand, 1) - 0.78, nth(hand, 2) + 4)).toBeLessThan(1.2);
    expect(
      Math.hypot(nth(hand, 0) - nth(rig.pose, 0), nth(hand, 1) - nth(rig.pose, 1), nth(hand, 2) - nth(rig.pose, 2)),
    ).toBeLessThanOrEqual(0.951);
  });

  it("hold the product only when the server says so, then put it down upright on the surface looked at", () => {
    const { world, hands, rig, sent, hints, frames, poseAtRelease, now } = scene();
    hands.primary(now());
    frames(60);
    expect(hands.state).toBe("grabbing");
    // The server grants it: the vase is now held where the hand reached it.
    const vase = world.productTransform("VASE-KOI")!.slice();
    world.ingest(
      {
        avatars: new Map([["me", avatarFields(rig.pose)]]),
        products: new Map([["VASE-KOI", productFields("VASE-KOI", vase, "me")]]),
      },
      now(),
    );
    frames(1);
    expect(hands.state).toBe("holding");
    frames(60);
    hands.spinHeld(0.6, 0);
    frames(30);

    // Step up to the table, look down at its top a little to the left of where the vase stood, and click.
    rig.walk(0.35, 0);
    rig.look(0.25, -0.9 - rig.pitch);
    frames(1);
    hands.primary(now());
    expect(hands.state, hints.at(-1)).toBe("placing");
    frames(80);
    expect(sent.at(-1)).toEqual({ type: "release", hand: 1 });
    const placed = new Float32Array(7);
    fromHandFrame(poseAtRelease, 14, world.productInHand("VASE-KOI")!, placed);
    expect(placed[1]).toBeCloseTo(0.775, 2);
    expect(placed[0]).toBeLessThan(-0.1);
    // Upright: the vase's up axis points up.
    const [qx, qz] = [nth(placed, 3), nth(placed, 5)];
    expect(1 - 2 * (qx * qx + qz * qz)).toBeCloseTo(1, 2);
  });

  it("show the server's refusal and go back to resting", () => {
    const { hands, hints, frames, now } = scene();
    hands.primary(now());
    frames(60);
    hands.grabRefused("VASE-KOI", "out_of_reach");
    expect(hands.state).toBe("idle");
    expect(hints.at(-1)).toMatch(/refused the grab: it is out of reach/);
  });
});
