import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import type { AtriumTestState } from "../../client/test-hook";
import { projectRoot } from "../../db/paths";
import { nth } from "../support/items";
import { waitFor } from "../support/wait";

/** Debian's Chromium, headless; WebGL2 runs on SwiftShader. */
export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = join(projectRoot(), "test-results");

export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--use-angle=swiftshader",
      "--enable-unsafe-swiftshader",
      // Background tabs would otherwise throttle each other's render loops to a crawl.
      "--disable-background-timer-throttling",
      "--disable-renderer-backgrounding",
      "--disable-backgrounding-occluded-windows",
    ],
  });
}

let iwerScript: string | null = null;

/** The iwer bootstrap bundled into one script, for page.addInitScript. */
export async function iwerBootstrap(): Promise<string> {
  if (iwerScript) return iwerScript;
  const result = await build({
    entryPoints: [join(projectRoot(), "tests/browser/iwer-bootstrap.ts")],
    bundle: true,
    format: "iife",
    platform: "browser",
    write: false,
    logLevel: "warning",
  });
  iwerScript = nth(result.outputFiles, 0, "the bundled bootstrap").text;
  return iwerScript;
}

export interface Visitor {
  page: Page;
  name: string;
  state(): Promise<AtriumTestState>;
  close(): Promise<void>;
}

/**
 * A visitor in their own browser context (own localStorage, so own guest identity) who opens
 * the showroom link, types a name and presses the page's Enter (or Enter VR) button.
 */
export async function openVisitor(
  browser: Browser,
  baseUrl: string,
  name: string,
  options: { vr?: boolean; width?: number; height?: number } = {},
): Promise<Visitor> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 960, height: options.height ?? 600 },
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    // SwiftShader's "GL Driver Message" performance notes are noise; everything else may explain a failure.
    const worth =
      message.type() === "error" || (message.type() === "warning" && !message.text().includes("GL Driver Message"));
    if (process.env.ATRIUM_BROWSER_LOG || worth) console.log(`[${name}] ${message.type()}: ${message.text()}`);
  });
  if (options.vr) await page.addInitScript({ content: await iwerBootstrap() });
  await page.goto(`${baseUrl}/showroom/home-living`);
  await page.fill("#display-name", name);
  const button = options.vr ? "#enter-vr" : "#enter";
  await page.waitForSelector(`${button}:not([disabled])`, { timeout: 60_000 }).catch(async (error: unknown) => {
    const said = await page.evaluate(() => [
      document.querySelector("#landing-message")?.textContent,
      document.querySelector("#banner-text")?.textContent,
    ]);
    throw new Error(
      `${name} found no ${button} button to press: ${String(error)}\npage says: ${JSON.stringify(said)}\npage errors: ${errors.join("\n")}`,
    );
  });
  await page.click(button);
  const state = (): Promise<AtriumTestState> => page.evaluate(() => window.__atrium!.state());
  await page
    .waitForFunction(() => window.__atrium?.state().status === "connected", null, { timeout: 30_000 })
    .catch(async (error: unknown) => {
      const said = await page.evaluate(() => [
        document.querySelector("#landing-message")?.textContent,
        document.querySelector("#banner-text")?.textContent,
        window.__atrium?.state().status,
      ]);
      throw new Error(
        `${name} did not connect: ${String(error)}\npage says: ${JSON.stringify(said)}\npage errors: ${errors.join("\n")}`,
      );
    });
  const close = async (): Promise<void> => {
    // Navigating away is how a visitor leaves: the page says goodbye, so the server frees the seat at once.
    await page.goto("about:blank").catch(() => undefined);
    await context.close();
  };
  return { page, name, state, close };
}

/** Waits until predicate holds for the visitor's test-hook state; returns that state. */
export async function until(
  visitor: Visitor,
  predicate: (state: AtriumTestState) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<AtriumTestState> {
  let last: AtriumTestState | undefined;
  return waitFor(async () => (last = await visitor.state()), predicate, timeoutMs, what).catch(() => {
    throw new Error(
      `${visitor.name}: timed out after ${timeoutMs} ms waiting for ${what}; last state: ${JSON.stringify({ ...last, products: undefined }).slice(0, 2000)}`,
    );
  });
}

/** Holds a key down, as a visitor walking would, until `arrived` resolves; then lets go. */
export async function holdKeyUntil<T>(page: Page, key: string, arrived: () => Promise<T>): Promise<T> {
  await page.keyboard.down(key);
  try {
    return await arrived();
  } finally {
    await page.keyboard.up(key);
  }
}

/** Resolves once the visitor's page has drawn `count` more frames: what is on screen is the current state. */
export async function framesDrawn(visitor: Visitor, count = 10): Promise<void> {
  const start = (await visitor.state()).render.frames;
  await until(visitor, (s) => s.render.frames >= start + count, `${count} more frames drawn`);
}

/** Mean and spread of the screenshot's brightness, measured by the browser itself:
 * a black or blank canvas has a low mean or almost no spread. */
export async function brightness(page: Page, png: Buffer): Promise<{ mean: number; spread: number }> {
  return page.evaluate(
    async (dataUrl) => {
      const image = new Image();
      image.src = dataUrl;
      await image.decode();
      const canvas = document.createElement("canvas");
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext("2d")!;
      context.drawImage(image, 0, 0);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      const values: number[] = [];
      for (let i = 0; i < data.length; i += 4 * 97)
        values.push(((data[i] ?? 0) + (data[i + 1] ?? 0) + (data[i + 2] ?? 0)) / 3);
      const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
      const spread = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
      return { mean, spread };
    },
    `data:image/png;base64,${png.toString("base64")}`,
  );
}
