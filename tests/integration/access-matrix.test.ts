import { randomUUID } from "node:crypto";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { apiRouter } from "../../server/http/api";
import { healthRouter } from "../../server/http/health";
import { recordingRouter } from "../../server/recording/api";
import { type HttpRouters, registeredRoutes, ROUTE_TABLE, type RouteRule } from "../../server/http/routes";
import { clientApp } from "../../server/http/static";
import { signToken } from "../../server/auth/tokens";
import type { Throttles } from "../../server/http/throttle";
import { privacyRouter } from "../../server/privacy/api";
import { supportRouter } from "../../server/support/api";
import { supportConfigFromEnv } from "../../server/support/config";
import { databaseKinds } from "../support/db";
import { startTestServer, type TestServer } from "../support/server";
import { guestToken } from "../support/visitor";
import { staffConsole } from "./support-fixtures";

/** Who calls: nobody, and one holder of each kind of credential the server takes. */
const CALLERS = ["anonymous", "customer", "agent", "manager", "operator"] as const;
type Caller = (typeof CALLERS)[number];

const METRICS_TOKEN = "matrix-operator-token-0123456789abcdef";
const SLUG = "home-living";

/**
 * Requests that end what they are called with (a session, a customer's data) run after all the
 * others, in this order: erasures first, so the staff who erase are still signed in.
 */
const LATER: Record<string, number> = {
  "DELETE /api/me/data": 1,
  "POST /api/support/customers/:customer/erase": 1,
  "POST /api/support/sign-out": 2,
};

/** A well-formed body where a route reads one; the ids in paths are random, so 404 and 409 are expected answers. */
const BODIES: Record<string, (caller: Credentials) => unknown> = {
  "POST /api/guest-token": () => ({}),
  // Signing in is public; a well-formed wrong password would answer 401 by design, so it is left incomplete.
  "POST /api/support/sign-in": () => ({}),
  "PUT /api/support/presence": () => ({ status: "away" }),
  "POST /api/support/tickets/:id/notes": () => ({ text: "a note" }),
  "POST /api/support/room-token": () => ({ ticketId: randomUUID() }),
  "DELETE /api/me/data": () => ({ confirm: true }),
  "POST /api/support/customers/:customer/erase": () => ({}),
  "POST /matchmake/:method/:roomName": (credentials) => ({
    slug: SLUG,
    name: "Matrix",
    ...(credentials.guest ? { token: credentials.guest.token } : {}),
  }),
};

interface Credentials {
  caller: Caller;
  headers: Record<string, string>;
  guest?: { token: string; customerId: string };
}

const key = (rule: RouteRule) => `${rule.method} ${rule.path}`;

function allows(rule: RouteRule, caller: Caller): boolean {
  return rule.access.some(
    (access) =>
      access === "public" ||
      access === caller ||
      (access === "self" && caller === "customer") ||
      (access === "staff" && (caller === "agent" || caller === "manager")),
  );
}

/** The path with its parameters filled in: a customer names itself, other ids are random. */
function pathFor(rule: RouteRule, credentials: Credentials, customerId = credentials.guest?.customerId): string {
  return rule.path.replace(/:(\w+)/g, (_, name: string) => {
    switch (name) {
      case "slug":
        return SLUG;
      case "customer":
        return customerId ?? randomUUID();
      case "method":
        return "joinOrCreate";
      case "roomName":
        return "showroom";
      default:
        return randomUUID();
    }
  });
}

async function send(
  baseUrl: string,
  rule: RouteRule,
  credentials: Credentials,
  path = pathFor(rule, credentials),
): Promise<{ status: number; body: string }> {
  const body = BODIES[key(rule)]?.(credentials);
  const done = new AbortController();
  const response = await fetch(`${baseUrl}${path}`, {
    method: rule.method,
    headers: { ...credentials.headers, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: done.signal,
  });
  // The queue stream never ends: its status is all this needs.
  if (response.headers.get("content-type")?.startsWith("text/event-stream")) {
    done.abort();
    return { status: response.status, body: "(event stream)" };
  }
  return { status: response.status, body: (await response.text()).slice(0, 300) };
}

/** The routers as the server builds them; building one reads nothing from its services. */
function serverRouters(): HttpRouters {
  const db = {} as Database;
  const throttles = {} as Throttles;
  return {
    privacy: privacyRouter({ db, secret: "unused" }),
    support: supportRouter({ db, secret: "unused", config: supportConfigFromEnv(), throttles, log: () => {} }),
    recordings: recordingRouter({ db }),
    api: apiRouter({ db, secret: "unused", guestTokenTtlSeconds: 60, metrics: new Map(), throttles, metricsToken: "" }),
    health: healthRouter({} as pg.Pool, () => {}),
    client: clientApp({ serveSourceMaps: false }),
  };
}

describe("the route table", () => {
  it("names every route the server's routers register, once, and nothing else", () => {
    const ruled = ROUTE_TABLE.filter((rule) => rule.servedBy !== "colyseus").map(key);
    expect(new Set(ruled).size).toBe(ruled.length);
    expect(registeredRoutes(serverRouters()).sort()).toEqual(ruled.sort());
  });
});

describe.each(databaseKinds())("who may call each HTTP route, on %s Postgres", (kind) => {
  let server: TestServer;
  const credentials = new Map<Caller, Credentials>();

  beforeAll(async () => {
    server = await startTestServer({
      database: kind,
      env: { ATRIUM_METRICS_TOKEN: METRICS_TOKEN, ATRIUM_GUEST_TOKENS_PER_ADDRESS: "10000" },
    });
    const agent = await staffConsole(server, "agent", "Ada");
    const manager = await staffConsole(server, "manager", "Max");
    credentials.set("anonymous", { caller: "anonymous", headers: {} });
    credentials.set("customer", await asCustomer(server));
    credentials.set("agent", { caller: "agent", headers: { cookie: agent.cookie } });
    credentials.set("manager", { caller: "manager", headers: { cookie: manager.cookie } });
    credentials.set("operator", { caller: "operator", headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("answers 401 or 403 to every caller a route does not serve, and serves the others", async () => {
    const cases = ROUTE_TABLE.flatMap((rule) => CALLERS.map((caller) => ({ rule, caller })));
    const outcomes: string[] = [];
    for (const phase of [0, 1, 2]) {
      const batch = cases.filter(({ rule }) => (LATER[key(rule)] ?? 0) === phase);
      for (let i = 0; i < batch.length; i += 12) {
        await Promise.all(
          batch.slice(i, i + 12).map(async ({ rule, caller }) => {
            const { status, body } = await send(server.baseUrl, rule, credentials.get(caller)!);
            const allowed = allows(rule, caller);
            const fine = allowed
              ? status !== 401 && status !== 403 && status < 500
              : caller === "anonymous"
                ? status === 401
                : status === 401 || status === 403;
            if (!fine) outcomes.push(`${key(rule)} as ${caller}: ${status} ${body}`);
          }),
        );
      }
    }
    expect(outcomes).toEqual([]);
    // The matrix ended with both consoles signing out: their sessions now open nothing.
    for (const caller of ["agent", "manager"] as const) {
      const me = ROUTE_TABLE.find((rule) => key(rule) === "GET /api/support/me")!;
      expect([caller, (await send(server.baseUrl, me, credentials.get(caller)!)).status]).toEqual([caller, 401]);
    }
  });

  it("answers Colyseus's own health check to anyone", async () => {
    const response = await fetch(`${server.baseUrl}/__healthcheck`);
    expect([response.status, await response.text()]).toEqual([200, "OK"]);
  });

  it("refuses every matchmaking method to anonymous callers and wrong credentials, and seats a customer", async () => {
    const customer = await asCustomer(server);
    const token = customer.guest!.token;
    const forged = signToken("another-server-secret-of-32-characters-or-more", {
      sub: customer.guest!.customerId,
      role: "customer",
      exp: Math.floor(Date.now() / 1000) + 600,
    });
    const staffCookie = credentials.get("agent")!.headers;
    let roomId = "";
    /** The status of one matchmaking request; joinById and reconnect name the room by its id. */
    const matchmake = async (method: string, options: Record<string, unknown>, headers = {}) => {
      const target = method === "joinById" || method === "reconnect" ? roomId : "showroom";
      const response = await fetch(`${server.baseUrl}/matchmake/${method}/${target}`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ slug: SLUG, name: "Matrix", ...options }),
      });
      const body = (await response.json()) as { roomId?: string };
      if (method === "joinOrCreate" && response.ok) roomId = body.roomId ?? "";
      return response.status;
    };
    expect(await matchmake("joinOrCreate", { token })).toBe(200);
    expect(roomId).not.toBe("");

    const refused: Array<[string, string, number]> = [];
    for (const method of ["joinOrCreate", "create", "join", "joinById"]) {
      refused.push(
        [method, "anonymous", await matchmake(method, {})],
        [method, "a token another server signed", await matchmake(method, { token: forged })],
        [method, "a staff session's cookie", await matchmake(method, {}, staffCookie)],
        [method, "a customer's token claiming an agent", await matchmake(method, { token, role: "agent" })],
      );
    }
    // A reconnection is let in by a seat's reconnection token, never by a join token (Colyseus's codes).
    refused.push(
      ["reconnect", "anonymous", await matchmake("reconnect", {})],
      ["reconnect", "a customer's join token", await matchmake("reconnect", { token })],
      ["reconnect", "a made-up reconnection token", await matchmake("reconnect", { reconnectionToken: randomUUID() })],
    );
    expect(refused).toEqual([
      ...["joinOrCreate", "create", "join", "joinById"].flatMap(
        (method): Array<[string, string, number]> => [
          [method, "anonymous", 401],
          [method, "a token another server signed", 401],
          [method, "a staff session's cookie", 401],
          [method, "a customer's token claiming an agent", 403],
        ],
      ),
      ["reconnect", "anonymous", 523],
      ["reconnect", "a customer's join token", 523],
      ["reconnect", "a made-up reconnection token", 524],
    ]);

    // The customer joins the open room by search or by id; a second room for the showroom is refused as full.
    expect([await matchmake("join", { token }), await matchmake("joinById", { token })]).toEqual([200, 200]);
    expect(await matchmake("create", { token })).toBe(503);
  });

  it("opens a customer's data to that customer's token only, whatever the path names", async () => {
    const customer = await asCustomer(server);
    const other = await guestToken(server.baseUrl);
    for (const rule of ROUTE_TABLE.filter((r) => r.access.includes("self"))) {
      for (const named of [other.customerId, other.customerId.slice(-8), randomUUID(), "00000000", "not-an-id"]) {
        const { status } = await send(server.baseUrl, rule, customer, pathFor(rule, customer, named));
        expect([key(rule), named, status]).toEqual([key(rule), named, 403]);
      }
    }
  });
});

async function asCustomer(server: TestServer): Promise<Credentials> {
  const guest = await guestToken(server.baseUrl);
  return {
    caller: "customer",
    headers: { authorization: `Bearer ${guest.token}` },
    guest: { token: guest.token, customerId: guest.customerId },
  };
}
