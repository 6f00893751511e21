import type { Room } from "@colyseus/sdk";
import { countBotTraffic, joinBot, sendBotPose } from "./bots";
import { launchChromium, openVisitor } from "../tests/browser/browser";
import { startTestServer } from "../tests/support/server";
import { printTable } from "./table";

/**
 * `npm run bench -- client`: the showroom page in headless Chromium (WebGL on SwiftShader) with
 * 10 and then 200 bot visitors walking in the room. Reports what one frame costs the page: draw
 * calls and triangles from renderer.info, and the median JS time of renderer.render. Avatars are
 * instanced, so the draw calls must be the same at both sizes.
 */

export interface ClientBenchRow {
  avatars: number;
  drawCalls: number;
  triangles: number;
  medianRenderMs: number;
  fps: number;
}

const CROWDS = [10, 200];
const POSE_HZ = 20;
const WARMUP_MS = 2000;
const MEASURE_MS = 6000;
/** Bot i strolls a small circle around its own spot, spread over the room in front of the viewer. */
function poseOf(index: number, seconds: number): number[] {
  const column = index % 20;
  const row = Math.floor(index / 20);
  const cx = -12 + column * 1.25;
  const cz = 5 - row * 1.4;
  const angle = seconds * 0.8 + index;
  const x = cx + Math.cos(angle) * 0.4;
  const z = cz + Math.sin(angle) * 0.4;
  const half = (angle + Math.PI / 2) / 2;
  const q = [0, Math.sin(half), 0, Math.cos(half)];
  return [x, 1.6, z, ...q, x - 0.25, 1.15, z - 0.2, ...q, x + 0.25, 1.15 + 0.1 * Math.sin(angle * 2), z - 0.2, ...q];
}

export async function runClientBench(opts: { json: boolean }): Promise<ClientBenchRow[]> {
  const server = await startTestServer();
  const browser = await launchChromium();
  const bots: Room[] = [];
  const traffic = countBotTraffic();
  const started = Date.now();
  const walk = setInterval(() => {
    const seconds = (Date.now() - started) / 1000;
    bots.forEach((bot, i) => sendBotPose(bot, poseOf(i, seconds)));
  }, 1000 / POSE_HZ);
  const rows: ClientBenchRow[] = [];
  try {
    const viewer = await openVisitor(browser, server.baseUrl, "Bench viewer", { width: 1280, height: 720 });
    for (const crowd of CROWDS) {
      while (bots.length < crowd) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(20, crowd - bots.length) }, (_, i) =>
            joinBot(server.baseUrl, bots.length + i, traffic),
          ),
        );
        for (const bot of batch) {
          bots.push(bot);
        }
      }
      await viewer.page.waitForFunction(
        (n) => window.__atrium!.state().scene.avatarInstancesByRole.reduce((a, b) => a + b, 0) >= n,
        crowd,
        { timeout: 60_000 },
      );
      await viewer.page.waitForTimeout(WARMUP_MS);
      await viewer.page.evaluate(() => window.__atrium!.resetRenderTimes());
      const before = (await viewer.state()).render.frames;
      await viewer.page.waitForTimeout(MEASURE_MS);
      const { render } = await viewer.state();
      rows.push({
        avatars: crowd,
        drawCalls: render.calls,
        triangles: render.triangles,
        medianRenderMs: Math.round(render.medianRenderMs * 100) / 100,
        fps: Math.round(((render.frames - before) / MEASURE_MS) * 1000 * 10) / 10,
      });
    }
  } finally {
    clearInterval(walk);
    await Promise.all(bots.map((bot) => bot.leave(true).catch(() => undefined)));
    await browser.close();
    await server.close();
  }
  if (opts.json) {
    console.log(JSON.stringify({ suite: "client", rows }, null, 2));
  } else {
    console.log("Showroom page in headless Chromium (SwiftShader WebGL), one frame:");
    printTable(
      ["avatars", "draw calls", "triangles", "median render (ms JS)", "fps"],
      rows.map((r) => [r.avatars, r.drawCalls, r.triangles, r.medianRenderMs.toFixed(2), r.fps.toFixed(1)]),
    );
    const first = rows[0];
    const same = rows.every((r) => r.drawCalls === first?.drawCalls);
    console.log(same ? "draw calls are the same at every crowd size" : "DRAW CALLS GROW WITH THE CROWD");
  }
  return rows;
}
