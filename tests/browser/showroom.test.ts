import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { showrooms } from "../../db/schema";
import { signToken } from "../../server/auth/tokens";
import { createStaff } from "../integration/support-fixtures";
import { startTestServer, type TestServer } from "../support/server";
import { holdPose, joinShowroom, type Visitor as NodeVisitor } from "../support/visitor";
import { holdsFor } from "../support/wait";
import type { XRDevice } from "iwer";
import { framesDrawn, holdKeyUntil, launchChromium, openVisitor, SCREENSHOTS, until, type Visitor } from "./browser";

declare global {
  interface Window {
    __iwer?: XRDevice;
  }
}

const SECRET = "browser-test-secret-of-at-least-32-characters";
let server: TestServer;
const bots: NodeVisitor[] = [];
let browser: Browser;
const visitors: Visitor[] = [];

beforeAll(async () => {
  server = await startTestServer({ env: { ATRIUM_SECRET: SECRET } });
  browser = await launchChromium();
});

/** Each scenario starts in an empty showroom. */
afterEach(async () => {
  for (const visitor of visitors.splice(0)) await visitor.close().catch(() => undefined);
  for (const bot of bots.splice(0)) await bot.leave().catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function visit(name: string, options: { vr?: boolean } = {}): Promise<Visitor> {
  const visitor = await openVisitor(browser, server.baseUrl, name, options);
  visitors.push(visitor);
  return visitor;
}

/** A position as [x, y, z]; NaN for what is missing, so that no comparison with it holds. */
const xyz = (position: number[] | null | undefined): [number, number, number] => {
  const [x = NaN, y = NaN, z = NaN] = position ?? [];
  return [x, y, z];
};

/** Whether the viewer sees these customers and agents, connected. */
function present(state: Awaited<ReturnType<Visitor["state"]>>, customers: string[], agents: string[]): boolean {
  const seen = Object.values(state.avatars).filter((a) => a.connected);
  const has = (name: string, role: number) => seen.some((a) => a.name === name && a.role === role);
  return customers.every((name) => has(name, 0)) && agents.every((name) => has(name, 1));
}

/**
 * Whether every avatar in the viewer's state but its own is drawn, one instance each, by role. Avatars
 * of visitors who left an earlier scenario (seats held for their return) come and go during a test, so
 * the count is compared with the state rather than with a count taken earlier.
 */
function drawnAsInState(state: Awaited<ReturnType<Visitor["state"]>>): boolean {
  const byRole: number[] = [];
  for (const [sessionId, avatar] of Object.entries(state.avatars)) {
    if (sessionId !== state.sessionId) byRole[avatar.role] = (byRole[avatar.role] ?? 0) + 1;
  }
  const drawn = state.scene.avatarInstancesByRole;
  return Array.from({ length: Math.max(byRole.length, drawn.length) }, (_, r) => r).every(
    (r) => (byRole[r] ?? 0) === (drawn[r] ?? 0),
  );
}

/** The head of an avatar as the visitor sees it. */
const head = (state: Awaited<ReturnType<Visitor["state"]>>, sessionId: string) => xyz(state.avatars[sessionId]?.head);

describe("two visitors in the showroom", () => {
  it("each sees the other's avatar move when the other walks with the keyboard", async () => {
    const alice = await visit("Alice");
    const bob = await visit("Bob");
    const aliceId = (await alice.state()).sessionId!;
    const bobId = (await bob.state()).sessionId!;

    const seenByBob = await until(
      bob,
      (s) => s.avatars[aliceId] !== undefined && (s.scene.avatarInstancesByRole[0] ?? 0) >= 1,
      "Alice's avatar",
    );
    const aliceStart = head(seenByBob, aliceId);
    // Alice faces -Z from the spawn: W walks her forward.
    const afterWalk = await holdKeyUntil(alice.page, "KeyW", () =>
      until(bob, (s) => head(s, aliceId)[2] < aliceStart[2] - 1.5, "Alice to walk 1.5 m forward"),
    );
    expect(Math.abs(head(afterWalk, aliceId)[0] - aliceStart[0])).toBeLessThan(0.2);

    const seenByAlice = await until(alice, (s) => s.avatars[bobId] !== undefined, "Bob's avatar");
    const bobStart = head(seenByAlice, bobId);
    await holdKeyUntil(bob.page, "KeyD", () =>
      until(alice, (s) => head(s, bobId)[0] > bobStart[0] + 1.2, "Bob to strafe right 1.2 m"),
    );

    const info = (await alice.state()).render;
    expect(info.calls).toBeGreaterThan(0);
    expect(info.triangles).toBeGreaterThan(1000);
  });

  it("a headset visitor walks, reaches and grabs a vase, and the desktop visitor sees head, hand and vase move", async () => {
    const alice = await visit("Walt");
    const vera = await visit("Vera", { vr: true });
    const veraId = (await until(vera, (s) => s.xr.presenting && s.sessionId !== null, "Vera in VR")).sessionId!;
    const iwer = vera.page;

    // Toward the dining table and its vase at (0, 0.78, -4): a teleport jump with the right
    // stick, then the left thumbstick's smooth locomotion for the rest of the way.
    const spawnZ = xyz((await vera.state()).self.pose)[2];
    await iwer.evaluate(() => window.__iwer!.controllers.right!.updateAxes("thumbstick", 0, -1));
    await until(vera, (s) => s.xr.teleportAim.valid, "a valid teleport arc");
    await iwer.evaluate(() => window.__iwer!.controllers.right!.updateAxes("thumbstick", 0, 0));
    await until(alice, (s) => (s.avatars[veraId]?.head[2] ?? 99) < spawnZ - 2, "Walt to see Vera teleport");
    await iwer.evaluate(() => window.__iwer!.controllers.left!.updateAxes("thumbstick", 0, -1));
    await until(vera, (s) => xyz(s.self.pose)[2] < -3.2, "Vera to walk to the table", 45_000);
    await iwer.evaluate(() => window.__iwer!.controllers.left!.updateAxes("thumbstick", 0, 0));
    const arrived = await until(
      alice,
      (s) => (s.avatars[veraId]?.head[2] ?? 99) < -2.7,
      "Alice to see Vera at the table",
    );

    // Vera leans 30 cm toward the vase and stoops; Walt sees her head follow.
    const before = head(arrived, veraId);
    const lean = before[0] < 0 ? 0.3 : -0.3;
    await iwer.evaluate((dx) => {
      const p = window.__iwer!.position;
      p.set(p.x + dx, 1.35, p.z);
    }, lean);
    await until(
      alice,
      (s) =>
        Math.abs((s.avatars[veraId]?.head[0] ?? NaN) - (before[0] + lean)) < 0.05 &&
        (s.avatars[veraId]?.head[1] ?? NaN) < 1.4,
      "Vera's head to lean and stoop",
    );

    // The right controller goes to the vase, in the play area's frame (the rig carries it there).
    const self = (await vera.state()).self;
    const vase = xyz((await vera.state()).products["VASE-KOI"]?.position);
    const handBefore = (await alice.state()).avatars[veraId]?.right;
    await iwer.evaluate(({ x, y, z }) => window.__iwer!.controllers.right!.position.set(x, y, z), {
      x: vase[0] - self.rig.x + 0.05,
      y: vase[1] + 0.1,
      z: vase[2] - self.rig.z + 0.1,
    });
    await until(
      alice,
      (s) =>
        Math.hypot((s.avatars[veraId]?.right[0] ?? NaN) - vase[0], (s.avatars[veraId]?.right[2] ?? NaN) - vase[2]) <
        0.3,
      "Vera's right hand at the vase",
    );
    expect(handBefore).not.toEqual((await alice.state()).avatars[veraId]?.right);

    await iwer.evaluate(() => window.__iwer!.controllers.right!.updateButtonValue("trigger", 1));
    await until(
      alice,
      (s) => s.products["VASE-KOI"]?.heldBy === veraId && s.products["VASE-KOI"]?.hand === 1,
      "Alice to see the vase in Vera's right hand",
    );

    // Lifting the controller lifts the vase, for both of them.
    await iwer.evaluate(() => {
      const p = window.__iwer!.controllers.right!.position;
      p.set(p.x, p.y + 0.35, p.z);
    });
    await until(
      alice,
      (s) => (s.products["VASE-KOI"]?.position[1] ?? NaN) > vase[1] + 0.25,
      "Alice to see the vase lifted",
    );
    await until(
      vera,
      (s) => (s.products["VASE-KOI"]?.position[1] ?? NaN) > vase[1] + 0.25,
      "Vera to see the vase lifted",
    );
    // For the picture: both controllers up in front of the eyes, the vase in the right hand, looking a little down.
    await iwer.evaluate(() => {
      const device = window.__iwer!;
      const eye = device.position;
      device.quaternion.set(-0.17, 0, 0, 0.985);
      device.controllers.right!.position.set(eye.x + 0.16, eye.y - 0.2, eye.z - 0.4);
      device.controllers.left!.position.set(eye.x - 0.16, eye.y - 0.2, eye.z - 0.4);
    });
    await until(
      alice,
      (s) => s.products["VASE-KOI"]?.heldBy === veraId && (s.avatars[veraId]?.right[1] ?? NaN) > 1.05,
      "the vase held up in front of Vera",
    );
    await framesDrawn(vera);
    await iwer.screenshot({ path: `${SCREENSHOTS}/vr-stereo-holding-vase.png` });

    await iwer.evaluate(() => window.__iwer!.controllers.right!.updateButtonValue("trigger", 0));
    await until(alice, (s) => s.products["VASE-KOI"]?.heldBy === "", "the vase to be let go");
  }, 240_000);

  it("a headset visitor snap-turns, teleports along the arc and says a ready phrase from the wrist panel", async () => {
    const wes = await visit("Wes");
    const tom = await visit("Tom", { vr: true });
    const tomId = (
      await until(
        tom,
        (s) => s.xr.presenting && s.xr.panelWorn && s.sessionId !== null,
        "Tom in VR with the wrist panel",
      )
    ).sessionId!;
    const stick = (x: number, y: number) =>
      tom.page.evaluate(({ sx, sy }) => window.__iwer!.controllers.right!.updateAxes("thumbstick", sx, sy), {
        sx: x,
        sy: y,
      });

    // A flick of the right stick turns by 30 degrees, once per flick.
    const yaw0 = (await tom.state()).self.rig.yaw;
    await stick(1, 0);
    await until(
      tom,
      (s) => Math.abs(s.self.rig.yaw - (yaw0 - Math.PI / 6)) < 0.01,
      "a 30 degree snap turn to the right",
    );
    // The stick stays pushed: no second turn.
    await holdsFor(
      async () => (await tom.state()).self.rig.yaw,
      (yaw) => Math.abs(yaw - (yaw0 - Math.PI / 6)) < 0.01,
      300,
      "one snap turn per flick",
    );
    await stick(0, 0);

    // Pushing the stick forward shows the arc; letting go jumps to where it lands.
    const from = head(await until(wes, (s) => s.avatars[tomId] !== undefined, "Wes to see Tom"), tomId);
    await stick(0, -1);
    const aimed = await until(tom, (s) => s.xr.teleportAim.visible && s.xr.teleportAim.valid, "a valid teleport arc");
    const target = xyz(aimed.xr.teleportAim.target);
    expect(Math.hypot(target[0] - from[0], target[2] - from[2])).toBeGreaterThan(2);
    await stick(0, 0);
    await until(
      wes,
      (s) =>
        Math.hypot((s.avatars[tomId]?.head[0] ?? NaN) - target[0], (s.avatars[tomId]?.head[2] ?? NaN) - target[2]) <
        0.2,
      "Wes to see Tom land on the target",
    );
    expect((await tom.state()).xr.teleportAim.visible).toBe(false);

    // Point the right controller at the panel's second phrase and pull the trigger.
    const button = xyz(await tom.page.evaluate(() => window.__atrium!.vrPhrasePosition(1)));
    const { rig } = (await tom.state()).self;
    const dx = button[0] - rig.x;
    const dz = button[2] - rig.z;
    const local = {
      x: Math.cos(rig.yaw) * dx - Math.sin(rig.yaw) * dz,
      y: button[1],
      z: Math.sin(rig.yaw) * dx + Math.cos(rig.yaw) * dz,
    };
    await tom.page.evaluate(({ x, y, z }) => {
      const right = window.__iwer!.controllers.right!;
      right.quaternion.set(0, 0, 0, 1);
      right.position.set(x, y, z + 0.15);
    }, local);
    await until(
      tom,
      (s) => {
        const [hx, hy, hz] = xyz(s.self.pose.slice(14));
        return Math.hypot(hx - button[0], hy - button[1], hz - button[2]) < 0.25;
      },
      "Tom's right controller in front of the phrase",
    );
    await tom.page.evaluate(() => window.__iwer!.controllers.right!.updateButtonValue("trigger", 1));
    await until(
      wes,
      (s) => s.chat.some((l) => l.name === "Tom" && l.text === "Can someone help me?"),
      "Wes to read Tom's phrase",
    );
    await tom.page.evaluate(() => window.__iwer!.controllers.right!.updateButtonValue("trigger", 0));
    expect((await tom.state()).products["VASE-KOI"]?.heldBy).toBe("");
  });

  it("chat typed in one page appears in the other, and a refused line says so", async () => {
    const carla = await visit("Carla");
    const dan = await visit("Dan");
    await carla.page.fill("#chat-input", "Is the Oslo sofa available in navy?");
    await carla.page.press("#chat-input", "Enter");
    await until(
      dan,
      (s) =>
        s.chat.some(
          (l) => l.name === "Carla" && l.text === "Is the Oslo sofa available in navy?" && l.state === "sent",
        ),
      "Dan to read Carla's line",
    );
    await until(
      carla,
      (s) =>
        s.chat.filter((l) => l.text === "Is the Oslo sofa available in navy?").length === 1 &&
        s.chat.every((l) => l.state === "sent"),
      "Carla's own line confirmed once",
    );

    // A line for the assistant is answered to Carla alone, in the same panel.
    await carla.page.fill("#chat-input", "@assistant how much is the Oslo sofa?");
    await carla.page.press("#chat-input", "Enter");
    await until(
      carla,
      (s) => s.chat.some((l) => l.name === "Assistant" && l.text.includes("1,299")),
      "the assistant's answer",
    );
    expect((await carla.state()).chat.find((l) => l.text.startsWith("@assistant"))?.state).toBe("sent");
    expect((await dan.state()).chat.some((l) => l.name === "Assistant" || l.text.includes("@assistant"))).toBe(false);

    // The server takes a burst of five lines, then refuses: the page must say the line was not sent.
    await dan.page.evaluate(() => {
      const input = document.querySelector<HTMLInputElement>("#chat-input")!;
      const form = document.querySelector<HTMLFormElement>("#chat-form")!;
      for (let i = 0; i < 12; i++) {
        input.value = `flood ${i}`;
        form.requestSubmit();
      }
    });
    await until(dan, (s) => s.chat.some((l) => l.state === "refused"), "a refused line", 8000).catch(
      async (error: unknown) => {
        throw new Error(`${String(error).slice(0, 200)} chat: ${JSON.stringify((await dan.state()).chat)}`);
      },
    );
    await dan.page.waitForSelector("#chat-error:not([hidden])");
    expect(await dan.page.textContent("#chat-error")).toMatch(/not sent/i);
    await until(carla, (s) => s.chat.some((l) => l.text === "flood 0"), "Carla to read the accepted flood lines");
    expect((await carla.state()).chat.some((l) => l.text === "flood 11")).toBe(false);
  });

  it("a desktop visitor sees a crowd, an agent among them, with one draw call per kind of part", async () => {
    const viewer = await visit("Tess");
    const eye = (await viewer.state()).self.pose;
    // An agent walks the floor too: a staff account, and a join token signed with the server's secret.
    const agent = await createStaff(server, "agent", "Mei");
    const [showroom] = await server.database.db
      .select({ id: showrooms.id })
      .from(showrooms)
      .where(eq(showrooms.slug, "home-living"));
    const agentToken = signToken(SECRET, {
      sub: agent.id,
      role: "agent",
      shw: showroom?.id ?? "",
      exp: Math.floor(Date.now() / 1000) + 3600,
    });
    const crowd = [await joinShowroom(server.baseUrl, { name: "Mei", token: agentToken, role: "agent" })];
    for (const name of ["Ola", "Pia", "Quinn", "Rui", "Sam"]) crowd.push(await joinShowroom(server.baseUrl, { name }));
    bots.push(...crowd);
    // The crowd walks to a half circle 3 m in front of the viewer and faces them. The server moves
    // a head at most 4 m/s toward each pose it takes, so the bots keep sending until they are there.
    const facing = [0, 1, 0, 0];
    await Promise.all(
      crowd.map((bot, i) => {
        const angle = ((i - (crowd.length - 1) / 2) / crowd.length) * Math.PI * 0.7;
        const x = (eye[0] ?? 0) + Math.sin(angle) * (2.6 + (i % 2) * 0.8);
        const z = (eye[2] ?? 0) - Math.cos(angle) * (2.6 + (i % 2) * 0.8);
        return holdPose(
          bot,
          [
            x,
            1.62,
            z,
            ...facing,
            x - 0.25,
            1.2,
            z + 0.3,
            ...facing,
            x + 0.25,
            1.25 + 0.1 * (i % 3),
            z + 0.35,
            ...facing,
          ],
          20_000,
        );
      }),
    );
    const seen = await until(
      viewer,
      (s) => present(s, ["Ola", "Pia", "Quinn", "Rui", "Sam"], ["Mei"]) && drawnAsInState(s),
      "the crowd and the agent",
    );
    await framesDrawn(viewer);
    await viewer.page.screenshot({ path: `${SCREENSHOTS}/desktop-crowd.png` });

    bots.push(
      ...(await Promise.all(
        ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8"].map((name) => joinShowroom(server.baseUrl, { name })),
      )),
    );
    const more = await until(
      viewer,
      (s) => present(s, ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8"], []) && drawnAsInState(s),
      "eight more visitors",
    );
    expect(more.scene.avatarInstancesByRole[0]).toBeGreaterThanOrEqual(13);
    expect(more.render.calls).toBe(seen.render.calls);
  });
});
