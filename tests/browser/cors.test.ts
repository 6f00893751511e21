import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaff, signIn } from "../integration/support-fixtures";
import { startTestServer, type TestServer } from "../support/server";
import { launchChromium } from "./browser";

/**
 * CORS is enforced by the browser: a page of another origin that calls Atrium with the signed-in
 * agent's cookie must not read the answer, unless that origin is one Atrium was told to allow.
 */
describe("another site calling Atrium with the agent's cookie", () => {
  let server: TestServer;
  let browser: Browser;
  const sites: Server[] = [];
  let stranger: string;
  let partner: string;

  /** Another site: a page on another port of this host is another origin (and the same site for cookies). */
  async function otherSite(): Promise<string> {
    const site = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<!doctype html><title>another site</title>");
    });
    sites.push(site);
    await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  }

  beforeAll(async () => {
    stranger = await otherSite();
    partner = await otherSite();
    server = await startTestServer({ env: { ATRIUM_ALLOWED_ORIGINS: partner } });
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await Promise.all(sites.map((site) => new Promise((resolve) => site.close(resolve))));
  });

  /** Signs the agent in within the browser, then, from the other site's page, reads the queue. */
  async function readQueueFrom(origin: string): Promise<string> {
    const context = await browser.newContext();
    try {
      const session = await signIn(server, await createStaff(server, "agent", "Ada"));
      const [name, value] = session.cookie.split("=");
      await context.addCookies([{ name: name ?? "", value: value ?? "", url: server.baseUrl }]);
      const page = await context.newPage();
      await page.goto(origin);
      return await page.evaluate(async (url) => {
        try {
          const response = await fetch(url, { credentials: "include" });
          return `read ${response.status}`;
        } catch (error) {
          return `blocked: ${(error as Error).name}`;
        }
      }, `${server.baseUrl}/api/support/queue`);
    } finally {
      await context.close();
    }
  }

  it("cannot read the queue from a page of another origin", async () => {
    expect(await readQueueFrom(stranger)).toBe("blocked: TypeError");
  });

  it("reads it from an origin Atrium was told to allow (ATRIUM_ALLOWED_ORIGINS), and from its own", async () => {
    expect(await readQueueFrom(partner)).toBe("read 200");
    expect(await readQueueFrom(server.baseUrl)).toBe("read 200");
  });
});
