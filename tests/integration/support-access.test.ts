import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client } from "@colyseus/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../../db/client";
import { projectRoot } from "../../db/paths";
import { ShowroomState } from "../../schema/state";
import { LOCKOUT_MINUTES, MAX_FAILED_SIGN_INS, signIn as signInAs } from "../../server/auth/staff";
import { signToken } from "../../server/auth/tokens";
import { SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS } from "../../server/http/throttle";
import { databaseKinds } from "../support/db";
import { nth } from "../support/items";
import { startTestServer, type TestServer } from "../support/server";
import { guestToken, type Visitor } from "../support/visitor";
import {
  createStaff,
  customerAsksForHelp,
  goOnline,
  joinAsAgent,
  joinAsCustomer,
  request,
  signIn,
  staffConsole,
  type StaffConsole,
} from "./support-fixtures";

const run = promisify(execFile);
const SOME_TICKET = "01900000-0000-7000-8000-000000000000";

/** Every console endpoint, with the roles it serves. */
const ENDPOINTS: Array<{ method: string; path: string; roles: Array<"agent" | "manager">; body?: unknown }> = [
  { method: "POST", path: "/sign-out", roles: ["agent", "manager"] },
  { method: "GET", path: "/me", roles: ["agent", "manager"] },
  { method: "GET", path: "/queue", roles: ["agent", "manager"] },
  { method: "GET", path: "/queue/stream", roles: ["agent", "manager"] },
  { method: "PUT", path: "/presence", roles: ["agent"], body: { status: "away" } },
  { method: "POST", path: `/tickets/${SOME_TICKET}/accept`, roles: ["agent"] },
  { method: "POST", path: `/tickets/${SOME_TICKET}/release`, roles: ["agent"] },
  { method: "POST", path: `/tickets/${SOME_TICKET}/resolve`, roles: ["agent"] },
  { method: "GET", path: `/tickets/${SOME_TICKET}`, roles: ["agent", "manager"] },
  { method: "POST", path: `/tickets/${SOME_TICKET}/notes`, roles: ["agent", "manager"], body: { text: "note" } },
  { method: "POST", path: "/room-token", roles: ["agent"], body: { ticketId: SOME_TICKET } },
  { method: "GET", path: "/canned-responses", roles: ["agent", "manager"] },
  { method: "GET", path: "/agents", roles: ["manager"] },
  { method: "GET", path: "/metrics", roles: ["manager"] },
];

describe.each(databaseKinds())("who may use live support, on %s Postgres", (kind) => {
  let server: TestServer;
  let agent: StaffConsole;
  let manager: StaffConsole;
  const visitors: Visitor[] = [];

  beforeAll(async () => {
    server = await startTestServer({ database: kind });
    agent = await staffConsole(server, "agent", "Avery");
    manager = await staffConsole(server, "manager", "Mo");
  });
  afterAll(async () => {
    await Promise.all(visitors.map((v) => v.leave()));
    await server?.close();
  });

  it("every console endpoint answers 401 without a staff session, even to a customer's token", async () => {
    const guest = await guestToken(server.baseUrl);
    for (const endpoint of ENDPOINTS) {
      const anonymous = await request(server.baseUrl, endpoint.method, endpoint.path, { body: endpoint.body });
      expect([endpoint.path, anonymous.status, anonymous.body]).toEqual([
        endpoint.path,
        401,
        { error: "unauthenticated", message: expect.any(String) },
      ]);
      const asCustomer = await request(server.baseUrl, endpoint.method, endpoint.path, {
        body: endpoint.body,
        headers: { authorization: `Bearer ${guest.token}`, cookie: `atrium_staff=${guest.token}` },
      });
      expect([endpoint.path, asCustomer.status]).toEqual([endpoint.path, 401]);
    }
  });

  it("every console endpoint answers 403 to the staff role it does not serve", async () => {
    for (const endpoint of ENDPOINTS) {
      for (const staff of [agent, manager]) {
        const role = staff === agent ? "agent" : "manager";
        if (endpoint.roles.includes(role) || endpoint.path === "/sign-out") continue;
        const { status, body } = await staff.call(endpoint.method, endpoint.path, endpoint.body);
        expect([role, endpoint.path, status, body]).toEqual([
          role,
          endpoint.path,
          403,
          { error: "forbidden", message: expect.any(String) },
        ]);
      }
    }
  });

  it("sign-in checks its input, refuses wrong passwords, locks after repeated failures, and sign-out ends the session", async () => {
    expect((await request(server.baseUrl, "POST", "/sign-in", { body: {} })).body).toMatchObject({
      error: "invalid_email",
    });
    expect(
      (
        await request(server.baseUrl, "POST", "/sign-in", {
          body: "not json",
          headers: { "content-type": "application/json" },
        })
      ).status,
    ).toBe(400);
    expect(
      (await request(server.baseUrl, "POST", "/sign-in", { body: { email: "x@y.z", password: 5 } })).body,
    ).toMatchObject({ error: "invalid_password" });
    const unknown = await request(server.baseUrl, "POST", "/sign-in", {
      body: { email: "nobody@staff.test", password: "whatever-it-is" },
    });
    expect(unknown).toMatchObject({ status: 401, body: { error: "invalid_credentials" } });

    const sam = await createStaff(server, "agent", "Sam");
    for (let i = 0; i < 5; i++) {
      const wrong = await request(server.baseUrl, "POST", "/sign-in", {
        body: { email: sam.email, password: "not-the-password" },
      });
      expect(wrong).toMatchObject({ status: 401, body: unknown.body });
    }
    // From this address the pair is locked: even the right password waits, told how long.
    const locked = await request(server.baseUrl, "POST", "/sign-in", {
      body: { email: sam.email, password: sam.password },
    });
    expect(locked).toMatchObject({ status: 429, body: { error: "too_many_attempts" } });
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);

    const tess = await signIn(server, await createStaff(server, "agent", "Tess"));
    expect((await tess.call("GET", "/me")).body).toMatchObject({ staff: { displayName: "Tess", role: "agent" } });
    expect((await tess.call("POST", "/sign-out")).status).toBe(200);
    expect((await tess.call("GET", "/me")).status).toBe(401);

    // An expired session is no session.
    const uma = await signIn(server, await createStaff(server, "agent", "Uma"));
    await server.database.pool.query(
      "UPDATE staff_sessions SET expires_at = now() - interval '1 second' WHERE staff_id = (SELECT id FROM staff_accounts WHERE display_name = 'Uma')",
    );
    expect((await uma.call("GET", "/queue")).status).toBe(401);
  });

  it("however many sign-ins race, no more wrong passwords are checked than the limits allow: five per address, MAX_FAILED_SIGN_INS for the account", async () => {
    const vic = await createStaff(server, "agent", "Vic");
    // A few connections of its own: the embedded Postgres serves only so many, and the server needs its share.
    const direct = createDatabase(server.database.url, { max: 3 });
    try {
      const attempts = await Promise.all(
        Array.from({ length: MAX_FAILED_SIGN_INS + 10 }, () => signInAs(direct.db, vic.email, "not-the-password", 1)),
      );
      const checked = attempts.filter((attempt) => !attempt.ok && attempt.reason === "invalid").length;
      expect(checked).toBeGreaterThan(0);
      expect(checked).toBeLessThanOrEqual(MAX_FAILED_SIGN_INS);
      expect(attempts.filter((attempt) => !attempt.ok && attempt.reason === "refused")).toHaveLength(
        MAX_FAILED_SIGN_INS + 10 - checked,
      );
      expect(await signInAs(direct.db, vic.email, vic.password, 1)).toEqual({ ok: false, reason: "refused" });
    } finally {
      await direct.close();
    }

    // The same race over HTTP from one address: five passwords checked (401), the rest told to wait (429).
    const wes = await createStaff(server, "agent", "Wes");
    const guess = (password: string) =>
      request(server.baseUrl, "POST", "/sign-in", { body: { email: wes.email, password } });
    const burst = await Promise.all(Array.from({ length: 20 }, () => guess("not-the-password")));
    expect(burst.filter((response) => response.status === 401)).toHaveLength(SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS);
    expect(burst.filter((response) => response.status === 429)).toHaveLength(
      20 - SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS,
    );
    const counted = await server.database.pool.query("SELECT failed_sign_ins FROM staff_accounts WHERE email = $1", [
      wes.email,
    ]);
    expect(counted.rows[0].failed_sign_ins).toBe(SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS);
    expect((await guess(wes.password)).status).toBe(429);
    // The account's own count, from every address, locks it at MAX_FAILED_SIGN_INS, answered like a wrong password.
    await server.database.pool.query("UPDATE staff_accounts SET failed_sign_ins = $2 WHERE email = $1", [
      wes.email,
      MAX_FAILED_SIGN_INS,
    ]);
    await server.database.pool.query("DELETE FROM rate_limits");
    expect((await guess(wes.password)).status).toBe(401);

    // The lockout ends LOCKOUT_MINUTES after the last counted attempt, and a right password starts the count again.
    await server.database.pool.query(
      "UPDATE staff_accounts SET last_failed_sign_in_at = now() - make_interval(mins => $2) WHERE email = $1",
      [wes.email, LOCKOUT_MINUTES + 1],
    );
    expect((await guess(wes.password)).status).toBe(200);
    const reset = await server.database.pool.query(
      "SELECT failed_sign_ins, last_failed_sign_in_at FROM staff_accounts WHERE email = $1",
      [wes.email],
    );
    expect(reset.rows[0]).toEqual({ failed_sign_ins: 0, last_failed_sign_in_at: null });
  });

  it("console inputs are validated with clear 4xx errors", async () => {
    const bad: Array<[StaffConsole, string, string, unknown, number, string]> = [
      [agent, "PUT", "/presence", { status: "sleeping" }, 400, "invalid_status"],
      [agent, "PUT", "/presence", { capacity: 0 }, 400, "invalid_capacity"],
      [agent, "PUT", "/presence", { capacity: 2.5 }, 400, "invalid_capacity"],
      [agent, "PUT", "/presence", {}, 400, "invalid_presence"],
      [agent, "PUT", "/presence", { status: "online", mood: "good" }, 400, "invalid_presence"],
      [agent, "PUT", "/presence", [1, 2], 400, "invalid_body"],
      [agent, "POST", "/tickets/not-a-ticket/accept", undefined, 400, "invalid_ticket_id"],
      [agent, "POST", `/tickets/${SOME_TICKET}/accept`, undefined, 409, "not_online"],
      [agent, "GET", `/tickets/${SOME_TICKET}`, undefined, 404, "not_found"],
      [agent, "POST", "/room-token", { ticketId: 42 }, 400, "invalid_ticket_id"],
      [agent, "POST", "/room-token", { ticketId: SOME_TICKET }, 404, "not_found"],
      [manager, "POST", `/tickets/${SOME_TICKET}/notes`, { text: "" }, 400, "invalid_note"],
      [manager, "POST", `/tickets/${SOME_TICKET}/notes`, { text: "x".repeat(2001) }, 400, "invalid_note"],
      [manager, "GET", "/metrics?from=yesterday-ish", undefined, 400, "invalid_date"],
      [manager, "GET", "/metrics?from=2030-01-02&to=2030-01-01", undefined, 400, "invalid_range"],
      // Dates Postgres cannot store, or that no figure could span, are refused at the door.
      [manager, "GET", "/metrics?to=0001-01-02T00:00:00Z", undefined, 400, "invalid_date"],
      [manager, "GET", "/metrics?from=-010000-01-01T00:00:00Z", undefined, 400, "invalid_date"],
      [manager, "GET", "/metrics?from=1999-12-31T23:59:59Z&to=2000-01-08T00:00:00Z", undefined, 400, "invalid_date"],
      [
        manager,
        "GET",
        "/metrics?from=2030-01-01T00:00:00Z&to=%2B010000-01-01T00:00:00Z",
        undefined,
        400,
        "invalid_date",
      ],
      [manager, "GET", "/metrics?from=9999-12-31T00:00:00Z&to=2000-01-01T00:00:00Z", undefined, 400, "invalid_range"],
      [manager, "GET", "/nowhere", undefined, 404, "not_found"],
    ];
    for (const [staff, method, path, body, status, error] of bad) {
      const response = await staff.call(method, path, body);
      expect([method, path, response.status, response.body]).toEqual([
        method,
        path,
        status,
        { error, message: expect.any(String) },
      ]);
    }
    await goOnline(agent);
    expect((await agent.call("POST", `/tickets/${SOME_TICKET}/accept`)).body).toMatchObject({ error: "not_found" });
    expect((await manager.call("GET", "/metrics?from=2000-01-01T00:00:00Z&to=9999-12-31T23:59:59Z")).status).toBe(200);
  });

  it("the room lets in as an agent only a signed-in agent, and only for a ticket they hold", async () => {
    const secret = (await server.database.pool.query("SELECT value FROM app_secrets WHERE name = 'token-signing'"))
      .rows[0].value as string;
    const join = (options: Record<string, unknown>) =>
      new Client(server.baseUrl).joinOrCreate(
        "showroom",
        { slug: "home-living", name: "X", ...options },
        ShowroomState,
      );
    const refusal = async (options: Record<string, unknown>) => {
      try {
        const room = await join(options);
        await room.leave(true);
        return "joined";
      } catch (error) {
        return `${(error as { code?: number }).code}`;
      }
    };
    const exp = Math.floor(Date.now() / 1000) + 60;
    const guest = await guestToken(server.baseUrl);
    // A customer's token claiming the agent role; a forged agent token; a manager's id dressed as an agent.
    expect(await refusal({ token: guest.token, role: "agent" })).toBe("403");
    expect(
      await refusal({ token: signToken("not-the-secret", { sub: agent.id, role: "agent", exp }), role: "agent" }),
    ).toBe("401");
    expect(await refusal({ token: signToken(secret, { sub: manager.id, role: "agent", exp }), role: "agent" })).toBe(
      "403",
    );
    expect(await refusal({ token: signToken(secret, { sub: manager.id, role: "manager", exp }) })).toBe("403");

    // A ticket held by another agent: no room token for it, and no joining for it with one's own token.
    const wendy = await joinAsCustomer(server, "Wendy");
    visitors.push(wendy);
    const { ticketId } = await customerAsksForHelp(wendy);
    const other = await staffConsole(server, "agent", "Quinn");
    await Promise.all([goOnline(agent), goOnline(other)]);
    expect((await other.call("POST", `/tickets/${ticketId}/accept`)).status).toBe(200);
    expect((await agent.call("POST", "/room-token", { ticketId })).status).toBe(403);
    expect(
      await refusal({ token: signToken(secret, { sub: agent.id, role: "agent", exp }), role: "agent", ticketId }),
    ).toBe("403");
    // The holder gets in; a customer cannot speak on, or rate, someone else's ticket.
    const quinn = await joinAsAgent(server, other, ticketId);
    visitors.push(quinn);
    const xavi = await joinAsCustomer(server, "Xavi");
    visitors.push(xavi);
    xavi.room.send("support:say", { ticketId, text: "let me in", clientMessageId: "x1" });
    xavi.room.send("support:csat", { ticketId, score: 1 });
    await xavi.until(
      () => xavi.received.filter((m) => m.type === "support:refused").length === 2,
      10_000,
      "both refused",
    );
    expect(quinn.received.some((m) => m.type === "support:say")).toBe(false);
    // Staff cannot ask for help; malformed support messages are refused at the door.
    quinn.room.send("support:request", {});
    await quinn.until(
      () => quinn.received.some((m) => m.type === "support:refused"),
      10_000,
      "agent's help request refused",
    );
    xavi.room.send("support:csat", { ticketId, score: 9 });
    await xavi.until(
      () => xavi.received.some((m) => m.type === "refused" && m.payload.type === "support:csat"),
      10_000,
      "bad score refused",
    );
  });

  it("the first start makes a demo agent and manager whose passwords are printed once and work", async () => {
    const printed = [...server.output().matchAll(/demo (agent|manager) created: (\S+) \/ (\S+)/g)].map((m) => ({
      role: m[1],
      email: m[2],
      password: m[3],
    }));
    expect(printed.map((p) => p.role)).toEqual(["agent", "manager"]);
    for (const demo of printed) {
      const response = await request(server.baseUrl, "POST", "/sign-in", {
        body: { email: demo.email, password: demo.password },
      });
      expect(response).toMatchObject({ status: 200, body: { staff: { role: demo.role } } });
    }
    const stored = await server.database.pool.query("SELECT password_hash FROM staff_accounts WHERE email = $1", [
      nth(printed, 0, "a printed demo account").email,
    ]);
    expect(stored.rows[0].password_hash).toMatch(/^\$argon2id\$/);
    await server.restart();
    expect(server.output().match(/demo (agent|manager) created/g)).toHaveLength(2);
  });

  it("the staff command creates an account that can sign in", async () => {
    // The command as shipped: `npm run staff -- …` runs this bundle.
    const script = join(projectRoot(), "dist", "staff.js");
    const env = { ...process.env, DATABASE_URL: server.database.url };
    const { stdout } = await run(
      process.execPath,
      [script, "create", "--email", "Zoe@Example.com", "--name", "Zoe", "--role", "agent"],
      { env },
    );
    const password = /password: (\S+)/.exec(stdout)?.[1];
    expect(stdout).toContain("created agent zoe@example.com (Zoe)");
    const zoe = await signIn(server, { id: "", email: "zoe@example.com", password: password!, name: "Zoe" });
    expect((await zoe.call("GET", "/me")).body).toMatchObject({ staff: { email: "zoe@example.com", role: "agent" } });
    const duplicate = await run(
      process.execPath,
      [script, "create", "--email", "zoe@example.com", "--name", "Zoe", "--role", "agent"],
      { env },
    ).catch((error: { code: number; stderr: string }) => error);
    expect(duplicate).toMatchObject({ code: 1, stderr: expect.stringContaining("already a staff account") });
    // Zoe holds a customer's ticket when she is deactivated: it goes back to the queue.
    const yan = await joinAsCustomer(server, "Yan");
    const { ticketId } = await customerAsksForHelp(yan);
    await goOnline(zoe);
    expect((await zoe.call("POST", `/tickets/${ticketId}/accept`)).status).toBe(200);
    const deactivated = await run(process.execPath, [script, "deactivate", "--email", "zoe@example.com"], { env });
    expect(deactivated.stdout).toContain("1 ticket(s) they held went back to the queue");
    expect((await zoe.call("GET", "/me")).status).toBe(401);
    const ticket = await server.database.pool.query(
      "SELECT status, assigned_agent_id FROM support_tickets WHERE id = $1",
      [ticketId],
    );
    expect(ticket.rows[0]).toEqual({ status: "queued", assigned_agent_id: null });
    const released = await server.database.pool.query(
      "SELECT payload FROM interactions WHERE type = 'support_released' AND payload->>'ticketId' = $1",
      [ticketId],
    );
    expect(released.rows[0].payload).toMatchObject({
      actor: { kind: "system" },
      reason: "agent_deactivated",
      from: "assigned",
      to: "queued",
    });
    await yan.leave();
  });

  it("the staff command lists every account with its role and whether it is active", async () => {
    const script = join(projectRoot(), "dist", "staff.js");
    const env = { ...process.env, DATABASE_URL: server.database.url };
    const lee = await createStaff(server, "manager", "Lee");
    const { stdout } = await run(process.execPath, [script, "list"], { env });
    const lines = stdout.trim().split("\n");
    expect(lines).toContain(`manager  active   ${lee.email}  Lee`);
    const { rows } = await server.database.pool.query("SELECT count(*)::int AS n FROM staff_accounts");
    expect(lines).toHaveLength(rows[0]?.n);
  });

  it("the staff command resets a password: the new one signs in, the old one no longer does, and open sessions end", async () => {
    const script = join(projectRoot(), "dist", "staff.js");
    const env = { ...process.env, DATABASE_URL: server.database.url };
    const kim = await createStaff(server, "agent", "Kim");
    const before = await signIn(server, kim);
    const { stdout } = await run(process.execPath, [script, "reset-password", "--email", kim.email], { env });
    expect(stdout).toContain(`password of ${kim.email} reset; its sessions are signed out`);
    const password = /password: (\S+) {2}\(shown once\)/.exec(stdout)?.[1];
    expect(password, stdout).toBeDefined();
    expect(password).not.toBe(kim.password);
    expect((await before.call("GET", "/me")).status).toBe(401);
    const after = await signIn(server, { ...kim, password: password ?? "" });
    expect((await after.call("GET", "/me")).body).toMatchObject({ staff: { email: kim.email, role: "agent" } });
    const old = await request(server.baseUrl, "POST", "/sign-in", {
      body: { email: kim.email, password: kim.password },
    });
    expect(old).toMatchObject({ status: 401, body: { error: "invalid_credentials" } });
  });
});
