import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../server/auth/tokens";
import { startTestServer, type TestServer } from "../support/server";
import { joinShowroom, type Visitor as NodeVisitor } from "../support/visitor";
import { randomUUID } from "node:crypto";
import type { XRDevice } from "iwer";
import { holdKey, launchChromium, openVisitor, SCREENSHOTS, until, type Visitor } from "./browser";

declare global {
  interface Window {
    __iwer?: XRDevice;
  }
}

const SECRET = "browser-test-secret";
let server: TestServer;
const bots: NodeVisitor[] = [];
let browser: Browser;
const visitors: Visitor[] = [];

beforeAll(async () => {
  server = await startTestServer({ env: { ATRIUM_SECRET: SECRET } });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const visitor of visitors) await visitor.close().catch(() => undefined);
  for (const bot of bots) await bot.leave().catch(() => undefined);
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
    // For the picture: both controllers up in front of the eyes, the vase in the right hand, looking a little down.
    await iwer.evaluate(() => {
      const device = window.__iwer!;
      const eye = device.position;
      device.quaternion.set(-0.17, 0, 0, 0.985);
      device.controllers.right!.position.set(eye.x + 0.16, eye.y - 0.2, eye.z - 0.4);
      device.controllers.left!.position.set(eye.x - 0.16, eye.y - 0.2, eye.z - 0.4);
    });
    await until(alice, (s) => s.products["VASE-KOI"].heldBy === veraId && s.avatars[veraId].right[1] > 1.05, "the vase held up in front of Vera");
    await iwer.waitForTimeout(500);
    await iwer.screenshot({ path: `${SCREENSHOTS}/vr-stereo-holding-vase.png` });

    await iwer.evaluate(() => window.__iwer!.controllers.right!.updateButtonValue("trigger", 0));
    await until(alice, (s) => s.products["VASE-KOI"].heldBy === "", "the vase to be let go");
  });

  it("chat typed in one page appears in the other, and a refused line says so", async () => {
    const carla = await visit("Carla");
    const dan = await visit("Dan");
    await carla.page.fill("#chat-input", "Is the Oslo sofa available in navy?");
    await carla.page.press("#chat-input", "Enter");
    await until(dan, (s) => s.chat.some((l) => l.name === "Carla" && l.text === "Is the Oslo sofa available in navy?" && l.state === "sent"), "Dan to read Carla's line");
    await until(carla, (s) => s.chat.filter((l) => l.text === "Is the Oslo sofa available in navy?").length === 1 && s.chat.every((l) => l.state === "sent"), "Carla's own line confirmed once");

    // The server takes a burst of five lines, then refuses: the page must say the line was not sent.
    await dan.page.evaluate(() => {
      const input = document.querySelector<HTMLInputElement>("#chat-input")!;
      const form = document.querySelector<HTMLFormElement>("#chat-form")!;
      for (let i = 0; i < 12; i++) {
        input.value = `flood ${i}`;
        form.requestSubmit();
      }
    });
    await until(dan, (s) => s.chat.some((l) => l.state === "refused"), "a refused line", 8000).catch(async (error: unknown) => {
      throw new Error(`${String(error).slice(0, 200)} chat: ${JSON.stringify((await dan.state()).chat)}`);
    });
    await dan.page.waitForSelector("#chat-error:not([hidden])");
    expect(await dan.page.textContent("#chat-error")).toMatch(/not sent/i);
    await until(carla, (s) => s.chat.some((l) => l.text === "flood 0"), "Carla to read the accepted flood lines");
    expect((await carla.state()).chat.some((l) => l.text === "flood 11")).toBe(false);
  });

  it("a desktop visitor sees a crowd, an agent among them, with one draw call per kind of part", async () => {
    const viewer = await visit("Tess");
    const eye = (await viewer.state()).self.pose;
    const agentId = randomUUID();
    await server.database.pool.query("INSERT INTO staff_accounts (id, email, display_name, role, password_hash) VALUES ($1, $2, $3, 'agent', 'not-used')", [agentId, "mei@example.com", "Mei"]);
    const agentToken = signToken(SECRET, { sub: agentId, role: "agent", exp: Math.floor(Date.now() / 1000) + 3600 });
    const crowd = [await joinShowroom(server.baseUrl, { name: "Mei", token: agentToken, role: "agent" })];
    for (const name of ["Ola", "Pia", "Quinn", "Rui", "Sam"]) crowd.push(await joinShowroom(server.baseUrl, { name }));
    bots.push(...crowd);
    // The crowd walks to a half circle 3 m in front of the viewer and faces them. The server moves
    // a head at most 4 m/s toward each pose it takes, so the bots keep sending until they are there.
    const facing = [0, 1, 0, 0];
    for (let step = 0; step < 40; step++) {
      crowd.forEach((bot, i) => {
        const angle = ((i - (crowd.length - 1) / 2) / crowd.length) * Math.PI * 0.7;
        const x = eye[0] + Math.sin(angle) * (2.6 + (i % 2) * 0.8);
        const z = eye[2] - Math.cos(angle) * (2.6 + (i % 2) * 0.8);
        bot.sendPose([x, 1.62, z, ...facing, x - 0.25, 1.2, z + 0.3, ...facing, x + 0.25, 1.25 + 0.1 * (i % 3), z + 0.35, ...facing]);
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const seen = await until(viewer, (s) => s.scene.avatarInstancesByRole[0] === 5 && s.scene.avatarInstancesByRole[1] === 1, "the crowd and the agent");
    await viewer.page.waitForTimeout(600);
    await viewer.page.screenshot({ path: `${SCREENSHOTS}/desktop-crowd.png` });

    bots.push(...(await Promise.all(["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8"].map((name) => joinShowroom(server.baseUrl, { name })))));
    const more = await until(viewer, (s) => s.scene.avatarInstancesByRole[0] === 13, "eight more visitors");
    expect(more.render.calls).toBe(seen.render.calls);
  });
});
