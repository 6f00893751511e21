import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReplayTestState } from "../../client/replay/test-hook";
import type { RecordingDetail, RecordingSummary } from "../../schema/recording";
import { createStaff, signIn, type StaffConsole } from "../integration/support-fixtures";
import { startTestServer, type TestServer } from "../support/server";
import { holdPose, joinShowroom, productAt, standingPose, teleportTo } from "../support/visitor";
import { holdsFor, waitFor } from "../support/wait";
import { brightness, holdKeyUntil, launchChromium, openVisitor, SCREENSHOTS, until, type Visitor } from "./browser";

/** The recordings page and the player on recordings the real server makes of real visits. */

let server: TestServer;
let browser: Browser;
let manager: { id: string; email: string; password: string; name: string };
let managerPage: Page;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  manager = await createStaff(server, "manager", "Mona");
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 680 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (error) => console.log(`[manager] page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") console.log(`[manager] ${message.text()}`);
  });
  return page;
}

/** Signs in through the console's own form, as a manager would. */
async function signInAtConsole(page: Page, staff: { email: string; password: string }): Promise<void> {
  await page.goto(`${server.baseUrl}/agent`);
  await page.fill("#email", staff.email);
  await page.fill("#password", staff.password);
  const [answer] = await Promise.all([
    page.waitForResponse((response) => response.url().endsWith("/api/support/sign-in")),
    page.click("#sign-in-form button[type='submit']"),
  ]);
  expect(answer.status()).toBe(200);
}

async function replayUntil(
  page: Page,
  predicate: (state: ReplayTestState) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<ReplayTestState> {
  const read = () => page.evaluate(() => window.__atriumReplay?.state() ?? null);
  const state = await waitFor(read, (s) => s !== null && predicate(s), timeoutMs, what);
  return state!;
}

const listState = (page: Page) => page.evaluate(() => window.__atriumRecordings?.shown ?? null);

/** Waits until the recordings page shows this state (the list, empty, signed out, forbidden or an error). */
const listShows = (page: Page, state: string, what: string) =>
  waitFor(
    () => listState(page),
    (shown) => shown === state,
    10_000,
    what,
  );

async function recordings(staff: StaffConsole): Promise<RecordingSummary[]> {
  const response = await fetch(`${server.baseUrl}/api/recordings`, { headers: { cookie: staff.cookie } });
  return (await response.json()) as RecordingSummary[];
}

async function detailOf(staff: StaffConsole, id: string): Promise<RecordingDetail> {
  const response = await fetch(`${server.baseUrl}/api/recordings/${id}`, { headers: { cookie: staff.cookie } });
  return (await response.json()) as RecordingDetail;
}

/** Saves the page to SCREENSHOTS and fails on a black or blank 3D view. */
async function screenshot(page: Page, name: string): Promise<string> {
  await page.evaluate(
    () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))),
  );
  const file = `${SCREENSHOTS}/replay-${name}.png`;
  await page.screenshot({ path: file });
  const { mean, spread } = await brightness(page, await page.locator("#view").screenshot());
  expect(mean, file).toBeGreaterThan(15);
  expect(spread, file).toBeGreaterThan(8);
  return file;
}

describe("the recordings page", () => {
  it("tells a visitor without a session to sign in at /agent, an agent that the list is for managers, and a manager that nothing is recorded yet", async () => {
    const page = await newPage();
    await page.goto(`${server.baseUrl}/manager/recordings`);
    await listShows(page, "signed-out", "the signed-out state");
    expect(await page.locator("#sign-in-link a").getAttribute("href")).toBe("/agent");
    expect(await page.locator("#list-table").isVisible()).toBe(false);

    const agentPage = await newPage();
    await signInAtConsole(agentPage, await createStaff(server, "agent", "Abe"));
    await agentPage.goto(`${server.baseUrl}/manager/recordings`);
    // An agent's list holds only recordings of tickets they handled: none yet.
    await listShows(agentPage, "empty", "an agent's empty list");

    managerPage = await newPage();
    await signInAtConsole(managerPage, manager);
    await managerPage.goto(`${server.baseUrl}/manager/recordings`);
    await listShows(managerPage, "empty", "the empty list");
    expect(await managerPage.locator("#list-state .text").textContent()).toBe(
      "No recordings yet: a showroom is recorded while visitors are in it.",
    );
  });

  it("says what went wrong when the server refuses or fails", async () => {
    const page = await newPage();
    await page.route("**/api/recordings?**", (route) =>
      route.fulfill({ status: 403, json: { error: "forbidden", message: "No." } }),
    );
    await page.goto(`${server.baseUrl}/manager/recordings`);
    await listShows(page, "forbidden", "the forbidden state");
    expect(await page.locator("#list-state .text").textContent()).toBe(
      "Your account may not list recordings: they are for managers.",
    );
    await page.unroute("**/api/recordings?**");
    await page.route("**/api/recordings?**", (route) =>
      route.fulfill({ status: 500, json: { error: "internal", message: "The database is away." } }),
    );
    await page.reload();
    await listShows(page, "error", "the error state");
    expect(await page.locator("#list-state .text").textContent()).toBe("The database is away.");
  });
});

describe("a manager watching a live showroom", () => {
  let ada: Visitor;
  let ben: Visitor;

  afterAll(async () => {
    await ada?.close();
    await ben?.close();
  });

  it("sees both visitors move while the visitors see no one more in the room, then goes back in time", async () => {
    ada = await openVisitor(browser, server.baseUrl, "Ada");
    ben = await openVisitor(browser, server.baseUrl, "Ben");
    const adaId = (await until(ada, (s) => s.sessionId !== null, "Ada's session")).sessionId!;
    const benId = (await until(ben, (s) => s.sessionId !== null, "Ben's session")).sessionId!;
    const seen = (s: { avatars: Record<string, unknown>; statusText: string }) =>
      `${Object.keys(s.avatars).sort().join(",")} | ${s.statusText}`;
    const adaBefore = seen(
      await until(ada, (s) => s.avatars[benId] !== undefined && s.statusText.startsWith("Connected · "), "Ben"),
    );
    const benBefore = seen(
      await until(ben, (s) => s.avatars[adaId] !== undefined && s.statusText === adaBefore.split(" | ")[1], "Ada"),
    );

    const mona = await signIn(server, manager);
    const live = await waitFor(
      async () => (await recordings(mona)).find((r) => r.endedAt === null),
      (r) => r !== undefined,
      15_000,
      "the live recording",
    );
    await managerPage.goto(`${server.baseUrl}/manager/recordings`);
    await listShows(managerPage, "list", "the list");
    expect(await managerPage.locator("#list-state").isVisible()).toBe(false);
    const row = managerPage.locator(`tr[data-id='${live!.id}']`);
    await row.locator(".live-badge").waitFor({ state: "visible" });
    await row.locator("a").click();
    await managerPage.waitForURL(`**/manager/recordings/${live!.id}`);
    const opened = await replayUntil(
      managerPage,
      (s) => s.ready && s.live && s.avatars[adaId] !== undefined && s.avatars[benId] !== undefined,
      "Ada and Ben in the live recording",
    );

    // Each walks a metre on their own page; the manager, at the live edge, sees it.
    for (const [visitor, id] of [
      [ada, adaId],
      [ben, benId],
    ] as const) {
      const from = opened.avatars[id]!.head;
      const start = (await visitor.state()).self.pose;
      await holdKeyUntil(visitor.page, "KeyW", () =>
        until(
          visitor,
          (s) => Math.hypot((s.self.pose[0] ?? 0) - (start[0] ?? 0), (s.self.pose[2] ?? 0) - (start[2] ?? 0)) > 1,
          `${visitor.name} to walk a metre`,
        ),
      );
      await managerPage.click("#jump-live");
      await replayUntil(
        managerPage,
        (s) => Math.hypot(s.avatars[id]!.head[0]! - from[0]!, s.avatars[id]!.head[2]! - from[2]!) > 0.9,
        `${visitor.name} seen walking a metre`,
      );
    }

    // Watching is invisible: the visitors' rooms hold the same people, and say so.
    await holdsFor(
      async () => seen(await ada.state()),
      (s) => s === adaBefore,
      3000,
      "Ada's room as it was",
    );
    await holdsFor(
      async () => seen(await ben.state()),
      (s) => s === benBefore,
      3000,
      "Ben's room as it was",
    );

    await managerPage.evaluate(() => window.__atriumReplay!.seek(1000));
    const back = await replayUntil(managerPage, (s) => s.decodedAtMs >= 1000 && s.decodedAtMs < 3000, "0:01 again");
    expect(back.live).toBe(true);
    expect(back.avatars[adaId]).toBeDefined();
  });
});

describe("a manager looking back at a visit", () => {
  it("finds the visit on the recordings page, jumps to the grab, and follows the visitor", async () => {
    const mona = await signIn(server, manager);
    const grace = await joinShowroom(server.baseUrl, { name: "Grace" });
    try {
      await grace.until(() => grace.headOf(grace.sessionId) !== undefined, 10_000, "Grace's avatar");
      await teleportTo(grace, -0.5, -3.2);
      await holdPose(grace, standingPose(-0.5, -3.2, 0, [-0.2, 0.9, -3.8]));
      grace.room.send("grab", { sku: "VASE-KOI", hand: 1 });
      await grace.until(() => productAt(grace, "VASE-KOI")?.heldBy === grace.sessionId, 8000, "the vase held");
      await holdPose(grace, standingPose(-0.5, -3.2, 0, [-0.2, 1.3, -3.8]));
      await holdPose(grace, standingPose(-0.3, -3.0, 0.4, [-0.1, 1.3, -3.6]));
      grace.room.send("release", { hand: 1 });
      await grace.until(() => productAt(grace, "VASE-KOI")?.heldBy === "", 8000, "the vase released");

      // The visit is in the list once its interactions and the chunk that holds the release are stored.
      let seenSoFar = "";
      const found = await waitFor(
        async () => {
          const list = await recordings(mona);
          seenSoFar = JSON.stringify(list.map((r) => [r.id, r.visitors, r.durationMs]));
          for (const summary of list) {
            if (!summary.visitors.some((v) => v.name === "Grace")) continue;
            const detail = await detailOf(mona, summary.id);
            const released = detail.markers.find(
              (m) => m.type === "product_released" && m.customerId === grace.guest.customerId,
            );
            seenSoFar += ` markers ${JSON.stringify(detail.markers.map((m) => [m.type, m.sessionId, m.atMs]))} chunks ${detail.chunks.length}`;
            if (released && detail.chunks.some((c) => c.endMs >= released.atMs)) return detail;
          }
          return undefined;
        },
        (detail) => detail !== undefined,
        30_000,
        "Grace's grab and release stored",
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}; recordings: ${seenSoFar}`);
      });
      const grab = found!.markers.find((m) => m.type === "product_grabbed" && m.customerId === grace.guest.customerId)!;
      const release = found!.markers.find(
        (m) => m.type === "product_released" && m.customerId === grace.guest.customerId,
      )!;
      expect(grab.productSku).toBe("VASE-KOI");

      await managerPage.goto(`${server.baseUrl}/manager/recordings`);
      await listShows(managerPage, "list", "the list");
      const ids = await managerPage
        .locator("#recordings tr")
        .evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.id));
      expect(ids).toEqual((await recordings(mona)).map((r) => r.id));
      const row = managerPage.locator(`tr[data-id='${found!.recording.id}']`);
      expect(await row.locator(".visitors").textContent()).toContain("Grace");
      await row.locator("a").click();
      await replayUntil(managerPage, (s) => s.ready && s.avatars[grace.sessionId] !== undefined, "Grace in the player");
      await managerPage.evaluate(() => window.__atriumReplay!.pause());
      // A live recording redraws its markers as it grows: the click goes to the marker there now.
      await managerPage.locator(".marker[data-type='product_grabbed']").dispatchEvent("click");
      const held = await replayUntil(
        managerPage,
        (s) => s.products["VASE-KOI"]?.heldBy === grace.sessionId,
        "the vase in Grace's hand",
      );
      expect(held.playheadMs).toBeGreaterThanOrEqual(grab.atMs);
      expect(held.playheadMs).toBeLessThan(release.atMs);
      expect(held.products["VASE-KOI"]!.hand).toBe(1);

      await managerPage.selectOption("#speed", "2");
      await replayUntil(managerPage, (s) => s.speed === 2, "2× speed");

      await managerPage.click("#cam-plan");
      await replayUntil(managerPage, (s) => s.camera === "plan", "the plan view");
      const plan = await screenshot(managerPage, "server-plan");

      const person = managerPage.locator(`#people li[data-session='${grace.sessionId}']`);
      await person.locator("button[data-view='eyes']").click();
      await replayUntil(managerPage, (s) => s.camera === "eyes" && s.followed === grace.sessionId, "Grace's eyes");
      const eyes = await screenshot(managerPage, "server-follow-eyes");
      await person.locator("button[data-view='shoulder']").click();
      await replayUntil(
        managerPage,
        (s) => s.camera === "shoulder" && s.followed === grace.sessionId,
        "over Grace's shoulder",
      );
      const shoulder = await screenshot(managerPage, "server-follow-shoulder");
      console.log(`[replay] screenshots: ${plan} ${eyes} ${shoulder}`);
    } finally {
      await grace.leave();
    }
  });
});
