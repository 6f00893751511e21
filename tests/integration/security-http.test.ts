import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { execFile } from "node:child_process";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "../../db/embedded";
import { projectRoot } from "../../db/paths";
import { customers } from "../../db/schema";
import { MAX_FAILED_SIGN_INS } from "../../server/auth/staff";
import { SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS } from "../../server/http/throttle";
import type { GuestTokenResponse } from "../../schema/api";
import { databaseKinds } from "../support/db";
import { nth } from "../support/items";
import { startTestServer, type TestServer } from "../support/server";
import { guestToken, joinShowroom } from "../support/visitor";
import { createStaff, request, signIn } from "./support-fixtures";

const run = promisify(execFile);
const SHOP = "https://shop.example";
const METRICS_TOKEN = "m".repeat(40);
const GUEST_LIMIT = 5;

/** The client's source map asked for as written, and written so that a plain `.map` suffix test misses it. */
const SOURCE_MAP_DISGUISES = [
  "/app.js.map",
  "/app.js.m%61p",
  "/app.js.%6D%61%70",
  "/%61pp.js.map",
  "/APP.JS.MAP",
  "/app.js.MAP",
  "/app.js.map/",
  "/app.js.m%61p%2F",
  "/./app.js.map",
];

/** A request from a given client address, as the trusted proxy in front reports it. */
const from = (address: string) => ({ "x-forwarded-for": address });

async function postGuestToken(
  baseUrl: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  body: GuestTokenResponse & { error?: string; message?: string };
  retryAfter: string | null;
}> {
  const response = await fetch(`${baseUrl}/api/guest-token`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json(), retryAfter: response.headers.get("retry-after") };
}

/** Sends the headers of a large body and a first part of it; resolves with the server's answer. */
function sendLargeBody(
  url: string,
  headers: Record<string, string | number>,
): Promise<{ status: number; body: string; elapsedMs: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", headers }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, elapsedMs: Date.now() - started }));
    });
    // The server may close before the rest is sent: that is the point.
    req.on("error", (error) =>
      error.message.includes("EPIPE") || error.message.includes("ECONNRESET") ? undefined : reject(error),
    );
    req.write(Buffer.alloc(64 * 1024, "a"));
    // Never ended: a server that waited for the whole 64 MB would not answer.
  });
}

describe.each(databaseKinds())("the HTTP side refuses what it should, on %s Postgres", (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      database: kind,
      env: {
        ATRIUM_ALLOWED_ORIGINS: SHOP,
        ATRIUM_TRUST_PROXY: "1",
        ATRIUM_GUEST_TOKENS_PER_ADDRESS: String(GUEST_LIMIT),
        ATRIUM_METRICS_TOKEN: METRICS_TOKEN,
      },
    });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it("a visitor id alone is no password: only the secret issued with it brings the customer back", async () => {
    const headers = from("192.0.2.10");
    const first = await postGuestToken(server.baseUrl, {}, headers);
    expect(first.status).toBe(200);
    expect(first.body.visitorSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = nth(
      await server.database.db.select().from(customers).where(eq(customers.visitorId, first.body.visitorId)),
      0,
      "the stored customer",
    );
    // Only a hash of the secret is kept.
    expect(stored.visitorSecretHash).toBe(
      createHash("sha256")
        .update(first.body.visitorSecret ?? "")
        .digest("hex"),
    );

    const withoutSecret = await postGuestToken(server.baseUrl, { visitorId: first.body.visitorId }, headers);
    const wrongSecret = await postGuestToken(
      server.baseUrl,
      { visitorId: first.body.visitorId, visitorSecret: "x".repeat(43) },
      headers,
    );
    for (const stranger of [withoutSecret, wrongSecret]) {
      expect(stranger.status).toBe(200);
      expect(stranger.body.customerId).not.toBe(first.body.customerId);
      expect(stranger.body.visitorId).not.toBe(first.body.visitorId);
    }

    const back = await postGuestToken(
      server.baseUrl,
      { visitorId: first.body.visitorId, visitorSecret: first.body.visitorSecret },
      from("192.0.2.11"),
    );
    expect(back.body).toMatchObject({ customerId: first.body.customerId, visitorId: first.body.visitorId });
    expect(back.body.visitorSecret).toBeUndefined();
  });

  it("a customer from before secrets gets one on the first return, once; after that the secret is required", async () => {
    const legacyId = `legacy-${Date.now().toString(36)}`;
    const legacy = nth(
      await server.database.db
        .insert(customers)
        .values({ id: "01900000-0000-7000-8000-00000000a001", visitorId: legacyId })
        .returning(),
      0,
      "the customer from before secrets",
    );
    const headers = from("192.0.2.20");
    const returning = await postGuestToken(server.baseUrl, { visitorId: legacyId }, headers);
    expect(returning.body).toMatchObject({ customerId: legacy.id, visitorId: legacyId });
    expect(returning.body.visitorSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const copycat = await postGuestToken(server.baseUrl, { visitorId: legacyId }, headers);
    expect(copycat.body.customerId).not.toBe(legacy.id);
    const again = await postGuestToken(
      server.baseUrl,
      { visitorId: legacyId, visitorSecret: returning.body.visitorSecret },
      headers,
    );
    expect(again.body.customerId).toBe(legacy.id);
  });

  it("a flood of guest tokens from one address gets 429 with Retry-After, while another address still gets in", async () => {
    const flood = from("203.0.113.7");
    for (let i = 0; i < GUEST_LIMIT; i++) expect((await postGuestToken(server.baseUrl, {}, flood)).status).toBe(200);
    const refused = await postGuestToken(server.baseUrl, {}, flood);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toBe("too_many_requests");
    expect(refused.body.message).toMatch(/try again in/);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect((await postGuestToken(server.baseUrl, {}, from("203.0.113.8"))).status).toBe(200);
  });

  it("a stranger's wrong passwords lock only their own address out; the agent signs in from theirs", async () => {
    const agent = await createStaff(server, "agent", "Ada");
    const stranger = from("198.51.100.66");
    const guess = (password: string, headers: Record<string, string>) =>
      request(server.baseUrl, "POST", "/sign-in", { body: { email: agent.email, password }, headers });
    for (let i = 0; i < 5; i++) expect((await guess("not-the-password", stranger)).status).toBe(401);
    const refused = await guess("not-the-password", stranger);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: "too_many_attempts" });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(60);
    // Even the right password from that address waits: the pair is locked, whatever is tried.
    expect((await guess(agent.password, stranger)).status).toBe(429);

    const real = await guess(agent.password, from("198.51.100.7"));
    expect(real.status).toBe(200);
  });

  it("strangers on many addresses lock the account for themselves, not for the agent where they signed in before", async () => {
    const agent = await createStaff(server, "agent", "Desk");
    const guess = (password: string, headers: Record<string, string>) =>
      request(server.baseUrl, "POST", "/sign-in", { body: { email: agent.email, password }, headers });
    // The agent's desk, and their laptop on an IPv6 network: the whole /64 is one address.
    expect((await guess(agent.password, from("198.51.100.40"))).status).toBe(200);
    expect((await guess(agent.password, from("2001:db8:40:40::a"))).status).toBe(200);

    const strangers = Array.from(
      { length: MAX_FAILED_SIGN_INS / SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS },
      (_, i) => `203.0.113.${100 + i}`,
    );
    for (const address of strangers)
      for (let i = 0; i < SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS; i++)
        expect((await guess("not-the-password", from(address))).status).toBe(401);
    // The account is locked to new addresses: even its right password is answered as wrong.
    expect((await guess(agent.password, from("203.0.113.200"))).status).toBe(401);

    expect((await guess(agent.password, from("198.51.100.40"))).status).toBe(200);
    expect((await guess(agent.password, from("2001:db8:40:40:1234:5678:9abc:def0"))).status).toBe(200);
    // The agent signing in clears nothing for the strangers.
    expect((await guess(agent.password, from("203.0.113.201"))).status).toBe(401);
    // At the known address the per-address limit still holds: five wrong passwords, then a wait.
    for (let i = 0; i < SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS; i++)
      expect((await guess("not-the-password", from("198.51.100.40"))).status).toBe(401);
    expect((await guess(agent.password, from("198.51.100.40"))).status).toBe(429);
  });

  it("addresses in one IPv6 /64 are one address to the sign-in limits", async () => {
    const agent = await createStaff(server, "agent", "Sixty");
    const guess = (headers: Record<string, string>) =>
      request(server.baseUrl, "POST", "/sign-in", {
        body: { email: agent.email, password: "not-the-password" },
        headers,
      });
    for (let i = 1; i <= SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS; i++)
      expect((await guess(from(`2001:db8:66:66::${i}`))).status).toBe(401);
    expect((await guess(from("2001:db8:66:66:ffff:ffff:ffff:ffff"))).status).toBe(429);
    expect((await guess(from("2001:db8:66:67::1"))).status).toBe(401);
  });

  it("one address trying many accounts is stopped too", async () => {
    const prober = from("198.51.100.99");
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      const response = await request(server.baseUrl, "POST", "/sign-in", {
        body: { email: `nobody-${i}@staff.test`, password: "whatever-it-is" },
        headers: prober,
      });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 30).every((status) => status === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
  });

  it("reads no large body on any route: 413 at once for /matchmake and /api, 411 for a body without a length", async () => {
    for (const path of ["/matchmake/joinOrCreate/showroom", "/api/guest-token", "/api/support/sign-in"]) {
      const answer = await sendLargeBody(`${server.baseUrl}${path}`, {
        "content-type": "application/json",
        "content-length": 64 * 1024 * 1024,
      });
      expect(answer.status, path).toBe(413);
      expect(answer.elapsedMs, path).toBeLessThan(5000);
      expect(JSON.parse(answer.body)).toMatchObject({ error: "body_too_large" });
    }
    const chunked = await sendLargeBody(`${server.baseUrl}/matchmake/joinOrCreate/showroom`, {
      "content-type": "application/json",
      "transfer-encoding": "chunked",
    });
    expect(chunked.status).toBe(411);
    // A visitor's ordinary join still works.
    const visitor = await joinShowroom(server.baseUrl, { name: "Ordinary" });
    await visitor.leave();
  });

  it("gives CORS with credentials only to the configured origin, on the console API and matchmaking", async () => {
    const guest = await guestToken(server.baseUrl);
    const calls: Array<[string, RequestInit]> = [
      ["/api/support/me", { method: "GET" }],
      [
        "/matchmake/joinOrCreate/showroom",
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ slug: "home-living", token: guest.token, name: "Cors" }),
        },
      ],
      ["/matchmake/joinOrCreate/showroom", { method: "OPTIONS" }],
    ];
    for (const [path, init] of calls) {
      const evil = await fetch(`${server.baseUrl}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), origin: "https://evil.example" },
      });
      expect(evil.headers.get("access-control-allow-origin"), `${init.method} ${path}`).toBeNull();
      expect(evil.headers.get("access-control-allow-credentials"), `${init.method} ${path}`).toBeNull();
      const shop = await fetch(`${server.baseUrl}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), origin: SHOP },
      });
      expect(shop.headers.get("access-control-allow-origin"), `${init.method} ${path}`).toBe(SHOP);
      expect(shop.headers.get("access-control-allow-credentials"), `${init.method} ${path}`).toBe("true");
    }
  });

  it("serves pages with a CSP and frame protection, and no source maps", async () => {
    const page = await fetch(`${server.baseUrl}/showroom/home-living`);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect((await fetch(`${server.baseUrl}/app.js`)).status).toBe(200);
    for (const path of SOURCE_MAP_DISGUISES)
      expect([path, (await fetch(`${server.baseUrl}${path}`)).status]).toEqual([path, 404]);
  });

  it("marks the staff cookie Secure behind the TLS proxy it trusts", async () => {
    const agent = await createStaff(server, "agent", "Tls");
    const signInWith = (headers: Record<string, string>) =>
      request(server.baseUrl, "POST", "/sign-in", {
        body: { email: agent.email, password: agent.password },
        headers: { ...from("198.51.100.30"), ...headers },
      });
    expect((await signInWith({ "x-forwarded-proto": "https" })).headers.get("set-cookie")).toMatch(/; Secure/);
    expect((await signInWith({})).headers.get("set-cookie")).not.toMatch(/Secure/);
  });

  it("shows /api/metrics only to managers and to the operator's token", async () => {
    const metrics = (headers: Record<string, string>) => fetch(`${server.baseUrl}/api/metrics`, { headers });
    expect((await metrics({})).status).toBe(401);
    expect((await metrics({ authorization: "Bearer not-the-token-not-the-token-not-the" })).status).toBe(401);
    const agent = await signIn(server, await createStaff(server, "agent", "Metra"));
    expect((await metrics({ cookie: agent.cookie })).status).toBe(401);
    const manager = await signIn(server, await createStaff(server, "manager", "Mona"));
    const asManager = await metrics({ cookie: manager.cookie });
    expect(asManager.status).toBe(200);
    expect(await asManager.json()).toHaveProperty("rooms");
    expect((await metrics({ authorization: `Bearer ${METRICS_TOKEN}` })).status).toBe(200);
  });

  it("writes client-chosen text into the log as one line, and a refused join as one line without a stack", async () => {
    const visitor = await joinShowroom(server.baseUrl, { name: "Logger" });
    const forged = "no-such\n[room] forged line";
    visitor.room.send(forged, {});
    await expect.poll(() => server.output(), { timeout: 5000 }).toContain("no-such\\n[room] forged line");
    expect(server.output()).not.toMatch(/^\[room\] forged line/m);
    await visitor.leave();

    const before = server.output().length;
    await expect(joinShowroom(server.baseUrl, { token: "v1.forged.token" })).rejects.toThrow();
    await joinShowroom(server.baseUrl, { name: "After" }).then((v) => v.leave());
    expect(server.output().slice(before)).not.toMatch(/^\s+at /m);
  });
});

describe("the embedded database's files, the settings, and a proxy nobody configured", () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = join(mkdtempSync(join(tmpdir(), "atrium-private-")), "data");
  });
  afterAll(() => {
    rmSync(join(dataDir, ".."), { recursive: true, force: true });
  });

  it("keeps the data folder private: nothing in it readable by group or others, old open files repaired", async () => {
    // As versions before left it: the folder and a file open to everyone.
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, "left-open"), "x", { mode: 0o666 });
    chmodSync(join(dataDir, "left-open"), 0o666);
    const embedded = await startEmbeddedPostgres(dataDir);
    try {
      const open: string[] = [];
      const walk = (path: string) => {
        const stat = statSync(path);
        if (stat.mode & 0o077) open.push(`${(stat.mode & 0o777).toString(8)} ${path}`);
        if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
      };
      walk(dataDir);
      expect(open).toEqual([]);
      expect(readdirSync(join(dataDir, "pg")).length).toBeGreaterThan(5);
    } finally {
      await embedded.stop();
    }
  }, 60_000);

  it("without ATRIUM_TRUST_PROXY, X-Forwarded-For is anyone's to write and does not change the address", async () => {
    const server = await startTestServer({ env: { ATRIUM_GUEST_TOKENS_PER_ADDRESS: "2" } });
    try {
      const statuses: number[] = [];
      for (const address of ["192.0.2.1", "192.0.2.2", "192.0.2.3"])
        statuses.push((await postGuestToken(server.baseUrl, {}, from(address))).status);
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await server.close();
    }
  }, 60_000);

  it("with ATRIUM_SERVE_SOURCEMAPS=1 serves the source maps, however the path is written", async () => {
    const server = await startTestServer({ env: { ATRIUM_SERVE_SOURCEMAPS: "1" } });
    try {
      for (const path of ["/app.js.map", "/app.js.m%61p"]) {
        const map = await fetch(`${server.baseUrl}${path}`);
        expect([path, map.status]).toEqual([path, 200]);
        expect((await map.json()).version).toBe(3);
      }
    } finally {
      await server.close();
    }
  }, 60_000);

  it("refuses to start with a short ATRIUM_SECRET, saying why", async () => {
    const started = run(process.execPath, [join(projectRoot(), "dist", "server.js")], {
      env: { ...process.env, ATRIUM_SECRET: "too-short", PORT: "0", HOST: "127.0.0.1", ATRIUM_DATA_DIR: dataDir },
      timeout: 30_000,
    });
    await expect(started).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/ATRIUM_SECRET must be at least 32 characters/),
    });
  }, 40_000);
});
