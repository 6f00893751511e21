import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaff } from "../integration/support-fixtures";
import { startTestServer, type TestServer } from "../support/server";
import { framesDrawn, launchChromium, openVisitor, SCREENSHOTS, until, type Visitor } from "./browser";

let server: TestServer;
let browser: Browser;
let customer: Visitor | undefined;
let consolePage: Page | undefined;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await customer?.close().catch(() => undefined);
  await consolePage
    ?.context()
    .close()
    .catch(() => undefined);
  await browser?.close();
  await server?.close();
});

/** What the customer's support panel shows. */
const panelState = (page: Page) =>
  page.evaluate(() => document.querySelector<HTMLElement>(".support-panel")?.dataset.state ?? null);

describe("live support in the browser", () => {
  it("a customer presses Help, an agent accepts from the console and appears beside them, they talk privately, and the customer's rating is saved", async () => {
    const agent = await createStaff(server, "agent", "Alex");

    // The agent signs in to the console and goes online.
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    consolePage = await context.newPage();
    consolePage.on("pageerror", (error) => console.log(`[console] page error: ${error.message}`));
    await consolePage.goto(`${server.baseUrl}/agent`);
    await consolePage.fill("#email", agent.email);
    await consolePage.fill("#password", agent.password);
    await consolePage.click("#sign-in-form button[type=submit]");
    await consolePage.waitForSelector("#console:not([hidden])");
    await consolePage.selectOption("#presence", "online");
    await consolePage.waitForFunction(
      () => document.querySelector<HTMLElement>("#presence-dot")?.dataset.status === "online",
    );

    // A customer in the showroom presses Help.
    customer = await openVisitor(browser, server.baseUrl, "Nora", { width: 1100, height: 700 });
    const page = customer.page;
    const me = (await customer.state()).sessionId!;
    await page.waitForSelector("#support-help");
    await page.fill(".support-panel input", "Do you have this sofa in green?");
    await page.click("#support-help");

    // The console shows it (pushed by its queue stream, no reload), with who is asking and what we know of them.
    const item = consolePage.locator("#queue li.ticket", { hasText: "Nora" });
    await item.waitFor({ timeout: 10_000 });
    await expect.poll(() => item.textContent()).toContain("Do you have this sofa in green?");
    const text = (await item.textContent()) ?? "";
    expect(text).toContain("1 visit");
    expect(text).toContain("Help button");
    expect(text).toContain("#1");
    await expect.poll(() => panelState(page), { timeout: 3000 }).toBe("queued");
    expect(await page.textContent(".support-panel")).toContain("You are next in line.");
    // The waiting time ticks without a reload.
    await expect.poll(() => item.locator(".wait").textContent(), { timeout: 4000 }).toMatch(/^0:0[2-9]$/);
    await consolePage.screenshot({ path: join(SCREENSHOTS, "support-console-queue.png") });

    // Accept: the console walks the agent over; the customer sees them appear beside them.
    await item.locator("button.accept").click();
    await consolePage.waitForFunction(() => window.__agentConsole?.().customerSessionId !== null, null, {
      timeout: 10_000,
    });
    expect(await consolePage.textContent("#room-status")).toContain("beside Nora");
    const agentSession = await consolePage.evaluate(() => window.__agentConsole!().mySessionId!);
    const seen = await until(customer, (s) => s.avatars[agentSession]?.role === 1, "the agent's avatar", 10_000);
    const [ax = NaN, , az = NaN] = seen.avatars[agentSession]?.head ?? [];
    const [cx = NaN, , cz = NaN] = seen.avatars[me]?.head ?? [];
    expect(Math.hypot(ax - cx, az - cz)).toBeLessThan(2);
    expect(seen.avatars[agentSession]?.name).toBe("Alex");
    await expect.poll(() => panelState(page), { timeout: 3000 }).toBe("agent_joined");
    expect(await page.textContent(".support-panel")).toContain("Alex is here, next to you");

    // Private messages both ways.
    await consolePage.fill("#say-input", "Hi Nora! Yes, it comes in sage green.");
    await consolePage.click("#say-form button[type=submit]");
    await page.locator(".support-panel .lines li.agent", { hasText: "sage green" }).waitFor({ timeout: 5000 });
    await page.fill("#support-say", "Lovely, could I see a swatch?");
    await page.click(".support-panel form:not([hidden]) button[type=submit]");
    await consolePage.locator("#messages li.customer", { hasText: "swatch" }).waitFor({ timeout: 5000 });
    // The room chat never carried them.
    expect((await customer.state()).chat.map((line) => line.text)).not.toContain("Lovely, could I see a swatch?");
    await framesDrawn(customer);
    await page.screenshot({ path: join(SCREENSHOTS, "support-customer-with-agent.png") });
    await consolePage.screenshot({ path: join(SCREENSHOTS, "support-console-ticket.png") });

    // Resolve: the customer is asked to rate, and the rating lands in the database.
    await consolePage.click("#resolve");
    await consolePage.waitForSelector("#ticket", { state: "hidden" });
    await expect.poll(() => panelState(page), { timeout: 5000 }).toBe("rate");
    await page.click('.support-panel .stars button[data-score="4"]');
    await page.fill("#support-comment", "Quick and friendly");
    await page.screenshot({ path: join(SCREENSHOTS, "support-customer-csat.png") });
    await page.click("#support-rate");
    await expect.poll(() => panelState(page), { timeout: 5000 }).toBe("thanks");
    const rows = await server.database.pool.query(
      "SELECT status, csat_score, csat_comment FROM support_tickets t JOIN customers c ON c.id = t.customer_id WHERE c.display_name = 'Nora'",
    );
    expect(rows.rows).toEqual([{ status: "resolved", csat_score: 4, csat_comment: "Quick and friendly" }]);
  });
});
