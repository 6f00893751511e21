import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaff } from "../integration/support-fixtures";
import { startTestServer, type TestServer } from "../support/server";
import { brightness, launchChromium } from "./browser";

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

/** A page that records every Content-Security-Policy violation and page error it meets. */
async function watchedPage(): Promise<{ page: Page; problems: () => Promise<string[]> }> {
  const context = await browser.newContext({ viewport: { width: 960, height: 600 } });
  contexts.push(context);
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on("console", (message) => {
    // A console asks who is signed in before anyone is: its 401 is expected, CSP's reports are not.
    if (message.type() === "error" && message.text().includes("Content Security Policy"))
      consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(error.message));
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (event) =>
      seen.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`),
    );
  });
  return {
    page,
    problems: async () => [
      ...(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)),
      ...consoleErrors,
    ],
  };
}

describe("the pages work under their Content-Security-Policy", () => {
  it("the showroom enters, connects and renders its 3D scene with no violation", async () => {
    const { page, problems } = await watchedPage();
    const response = await page.goto(`${server.baseUrl}/showroom/home-living`);
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await page.fill("#display-name", "Csp");
    await page.waitForSelector("#enter:not([disabled])", { timeout: 60_000 });
    await page.click("#enter");
    await page.waitForFunction(() => window.__atrium?.state().status === "connected", null, { timeout: 30_000 });
    // A few frames drawn after the first state.
    await page.waitForFunction(
      () => new Promise<boolean>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true)))),
    );
    const canvas = page.locator("canvas").first();
    const shot = await canvas.screenshot();
    const file = join(tmpdir(), "atrium-csp-showroom.png");
    writeFileSync(file, shot);
    const { mean, spread } = await brightness(page, shot);
    // A black (or blank) canvas has no spread; a rendered room has floor, walls and products.
    expect(mean, file).toBeGreaterThan(15);
    expect(spread, file).toBeGreaterThan(8);
    expect(await problems()).toEqual([]);
  }, 120_000);

  it("the agent console signs in and shows its styled queue with no violation", async () => {
    const agent = await createStaff(server, "agent", "Cyra");
    const { page, problems } = await watchedPage();
    await page.goto(`${server.baseUrl}/agent`);
    await page.fill("#email", agent.email);
    await page.fill("#password", agent.password);
    await page.click("#sign-in-form button[type=submit]");
    await page.waitForSelector("#console:not([hidden])");
    // The page's own <style> applies (allowed by its hash).
    expect(await page.evaluate(() => getComputedStyle(document.querySelector("#queue")!).listStyleType)).toBe("none");
    writeFileSync(join(tmpdir(), "atrium-csp-agent.png"), await page.screenshot());
    expect(await problems()).toEqual([]);
  }, 60_000);

  it("an inline script injected into the page does not run", async () => {
    const { page, problems } = await watchedPage();
    await page.goto(`${server.baseUrl}/showroom/home-living`);
    await page.evaluate(() => {
      const script = document.createElement("script");
      script.textContent = "window.injected = true;";
      document.body.append(script);
    });
    expect(await page.evaluate(() => (window as unknown as { injected?: boolean }).injected)).toBeUndefined();
    expect((await problems()).some((problem) => problem.includes("script-src"))).toBe(true);
  }, 60_000);
});
