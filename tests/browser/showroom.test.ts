import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server";
import type { XRDevice } from "iwer";
import { holdKey, launchChromium, openVisitor, SCREENSHOTS, until, type Visitor } from "./browser";

declare global {
  interface Window {
    __iwer?: XRDevice;
  }
}

let server: TestServer;
let browser: Browser;
const visitors: Visitor[] = [];

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
});

afterAll(async () => {
  for (const visitor of visitors) await visitor.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

async function visit(name: string, options: { vr?: boolean } = {}): Promise<Visitor> {
  const visitor = await openVisitor(browser, server.baseUrl, name, options);
  visitors.push(visitor);
  return visitor;
}

const head = (state: Awaited<ReturnType<Visitor["state"]>>, sessionId: string): number[] => state.avatars[sessionId]?.head ?? [];

describe("two visitors in the showroom", () => {
  it("each sees the other's avatar move when the other walks with the keyboard", async () => {
    const alice = await visit("Alice");
    const bob = await visit("Bob");
    const aliceId = (await alice.state()).sessionId!;
    const bobId = (await bob.state()).sessionId!;

    const seenByBob = await until(bob, (s) => s.avatars[aliceId] !== undefined && s.scene.avatarInstancesByRole[0] >= 1, "Alice's avatar");
    const aliceStart = head(seenByBob, aliceId);
    // Alice faces -Z from the spawn: W walks her forward.
    await holdKey(alice.page, "KeyW", 1200);
    const afterWalk = await until(bob, (s) => head(s, aliceId)[2] < aliceStart[2] - 1.5, "Alice to walk 1.5 m forward");
    expect(Math.abs(head(afterWalk, aliceId)[0] - aliceStart[0])).toBeLessThan(0.2);

    const seenByAlice = await until(alice, (s) => s.avatars[bobId] !== undefined, "Bob's avatar");
    const bobStart = head(seenByAlice, bobId);
    await holdKey(bob.page, "KeyD", 1000);
    await until(alice, (s) => head(s, bobId)[0] > bobStart[0] + 1.2, "Bob to strafe right 1.2 m");

    const info = (await alice.state()).render;
    expect(info.calls).toBeGreaterThan(0);
    expect(info.triangles).toBeGreaterThan(1000);
  });

  it("a headset visitor walks, reaches and grabs a vase, and the desktop visitor sees head, hand and vase move", async () => {
    const alice = await visit("Walt");
    const vera = await visit("Vera", { vr: true });
    const veraId = (await until(vera, (s) => s.xr.presenting && s.sessionId !== null, "Vera in VR")).sessionId!;
    const iwer = vera.page;

    // Left thumbstick forward: smooth locomotion toward the dining table and its vase at (0, 0.78, -4).
    await iwer.evaluate(() => window.__iwer!.controllers.left!.updateAxes("thumbstick", 0, -1));
    await until(vera, (s) => s.self.pose[2] < -3.2, "Vera to walk to the table", 20_000);
    await iwer.evaluate(() => window.__iwer!.controllers.left!.updateAxes("thumbstick", 0, 0));
    for (let i = 0; i < 6; i++) {
      const st = await vera.state();
      console.log("DEBUG", Date.now() % 100000, st.self.pose.slice(0, 3), st.avatars[veraId].head.slice(0, 3), st.render.frames, st.hint);
      await iwer.waitForTimeout(500);
    }
    const arrived = await until(alice, (s) => (s.avatars[veraId]?.head[2] ?? 99) < -2.7, "Alice to see Vera at the table");

    // Vera leans 30 cm toward the vase and stoops; Walt sees her head follow.
    const before = arrived.avatars[veraId].head;
    const lean = before[0] < 0 ? 0.3 : -0.3;
    await iwer.evaluate((dx) => {
      const p = window.__iwer!.position;
      p.set(p.x + dx, 1.35, p.z);
    }, lean);
    await until(alice, (s) => Math.abs(s.avatars[veraId].head[0] - (before[0] + lean)) < 0.05 && s.avatars[veraId].head[1] < 1.4, "Vera's head to lean and stoop");

    // The right controller goes to the vase, in the play area's frame (the rig carries it there).
    const self = (await vera.state()).self;
    const vase = (await vera.state()).products["VASE-KOI"].position;
    const handBefore = (await alice.state()).avatars[veraId].right;
    await iwer.evaluate(
      ({ x, y, z }) => window.__iwer!.controllers.right!.position.set(x, y, z),
      { x: vase[0] - self.rig.x + 0.05, y: vase[1] + 0.1, z: vase[2] - self.rig.z + 0.1 },
    );
    await until(alice, (s) => Math.hypot(s.avatars[veraId].right[0] - vase[0], s.avatars[veraId].right[2] - vase[2]) < 0.3, "Vera's right hand at the vase");
    expect(handBefore).not.toEqual((await alice.state()).avatars[veraId].right);

    await iwer.evaluate(() => window.__iwer!.controllers.right!.updateButtonValue("trigger", 1));
    await until(alice, (s) => s.products["VASE-KOI"].heldBy === veraId && s.products["VASE-KOI"].hand === 1, "Alice to see the vase in Vera's right hand");

    // Lifting the controller lifts the vase, for both of them.
    await iwer.evaluate(() => {
      const p = window.__iwer!.controllers.right!.position;
      p.set(p.x, p.y + 0.35, p.z);
    });
    await until(alice, (s) => s.products["VASE-KOI"].position[1] > vase[1] + 0.25, "Alice to see the vase lifted");
    await until(vera, (s) => s.products["VASE-KOI"].position[1] > vase[1] + 0.25, "Vera to see the vase lifted");
    await iwer.waitForTimeout(300);
    await iwer.screenshot({ path: `${SCREENSHOTS}/vr-stereo-holding-vase.png` });

    await iwer.evaluate(() => window.__iwer!.controllers.right!.updateButtonValue("trigger", 0));
    await until(alice, (s) => s.products["VASE-KOI"].heldBy === "", "the vase to be let go");
  });
});
