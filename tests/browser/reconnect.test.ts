import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server";
import { holdKeyUntil, launchChromium, openVisitor, SCREENSHOTS, until, type Visitor } from "./browser";

let server: TestServer;
let browser: Browser;
const visitors: Visitor[] = [];

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
});

afterAll(async () => {
  for (const visitor of visitors) await visitor.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

describe("a server restart", () => {
  it("shows the reconnect status, then both visitors are back in the room together", async () => {
    const alice = await openVisitor(browser, server.baseUrl, "Alice");
    const bob = await openVisitor(browser, server.baseUrl, "Bob");
    visitors.push(alice, bob);
    const aliceBefore = await alice.state();
    await until(bob, (s) => s.avatars[aliceBefore.sessionId!] !== undefined, "Bob to see Alice");

    await server.stop();
    const lost = await until(alice, (s) => s.status === "reconnecting", "Alice's page to notice the drop");
    expect(lost.statusText).toMatch(/reconnecting/i);
    expect(lost.banner).toMatch(/reconnecting/i);
    await alice.page.screenshot({ path: `${SCREENSHOTS}/desktop-reconnecting.png` });

    await server.restart();
    const back = await until(
      alice,
      (s) => s.status === "connected" && s.banner === null,
      "Alice to be connected again",
      30_000,
    );
    expect(back.statusText).toMatch(/connected/i);
    const bobBack = await until(bob, (s) => s.status === "connected", "Bob to be connected again", 30_000);
    await until(alice, (s) => s.avatars[bobBack.sessionId!] !== undefined, "Alice to see Bob again");

    // The room works as before: Alice walks and Bob sees it.
    const seen = await until(bob, (s) => s.avatars[back.sessionId!] !== undefined, "Bob to see Alice again");
    const start = seen.avatars[back.sessionId!]?.head ?? [];
    await holdKeyUntil(alice.page, "KeyW", () =>
      until(
        bob,
        (s) => (s.avatars[back.sessionId!]?.head[2] ?? 0) < (start[2] ?? 0) - 1.2,
        "Alice to walk after the restart",
      ),
    );
  });
});
