import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReplayTestState } from "../../client/replay/test-hook";
import type { ShowroomView } from "../../schema/api";
import type { RecordingDetail, RecordingSummary } from "../../schema/recording";
import { createStaff, signIn } from "../integration/support-fixtures";
import { startTestServer, type TestServer } from "../support/server";
import { joinShowroom, walkTo } from "../support/visitor";
import {
  ALICE,
  aliceVisit,
  aliceX,
  GRAB_MS,
  IDLE_FROM_MS,
  IDLE_TO_MS,
  SAM,
  type StoredRecording,
} from "../unit/client/replay-fixtures";
import { waitFor } from "../support/wait";
import { brightness, launchChromium } from "./browser";

let server: TestServer;
let browser: Browser;
let view: ShowroomView;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  view = (await (await fetch(`${server.baseUrl}/api/showrooms/home-living`)).json()) as ShowroomView;
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 680 } });
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") console.log(`[replay] ${message.text()}`);
  });
  return { page, errors };
}

/** Serves a recording made in the test where the server's recordings API would. */
async function serveRecording(page: Page, stored: StoredRecording): Promise<void> {
  await page.route("**/api/recordings/**", async (route) => {
    const path = new URL(route.request().url()).pathname;
    const chunk = /\/chunks\/(\d+)$/.exec(path);
    if (chunk) {
      const bytes = stored.chunks.get(Number(chunk[1]));
      if (!bytes) return route.fulfill({ status: 404, json: { error: "not_found", message: "No such chunk." } });
      return route.fulfill({ status: 200, contentType: "application/octet-stream", body: Buffer.from(bytes) });
    }
    if (path === `/api/recordings/${stored.detail.recording.id}`) return route.fulfill({ json: stored.detail });
    return route.fulfill({ status: 404, json: { error: "not_found", message: "No such recording." } });
  });
}

const replayState = (page: Page): Promise<ReplayTestState> => page.evaluate(() => window.__atriumReplay!.state());

async function until(
  page: Page,
  predicate: (state: ReplayTestState) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<ReplayTestState> {
  const read = () => page.evaluate(() => window.__atriumReplay?.state() ?? null);
  const state = await waitFor(read, (s) => s !== null && predicate(s), timeoutMs, what);
  return state!;
}

/** Saves the whole page to the OS temp dir and fails on a black or blank 3D view. */
async function screenshot(page: Page, name: string): Promise<string> {
  await page.evaluate(
    () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))),
  );
  const file = join(tmpdir(), `atrium-replay-${name}.png`);
  writeFileSync(file, await page.screenshot());
  const { mean, spread } = await brightness(page, await page.locator("#view").screenshot());
  expect(mean, file).toBeGreaterThan(15);
  expect(spread, file).toBeGreaterThan(8);
  return file;
}

describe("the replay player, fed a recording made in the test", () => {
  const sku = "VASE-KOI";
  let stored: StoredRecording;
  let page: Page;

  beforeAll(async () => {
    stored = aliceVisit({
      sku,
      products: view.products.map((p) => ({ sku: p.sku, position: p.position })),
      spawn: { x: -2, z: -3 },
    });
    const opened = await newPage();
    page = opened.page;
    await serveRecording(page, stored);
    await page.goto(`${server.baseUrl}/manager/recordings/${stored.detail.recording.id}`);
    await until(page, (s) => s.ready && s.avatars[ALICE] !== undefined, "the recording to open with Alice in it");
    expect(opened.errors).toEqual([]);
  });

  it("draws Alice walking, Sam marked as an agent, and the playhead moving while playing", async () => {
    await page.evaluate(() => window.__atriumReplay!.seek(1000));
    const early = await until(page, (s) => s.decodedAtMs === 1000, "the state at 0:01");
    await page.evaluate(() => window.__atriumReplay!.seek(8000));
    await until(page, (s) => s.decodedAtMs === 8000, "the state at 0:08");
    // Drawn at the playhead, so the head has reached the recorded place.
    const later = await until(
      page,
      (s) => Math.abs((s.avatars[ALICE]?.head[0] ?? 0) - aliceX(-2, 8000)) < 0.02,
      "Alice drawn where she was at 0:08",
    );
    expect(later.avatars[ALICE]!.head[0]! - early.avatars[ALICE]!.head[0]!).toBeGreaterThan(2);
    expect(later.avatars[SAM]).toMatchObject({ name: "Sam", role: 1 });
    await page.waitForFunction(
      () => document.querySelector("#people li[data-session='s-sam'] .role")?.textContent === "Agent",
    );

    await page.evaluate(() => window.__atriumReplay!.seek(0));
    await page.click("#play");
    const moving = await until(page, (s) => s.playheadMs > 600 && s.playing, "the playhead to move");
    await until(page, (s) => (s.avatars[ALICE]?.head[0] ?? 0) > moving.avatars[ALICE]!.head[0]! + 0.1, "Alice to move");
    await page.keyboard.press("Space");
    await until(page, (s) => !s.playing, "space to pause");
  });

  it("clicking the grab marker seeks there and shows the vase in Alice's right hand", async () => {
    await page.evaluate(() => window.__atriumReplay!.seek(20_000));
    await until(page, (s) => s.products["VASE-KOI"]?.heldBy === "", "the vase resting");
    await page.click(".marker[data-type='product_grabbed']");
    const held = await until(page, (s) => s.products["VASE-KOI"]?.heldBy === ALICE, "the vase in Alice's hand");
    expect(held.playheadMs).toBeGreaterThanOrEqual(GRAB_MS);
    expect(held.products["VASE-KOI"]!.hand).toBe(1);
    const hand = held.avatars[ALICE]!.right;
    const vase = held.products["VASE-KOI"]!.position;
    expect(Math.hypot(vase[0]! - hand[0]!, vase[1]! - hand[1]!, vase[2]! - hand[2]!)).toBeLessThan(0.05);
    // The transcript follows the playhead: nothing said yet at 0:06.
    await page.waitForFunction(() => document.querySelectorAll("#transcript li.line.future").length === 2);
  });

  it("changes speed from the keys and the menu, and plays on at 8×", async () => {
    await page.evaluate(() => window.__atriumReplay!.seek(0));
    await page.locator("#view").click();
    await page.keyboard.press("ArrowUp");
    await until(page, (s) => s.speed === 2, "↑ to speed up to 2×");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await until(page, (s) => s.speed === 0.5, "↓↓ to slow down to 0.5×");
    await page.selectOption("#speed", "8");
    await until(page, (s) => s.speed === 8, "the menu to choose 8×");
    await page.evaluate(() => window.__atriumReplay!.play());
    const fast = await until(page, (s) => s.playheadMs >= 4000, "8× playback to pass 0:04");
    expect(fast.speed).toBe(8);
    await page.evaluate(() => window.__atriumReplay!.pause());
    await page.keyboard.press("ArrowLeft");
    const back = await replayState(page);
    expect(back.playheadMs).toBeCloseTo(Math.max(0, fast.playheadMs - 5000), -2);
  });

  it("skips the idle stretch when asked to", async () => {
    await page.evaluate(() => {
      window.__atriumReplay!.setSpeed(1);
      window.__atriumReplay!.seek(9_500);
    });
    await page.check("#skip-idle");
    await page.evaluate(() => window.__atriumReplay!.play());
    const skipped = await until(
      page,
      (s) => s.playheadMs > IDLE_TO_MS - 2000 && s.notice !== "",
      "the idle stretch to be skipped",
      8000,
    );
    expect(skipped.notice).toMatch(/^Skipped 0:1\d-0:29: nobody moved\.$/);
    await page.evaluate(() => window.__atriumReplay!.pause());
    await page.uncheck("#skip-idle");
    expect(IDLE_FROM_MS).toBeLessThan(skipped.playheadMs);
  });

  it("shows the room from above and follows Alice over her shoulder and through her eyes", async () => {
    await page.evaluate((ms) => window.__atriumReplay!.seek(ms), GRAB_MS + 1000);
    await until(page, (s) => s.products["VASE-KOI"]?.heldBy === ALICE, "Alice holding the vase");
    await page.click("#cam-plan");
    await until(page, (s) => s.camera === "plan", "the plan view");
    const plan = await screenshot(page, "plan");

    await page.click("#people li[data-session='s-alice'] button[data-view='shoulder']");
    await until(page, (s) => s.camera === "shoulder" && s.followed === ALICE, "following Alice");
    const shoulder = await screenshot(page, "follow-shoulder");

    await page.evaluate((id) => window.__atriumReplay!.follow(id, "eyes"), ALICE);
    await until(page, (s) => s.camera === "eyes", "Alice's eyes");
    const eyes = await screenshot(page, "follow-eyes");
    console.log(`[replay] screenshots: ${plan} ${shoulder} ${eyes}`);
    await page.click("#cam-orbit");
    await until(page, (s) => s.camera === "orbit" && s.followed === null, "back to orbiting");
  });
});

describe("the replay player on a live recording", () => {
  it("shows the Live badge, follows the newest chunk as the list grows, and drops the badge when the room closes", async () => {
    const stored = aliceVisit({
      sku: "VASE-KOI",
      products: view.products.map((p) => ({ sku: p.sku, position: p.position })),
      spawn: { x: -2, z: -3 },
    });
    const { detail } = stored;
    let polls = 0;
    const { page } = await newPage();
    await serveRecording(page, stored);
    // The detail grows by a chunk each poll; the room closes after the fourth.
    await page.route(`**/api/recordings/${detail.recording.id}`, (route) => {
      const known = Math.min(detail.chunks.length, 2 + polls++);
      const ended = known === detail.chunks.length && polls > 4;
      return route.fulfill({
        json: {
          ...detail,
          recording: { ...detail.recording, endedAt: ended ? detail.recording.endedAt : null },
          chunks: detail.chunks.slice(0, known),
        },
      });
    });
    await page.goto(`${server.baseUrl}/manager/recordings/${detail.recording.id}`);
    const live = await until(page, (s) => s.ready && s.live && s.playheadMs >= 9_000, "the live edge");
    expect(live.playing).toBe(true);
    await page.locator("#live-badge").waitFor({ state: "visible" });
    await until(
      page,
      (s) => s.durationMs >= 15_000 && s.playheadMs > 10_000,
      "the next chunk to arrive and play",
      15_000,
    );
    // Back into the recording, then to the live edge again.
    await page.evaluate(() => window.__atriumReplay!.seek(2_000));
    await until(page, (s) => s.decodedAtMs >= 2_000 && s.decodedAtMs < 4_000, "the moment chosen");
    await page.click("#jump-live");
    await until(page, (s) => s.playheadMs >= s.durationMs - 1_000, "the live edge again");
    await until(page, (s) => !s.live, "the room to close", 20_000);
    await page.locator("#live-badge").waitFor({ state: "hidden" });
  });
});

describe("the replay player when something is wrong", () => {
  it("names the damaged chunk and still shows the room", async () => {
    const stored = aliceVisit({
      sku: "VASE-KOI",
      products: view.products.map((p) => ({ sku: p.sku, position: p.position })),
      spawn: { x: -2, z: -3 },
    });
    stored.chunks.set(2, new Uint8Array([9, 9, 9, 9]));
    const { page } = await newPage();
    await serveRecording(page, stored);
    await page.goto(`${server.baseUrl}/manager/recordings/${stored.detail.recording.id}`);
    await until(page, (s) => s.ready, "the recording to open");
    await page.evaluate(() => window.__atriumReplay!.seek(12_000));
    const shown = await until(page, (s) => s.notice.startsWith("Chunk 2 (0:10-0:15) is damaged"), "the damage notice");
    expect(shown.avatars[ALICE]).toBeDefined();
    await page.locator("#notice").waitFor({ state: "visible" });
    await page.waitForFunction(() => document.querySelectorAll("#timeline-damage .damaged").length === 1);
    // A seek past the end is clamped.
    await page.evaluate(() => window.__atriumReplay!.seek(10 * 60_000));
    await until(page, (s) => s.playheadMs === s.durationMs, "the playhead clamped to the end");
  });

  it("tells a visitor without a session to sign in at /agent, and an unknown recording that it does not exist", async () => {
    const { page } = await newPage();
    await page.route("**/api/recordings/**", (route) =>
      route.fulfill({ status: 401, json: { error: "unauthenticated", message: "Sign in." } }),
    );
    await page.goto(`${server.baseUrl}/manager/recordings/0190f5a0-0000-7000-8000-00000000abcd`);
    await page.locator("#failure").waitFor({ state: "visible" });
    expect(await page.locator("#failure-text").textContent()).toContain("Sign in with a manager account");
    expect(await page.locator("#sign-in-link a").getAttribute("href")).toBe("/agent");

    const other = (await newPage()).page;
    await other.route("**/api/recordings/**", (route) =>
      route.fulfill({ status: 404, json: { error: "not_found", message: "No such recording." } }),
    );
    await other.goto(`${server.baseUrl}/manager/recordings/nope`);
    await other.locator("#failure").waitFor({ state: "visible" });
    expect(await other.locator("#failure-text").textContent()).toContain("There is no recording nope");
  });
});

describe("the replay player on the server's own recordings", () => {
  it("replays a visitor who walked in the showroom", async () => {
    const manager = await signIn(server, await createStaff(server, "manager", "Mona"));
    const visitor = await joinShowroom(server.baseUrl, { name: "Walker" });
    try {
      await visitor.until(() => visitor.headOf(visitor.sessionId) !== undefined, 10_000, "the walker's avatar");
      await walkTo(visitor, view.spawn.x + 2, view.spawn.z - 2);
      const headers = { cookie: manager.cookie };
      // The live recording, once its first chunk is stored.
      const { recording } = await waitFor(
        async () => {
          const list = (await (
            await fetch(`${server.baseUrl}/api/recordings?showroom=home-living`, { headers })
          ).json()) as RecordingSummary[];
          const newest = list[0];
          if (!newest) return { recording: undefined, chunks: 0 };
          const detail = (await (
            await fetch(`${server.baseUrl}/api/recordings/${newest.id}`, { headers })
          ).json()) as RecordingDetail;
          return { recording: newest, chunks: detail.chunks.length };
        },
        (found) => found.chunks > 0,
        30_000,
        "a recording with a chunk",
      );
      const { page, errors } = await newPage();
      const [name, value] = manager.cookie.split("=") as [string, string];
      await page.context().addCookies([{ name, value, url: server.baseUrl }]);
      await page.goto(`${server.baseUrl}/manager/recordings/${recording!.id}`);
      const state = await until(page, (s) => s.ready && s.avatars[visitor.sessionId] !== undefined, "the walker");
      expect(state.live).toBe(true);
      await page.locator("#live-badge").waitFor({ state: "visible" });
      expect(errors).toEqual([]);
      await screenshot(page, "server-recording");
    } finally {
      await visitor.leave();
    }
  });
});
