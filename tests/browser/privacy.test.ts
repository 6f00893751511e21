import { readFileSync } from "node:fs";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { showrooms } from "../../db/schema";
import { type CustomerDataExport, PRIVACY_NOTICE_VERSION } from "../../schema/privacy";
import { startTestServer, type TestServer } from "../support/server";
import { waitFor } from "../support/wait";
import { launchChromium, openVisitor, SCREENSHOTS, type Visitor } from "./browser";

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const visitors: Visitor[] = [];

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  for (const visitor of visitors) await visitor.close().catch(() => undefined);
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

async function landingPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 960, height: 600 } });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${server.baseUrl}/showroom/home-living`);
  await page.waitForSelector("#enter:not([disabled])", { timeout: 60_000 });
  return { context, page };
}

const query = async <T>(text: string, values: unknown[] = []): Promise<T[]> =>
  (await server.database.pool.query(text, values)).rows as T[];

describe("the landing page tells the visitor their visit is recorded", () => {
  it("shows the notice with a link that opens the privacy page", async () => {
    const { context, page } = await landingPage();
    const notice = page.locator(".privacy-notice");
    expect(await notice.isVisible()).toBe(true);
    expect(await notice.textContent()).toContain("Your visit is recorded");
    expect(await page.locator("#consent-row").isHidden()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, "privacy-landing.png") });

    const link = notice.locator("a", { hasText: "Privacy notice" });
    expect(await link.getAttribute("href")).toBe("/privacy");
    const [privacy] = await Promise.all([context.waitForEvent("page"), link.click()]);
    await privacy.waitForLoadState();
    expect(new URL(privacy.url()).pathname).toBe("/privacy");
    expect(await privacy.textContent("body")).toContain("What we record when you visit a showroom");
  }, 90_000);
});

describe("a showroom that requires consent", () => {
  it("lets the visitor enter only once the consent box is ticked, and they connect", async () => {
    const requireConsent = (requiresConsent: boolean) =>
      server.database.db.update(showrooms).set({ requiresConsent }).where(eq(showrooms.slug, "home-living"));
    await requireConsent(true);
    try {
      const context = await browser.newContext({ viewport: { width: 960, height: 600 } });
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(`${server.baseUrl}/showroom/home-living`);
      await page.fill("#display-name", "Constance");
      await page.waitForSelector("#consent-row:not([hidden])", { timeout: 60_000 });
      expect(await page.isChecked("#consent")).toBe(false);
      expect(await page.isDisabled("#enter")).toBe(true);
      await page.screenshot({ path: join(SCREENSHOTS, "privacy-consent-required.png") });

      await page.check("#consent");
      await page.waitForSelector("#enter:not([disabled])", { timeout: 60_000 });
      await page.click("#enter");
      await page.waitForFunction(() => window.__atrium?.state().status === "connected", null, { timeout: 30_000 });
      const customerId = await page.evaluate(
        () => (JSON.parse(localStorage.getItem("atrium.guest") ?? "{}") as { customerId?: string }).customerId,
      );
      const consents = await query<{ version: string }>(
        "SELECT payload->>'version' AS version FROM interactions WHERE customer_id = $1 AND type = 'consent_given'",
        [customerId],
      );
      expect(consents.map((c) => c.version)).toEqual([PRIVACY_NOTICE_VERSION]);
      await page.goto("about:blank");
    } finally {
      await requireConsent(false);
    }
  }, 120_000);
});

describe("Your data", () => {
  it("downloads what is held about the visitor's visit, and erases it once confirmed", async () => {
    const visitor = await openVisitor(browser, server.baseUrl, "Petra Privacy");
    visitors.push(visitor);
    const { page } = visitor;
    const customerId = await page.evaluate(
      () => (JSON.parse(localStorage.getItem("atrium.guest") ?? "{}") as { customerId?: string }).customerId,
    );
    const [visit] = await waitFor(
      () => query<{ id: string }>("SELECT id FROM visits WHERE customer_id = $1", [customerId]),
      (rows) => rows.length === 1,
      15_000,
      "the visit to be recorded",
    );
    // Back on the landing page, as a visitor who left the showroom.
    await page.goto(`${server.baseUrl}/showroom/home-living`);
    await page.waitForSelector("#enter:not([disabled])", { timeout: 60_000 });
    await page.click("#your-data");
    await page.waitForSelector("#your-data-dialog[open]");

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#your-data-export")]);
    expect(download.suggestedFilename()).toBe("atrium-my-data.json");
    const path = await download.path();
    const data = JSON.parse(readFileSync(path, "utf8")) as CustomerDataExport;
    expect(data.profile).toMatchObject({ id: customerId, displayName: "Petra Privacy", erasedAt: null });
    expect(data.visits.map((v) => [v.id, v.showroom])).toEqual([[visit?.id, "home-living"]]);
    await page.waitForFunction(
      () => document.querySelector("#your-data-message")?.textContent === "Downloaded. 已下载。",
    );

    const confirmations: string[] = [];
    page.once("dialog", (dialog) => {
      confirmations.push(dialog.message());
      void dialog.dismiss();
    });
    await page.click("#your-data-erase");
    await waitFor(
      async () => confirmations.length,
      (n) => n === 1,
      5_000,
      "the confirmation",
    );
    expect(confirmations[0]).toContain("Erase everything this showroom holds about you?");
    const customer = () =>
      query<{ display_name: string | null; erased_at: Date | null }>(
        "SELECT display_name, erased_at FROM customers WHERE id = $1",
        [customerId],
      );
    expect(await customer()).toEqual([{ display_name: "Petra Privacy", erased_at: null }]);

    page.once("dialog", (dialog) => {
      confirmations.push(dialog.message());
      void dialog.accept();
    });
    await page.click("#your-data-erase");
    await page.waitForFunction(() => document.querySelector("#your-data-message")?.textContent?.startsWith("Erased."));
    expect(confirmations).toHaveLength(2);
    const [erased] = await customer();
    expect(erased?.display_name).toBeNull();
    expect(erased?.erased_at).not.toBeNull();
    expect(await page.evaluate(() => localStorage.getItem("atrium.guest"))).toBeNull();
    const [names] = await query<{ count: string }>(
      "SELECT count(*) FROM interactions WHERE customer_id = $1 AND payload::text LIKE '%Petra%'",
      [customerId],
    );
    expect(names?.count).toBe("0");
  }, 120_000);
});
