import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uuidv7 } from "uuidv7";
import type { ApiError, GuestTokenResponse } from "../../schema/api";
import {
  type AuditPage,
  type CustomerDataExport,
  type ErasureReceipt,
  PRIVACY_NOTICE_VERSION,
} from "../../schema/privacy";
import { databaseKinds } from "../support/db";
import { startTestServer, type TestServer } from "../support/server";
import { guestToken, joinShowroom, type Visitor } from "../support/visitor";
import { customerAsksForHelp, goOnline, type StaffConsole, staffConsole } from "./support-fixtures";
import { nth } from "../support/items";
import { ShowroomCloseCode } from "../../schema/close-codes";
import { waitFor } from "../support/wait";

/** The console's reference for a customer (server/support/views.ts). */
const referenceOf = (customerId: string) => customerId.replace(/-/g, "").slice(-8);

describe.each(databaseKinds())("privacy on %s Postgres", (kind) => {
  let server: TestServer;
  let manager: StaffConsole;
  let agent: StaffConsole;
  const visitors: Visitor[] = [];
  const query = async <T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> =>
    (await server.database.pool.query(text, values)).rows as T[];

  const api = async <T>(
    method: string,
    path: string,
    options: { token?: string; cookie?: string; body?: unknown } = {},
  ) => {
    const response = await fetch(`${server.baseUrl}/api${path}`, {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.cookie ? { cookie: options.cookie } : {}),
        ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };

  const visitor = async (name: string) => {
    const joined = await joinShowroom(server.baseUrl, { name });
    visitors.push(joined);
    await joined.until(() => joined.room.state?.avatars?.has(joined.sessionId) === true, 10_000, "own avatar");
    return joined;
  };

  /** A chat line, resolved once the server acknowledged it (after its commit). */
  const say = async (who: Visitor, text: string) => {
    const clientMessageId = `m-${uuidv7()}`;
    who.room.send("chat", { text, clientMessageId });
    await who.until(
      () => who.received.some((m) => m.type === "chat:ack" && m.payload.clientMessageId === clientMessageId),
      10_000,
      `ack of "${text}"`,
    );
  };

  /** A customer with one of everything: a visit with chat, a ticket with a note, demo and quote requests. */
  const customerWithHistory = async (name: string, secret: string) => {
    const who = await visitor(name);
    const customerId = who.guest.customerId;
    // Telemetry is batched: the name the visitor entered with is in the database before anything else is done.
    await waitFor(
      () => query("SELECT 1 FROM interactions WHERE customer_id = $1 AND type = 'session_joined'", [customerId]),
      (rows) => rows.length === 1,
      5000,
      "session_joined",
    );
    await say(who, `${secret} chat`);
    const ticket = await customerAsksForHelp(who, `${secret} help`);
    const { showroom_id: showroomId } = nth(
      await query<{ showroom_id: string }>("SELECT showroom_id FROM visits WHERE customer_id = $1", [customerId]),
      0,
      "the visit",
    );
    await query("INSERT INTO support_notes (id, customer_id, ticket_id, author_id, text) VALUES ($1, $2, $3, $4, $5)", [
      uuidv7(),
      customerId,
      ticket.ticketId,
      agent.id,
      `${secret} note`,
    ]);
    await query(
      "INSERT INTO demo_requests (id, customer_id, showroom_id, message, locale) VALUES ($1, $2, $3, $4, 'en')",
      [uuidv7(), customerId, showroomId, `${secret} demo`],
    );
    await query(
      `INSERT INTO quote_requests (id, customer_id, showroom_id, items, message, locale) VALUES ($1, $2, $3, '[{"sku":"x","quantity":2}]', $4, 'en')`,
      [uuidv7(), customerId, showroomId, `${secret} quote`],
    );
    return { who, customerId, showroomId, ticketId: ticket.ticketId };
  };

  /** Every place the customer's words or name could be, as text. */
  const traces = async (customerId: string, secret: string) => {
    const rows = await query<{ found: string }>(
      `SELECT 'interaction ' || type AS found FROM interactions WHERE customer_id = $1 AND payload::text LIKE $2
       UNION ALL SELECT 'ticket' FROM support_tickets WHERE customer_id = $1 AND (message LIKE $2 OR csat_comment LIKE $2)
       UNION ALL SELECT 'note' FROM support_notes WHERE customer_id = $1
       UNION ALL SELECT 'demo' FROM demo_requests WHERE customer_id = $1 AND message LIKE $2
       UNION ALL SELECT 'quote' FROM quote_requests WHERE customer_id = $1 AND message LIKE $2
       UNION ALL SELECT 'customer' FROM customers WHERE id = $1 AND (display_name IS NOT NULL OR visitor_id NOT LIKE 'erased:%')`,
      [customerId, `%${secret}%`],
    );
    return rows.map((r) => r.found);
  };

  beforeAll(async () => {
    server = await startTestServer({
      database: kind,
      env: { ATRIUM_INTERACTION_RETENTION_DAYS: "30", ATRIUM_RETENTION_SWEEP_SECONDS: "1" },
    });
    manager = await staffConsole(server, "manager", "Mona");
    agent = await staffConsole(server, "agent", "Avery");
  });
  afterAll(async () => {
    await Promise.all(visitors.map((v) => v.leave()));
    await server?.close();
  });

  it("serves the privacy notice in English and Chinese", async () => {
    const response = await fetch(`${server.baseUrl}/privacy`);
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain("What we record when you visit a showroom");
    expect(page).toContain("您参观展厅时我们记录的内容");
    expect(page).toContain(PRIVACY_NOTICE_VERSION);
  });

  it("a showroom that requires consent gives no guest token without it, and records the consent given", async () => {
    await query("UPDATE showrooms SET requires_consent = true WHERE slug = 'home-living'");
    try {
      const view = await (await fetch(`${server.baseUrl}/api/showrooms/home-living`)).json();
      expect(view.requiresConsent).toBe(true);
      const refused = await api<ApiError>("POST", "/guest-token", { body: { showroom: "home-living" } });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe("consent_required");
      const outdated = await api<ApiError>("POST", "/guest-token", {
        body: { showroom: "home-living", consent: "1999-01-01" },
      });
      expect(outdated.status).toBe(400);
      const given = await api<GuestTokenResponse>("POST", "/guest-token", {
        body: { showroom: "home-living", consent: PRIVACY_NOTICE_VERSION },
      });
      expect(given.status).toBe(200);
      const consents = await query<{ payload: { version: string } }>(
        "SELECT payload FROM interactions WHERE customer_id = $1 AND type = 'consent_given'",
        [given.body.customerId],
      );
      expect(consents.map((c) => c.payload.version)).toEqual([PRIVACY_NOTICE_VERSION]);
    } finally {
      await query("UPDATE showrooms SET requires_consent = false WHERE slug = 'home-living'");
    }
    const view = await (await fetch(`${server.baseUrl}/api/showrooms/home-living`)).json();
    expect(view.requiresConsent).toBe(false);
    expect((await api("POST", "/guest-token", { body: { showroom: "home-living" } })).status).toBe(200);
  });

  it("a manager exports everything held about a customer, named by the console's reference or by id", async () => {
    const { customerId, ticketId } = await customerWithHistory("Quinn Export", "kumquat");
    // The room's recording names its visitors with each chunk it writes (every 5 s).
    await waitFor(
      () => query("SELECT id FROM recordings WHERE visitors @> $1::jsonb", [JSON.stringify([{ customerId }])]),
      (rows) => rows.length === 1,
      15_000,
      "the recording to name the customer",
    );
    const byReference = await api<CustomerDataExport>("GET", `/support/customers/${referenceOf(customerId)}/export`, {
      cookie: manager.cookie,
    });
    expect(byReference.status).toBe(200);
    const data = byReference.body;
    expect(data.profile).toMatchObject({ id: customerId, displayName: "Quinn Export", erasedAt: null });
    expect(data.visits).toHaveLength(1);
    expect(data.visits[0]).toMatchObject({ showroom: "home-living", endedAt: null });
    expect(data.interactions.map((i) => i.type)).toEqual(
      expect.arrayContaining(["session_joined", "chat", "support_requested"]),
    );
    expect(data.interactions.find((i) => i.type === "chat")?.payload.text).toBe("kumquat chat");
    expect(data.tickets).toEqual([expect.objectContaining({ id: ticketId, message: "kumquat help" })]);
    expect(data.notes).toEqual([expect.objectContaining({ ticketId, text: "kumquat note" })]);
    expect(data.demoRequests).toEqual([expect.objectContaining({ message: "kumquat demo" })]);
    expect(data.quoteRequests).toEqual([
      expect.objectContaining({ message: "kumquat quote", items: [{ sku: "x", quantity: 2 }] }),
    ]);
    expect(data.recordings).toEqual([expect.objectContaining({ showroom: "home-living", endedAt: null })]);

    const byId = await api<CustomerDataExport>("GET", `/support/customers/${customerId}/export`, {
      cookie: manager.cookie,
    });
    expect(byId.status).toBe(200);
    expect(byId.body.profile.id).toBe(customerId);
  });

  it("only managers and the customer themselves reach a customer's data", async () => {
    const own = await guestToken(server.baseUrl);
    const other = await guestToken(server.baseUrl);
    const path = `/support/customers/${own.customerId}/export`;
    expect((await api("GET", path)).status).toBe(401);
    expect((await api("GET", path, { cookie: agent.cookie })).status).toBe(403);
    expect((await api("POST", `/support/customers/${own.customerId}/erase`, { cookie: agent.cookie })).status).toBe(
      403,
    );
    expect((await api("GET", path, { token: other.token })).status).toBe(403);
    expect((await api("POST", `/support/customers/${own.customerId}/erase`, { token: other.token })).status).toBe(403);
    expect((await api("GET", path, { token: own.token })).status).toBe(200);
    expect((await api("GET", path, { token: "v1.forged.token" })).status).toBe(401);
    expect((await api("GET", "/me/data")).status).toBe(401);
    expect((await api("GET", "/me/data", { cookie: manager.cookie })).status).toBe(403);
    const mine = await api<CustomerDataExport>("GET", "/me/data", { token: own.token });
    expect(mine.status).toBe(200);
    expect(mine.body.profile.id).toBe(own.customerId);
    expect((await api("GET", "/support/audit")).status).toBe(401);
    expect((await api("GET", "/support/audit", { cookie: agent.cookie })).status).toBe(403);
    expect((await api("GET", "/support/audit", { token: own.token })).status).toBe(403);
    expect((await api("GET", "/support/customers/not-a-customer/export", { cookie: manager.cookie })).status).toBe(400);
    expect((await api("GET", "/support/customers/00000000/export", { cookie: manager.cookie })).status).toBe(404);

    // Erasing themselves by the manager's route, the customer confirms it as on DELETE /me/data.
    const unconfirmed = await api("POST", `/support/customers/${own.customerId}/erase`, { token: own.token });
    expect(unconfirmed).toMatchObject({ status: 400, body: { error: "confirmation_required" } });
    const confirmed = await api<ErasureReceipt>("POST", `/support/customers/${own.customerId}/erase`, {
      token: own.token,
      body: { confirm: true },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ customerId: own.customerId, requestedBy: "customer" });
  });

  it("erasing a customer in the room removes their words and name everywhere, and what they say afterwards is not recorded", async () => {
    const { who, customerId } = await customerWithHistory("Rowan Erase", "tamarind");
    const visitorLists = () =>
      query<{ visitors: Array<{ customerId: string; name: string }> }>(
        "SELECT visitors FROM recordings WHERE visitors @> $1::jsonb",
        [JSON.stringify([{ customerId }])],
      );
    // The room's recording names its visitors with each chunk it writes (every 5 s).
    await waitFor(visitorLists, (rows) => rows.length === 1, 15_000, "the recording to name the customer");
    let letGoWith: number | undefined;
    who.room.onLeave((code) => {
      letGoWith = code;
    });
    const erased = await api<ErasureReceipt>("POST", `/support/customers/${customerId}/erase`, {
      cookie: manager.cookie,
    });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ customerId, requestedBy: "staff" });
    expect(erased.body.counts).toMatchObject({ customers: 1, visitsClosed: 1, tickets: 1, notes: 1, demoRequests: 1 });
    expect(erased.body.counts.interactions).toBeGreaterThanOrEqual(3);
    expect(await traces(customerId, "tamarind")).toEqual([]);
    expect(await traces(customerId, "Rowan")).toEqual([]);
    const [visit] = await query<{ ended_at: Date | null }>("SELECT ended_at FROM visits WHERE customer_id = $1", [
      customerId,
    ]);
    expect(visit?.ended_at).not.toBeNull();
    const [recording] = await visitorLists();
    expect(recording?.visitors.filter((v) => v.customerId === customerId).map((v) => v.name)).toEqual([""]);

    // Still in the room until it lets them go: what they say meanwhile, and their going, bring none of it back.
    who.room.send("chat", { text: "tamarind after erasure", clientMessageId: `m-${uuidv7()}` });
    await waitFor(
      async () => letGoWith,
      (code) => code !== undefined,
      10_000,
      "the room to let the erased visitor go",
    );
    expect(letGoWith).toBe(ShowroomCloseCode.Erased);
    await waitFor(
      () => query("SELECT 1 FROM visits WHERE customer_id = $1 AND ended_at IS NULL", [customerId]),
      (rows) => rows.length === 0,
    );
    expect(await traces(customerId, "tamarind")).toEqual([]);
    expect(await traces(customerId, "Rowan")).toEqual([]);
    const after = await query<{ type: string }>(
      "SELECT type FROM interactions WHERE customer_id = $1 AND occurred_at > $2",
      [customerId, erased.body.erasedAt],
    );
    expect(after.map((row) => row.type)).not.toContain("chat");
    expect(after.map((row) => row.type)).not.toContain("session_left");

    // The old token opens no new visit, and the export shows what is left.
    const rejoin = joinShowroom(server.baseUrl, { token: who.guest.token, name: "Rowan Again" });
    await expect(rejoin).rejects.toThrow(/unknown/);
    const left = await api<CustomerDataExport>("GET", "/me/data", { token: who.guest.token });
    expect(left.body.profile).toMatchObject({ displayName: null, erasedAt: erased.body.erasedAt });
    expect(JSON.stringify(left.body)).not.toMatch(/tamarind|Rowan/);
  });

  it("erasure is idempotent and two at once erase once", async () => {
    const first = await customerWithHistory("Sasha Twice", "persimmon");
    await first.who.leave();
    const [a, b] = await Promise.all([
      api<ErasureReceipt>("POST", `/support/customers/${first.customerId}/erase`, { cookie: manager.cookie }),
      api<ErasureReceipt>("DELETE", "/me/data", { token: first.who.guest.token, body: { confirm: true } }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body).toEqual(b.body);
    const again = await api<ErasureReceipt>("POST", `/support/customers/${first.customerId}/erase`, {
      cookie: manager.cookie,
    });
    expect(again.body).toEqual(a.body);
    const records = await query<{ counts: Record<string, number> }>(
      "SELECT counts FROM erasures WHERE customer_id = $1",
      [first.customerId],
    );
    expect(records).toHaveLength(1);
    expect(nth(records, 0).counts).toEqual(a.body.counts);
    expect(JSON.stringify(records)).not.toMatch(/persimmon|Sasha/);
    expect(await traces(first.customerId, "persimmon")).toEqual([]);

    const unconfirmed = await api<ApiError>("DELETE", "/me/data", { token: first.who.guest.token, body: {} });
    expect(unconfirmed.status).toBe(400);
  });

  it("the retention sweep deletes interactions older than the retention period and keeps newer ones", async () => {
    const guest = await guestToken(server.baseUrl);
    const { id: showroomId } = nth(
      await query<{ id: string }>("SELECT id FROM showrooms WHERE slug = 'home-living'"),
      0,
      "the showroom",
    );
    const insert = (daysAgo: number) =>
      query(
        `INSERT INTO interactions (id, customer_id, showroom_id, type, payload, occurred_at)
         VALUES ($1, $2, $3, 'product_dwell', '{}', now() - make_interval(days => $4)) RETURNING id`,
        [uuidv7(), guest.customerId, showroomId, daysAgo],
      );
    for (const days of [400, 31, 29, 1]) await insert(days);
    const left = await waitFor(
      () =>
        query<{ days: number }>(
          "SELECT round(extract(epoch FROM now() - occurred_at) / 86400)::int AS days FROM interactions WHERE customer_id = $1 ORDER BY occurred_at",
          [guest.customerId],
        ),
      (rows) => rows.length === 2,
      10_000,
      "the old interactions to go",
    );
    expect(left.map((r) => r.days)).toEqual([29, 1]);
  });

  it("managers read the audit trail of staff access, filtered and a page at a time", async () => {
    const { customerId, ticketId } = await customerWithHistory("Tatum Audit", "quince");
    await goOnline(agent);
    expect((await agent.call("POST", `/tickets/${ticketId}/accept`)).status).toBe(200);
    expect((await agent.call("GET", `/tickets/${ticketId}`)).status).toBe(200);
    expect((await api("GET", `/support/customers/${customerId}/export`, { cookie: manager.cookie })).status).toBe(200);
    expect((await api("POST", `/support/customers/${customerId}/erase`, { cookie: manager.cookie })).status).toBe(200);

    const all = await api<AuditPage>("GET", `/support/audit?customer=${referenceOf(customerId)}`, {
      cookie: manager.cookie,
    });
    expect(all.status).toBe(200);
    expect(all.body.entries.map((e) => [e.action, e.staffName])).toEqual([
      ["erase", "Mona"],
      ["export", "Mona"],
      ["ticket_detail", "Avery"],
      ["ticket_detail", "Avery"],
    ]);
    expect(all.body.entries[3]).toMatchObject({ customerId, ticketId, staffId: agent.id });
    expect(all.body.next).toBeNull();

    const byAgent = await api<AuditPage>("GET", `/support/audit?customer=${customerId}&staff=${agent.id}`, {
      cookie: manager.cookie,
    });
    expect(byAgent.body.entries).toHaveLength(2);

    const pages: string[] = [];
    let before: string | null = null;
    do {
      const page: { body: AuditPage } = await api<AuditPage>(
        "GET",
        `/support/audit?customer=${customerId}&limit=3${before ? `&before=${before}` : ""}`,
        { cookie: manager.cookie },
      );
      pages.push(page.body.entries.map((e) => e.action).join(","));
      before = page.body.next;
    } while (before);
    expect(pages).toEqual(["erase,export,ticket_detail", "ticket_detail"]);

    const future = new Date(Date.now() + 3_600_000).toISOString();
    const none = await api<AuditPage>("GET", `/support/audit?customer=${customerId}&from=${future}`, {
      cookie: manager.cookie,
    });
    expect(none.body.entries).toEqual([]);
    expect((await api("GET", "/support/audit?limit=0", { cookie: manager.cookie })).status).toBe(400);
  });
});
